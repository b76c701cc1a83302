"""An attacker with every public answer: how narrowly can each withheld figure be pinned?

Written apart from ``dashboard/publish/disclosure.py`` (scipy's ``linprog``, relations rebuilt from
the published answers and the data dictionary alone), so that the attack test checks the
suppression rather than repeating it. Used by ``tests/publish/test_disclosure_attack.py`` and by
``bench/privacy_attack.py``.

What the attacker knows:
- every open-data table (one and two dimensions), the programme summary, the monthly
  series, the claims by year and program and by program, and continuation by months of
  stimulus and by donor type, exactly as the pages and the API publish them;
- that a row which is absent counts nobody, and a row that is present at least one;
- that a table is the sum of the finer table (worker-months and rupiah always; distinct
  workers when the finer dimension is an attribute of the worker, otherwise between the
  largest part and the sum of the parts);
- that a cell's worker-months are at least its workers, and its rupiah lie between its
  worker-months times the lowest and the highest monthly price in the published rates;
- how far a published figure may lie from the truth, as the release states it (zero for
  exact figures; ``steps_at_most`` steps of each figure's size for perturbed ones): a
  published figure is then only known to lie within that distance.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import linprog
from scipy.sparse import csr_matrix

from dashboard.publish import open_data
from queries import public
from queries.figures import ledger_figures

WORKER_ATTRIBUTES = {"province", "occupation", "gender", "age_band"}
CUBE_FIGURES = ("workers", "protected_months", "allocated_idr")
RUPIAH = {"allocated_idr", "amount_idr"}
SCOUTS = 12  # random directions solved before each variable's own minimum and maximum


# What one step of a release's perturbation is in each figure the attack names, as the
# methodology page states it (a unit of the figure's own: workers, worker-months, rupiah).
STEP = {
    "workers": 1,
    "protected_months": 3,
    "allocated_idr": 50_400,
    "claims": 1,
    "amount_idr": 5_000_000,
    "ended": 1,
    "continued": 1,
}


@dataclass
class Answers:
    summary: dict
    tables: dict[tuple[str, ...], pd.DataFrame]
    growth: pd.DataFrame
    claims_by_year: pd.DataFrame
    claims_by_program: pd.DataFrame
    continuation: dict[str, pd.DataFrame]
    rates: pd.DataFrame
    steps_at_most: int = 0  # how many steps a published figure may lie from the truth
    as_of: str = ""

    def limit(self, figure: str) -> float:
        return self.steps_at_most * STEP[figure]


def public_answers(engine, k: int = 10, release: str | None = None) -> Answers:
    """Everything one release shows, fetched the way the pages and the API do."""
    tables = {}
    for size in (1, 2):
        for by in itertools.combinations(open_data.DIMENSIONS, size):
            chosen = open_data.parse_dimensions(",".join(by))
            tables[by] = open_data.aggregates(engine, chosen, release=release)
    info = open_data.publication(engine, release=release).release
    return Answers(
        open_data.summary(engine, release=release)["figures"],
        tables,
        open_data.monthly_protection(engine, release=release),
        open_data.paid_claims(engine, release=release),
        open_data.claims_by_program(engine, release=release),
        {
            by: open_data.continuation(engine, by, release=release)
            for by in ("stimulus", "donor_type")
        },
        public.rate_schedule(engine),
        info.steps_at_most,
        info.as_of.isoformat(),
    )


class _System:
    """Unknowns with bounds, equalities and inequalities (``<= rhs``), solved per unknown."""

    def __init__(self) -> None:
        self.index: dict[tuple, int] = {}
        self.lower: list[float] = []
        self.withheld: set[tuple] = set()  # the unknowns that stand for withheld figures
        self.equal: list[tuple[dict[int, float], float]] = []
        self.at_most: list[tuple[dict[int, float], float]] = []

    def unknown(self, name: tuple, lower: float = 1) -> tuple:
        if name not in self.index:
            self.index[name] = len(self.lower)
            self.lower.append(lower)
        return name

    def relate(self, terms: list[tuple[object, float]], kind: str) -> None:
        """``terms`` are (unknown name or known number, coefficient); kind "=" or "<=" 0."""
        coefficients: dict[int, float] = defaultdict(float)
        constant = 0.0
        for term, coefficient in terms:
            if isinstance(term, tuple):
                coefficients[self.index[term]] += coefficient
            else:
                constant += coefficient * float(term)
        if not any(coefficients.values()):
            return
        (self.equal if kind == "=" else self.at_most).append((dict(coefficients), -constant))

    def ranges(self) -> dict[tuple, tuple[float, float]]:
        """The smallest and largest value of every unknown consistent with everything."""
        names = sorted(self.index, key=lambda n: self.index[n])
        found: dict[tuple, tuple[float, float]] = {}
        for component in self._components():
            columns = {old: new for new, old in enumerate(component)}
            members = set(component)

            def matrix(rows, columns=columns, members=members):
                kept = [(c, r) for c, r in rows if set(c) & members]
                if not kept:
                    return None, None
                data, ri, ci = [], [], []
                for row, (coefficients, _) in enumerate(kept):
                    for column, value in coefficients.items():
                        data.append(value)
                        ri.append(row)
                        ci.append(columns[column])
                shape = (len(kept), len(columns))
                return csr_matrix((data, (ri, ci)), shape=shape), [r for _, r in kept]

            a_eq, b_eq = matrix(self.equal)
            a_ub, b_ub = matrix(self.at_most)
            bounds = [(self.lower[i], None) for i in component]
            # every optimum is a feasible point: a variable seen to span a unit among them
            # is free without solves of its own
            seen_low = np.full(len(component), np.inf)
            seen_high = np.full(len(component), -np.inf)
            # A few optima of random directions first: each moves many variables at once,
            # so that most free ones are seen to be free before their own solves.
            directions = np.random.default_rng(len(component))
            for _ in range(SCOUTS if len(component) > 50 else 0):
                objective = directions.normal(size=len(component))
                result = linprog(objective, a_ub, b_ub, a_eq, b_eq, bounds, method="highs")
                if result.status == 0:
                    seen_low = np.minimum(seen_low, result.x)
                    seen_high = np.maximum(seen_high, result.x)
            for position, variable in enumerate(component):
                if seen_high[position] - seen_low[position] >= 1:
                    found[names[variable]] = (-np.inf, np.inf)  # free; range not computed
                    continue
                objective = np.zeros(len(component))
                objective[position] = 1
                low = linprog(objective, a_ub, b_ub, a_eq, b_eq, bounds, method="highs")
                high = linprog(-objective, a_ub, b_ub, a_eq, b_eq, bounds, method="highs")
                assert low.status in (0, 3) and high.status in (0, 3), (low.message, high.message)
                for result in (low, high):
                    if result.status == 0:
                        seen_low = np.minimum(seen_low, result.x)
                        seen_high = np.maximum(seen_high, result.x)
                found[names[variable]] = (
                    low.fun if low.status == 0 else -np.inf,
                    -high.fun if high.status == 0 else np.inf,
                )
        return found

    def _components(self) -> list[list[int]]:
        parent = list(range(len(self.lower)))

        def find(i: int) -> int:
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i

        for coefficients, _ in self.equal + self.at_most:
            first, *rest = coefficients
            for other in rest:
                parent[find(other)] = find(first)
        groups: dict[int, list[int]] = defaultdict(list)
        for i in range(len(self.lower)):
            groups[find(i)].append(i)
        return list(groups.values())


def _value(system: _System, name: tuple, value, lower: float = 1, limit: float = 0):
    """A published number, or the unknown standing for a withheld one, or for a perturbed
    one (within ``limit`` of what was published). Rupiah are counted in thousands, which
    keeps the solver within its tolerances."""
    scale = 1000 if name[-1] in RUPIAH else 1
    if pd.isna(value):
        system.withheld.add(name)
        return system.unknown(name, lower / scale)
    if not limit:
        return int(value) / scale
    unknown = system.unknown(name, max(lower, int(value) - limit) / scale)
    system.relate([(unknown, 1.0), ((int(value) + limit) / scale, -1.0)], "<=")
    return unknown


def attack(answers: Answers) -> dict[tuple, tuple[float, float]]:
    """Every withheld figure's feasible range: (family, table, key, figure) -> (low, high)."""
    ranges: dict[tuple, tuple[float, float]] = {}
    ranges.update(_cube(answers))
    ranges.update(_growth(answers))
    ranges.update(_claims(answers))
    ranges.update(_continuation(answers))
    return ranges


