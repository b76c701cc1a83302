"""Build the ledger at full scale and time what the contract's users wait for.

    python bench/ledger_scale.py --workers 2000000 --db sqlite:////tmp/lingkaran-2m.db
    python bench/ledger_scale.py --workers 10000000 --build-only --log-statements 2 \
        --db postgresql+psycopg://postgres@127.0.0.1:5432/l10m

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

from sqlalchemy import event, func, select
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


def log_slow_statements(engine, seconds: float) -> None:
    """Print each statement that runs longer than ``seconds``, with its time, when it ends."""

    @event.listens_for(engine, "before_cursor_execute")
    def began(conn, cursor, statement, parameters, context, executemany):
        conn.info.setdefault("began", []).append(time.perf_counter())

    @event.listens_for(engine, "after_cursor_execute")
    def ended(conn, cursor, statement, parameters, context, executemany):
        took = time.perf_counter() - conn.info["began"].pop()
        if took > seconds:
            print(f"    {took:8.2f} s  {' '.join(statement.split())[:200]}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2_000_000)
    parser.add_argument("--db", default="sqlite:////tmp/lingkaran-bench.db")
    parser.add_argument("--keep", action="store_true", help="reuse an existing database")
    parser.add_argument(
        "--log-statements",
        type=float,
        default=None,
        metavar="SECONDS",
        help="print every statement that takes longer, as it ends (where a build's time goes)",
    )
    parser.add_argument(
        "--build-only", action="store_true", help="stop after the build (no reports, no check)"
    )
    args = parser.parse_args()
    url = make_url(args.db)
    if url.drivername.startswith("sqlite") and not args.keep:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{url.database}{suffix}").unlink(missing_ok=True)
    engine = open_ledger(args.db)
    if args.log_statements is not None:
        log_slow_statements(engine, args.log_statements)
    if not has_programme(engine):
        began = time.perf_counter()
        timings = seed_programme(engine, workers=args.workers, progress=True, echo=print)
        print(f"seed total: {time.perf_counter() - began:.1f} s")
        for step, seconds in timings.items():
            print(f"  {step:<18} {seconds:7.1f} s")
    if args.build_only:
        return
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
