"""Publishing a release, and what its audit costs as the history grows, at two ledger
sizes in one run.

    python bench/releases.py --db sqlite:////tmp/demo50k.db --db sqlite:////tmp/lingkaran-2m.db

Each ledger is seeded first if it is empty (`seed-demo`'s programme; the size is the
``--workers`` given for it, in order). For each ledger, on a copy of it:

- **build**: one release as of the end of last month, built and checked and stored
  (``publish``), the median of ``--runs`` (each on a ledger with the releases before it
  removed, so each is a first publication of that month);
- **serve**: what a process start costs before it answers: reading and unpacking the latest
  release (``open_data.publication`` on a new engine, nothing built);
- **history**: the part of a publication that grows with the history (listing the earlier
  releases, checking the new one against each, and comparing it with the previous one),
  with 12, 24 and 60 releases stored before it.

Prints each figure and its ratio to the first ledger's; nothing is asserted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import delete, insert, select
from sqlalchemy.engine import make_url

from dashboard.ledger.db import open_ledger
from dashboard.ledger.demo import has_programme, seed_programme
from dashboard.ledger.schema import Release
from dashboard.publish import open_data, releases


def median_of(function, runs: int) -> float:
    samples = []
    for _ in range(runs):
        began = time.perf_counter()
        function()
        samples.append(time.perf_counter() - began)
    return statistics.median(samples)


def copy_of(url: str, folder: Path) -> str:
    source = Path(make_url(url).database)
    target = folder / source.name
    shutil.copy(source, target)
    return f"sqlite:///{target}"


def history_cost(engine, count: int, runs: int) -> float:
    """The history part of a publication with ``count`` releases stored before it: copies
    of the latest release under earlier dates stand in for a real history."""
    with engine.begin() as conn:
        row = conn.execute(select(*Release.__table__.c).order_by(Release.as_of.desc())).first()
        conn.execute(delete(Release).where(Release.id != row.id))
        first = row.as_of
        for back in range(1, count):
            day = first - dt.timedelta(days=31 * back)
            values = dict(row._mapping, id=f"h{back:04d}", as_of=day)
            conn.execute(insert(Release).values(**values))
    open_data._stored.cache_clear()
    latest = open_data.publication(engine)  # unpacked once, as publish has it at hand

    def part() -> None:
        history = open_data.releases(engine)
        releases._check_history(
            history,
            history[0].as_of + dt.timedelta(days=1),
            history[0].suppression_k,
            releases.Perturbation.for_release(0, history[0].as_of, history[0].suppression_k),
        )
        previous = open_data.publication(engine, release=history[0].id)
        releases.describe_changes(previous, latest)

    return median_of(part, runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", action="append", required=True, help="A SQLite ledger URL.")
    parser.add_argument("--workers", action="append", type=int, default=[])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    sizes = args.workers + [50_000] * (len(args.db) - len(args.workers))
    results = []
    for url, workers in zip(args.db, sizes, strict=True):
        engine = open_ledger(url)
        if not has_programme(engine):
            print(f"seeding {url} with {workers:,} workers ...", flush=True)
            seed_programme(engine, workers=workers)
        engine.dispose()
        with tempfile.TemporaryDirectory(prefix="lingkaran-bench-") as folder:
            copy = copy_of(url, Path(folder))
            engine = open_ledger(copy)

            def build(engine=engine) -> None:
                with engine.begin() as conn:
                    conn.execute(delete(Release))
                releases.publish(engine)

            built = median_of(build, args.runs)

            def serve(copy=copy) -> None:
                fresh = open_ledger(copy)
                open_data._stored.cache_clear()
                open_data.publication(fresh)
                fresh.dispose()

            served = median_of(serve, args.runs)
            history = {n: history_cost(engine, n, args.runs) for n in (12, 24, 60)}
            engine.dispose()
        results.append((url, workers, built, served, history))
        print(
            f"{workers:>10,} workers: build {built:7.2f} s, serve {served * 1000:7.1f} ms, "
            + ", ".join(f"history {n}: {s * 1000:6.1f} ms" for n, s in history.items()),
            flush=True,
        )
    base = results[0]
    for url, workers, built, served, history in results[1:]:
        print(
            f"{workers:,} / {base[1]:,} workers: build x{built / base[2]:.1f}, "
            f"serve x{served / base[3]:.2f}, history 60 vs 12 x{history[60] / history[12]:.2f} "
            f"({url})"
        )


if __name__ == "__main__":
    main()