def _withheld_ranges(system: _System) -> dict:
    return {name: r for name, r in system.ranges().items() if name in system.withheld}


def _cube(answers: Answers) -> dict:
    system = _System()
    cells: dict[tuple, dict[str, object]] = {}  # (by, key) -> figure -> number or unknown
    for by, frame in answers.tables.items():
        for row in frame.to_dict("records"):
            key = tuple(str(row[d]) for d in by)
            cells[(by, key)] = {
                f: _value(system, ("cube", by, key, f), row[f], limit=answers.limit(f))
                for f in CUBE_FIGURES
            }
    totals = {
        "workers": answers.summary["covered_workers"],
        "protected_months": answers.summary["protected_months"],
        "allocated_idr": answers.summary["allocated_idr"],
    }
    cells[((), ())] = {f: _value(system, ("cube", (), (), f), totals[f]) for f in CUBE_FIGURES}
    for (by, key), figures in list(cells.items()):
        for extra in open_data.DIMENSIONS:
            if extra in by:
                continue
            finer = tuple(d for d in open_data.DIMENSIONS if d in by or d == extra)
            if finer not in answers.tables:
                continue
            parts = [
                values
                for (other_by, other_key), values in cells.items()
                if other_by == finer
                and tuple(v for d, v in zip(finer, other_key, strict=True) if d in by) == key
            ]
            for figure in CUBE_FIGURES:
                terms = [(figures[figure], 1.0)] + [(p[figure], -1.0) for p in parts]
                if figure != "workers" or extra in WORKER_ATTRIBUTES:
                    system.relate(terms, "=")
                else:  # distinct workers: no more than the parts, no fewer than any one
                    system.relate(terms, "<=")
                    for part in parts:
                        system.relate([(part[figure], 1.0), (figures[figure], -1.0)], "<=")
    cheapest = int(answers.rates["monthly_idr"].min())
    dearest = int((answers.rates["monthly_idr"] + answers.rates["jht_monthly_idr"]).max())
    for figures in cells.values():
        workers, months, rupiah = (figures[f] for f in CUBE_FIGURES)
        system.relate([(workers, 1.0), (months, -1.0)], "<=")
        system.relate([(months, cheapest / 1000), (rupiah, -1.0)], "<=")
        system.relate([(rupiah, 1.0), (months, -dearest / 1000)], "<=")
    return _withheld_ranges(system)


