"""Joint cell suppression with an audit: what the public may see of a set of related tables.

Suppressing small cells table by table is not enough: a published total minus the published
parts gives back a withheld part, and two tables that share a margin give back what either
withholds (issue 11). This module decides what to withhold for a whole *publication* at
once, the method statistical offices call cell suppression with an audit:

1. **Primary suppression**: every cell the caller marks as sensitive (fewer than k workers).
2. **Audit**: the attacker's best knowledge is written down as linear relations between
   cells (a total equals the sum of its parts; a count of distinct workers lies between its
   largest part and the sum of its parts) plus what the presence of a cell tells (it is at
   least 1). For every withheld figure, linear programming finds the smallest and largest
   value consistent with everything published. A figure whose range is narrower than one
   unit is *recovered*.
3. **Complementary suppression**: for each recovered cell, the smallest published cell of a
   relation that pins it is withheld too, and the audit runs again, until it recovers
   nothing. Suppression only grows, so this ends.

The attacker model covers every combination of the published figures by sums and
differences, with the bounds any count obeys; it is the same one the attack test runs
(``tests/publish/test_disclosure_attack.py``). It does not cover knowledge from outside the
publication (a journalist who knows a worker), which no suppression can.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field

import highspy
import numpy as np
from scipy.sparse import csr_matrix

CellId = tuple[str, Hashable]  # (table, key)


SUM = "sum"  # the parent is the sum of its children (worker-months, rupiah, a partition)
DISTINCT = "distinct"  # distinct workers: between the largest child and the children's sum
COVER = "cover"  # groups that overlap and need not lie inside the parent: at most the sum


@dataclass(frozen=True)
class Relation:
    """What an attacker knows of ``parent`` from its ``children`` in one ``figure``."""

    figure: str
    parent: CellId
    children: tuple[CellId, ...]
    kind: str = SUM

    @property
    def exact(self) -> bool:
        return self.kind == SUM


@dataclass(frozen=True)
class Link:
    """What holds between the figures of any one cell: the sum of coefficient times figure
    is at most zero (a cell's worker-months are at least its workers, say)."""

    terms: tuple[tuple[str, float], ...]


@dataclass
class Publication:
    """Cells (each a dict of figures), the relations between them, and what may be shown.

    ``hidden`` cells are never published (months paid ahead, say) but take part in
    relations; ``forced`` cells are always published (the programme's headline) and are
    never chosen to protect another. ``floors`` is what an attacker knows a present cell's
    figure to be at least (1 for a count: a cell with nobody in it is not published); a
    forced cell is there even when empty, so it has none.
    A withheld figure may not be pinned to a range narrower than one (count or rupiah);
    ``unit`` scales a figure for the solver (rupiah in thousands keep the numbers within its
    tolerances).
    """

    cells: dict[CellId, dict[str, int]] = field(default_factory=dict)
    relations: list[Relation] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    hidden: set[CellId] = field(default_factory=set)
    forced: set[CellId] = field(default_factory=set)
    floors: dict[str, int] = field(default_factory=dict)
    unit: dict[str, float] = field(default_factory=dict)
    size: Callable[[dict[str, int]], int] = lambda figures: min(figures.values())

    def add(self, cell: CellId, figures: dict[str, int]) -> None:
        self.cells[cell] = figures


def audit(publication: Publication, withheld: set[CellId]) -> dict[CellId, str]:
    """Withheld cells an attacker pins (narrower than one unit), each with
    the figure that gives it away.

    One linear system over every figure at once (a figure of a cell is a variable), as
    links between a cell's figures can pin what each figure's relations alone leave open.
    """
    return _Auditor(publication).recovered(withheld)


def suppress_jointly(publication: Publication, primary: Iterable[CellId]) -> set[CellId]:
    """The withheld set: primary cells, then complementary ones, smallest first, until the
    audit pins nothing."""
    auditor = _Auditor(publication)
    withheld = set(primary) - publication.hidden  # a sensitive headline cell goes as well
    while True:
        withheld |= _lonely_partners(publication, withheld)
        recovered = auditor.recovered(withheld)
        if not recovered:
            return withheld
        added = set()
        for cell in sorted(recovered, key=repr):
            if not auditor.pinned(cell, withheld | added):
                continue  # an earlier partner in this round already freed it
            partner = auditor.partner(cell, withheld | added)
            if partner is not None:
                added.add(partner)
        if not added:  # pinned by always-published cells alone: nothing more can help
            logging.getLogger("lingkaran").warning(
                "disclosure: %d withheld cells are fixed by published totals alone", len(recovered)
            )
            return withheld
        withheld |= added


def _lonely_partners(publication: Publication, withheld: set[CellId]) -> set[CellId]:
    """The cheap rule first, to a fixed point: no exact relation with one unknown."""
    withheld = set(withheld)
    added: set[CellId] = set()
    changed = True
    unknown = withheld | publication.hidden
    while changed:
        changed = False
        for relation in publication.relations:
            if not relation.exact:
                continue
            cells = (relation.parent, *relation.children)
            missing = [c for c in cells if c in unknown]
            if len(missing) != 1 or missing[0] not in withheld:
                continue
            candidates = _candidates(publication, [relation], withheld)
            if candidates:
                withheld.add(candidates[0])
                unknown.add(candidates[0])
                added.add(candidates[0])
                changed = True
    return added


def _candidates(
    publication: Publication, relations: list[Relation], withheld: set[CellId]
) -> list[CellId]:
    """Published cells of ``relations`` that may be withheld, smallest first."""
    found = {
        cell
        for relation in relations
        for cell in (*relation.children, relation.parent)
        if cell not in withheld
        and cell not in publication.hidden
        and cell not in publication.forced
    }
    return sorted(found, key=lambda c: (publication.size(publication.cells[c]), repr(c)))


Variable = tuple[CellId, str]  # a withheld figure: (cell, figure)
Row = tuple[tuple[tuple[Variable, float], ...], float, bool]  # terms, constant, exact


class _Auditor:
    """The audit of one publication, remembering components it has already solved."""

    TRIES = 6  # complementary candidates tried per pinned cell before taking the smallest

    def __init__(self, publication: Publication) -> None:
        self.publication = publication
        self.involving: dict[CellId, list[Relation]] = defaultdict(list)
        for relation in publication.relations:
            for cell in (relation.parent, *relation.children):
                self.involving[cell].append(relation)
        self.solved: dict[frozenset, list[Variable]] = {}
        self.sources: dict[Row, Relation | None] = {}  # the relation each row comes from
        caps: dict[str, float] = defaultdict(lambda: 1.0)
        for figures in publication.cells.values():
            for figure, value in figures.items():
                caps[figure] += abs(value)
        self.caps = caps

    def recovered(self, withheld: set[CellId]) -> dict[CellId, str]:
        found: dict[CellId, str] = {}
        for component in _components(self._rows(withheld)):
            for cell, figure in self._pinned_in(component):
                if cell in withheld:
                    found.setdefault(cell, figure)
        return found

    def pinned(self, cell: CellId, withheld: set[CellId]) -> bool:
        """Whether ``cell`` is pinned when ``withheld`` is withheld (its component only)."""
        for component in _components(self._rows(withheld)):
            if any(variable[0] == cell for row in component for variable, _ in row[0]):
                return bool(self._solve(component, only=cell))
        return False

    def partner(self, cell: CellId, withheld: set[CellId]) -> CellId | None:
        """A published cell whose withholding frees ``cell``, smallest first, or failing
        that the smallest that loosens what pins it (the next round goes on from there).

        Tried first: the published cells of the relations that bind at the pinned value
        (non-zero duals of the LPs that find it); then of its own relations; then, when
        those are all withheld already, of their withheld cells' relations, outwards."""
        tried: set[CellId] = set()
        first = None
        for relations in self._near(cell, withheld):
            candidates = [c for c in _candidates(self.publication, relations, withheld)]
            for candidate in candidates:
                first = first or candidate
                if candidate in tried or len(tried) >= self.TRIES:
                    continue
                tried.add(candidate)
                if not self.pinned(cell, withheld | {candidate}):
                    return candidate
        return first

    def _near(self, cell: CellId, withheld: set[CellId]):
        """Groups of relations to look for a partner in, most promising first."""
        yield self._binding(cell, withheld)
        frontier, seen = {cell}, {cell}
        while frontier:
            relations = [r for c in frontier for r in self.involving[c]]
            yield relations
            frontier = {
                c for r in relations for c in (r.parent, *r.children) if c in withheld
            } - seen
            seen |= frontier

    def _binding(self, cell: CellId, withheld: set[CellId]) -> list[Relation]:
        """The relations whose rows bind when the cell's figures are at their extremes."""
        rows = self._rows(withheld)
        for component in _components(rows):
            if not any(v[0] == cell for row in component for v, _ in row[0]):
                continue
            solver, variables = self._solver(component)
            binding: list[Relation] = []
            for i, (owner, _figure) in enumerate(variables):
                if owner != cell:
                    continue
                for dual in solver.extreme_duals(i):
                    binding += [
                        self.sources[component[r]]
                        for r in np.flatnonzero(np.abs(dual) > 1e-9)
                        if self.sources.get(component[r]) is not None
                    ]
            return binding
        return []

    def _rows(self, withheld: set[CellId]) -> list[Row]:
        """Every relation and link that involves a withheld figure, as a linear row
        (``= 0`` when exact, ``<= 0`` otherwise), in the solver's units."""
        publication = self.publication
        unknown = withheld | publication.hidden
        rows: list[Row] = []

        def row(
            terms: list[tuple[CellId, str, float]], exact: bool, source: Relation | None = None
        ) -> None:
            coefficients: dict[Variable, float] = defaultdict(float)
            constant = 0.0
            for cell, figure, coefficient in terms:
                unit = publication.unit.get(figure, 1.0)
                if cell in unknown:
                    coefficients[(cell, figure)] += coefficient * unit
                else:
                    constant += coefficient * publication.cells[cell][figure]
            if any(coefficients.values()):
                rows.append((tuple(sorted(coefficients.items(), key=repr)), constant, exact))
                self.sources.setdefault(rows[-1], source)

        for relation in publication.relations:
            if not unknown.intersection((relation.parent, *relation.children)):
                continue
            f = relation.figure
            # parent - sum(children) == 0 (SUM) or <= 0, and child - parent <= 0 (DISTINCT)
            parts = [(c, f, -1.0) for c in relation.children]
            row([(relation.parent, f, 1.0), *parts], relation.exact, relation)
            if relation.kind == DISTINCT:
                for child in relation.children:
                    row([(child, f, 1.0), (relation.parent, f, -1.0)], False, relation)
        for cell in sorted(unknown, key=repr):
            figures = publication.cells[cell]
            for link in publication.links:
                if all(figure in figures for figure, _ in link.terms):
                    row([(cell, figure, coefficient) for figure, coefficient in link.terms], False)
        return rows

    def _pinned_in(self, rows: list[Row]) -> list[Variable]:
        """Withheld figures of one component whose range is narrower than one unit."""
        key = frozenset(rows)
        if key not in self.solved:
            self.solved[key] = self._solve(rows)
        return self.solved[key]

    def _solver(self, rows: list[Row]) -> tuple[_Solver, list[Variable]]:
        publication = self.publication
        variables = sorted({v for terms, _, _ in rows for v, _ in terms}, key=repr)
        index = {variable: i for i, variable in enumerate(variables)}
        inf = highspy.kHighsInf
        lp_rows = [
            ({index[v]: c for v, c in terms}, -constant if exact else -inf, -constant)
            for terms, constant, exact in rows
        ]
        lower, upper = [], []
        for cell, figure in variables:
            unit = publication.unit.get(figure, 1.0)
            # A forced cell is there whatever its figures (nobody's protection has ended
            # yet in a new programme): an attacker knows no floor for it.
            present = cell not in publication.hidden and cell not in publication.forced
            floor = publication.floors.get(figure, 1) if present else 0
            lower.append(floor / unit)
            # A cap above any cell keeps every LP bounded; no true value comes near it.
            upper.append(self.caps[figure] / unit)
        return _Solver(len(variables), lower, upper, lp_rows), variables

    def _solve(self, rows: list[Row], only: CellId | None = None) -> list[Variable]:
        """The pinned figures among ``rows``' variables (of the cell ``only``, if given)."""
        publication = self.publication
        solver, variables = self._solver(rows)
        needed = [1.0 / publication.unit.get(figure, 1.0) for _, figure in variables]
        # Each solve's optimal point shows other variables moving too: a variable already
        # seen to span one unit needs no solves of its own.
        low = np.full(len(variables), np.inf)
        high = np.full(len(variables), -np.inf)
        pinned = []
        for i, (cell, figure) in enumerate(variables):
            if cell in publication.hidden or high[i] - low[i] >= needed[i] * (1 - 1e-9):
                continue
            if only is not None and cell != only:
                continue
            for point in solver.extremes(i):
                low = np.minimum(low, point)
                high = np.maximum(high, point)
            if high[i] - low[i] < needed[i] * (1 - 1e-6):
                pinned.append((cell, figure))
        return pinned


def _components(rows: list[Row]) -> list[list[Row]]:
    """Rows grouped so that no variable is shared between groups (solved apart)."""
    parent: dict[Variable, Variable] = {}

    def find(variable: Variable) -> Variable:
        while parent.setdefault(variable, variable) != variable:
            parent[variable] = parent[parent[variable]]
            variable = parent[variable]
        return variable

    for terms, _, _ in rows:
        (first, _), *rest = terms
        for other, _ in rest:
            parent[find(other)] = find(first)
    groups: dict[Variable, list[Row]] = defaultdict(list)
    for row in rows:
        groups[find(row[0][0][0])].append(row)
    return list(groups.values())


class _Solver:
    """One LP per component, solved for the minimum and maximum of each variable in turn.

    HiGHS is called directly (``highspy``) rather than through ``scipy.optimize.linprog``:
    the model is passed once and each solve starts from the previous basis, about 40 times
    faster for these many small solves. ``_Highs`` is the plain binding: the ``Highs``
    wrapper prints a licence banner on stdout when it is created.
    """

    def __init__(self, n: int, lower: list[float], upper: list[float], rows) -> None:
        self.highs = highspy._Highs()
        self.highs.setOptionValue("output_flag", False)
        model = highspy.HighsLp()
        model.num_col_ = n
        model.num_row_ = len(rows)
        model.col_cost_ = np.zeros(n)
        model.col_lower_ = np.array(lower, dtype=float)
        model.col_upper_ = np.array(upper, dtype=float)
        model.row_lower_ = np.array([low for _, low, _ in rows], dtype=float)
        model.row_upper_ = np.array([high for _, _, high in rows], dtype=float)
        matrix = _matrix([coefficients for coefficients, _, _ in rows], n)
        model.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
        model.a_matrix_.num_col_ = n
        model.a_matrix_.num_row_ = len(rows)
        model.a_matrix_.start_ = matrix.indptr
        model.a_matrix_.index_ = matrix.indices
        model.a_matrix_.value_ = matrix.data
        self.highs.passModel(model)

    def extremes(self, i: int) -> list[np.ndarray]:
        """The optimal points minimising and maximising variable ``i``."""
        return [np.array(solution.col_value) for solution in self._optima(i)]

    def extreme_duals(self, i: int) -> list[np.ndarray]:
        """The row duals at those optima: non-zero where a row binds."""
        return [np.array(solution.row_dual) for solution in self._optima(i)]

    def _optima(self, i: int) -> list:
        solutions = []
        for sense in (1.0, -1.0):
            self.highs.changeColCost(i, sense)
            self.highs.run()
            status = self.highs.getModelStatus()
            if status != highspy.HighsModelStatus.kOptimal:
                # A warm start from the previous optimum can end without a verdict ("Unknown")
                # on these degenerate programs; solved again from scratch, it has one.
                self.highs.clearSolver()
                self.highs.run()
                status = self.highs.getModelStatus()
            if status != highspy.HighsModelStatus.kOptimal:
                raise RuntimeError(f"disclosure audit: {self.highs.modelStatusToString(status)}")
            solutions.append(self.highs.getSolution())
        self.highs.changeColCost(i, 0.0)
        return solutions


def _matrix(rows: list[dict[int, float]], width: int) -> csr_matrix:
    data, row_index, column_index = [], [], []
    for r, coefficients in enumerate(rows):
        for c, value in coefficients.items():
            if value:
                data.append(value)
                row_index.append(r)
                column_index.append(c)
    return csr_matrix((data, (row_index, column_index)), shape=(len(rows), width))
