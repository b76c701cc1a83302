"""How many withheld open-data cells an attacker recovers from public answers alone.

    python bench/privacy_attack.py --db sqlite:////path/to/demo.db [--dimensions 3]

Fetches every ``/api/v1/aggregates`` table of one to ``--dimensions`` dimensions (as the API
computes them) and the programme's published totals, then solves, to a fixed point, every
additive relation an attacker knows: a cell equals the sum of its cells one dimension finer
(worker-months and rupiah always; distinct workers over the worker's own attributes -
province, occupation, gender, age band - or when a cell has a single finer cell), and a
year equals the sum of its months. A withheld
figure is recovered when a relation leaves it the only unknown. Each recovery is checked
against the unsuppressed figure. Issue 11 asks for zero; this measures where we stand, and
is the attack the suppression method must defeat (nothing here is asserted).
"""

from __future__ import annotations

import argparse
import itertools
import time
from collections import defaultdict

import pandas as pd

from dashboard.db import open_ledger
from dashboard.open_data import aggregates as published_cube
from dashboard.privacy import suppression_k
from queries import public
from queries.figures import ledger_figures

PARTITION = {"province", "occupation", "gender", "age_band"}  # one value per worker
ADDITIVE = ("protected_months", "allocated_idr")


def cell_key(by: tuple[str, ...], row) -> tuple:
    return tuple((dimension, str(row[dimension])) for dimension in by)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--dimensions", type=int, default=3)
    args = parser.parse_args()
    engine = open_ledger(args.db, create=False)
    k = suppression_k()
    began = time.perf_counter()
    tables = {}
    for size in range(1, args.dimensions + 1):
        for by in itertools.combinations(public.DIMENSIONS, size):
            tables[by] = (published_cube(engine, by, k), public.aggregates(engine, by))

    known: dict[tuple, int] = {}  # (by, cell, figure) -> value the attacker holds
    secret: dict[tuple, int] = {}  # withheld figures with their true values
    cells: dict[tuple[str, ...], list[tuple]] = {}
    for by, (shown, truth) in tables.items():
        cells[by] = []
        for (_, row), (_, true_row) in zip(shown.iterrows(), truth.iterrows(), strict=True):
            key = cell_key(by, true_row)
            cells[by].append(key)
            for figure in ("workers", *ADDITIVE):
                if row["suppressed"]:
                    secret[(by, key, figure)] = int(true_row[figure])
                else:
                    known[(by, key, figure)] = int(row[figure])
    totals = ledger_figures(engine)
    for figure, value in (
        ("workers", totals.covered_workers),
        ("protected_months", totals.protected_months),
        ("allocated_idr", totals.allocated_idr),
    ):
        known[((), (), figure)] = value
    cells[()] = [()]

    relations = []  # (parent, [children]): parent = sum of children; a missing cell is zero
    for by, keys in cells.items():
        for finer in tables:
            extra = set(finer) - set(by)
            if len(finer) != len(by) + 1 or not set(by) <= set(finer):
                continue
            (dimension,) = extra
            figures = (*ADDITIVE, "workers") if dimension in PARTITION else ADDITIVE
            children = defaultdict(list)
            for child in cells[finer]:
                children[tuple(pair for pair in child if pair[0] != dimension)].append(child)
            for key in keys:
                mine = children.get(key, [])
                # distinct workers add up over the worker's own attributes; over months or
                # donor types they do not, except when the cell has a single finer cell
                # (then both count the same workers)
                wanted = figures if len(mine) != 1 else (*ADDITIVE, "workers")
                for figure in wanted:
                    relations.append(((by, key, figure), [(finer, c, figure) for c in mine]))
        if "year" in by and "month" not in by:  # a year is the sum of its months (additive)
            finer = tuple("month" if d == "year" else d for d in by)
            finer = next((t for t in tables if set(t) == set(finer)), None)
            if finer is None:
                continue
            children = defaultdict(list)
            for child in cells[finer]:
                parent = tuple(
                    ("year", value[:4]) if dimension == "month" else (dimension, value)
                    for dimension, value in child
                )
                children[tuple(sorted(parent, key=lambda p: by.index(p[0])))].append(child)
            for key in keys:
                for figure in ADDITIVE:
                    relations.append(
                        ((by, key, figure), [(finer, c, figure) for c in children.get(key, [])])
                    )

    recovered: dict[tuple, int] = {}
    changed = True
    while changed:
        changed = False
        for parent, children in relations:
            unknown = [term for term in (parent, *children) if term not in known]
            if len(unknown) != 1:
                continue
            (term,) = unknown
            rest = sum(known[c] for c in children if c in known)
            value = known[parent] - rest if term != parent else rest
            known[term] = value
            if term in secret:
                recovered[term] = value
            changed = True

    wrong = [term for term, value in recovered.items() if secret[term] != value]
    workers = [t for t in recovered if t[2] == "workers"]
    print(
        f"{len(tables)} tables, {sum(len(c) for c in cells.values()):,} cells, "
        f"{len({t[:2] for t in secret}):,} withheld; k = {k}; {time.perf_counter() - began:.1f} s"
    )
    print(
        f"recovered exactly: {len(workers):,} withheld worker counts "
        f"({sum(1 for t in workers if secret[t] < k):,} under {k}, "
        f"{sum(1 for t in workers if secret[t] == 1):,} single workers), "
        f"{len(recovered) - len(workers):,} withheld worker-month or rupiah figures; "
        f"{len(wrong)} inconsistent"
    )
    if recovered:
        sample = pd.DataFrame(
            [(t[0], t[1], t[2], secret[t]) for t in list(recovered)[:5]],
            columns=["table", "cell", "figure", "value"],
        )
        print(sample.to_string(index=False))


if __name__ == "__main__":
    main()
