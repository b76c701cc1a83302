"""A data manager's week at several ledger sizes, in one run: what each write costs.

    python bench/weekly_write.py --db sqlite:////tmp/demo50k.db \\
        --db sqlite:////tmp/lingkaran-2m.db --db postgresql+psycopg://postgres@127.0.0.1/l10m

For each ledger, on a copy of it (a file copy on SQLite; ``CREATE DATABASE … TEMPLATE`` on
PostgreSQL), each step runs as the real command line in a child process, as the data
manager runs it:

- ``import donations``: the same 10 new donations at every size (received in the last
  week, 444 blocks in all, three of them earmarked);
- ``allocate`` them; then ``allocate`` again, with nothing left to do;
- ``check --since`` (what the writes since the last full check touched): the ledger must
  have had a passing full check; ``--full-check`` runs and times one on the copy first,
  ``--assume-checked`` records one without running it (a ledger known to pass: the full
  check at 10,000,000 workers takes most of an hour);
- ``release --as-of`` today: the public surface built, audited and stored, as
  ``lingkaran release`` does it in the background while visitors are served the previous
  release (``--no-release`` leaves it out).

Prints, per step and ledger: wall seconds, CPU seconds of the command (the database
server's own work is in the wall time only) and the peak resident memory of the command,
then each ledger's ratio to the first one. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from dashboard.ledger.check_runs import record_check_run, stored_aggregates, watermarks
from dashboard.ledger.db import open_ledger
from dashboard.ledger.schema import Donor, Worker

# (donor number among the donors in id order, amount, months per worker, province, occupation)
WEEK = (
    (0, 4_435_200, 6, "", ""),
    (5, 4_435_200, 6, "", ""),
    (10, 8_870_400, 6, "", ""),
    (15, 2_419_200, 12, "", ""),
    (20, 4_435_200, 6, "ID-JB", ""),
    (25, 2_217_600, 6, "", "fisher"),
    (30, 4_435_200, 6, "", ""),
    (35, 2_419_200, 12, "ID-JT", ""),
    (40, 4_435_200, 6, "", ""),
    (45, 1_008_000, 6, "", ""),
)


@dataclass(frozen=True)
class Step:
    name: str
    wall: float
    cpu: float
    peak_mib: float
    output: str


def run(url: str, *arguments: str) -> Step:
    """One `lingkaran` command in a child process: its wall and CPU time, peak memory."""
    began = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-m", "dashboard.cli", "--lang", "en", "--db", url, *arguments],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - began
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode not in (0, 1):  # check exits 1 when it finds a violation
        raise SystemExit(f"{' '.join(arguments)} failed on {url}:\n{output}")
    return Step(
        " ".join(arguments), wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, output
    )


def week_file(url: str, folder: Path, today: dt.date) -> Path:
    engine = open_ledger(url)
    with engine.connect() as conn:
        donors = list(conn.execute(select(Donor.donor_id).order_by(Donor.donor_id)).scalars())
        workers = conn.execute(select(Worker.id).limit(1)).first()
    engine.dispose()
    if not donors or workers is None:
        raise SystemExit(f"{url} has no programme: build it first (bench/ledger_scale.py)")
    path = folder / "week.csv"
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(
            [
                "donation_id",
                "donor_id",
                "received_on",
                "amount_idr",
                "months_per_worker",
                "earmark_province",
                "earmark_occupation",
                "package",
            ]
        )
        for number, (donor, amount, months, province, occupation) in enumerate(WEEK):
            received = today - dt.timedelta(days=number % 7)
            writer.writerow(
                [
                    f"WEEK-{today:%Y%m%d}-{number:02d}",
                    donors[donor % len(donors)],
                    received.isoformat(),
                    amount,
                    months,
                    province,
                    occupation,
                    "jkk_jkm",
                ]
            )
    return path


def copy_of(url: str, folder: Path, number: int) -> tuple[str, callable]:
    """A copy of the ledger to write into, and how to remove it."""
    parsed = make_url(url)
    if parsed.drivername.startswith("sqlite"):
        target = folder / f"copy{number}.db"
        shutil.copy(parsed.database, target)
        return f"sqlite:///{target}", lambda: None
    name = f"{parsed.database}_week"
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{parsed.database}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()

    return parsed.set(database=name).render_as_string(hide_password=False), drop


def assume_checked(url: str) -> None:
    """Record a passing full check of the ledger at ``url`` without running it."""
    engine = open_ledger(url)
    with engine.begin() as conn:
        record_check_run(conn, "full", watermarks(conn), 0, snapshot=stored_aggregates(conn))
    engine.dispose()


def measure(url: str, number: int, args) -> list[Step]:
    today = dt.date.today()
    with tempfile.TemporaryDirectory(prefix="lingkaran-week-") as folder:
        copy, drop = copy_of(url, Path(folder), number)
        try:
            steps = []
            if args.full_check:
                steps.append(run(copy, "check"))
            elif args.assume_checked:
                assume_checked(copy)
            week = week_file(copy, Path(folder), today)
            steps.append(run(copy, "import", "donations", str(week)))
            steps.append(run(copy, "allocate"))
            steps.append(run(copy, "allocate"))
            if args.check_since:
                steps.append(run(copy, "check", "--since"))
            if not args.no_release:
                steps.append(run(copy, "release", "--as-of", today.isoformat()))
            return steps
        finally:
            drop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", action="append", required=True, help="a built ledger (repeat)")
    parser.add_argument("--full-check", action="store_true", help="time the full check first")
    parser.add_argument(
        "--assume-checked", action="store_true", help="record a passing full check, not run"
    )
    parser.add_argument(
        "--check-since", action="store_true", help="time `check --since` after the writes"
    )
    parser.add_argument("--no-release", action="store_true")
    parser.add_argument("--show-output", action="store_true")
    args = parser.parse_args()
    results = [measure(url, number, args) for number, url in enumerate(args.db)]
    names = ["import 10 donations", "allocate them", "allocate, nothing to do"]
    if args.full_check:
        names.insert(0, "check (full)")
    if args.check_since:
        names.append("check --since")
    if not args.no_release:
        names.append("release (build, audit, store)")
    print(f"weekly writes, {dt.date.today()}; wall s / CPU s / peak MiB per ledger")
    for position, name in enumerate(names):
        cells = []
        for steps in results:
            step = steps[position]
            cells.append(f"{step.wall:8.2f} {step.cpu:8.2f} {step.peak_mib:7.0f}")
        ratios = [
            f"{steps[position].wall / results[0][position].wall:6.2f}" for steps in results[1:]
        ]
        print(f"{name:<32} | {' | '.join(cells)} | wall ratio to first: {' '.join(ratios)}")
    if args.show_output:
        for url, steps in zip(args.db, results, strict=True):
            print(f"\n== {url}")
            for step in steps:
                print(f"-- {step.name}\n{step.output}")


if __name__ == "__main__":
    main()