def _growth(answers: Answers) -> dict:
    system = _System()
    later = system.unknown(("growth", "after this month"), lower=0)  # paid ahead, not shown
    terms: list[tuple[object, float]] = [(answers.summary["protected_months"], 1.0), (later, -1.0)]
    for month, value in zip(
        answers.growth["month"], answers.growth["protected_workers"], strict=True
    ):
        name = ("growth", "month", str(month), "workers")
        terms.append((_value(system, name, value, limit=answers.limit("workers")), -1.0))
    system.relate(terms, "=")
    return _withheld_ranges(system)


def _claims(answers: Answers) -> dict:
    system = _System()
    totals = {
        "claims": answers.summary["claims_paid_count"],
        "amount_idr": answers.summary["claims_paid_idr"],
    }
    programs = {}
    for row in answers.claims_by_program.to_dict("records"):
        programs[row["program"]] = {
            f: _value(system, ("claims", "program", row["program"], f), row[f], 1, answers.limit(f))
            for f in ("claims", "amount_idr")
        }
    for figure in ("claims", "amount_idr"):
        total = _value(system, ("claims", "total", (), figure), totals[figure])
        system.relate([(total, 1.0)] + [(p[figure], -1.0) for p in programs.values()], "=")
        for program, values in programs.items():
            rows = answers.claims_by_year[answers.claims_by_year["program"] == program]
            parts = [
                _value(
                    system,
                    ("claims", "year,program", (y, program), figure),
                    v,
                    1,
                    answers.limit(figure),
                )
                for y, v in zip(rows["year"], rows[figure], strict=True)
            ]
            system.relate([(values[figure], 1.0)] + [(p, -1.0) for p in parts], "=")
    return _withheld_ranges(system)


