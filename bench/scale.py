"""Issue 30's measurements at every ledger size, in one run: the week, a release, first
visits and the peers, each bench given every ledger at once so that its ratios compare
like with like.

    python bench/scale.py --db postgresql+psycopg://postgres@127.0.0.1:5432/l50k \\
        --db postgresql+psycopg://postgres@127.0.0.1:5432/l2m \\
        --db postgresql+psycopg://postgres@127.0.0.1:5432/l10m [--skip peers] [--out FILE]

The ledgers must be built (`seed-demo`, `bench/ledger_scale.py`) and have passed a full
check (the week's `check --since` starts from one; at 10,000,000 workers the full check
takes most of an hour, so it is recorded, not run: ``--assume-checked``) and hold a
release (`lingkaran release`; the first visits read it). Runs, in order:

- ``week``: `bench/weekly_write.py --check-since --assume-checked` (import, allocate, nothing
  to do, `check --since`, and a release built, audited and stored, each on a copy);
- ``visits``: `bench/first_visit.py` (the overview and the largest donor's page in Chromium);
- ``peers``: `bench/peers.py` (every page workload against naive pandas and DuckDB), once
  per ledger: it compares one ledger's answers across its own engines and the peers, so
  each size is its own run and its ratios are read side by side.

Each bench's own table is printed as it ends, and all of them with the date into ``--out``
(rewritten after each bench).
Nothing is asserted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).parent
STEPS = {
    "week": ["weekly_write.py", "--check-since", "--assume-checked"],
    "visits": ["first_visit.py"],
    "peers": ["peers.py"],
}
# The benches given every ledger in one command; the others run once per ledger.
TOGETHER = {"week", "visits"}


def bench(name: str, command: list[str]) -> list[str]:
    """Run one bench as a child process; its table, or the end of its error, as lines."""
    began = time.perf_counter()
    ran = subprocess.run(command, capture_output=True, text=True, check=False)
    took = time.perf_counter() - began
    section = [f"\n## {name}: {' '.join(command[1:])} ({took:.0f} s, exit {ran.returncode})"]
    section.append(ran.stdout.rstrip())
    if ran.returncode:
        section.append(ran.stderr.rstrip()[-4000:])
    print("\n".join(section), flush=True)
    return section


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", action="append", required=True, help="a built ledger (repeat)")
    parser.add_argument("--skip", action="append", default=[], choices=sorted(STEPS))
    parser.add_argument("--out", type=Path, default=None, help="also write the record here")
    parser.add_argument("--peer-runs", type=int, default=7, help="bench/peers.py --runs")
    args = parser.parse_args()
    record = [f"# issue 30 at {len(args.db)} ledger sizes, {dt.datetime.now():%Y-%m-%d %H:%M}"]
    record += [f"- ledger {number}: {url}" for number, url in enumerate(args.db)]
    for name, (script, *options) in STEPS.items():
        if name in args.skip:
            continue
        if name == "peers":
            options = [*options, "--runs", str(args.peer_runs)]
        groups = [args.db] if name in TOGETHER else [[url] for url in args.db]
        for urls in groups:
            command = [sys.executable, str(HERE / script), *options]
            for url in urls:
                command += ["--db", url]
            record += bench(name, command)
            if args.out is not None:  # after each bench: a long run stopped keeps its part
                args.out.write_text("\n".join(record) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
