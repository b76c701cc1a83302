"""Many visitors at once: N Streamlit sessions opened together over the websocket, against
one app process and against several behind HAProxy, in one run.

    python bench/sessions.py --db postgresql+psycopg://postgres@127.0.0.1:5432/lingkaran50k \\
        [--sessions 1,5,10,20,40] [--processes 2] [--repeat 3]

Each setup is `lingkaran --db DB demo --port P [--processes N]`, as a user starts it. A
session is what a browser's first visit asks of the server, without the browser: open
``/_stcore/stream``, ask for the page (the overview, or the largest donor's impact page) and
wait for the script run to finish. N sessions start at the same moment; the time of each is
from its connection to the end of its run. Meanwhile a client asks ``/api/v1/summary`` every
50 ms. Before measuring, every process has served each page once (its caches per ledger
version filled), as after the first visitors of the day. Prints, per setup, page and N: the
median and p95 of the N times (the p95 of all repetitions, and of at least 20 visits: one
session is visited 20 times in a row), p95 ÷ one session's, the
server's CPU per run (every process of the setup, from /proc) and the API's p95. Nothing
here is asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.load import first_run as page_run  # noqa: E402
from tests.load import process_tree, start_demo  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")
ONE_SESSION_SAMPLES = 20  # visits at least behind each p95 (one session: 20 in a row)


def cpu_seconds(pids: list[int]) -> float:
    """User and system CPU of these processes so far."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICKS


@dataclass
class Setup:
    name: str
    url: str
    process: subprocess.Popen

    def pids(self) -> list[int]:
        return process_tree(self.process.pid)


def start(db: str, processes: int) -> Setup:
    process, url = start_demo(db, processes)
    name = "one process" if processes == 1 else f"{processes} processes + HAProxy"
    return Setup(name, url, process)


def stop(setup: Setup) -> None:
    setup.process.terminate()
    setup.process.wait(timeout=60)


async def first_run(url: str, page: str, query: str) -> float:
    """Seconds from opening a session to the end of its first script run."""
    began = time.perf_counter()
    await page_run(url, page, query)
    return time.perf_counter() - began


async def api_while(url: str, done: asyncio.Event) -> list[float]:
    """``/api/v1/summary`` every 50 ms until ``done``: each answer's seconds."""
    loop = asyncio.get_running_loop()
    times = []

    def ask() -> float:
        began = time.perf_counter()
        with urllib.request.urlopen(f"{url}/api/v1/summary", timeout=60) as answer:
            answer.read()
        return time.perf_counter() - began

    while not done.is_set():
        times.append(await loop.run_in_executor(None, ask))
        await asyncio.sleep(0.05)
    return times


async def burst(url: str, page: str, query: str, n: int) -> tuple[list[float], list[float]]:
    done = asyncio.Event()
    api = asyncio.create_task(api_while(url, done))
    await asyncio.sleep(0.1)
    try:
        times = await asyncio.gather(*(first_run(url, page, query) for _ in range(n)))
    finally:
        done.set()
    return list(times), await api


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--sessions", default="1,5,10,20,40")
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    sizes = [int(n) for n in args.sessions.split(",")]
    from dashboard.accounts.access import OPERATOR
    from dashboard.ledger.db import open_ledger
    from queries import donor

    engine = open_ledger(args.db, create=False)
    largest = donor.donors(engine, OPERATOR).iloc[0]["donor_id"]
    engine.dispose()
    pages = (("overview", "", ""), ("donor page", "donor", f"donor={largest}"))

    rows = []
    for processes in (1, args.processes):
        setup = start(args.db, processes)
        try:
            for _title, page, query in pages:  # every process serves each page once first
                for _ in range(2 * processes):
                    asyncio.run(first_run(setup.url, page, query))
            for title, page, query in pages:
                alone = None
                for n in sizes:
                    times, api, spent = [], [], 0.0
                    # At least 20 visits for each p95: of 3 single visits it is their slowest.
                    for _ in range(max(args.repeat, -(-ONE_SESSION_SAMPLES // n))):
                        before = cpu_seconds(setup.pids())
                        run_times, api_times = asyncio.run(burst(setup.url, page, query, n))
                        spent += cpu_seconds(setup.pids()) - before
                        times += run_times
                        api += api_times
                    slowest = p95(times)
                    alone = alone or slowest
                    rows.append(
                        (
                            setup.name,
                            title,
                            n,
                            statistics.median(times),
                            slowest,
                            slowest / alone,
                            spent / len(times),
                            p95(api),
                        )
                    )
                    print(
                        f"{setup.name:<26} {title:<11} {n:>3} sessions: median "
                        f"{statistics.median(times):.2f} s, p95 {slowest:.2f} s "
                        f"({slowest / alone:.1f} x one), CPU per run "
                        f"{1000 * spent / len(times):.0f} ms, API p95 "
                        f"{1000 * p95(api):.0f} ms",
                        flush=True,
                    )
        finally:
            stop(setup)

    print()
    print(
        "| setup | page | sessions at once | median | p95 | p95 ÷ one session | CPU per run "
        "| API p95 meanwhile |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for name, title, n, median, slowest, ratio, cpu, api in rows:
        print(
            f"| {name} | {title} | {n} | {median:.2f} s | {slowest:.2f} s | {ratio:.1f} "
            f"| {1000 * cpu:.0f} ms | {1000 * api:.0f} ms |"
        )
    one = {(t, n): s for name, t, n, _m, s, *_ in rows if name == "one process"}
    print()
    for name, title, n, _m, slowest, *_ in rows:
        if name != "one process":
            print(
                f"{title}, {n} at once: one process's p95 ÷ {name}'s: "
                f"{one[(title, n)] / slowest:.2f}"
            )


if __name__ == "__main__":
    main()