def _continuation(answers: Answers) -> dict:
    system = _System()
    columns = {"ended": "ended_workers", "continued": "continued_workers"}
    rows: dict[tuple, dict[str, object]] = {}
    for by, kind in (("stimulus", "="), ("donor_type", "<=")):
        frame = answers.continuation[by]
        for row in frame.to_dict("records"):
            name = ("continuation", by, row[by])
            rows[name] = {
                short: _value(
                    system, (*name, short), row[column], int(short == "ended"), answers.limit(short)
                )
                for short, column in columns.items()
            }
        # stimulus bands split the programme's ended workers; donor types overlap and only
        # cover it (a worker counts in each type that protected them)
        for short, column in columns.items():
            total = _value(system, ("continuation", "total", (), short), answers.summary[column])
            parts = [(rows[("continuation", by, g)][short], -1.0) for g in frame[by]]
            system.relate([(total, 1.0), *parts], kind)
    for name, values in rows.items():  # continued workers are some of the ended ones, and
        # the rest (who did not continue) is a group of its own
        stopped = system.unknown((*name, "stopped"), lower=0)
        system.relate([(values["continued"], 1.0), (values["ended"], -1.0)], "<=")
        system.relate([(stopped, 1.0), (values["ended"], -1.0), (values["continued"], 1.0)], "=")
    withheld_groups = {
        name
        for name, values in rows.items()
        if any(isinstance(v, tuple) and v in system.withheld for v in values.values())
    }
    system.withheld |= {(*name, "stopped") for name in withheld_groups}
    return _withheld_ranges(system)


def truth(engine, as_of: dt.date) -> dict[tuple, int]:
    """The true value as of ``as_of`` of every figure the attack names, from the
    unsuppressed, unperturbed queries."""
    values: dict[tuple, int] = {}
    cube = public.publication_cube(engine, as_of)
    for size in (1, 2):
        for by in itertools.combinations(open_data.DIMENSIONS, size):
            for row in open_data.plan_table(cube, by).to_dict("records"):
                key = tuple(str(row[d]) for d in by)
                for figure in CUBE_FIGURES:
                    values[("cube", by, key, figure)] = int(row[figure])
    series = public.monthly_protection(engine, as_of)
    for month, count in zip(series["month"], series["protected_workers"], strict=True):
        values[("growth", "month", str(month), "workers")] = int(count)
    for row in public.paid_claims(engine, "year", as_of).to_dict("records"):
        for figure in ("claims", "amount_idr"):
            values[("claims", "year,program", (row["year"], row["program"]), figure)] = int(
                row[figure]
            )
    for row in public.attributed_claims(engine, as_of).to_dict("records"):
        for figure in ("claims", "amount_idr"):
            values[("claims", "program", row["program"], figure)] = int(row[figure])
    figures = ledger_figures(engine, None, as_of)
    for short, value in (
        ("ended", figures.ended_workers),
        ("continued", figures.continued_workers),
    ):
        values[("continuation", "total", (), short)] = value
    for figure, value in (
        ("workers", figures.covered_workers),
        ("protected_months", figures.protected_months),
        ("allocated_idr", figures.allocated_idr),
    ):
        values[("cube", (), (), figure)] = value
    values[("claims", "total", (), "claims")] = figures.claims_paid_count
    values[("claims", "total", (), "amount_idr")] = figures.claims_paid_idr
    for by in ("stimulus", "donor_type"):
        for row in public.continuation(engine, by, as_of).to_dict("records"):
            name = ("continuation", by, row[by])
            values[(*name, "ended")] = int(row["ended_workers"])
            values[(*name, "continued")] = int(row["continued_workers"])
            values[(*name, "stopped")] = int(row["ended_workers"] - row["continued_workers"])
    return values


def recovered(ranges: dict[tuple, tuple[float, float]]) -> list[tuple]:
    """Withheld figures an attacker pins to one value (one rupiah for an amount)."""
    return sorted(
        (
            name
            for name, (low, high) in ranges.items()
            if high - low < (0.001 if name[-1] in RUPIAH else 1) - 1e-9
        ),
        key=repr,
    )


