"""How much the public surface publishes, and what an attacker recovers from all of it.

    python bench/privacy_attack.py --db sqlite:////path/to/copy-of-demo.db [--k 10] [--baseline]

Works on the ledger it is given, so run it on a copy: it replaces the releases with one
exact release as of today. Builds the publication (every open-data table, the monthly
series, the claims and the continuation tables, suppressed together by
``dashboard/publish/disclosure.py``) and reports how many cells it holds and withholds, and
the share of the programme's workers and worker-months in published cells. Then runs the
attack of ``tests/attack.py`` with every public answer at once and counts the withheld
figures it pins to one value (checked against the ledger). ``--baseline`` runs the same
attack on suppression without the audit (small cells and the line rule only), as the
tables were suppressed before issue 11. Nothing here is asserted: the test suite asserts
zero on the small demo, and attacks the perturbed releases too.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dashboard.ledger.db import open_ledger  # noqa: E402
from dashboard.publish import disclosure, open_data  # noqa: E402
from queries.figures import ledger_figures  # noqa: E402
from tests import attack  # noqa: E402


def report(engine, k: int, label: str) -> None:
    """The attack on the exact (unperturbed) release content as of today: what the audit
    alone protects; a stored release adds its perturbation (tests/publish/
    test_disclosure_attack.py attacks those)."""
    import datetime as dt

    from dashboard.publish import releases

    today = dt.date.today()
    began = time.perf_counter()
    published = open_data.build(engine, k, today)
    built = time.perf_counter() - began
    cells, withheld = published.cells()
    figures = ledger_figures(engine)
    print(f"## {label}")
    print(f"publication built in {built:.1f} s (k = {k})")
    print(f"open-data tables: {len(published.tables)}, {cells:,} cells, {withheld:,} withheld")
    for by, frame in published.tables.items():
        shown = frame[~frame["suppressed"]]
        months = int(shown["protected_months"].sum())
        print(
            f"  {','.join(by):<24} {len(frame):>5} cells {int(frame['suppressed'].sum()):>5} "
            f"withheld; worker-months published {months / figures.protected_months:6.1%}"
        )
    growth = published.growth
    print(f"monthly series: {len(growth)} months, {int(growth['suppressed'].sum())} withheld")
    claims = published.claims_by_year
    print(f"claims by year and program: {len(claims)} cells, {int(claims['suppressed'].sum())}")
    for by, frame in published.continuation.items():
        print(f"continuation by {by}: {len(frame)} groups, {int(frame['suppressed'].sum())}")
    began = time.perf_counter()
    with engine.begin() as conn:  # the copy's history: this one exact release
        conn.exec_driver_sql("DELETE FROM releases")
    releases.publish(engine, today, k, protect=False)
    ranges = attack.attack(attack.public_answers(engine, k))
    truth = attack.truth(engine, today)
    pinned = attack.recovered(ranges)
    small = [n for n in pinned if n[-1] == "workers" and truth.get(n, k) < k]
    took = time.perf_counter() - began
    print(
        f"attack: {len(ranges):,} withheld figures attacked in {took:.1f} s; "
        f"{len(pinned)} pinned ({len(small)} worker counts under k)"
    )
    for name in pinned[:10]:
        print(f"  {name} = {truth.get(name)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--baseline", action="store_true")
    args = parser.parse_args()
    engine = open_ledger(args.db, create=False)
    report(engine, args.k, "joint suppression with the audit (what the product publishes)")
    if args.baseline:
        disclosure._Auditor.recovered = lambda self, withheld: {}
        report(engine, args.k, "baseline: small cells and the line rule, no audit")


if __name__ == "__main__":
    main()
