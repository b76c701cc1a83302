"""Build the ledger at full scale and time what the contract's users wait for.

    python bench/ledger_scale.py --workers 2000000 --db sqlite:////tmp/lingkaran-2m.db

Prints seed (import) and allocation times, the database size, the time of `report` for the
largest donor and for the public totals (median of 5 warm runs), and `check`. Figures go
into the README by hand; nothing here is asserted.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from dashboard.ledger.db import open_ledger
from dashboard.ledger.demo import has_programme, seed_programme
from dashboard.ledger.schema import Coverage, Donation, Donor
from queries.checks import check_ledger
from queries.figures import ledger_figures


def timed(function, runs: int = 5) -> float:
    samples = []
    for _ in range(runs):
        began = time.perf_counter()
        function()
        samples.append(time.perf_counter() - began)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2_000_000)
    parser.add_argument("--db", default="sqlite:////tmp/lingkaran-bench.db")
    parser.add_argument("--keep", action="store_true", help="reuse an existing database")
    args = parser.parse_args()
    url = make_url(args.db)
    if url.drivername.startswith("sqlite") and not args.keep:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{url.database}{suffix}").unlink(missing_ok=True)
    engine = open_ledger(args.db)
    if not has_programme(engine):
        began = time.perf_counter()
        timings = seed_programme(engine, workers=args.workers, progress=True, echo=print)
        print(f"seed total: {time.perf_counter() - began:.1f} s")
        for step, seconds in timings.items():
            print(f"  {step:<18} {seconds:7.1f} s")
    with engine.connect() as conn:
        rows, months = conn.execute(select(func.count(), func.sum(Coverage.months))).one()
        largest = conn.execute(
            select(Donor.donor_id)
            .join(Donation, Donation.donor_key == Donor.id)
            .join(Coverage, Coverage.donation_key == Donation.id)
            .group_by(Donor.donor_id)
            .order_by(func.count().desc())
            .limit(1)
        ).scalar()
    print(f"coverage rows: {rows:,}; worker-months: {months:,}")
    if url.drivername.startswith("sqlite"):
        size = sum(
            os.path.getsize(f"{url.database}{s}")
            for s in ("", "-wal")
            if os.path.exists(f"{url.database}{s}")
        )
        print(f"database size: {size / 2**20:,.0f} MiB")
    print(
        f"report --donor {largest}: {timed(lambda: ledger_figures(engine, largest)) * 1000:.0f} ms"
    )
    print(f"report (public totals): {timed(lambda: ledger_figures(engine)) * 1000:.0f} ms")
    began = time.perf_counter()
    violations = check_ledger(engine)
    print(f"check: {time.perf_counter() - began:.1f} s, {len(violations)} violation(s)")


if __name__ == "__main__":
    main()