def in_thousands(name: tuple, value: int) -> float:
    """A true value in the attack's units."""
    return value / 1000 if name[-1] in RUPIAH else value


# ── A series of releases ─────────────────────────────────────────────────────────────────
# What the attacker adds when they hold many releases: that the ledger only grew between
# them (a count of workers by province, occupation, gender, year or donor type never falls;
# age bands move with the calendar, so they are left out of that), and the differences.

SERIES_TABLES = ("province", "occupation", "gender", "age_band", "year", "donor_type")
GROWS = {"province", "occupation", "gender", "year", "donor_type"}


def differences(before: Answers, after: Answers) -> list[tuple]:
    """Cells of the one-way tables published in both releases whose change in workers the
    attacker knows exactly and lies in 1 .. k-1: (table, key, change). With perturbed
    releases a change is only known within both releases' distances."""
    found = []
    for (by,), frame in ((b, f) for b, f in after.tables.items() if len(b) == 1):
        earlier = {str(r[by]): r for r in before.tables[(by,)].to_dict("records")}
        for row in frame.to_dict("records"):
            old = earlier.get(str(row[by]))
            if old is None or pd.isna(old["workers"]) or pd.isna(row["workers"]):
                continue
            change = int(row["workers"]) - int(old["workers"])
            width = before.limit("workers") + after.limit("workers")
            if width < 1 and 1 <= change < 10:
                found.append(((by,), str(row[by]), change))
    return found


def series_attack(series: list[Answers]) -> dict[tuple, tuple[float, float]]:
    """One linear program over every release of ``series`` (oldest first): each release's
    one-way tables of workers and its headline, the ledger only growing from one release
    to the next. Returns the range of every withheld count and of every change between
    two consecutive releases of a cell: (release index, table, key) and
    ("change", release index, table, key)."""
    system = _System()
    cells: list[dict[tuple, object]] = []
    for index, answers in enumerate(series):
        values: dict[tuple, object] = {}
        total = answers.summary["covered_workers"]
        values[((), ())] = _value(system, (index, (), ()), total)
        for by in SERIES_TABLES:
            frame = answers.tables[(by,)]
            parts = []
            for row in frame.to_dict("records"):
                key = str(row[by])
                name = (index, (by,), key)
                values[((by,), key)] = _value(
                    system, name, row["workers"], limit=answers.limit("workers")
                )
                parts.append(values[((by,), key)])
            terms = [(values[((), ())], 1.0)] + [(p, -1.0) for p in parts]
            if by in WORKER_ATTRIBUTES:  # each worker in exactly one group
                system.relate(terms, "=")
            else:  # a worker may count in several years or donor types
                system.relate(terms, "<=")
                for part in parts:
                    system.relate([(part, 1.0), (values[((), ())], -1.0)], "<=")
        cells.append(values)
    changes = {}
    for index in range(1, len(series)):
        for cell, value in cells[index].items():
            earlier = cells[index - 1].get(cell)
            if earlier is None or (cell[0] and cell[0][0] not in GROWS):
                continue
            if cell[0]:  # the ledger only grew: no group shrinks
                system.relate([(earlier, 1.0), (value, -1.0)], "<=")
            name = ("change", index, *cell)
            changes[name] = system.unknown(name, lower=-1e9)
            system.relate([(changes[name], 1.0), (value, -1.0), (earlier, 1.0)], "=")
    system.withheld |= set(changes)
    return _withheld_ranges(system)


def pinned_changes(ranges: dict[tuple, tuple[float, float]], k: int = 10) -> list[tuple]:
    """Changes of a group between two releases the attacker pins to 1 .. k-1 workers. The
    headline's change is exact by design (the programme's total, published whole): it says
    how many workers joined, and nothing of who or where, so it is not counted here."""
    return sorted(
        (
            (name, low)
            for name, (low, high) in ranges.items()
            if name[0] == "change"
            and name[2] != ()
            and high - low < 1 - 1e-9
            and 1 - 1e-6 <= low < k
        ),
        key=repr,
    )
