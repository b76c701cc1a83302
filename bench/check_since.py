"""Time `check --since` after a week's change, on ledgers of different sizes, side by side.

    python bench/check_since.py --db sqlite:////tmp/h30b-50k.db --db sqlite:////tmp/h30b-2m.db

Each ledger is left as it is: an SQLite file is copied first, a PostgreSQL database is copied
with CREATE DATABASE ... TEMPLATE (nobody may be connected to it) and the copy dropped after.
On the copy: a full check (timed; ``--assume-checked`` records one without running it, for
ledgers already known to pass), then a week's donations (ten, from the ten donors with the
most donations, Rp 20,000,000 each, six months per worker, received today) imported and
allocated, then `check --since` (median of three runs). Issue 30 asks the last figure on a
10,000,000-worker ledger to stay within 2 times its figure on a 50,000-worker one.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import sqlite3
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from dashboard.ledger.allocator import allocate
from dashboard.ledger.check_runs import record_check_run, stored_aggregates, watermarks
from dashboard.ledger.db import open_ledger
from dashboard.ledger.importer import contract_columns, import_file
from dashboard.ledger.schema import Coverage, Donation, Donor, Worker
from queries.check_since import check_since, full_check

DONATIONS = 10
AMOUNT_IDR = 20_000_000


@contextmanager
def ledger_copy(url: str) -> Iterator[str]:
    """The URL of a copy of the ledger at ``url``, removed afterwards."""
    parsed = make_url(url)
    if parsed.drivername.startswith("sqlite"):
        with tempfile.TemporaryDirectory(prefix="check-since-") as folder:
            copy = Path(folder) / "ledger.db"
            source = sqlite3.connect(parsed.database)
            target = sqlite3.connect(copy)
            source.backup(target)  # the write-ahead log's pages too
            source.close()
            target.close()
            yield f"sqlite:///{copy}"
        return
    name = f"{parsed.database}_since_{uuid.uuid4().hex[:8]}"
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{parsed.database}"'))
    try:
        yield parsed.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def week_of_donations(engine, folder: Path, today: dt.date) -> Path:
    """Ten donations received today from the ten donors with the most donations."""
    with engine.connect() as conn:
        donors = conn.execute(
            select(Donor.donor_id)
            .join(Donation, Donation.donor_key == Donor.id)
            .group_by(Donor.donor_id)
            .order_by(func.count().desc(), Donor.donor_id)
            .limit(DONATIONS)
        ).scalars()
        rows = [
            [f"{donor}-BENCH-{number:02d}", donor, today.isoformat(), AMOUNT_IDR, 6, "", "", ""]
            for number, donor in enumerate(donors, start=1)
        ]
    path = folder / "donations.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(contract_columns("donations"))
        writer.writerows(rows)
    return path


def seconds(function) -> tuple[float, object]:
    began = time.perf_counter()
    value = function()
    return time.perf_counter() - began, value


def measure(url: str, assume_checked: bool) -> dict[str, object]:
    figures: dict[str, object] = {}
    with ledger_copy(url) as copy:
        engine = open_ledger(copy)
        with engine.connect() as conn:
            figures["workers"] = conn.execute(select(func.count(Worker.id))).scalar_one()
            figures["coverage rows"] = conn.execute(select(func.count(Coverage.id))).scalar_one()
        if assume_checked:
            with engine.begin() as conn:
                record_check_run(
                    conn, "full", watermarks(conn), 0, snapshot=stored_aggregates(conn)
                )
            figures["full check (s)"] = "assumed"
        else:
            took, violations = seconds(lambda: full_check(engine))
            figures["full check (s)"] = round(took, 1)
            assert not violations, violations
        today = dt.date.today()
        with tempfile.TemporaryDirectory(prefix="check-since-week-") as folder:
            path = week_of_donations(engine, Path(folder), today)
            took, _ = seconds(lambda: import_file(engine, "donations", path, today=today))
            figures["import donations (s)"] = round(took, 2)
        took, allocated = seconds(lambda: allocate(engine))
        figures["allocate (s)"] = round(took, 1)
        figures["new coverage rows"] = allocated.coverage_rows
        runs = []
        for _ in range(3):
            took, report = seconds(lambda: check_since(engine))
            assert report.base is not None and not report.violations, report.violations
            runs.append(took)
        figures["check --since (s)"] = round(statistics.median(runs), 2)
        figures["donations verified"] = report.change.donations
        figures["workers verified"] = report.change.worker_count
        engine.dispose()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", action="append", required=True, metavar="URL")
    parser.add_argument(
        "--assume-checked",
        action="store_true",
        help="record a passing full check without running it (a ledger known to pass)",
    )
    args = parser.parse_args()
    measured = []
    for url in args.db:
        print(f"measuring {url} ...", flush=True)
        measured.append(measure(url, args.assume_checked))
    width = max(len(key) for key in measured[0])
    print()
    print(" " * width + "".join(f"  {f'ledger {i + 1}':>22}" for i in range(len(measured))))
    for key in measured[0]:
        cells = []
        first = measured[0][key]
        for figures in measured:
            value = figures[key]
            shown = f"{value:,}" if isinstance(value, int) else str(value)
            if isinstance(value, float) and isinstance(first, float) and first:
                shown += f" ({value / first:.1f}x)"
            cells.append(f"  {shown:>22}")
        print(f"{key:<{width}}" + "".join(cells))


if __name__ == "__main__":
    main()
