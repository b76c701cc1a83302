"""Joint suppression with an audit (dashboard/publish/disclosure.py): hand-checked publications, and
random two-way tables with their margins attacked by the independent solver of tests/attack."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard.publish.disclosure import DISTINCT, Publication, Relation, audit, suppress_jointly
from tests.attack import _System

TOTAL = ("total", ())


def line(values: dict[str, int], total: int | None = None, kind: str = "sum") -> Publication:
    """One line: cells named by ``values`` (workers), and their published total."""
    publication = Publication(size=lambda cell: cell["workers"])
    publication.add(TOTAL, {"workers": sum(values.values()) if total is None else total})
    publication.forced.add(TOTAL)
    cells = tuple(("line", (name,)) for name in values)
    for cell, value in zip(cells, values.values(), strict=True):
        publication.add(cell, {"workers": value})
    publication.relations.append(Relation("workers", TOTAL, cells, kind))
    return publication


def small(publication: Publication, k: int = 10) -> list:
    return [c for c, v in publication.cells.items() if 0 < v["workers"] < k]


def test_a_lone_small_cell_takes_the_smallest_other_cell_of_its_line_with_it():
    """46 published with 30 and 12 beside it would give the 4 away: the 12 goes too."""
    publication = line({"farmer": 4, "fisher": 30, "other": 12})
    withheld = suppress_jointly(publication, small(publication))
    assert withheld == {("line", ("farmer",)), ("line", ("other",))}
    assert audit(publication, withheld) == {}


def test_the_published_total_is_never_the_cell_chosen_to_protect_another():
    publication = line({"farmer": 4, "fisher": 30})
    assert suppress_jointly(publication, small(publication)) == {
        ("line", ("farmer",)),
        ("line", ("fisher",)),
    }


def test_two_withheld_cells_of_one_worker_each_are_pinned_by_knowing_each_counts_someone():
    """32 = 1 + 1 + 30: with only the two 1s withheld, each is at least 1 and they sum to 2,
    so both are known. The audit sees it, and the 30 must go as well."""
    publication = line({"a": 1, "b": 1, "c": 30})
    assert set(audit(publication, {("line", ("a",)), ("line", ("b",))})) == {
        ("line", ("a",)),
        ("line", ("b",)),
    }
    assert suppress_jointly(publication, small(publication)) == {
        ("line", ("a",)),
        ("line", ("b",)),
        ("line", ("c",)),
    }


def test_distinct_workers_only_bound_the_total_so_one_withheld_part_stays_hidden():
    """A worker protected in two years counts in both: 40 in all, 30 and 15 by year. With
    the 15 withheld it lies anywhere from 10 to 40, so nothing more need go."""
    publication = line({"2024": 30, "2025": 15}, total=40, kind=DISTINCT)
    assert audit(publication, {("line", ("2025",))}) == {}


def test_months_paid_ahead_never_shown_keep_a_lone_withheld_month_hidden():
    publication = line({"2026-10": 5, "2026-11": 80, "2026-12": 80})
    ahead = ("line", ("2026-12",))
    publication.hidden.add(ahead)
    assert suppress_jointly(publication, [("line", ("2026-10",))]) == {("line", ("2026-10",))}


def test_a_cell_whose_own_lines_are_all_withheld_gets_a_partner_further_out():
    #          a     b   | total
    #   x      3    40   |  43
    #   y     50    60   | 110
    # Row x and column a withheld whole, the partner must come from row y or column b.
    publication = Publication(size=lambda cell: cell["workers"])
    values = {("x", "a"): 3, ("x", "b"): 40, ("y", "a"): 50, ("y", "b"): 60}
    for key, value in values.items():
        publication.add(("cell", key), {"workers": value})
    for row in ("x", "y"):
        publication.add(
            ("row", (row,)), {"workers": sum(v for k, v in values.items() if k[0] == row)}
        )
    for column in ("a", "b"):
        publication.add(
            ("column", (column,)), {"workers": sum(v for k, v in values.items() if k[1] == column)}
        )
    publication.add(TOTAL, {"workers": sum(values.values())})
    publication.forced.add(TOTAL)
    for row in ("x", "y"):
        publication.relations.append(
            Relation("workers", ("row", (row,)), (("cell", (row, "a")), ("cell", (row, "b"))))
        )
    for column in ("a", "b"):
        publication.relations.append(
            Relation(
                "workers", ("column", (column,)), (("cell", ("x", column)), ("cell", ("y", column)))
            )
        )
    publication.relations.append(Relation("workers", TOTAL, (("row", ("x",)), ("row", ("y",)))))
    publication.relations.append(
        Relation("workers", TOTAL, (("column", ("a",)), ("column", ("b",))))
    )
    withheld = suppress_jointly(publication, [("cell", ("x", "a"))])
    assert ("cell", ("x", "a")) in withheld and TOTAL not in withheld
    assert audit(publication, withheld) == {}
    assert _attacker_pins(publication, withheld) == []


def _attacker_pins(publication: Publication, withheld: set) -> list:
    """The independent attacker (scipy) on the published cells of ``publication``."""
    system = _System()
    for cell in withheld:
        system.unknown(cell)
    for relation in publication.relations:
        terms = [
            (
                relation.parent
                if relation.parent in withheld
                else publication.cells[relation.parent]["workers"],
                1.0,
            )
        ] + [
            (child if child in withheld else publication.cells[child]["workers"], -1.0)
            for child in relation.children
        ]
        system.relate(terms, "=")
    return [name for name, (low, high) in system.ranges().items() if high - low < 1 - 1e-9]


tables = st.lists(
    st.lists(st.integers(0, 40), min_size=2, max_size=4), min_size=2, max_size=4
).filter(lambda rows: len({len(r) for r in rows}) == 1)


@settings(max_examples=60, deadline=None)
@given(tables)
def test_random_tables_with_margins_give_nothing_away(rows):
    """Any two-way table, its row and column margins and its total, all published together:
    every small cell is withheld (the total too, when it is small) and the attacker pins no
    withheld cell."""
    publication = Publication(size=lambda cell: cell["workers"])
    cells = {
        ("cell", (r, c)): value
        for r, row in enumerate(rows)
        for c, value in enumerate(row)
        if value  # a cell with nobody in it is not published
    }
    for cell, value in cells.items():
        publication.add(cell, {"workers": value})
    publication.add(TOTAL, {"workers": sum(cells.values())})
    publication.forced.add(TOTAL)
    for axis, name in ((0, "row"), (1, "column")):
        margin_cells = []
        for index in range(len(rows) if axis == 0 else len(rows[0])):
            parts = tuple(cell for cell in cells if cell[1][axis] == index)
            if not parts:
                continue
            margin = (name, (index,))
            margin_cells.append(margin)
            publication.add(margin, {"workers": sum(cells[p] for p in parts)})
            publication.relations.append(Relation("workers", margin, parts))
        if margin_cells:
            publication.relations.append(Relation("workers", TOTAL, tuple(margin_cells)))
    primary = [c for c, v in publication.cells.items() if 0 < v["workers"] < 10]
    withheld = suppress_jointly(publication, primary)
    assert set(primary) <= withheld
    assert _attacker_pins(publication, withheld) == []


def test_an_empty_published_total_has_no_floor():
    """A new programme: nobody's protection has ended yet, so the continuation headline counts
    0 ended workers and no type or band has any. The total is published whatever it holds,
    so an attacker knows no floor of 1 for it (that floor made the audit infeasible and
    stopped the overview with an error)."""
    publication = Publication(size=lambda cell: cell["ended"], floors={"ended": 1})
    publication.add(TOTAL, {"ended": 0})
    publication.forced.add(TOTAL)
    publication.relations.append(Relation("ended", TOTAL, ()))
    assert suppress_jointly(publication, [TOTAL]) == {TOTAL}
    assert audit(publication, {TOTAL}) == {TOTAL: "ended"}  # 0 = the sum of no parts
