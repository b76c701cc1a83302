"""Many API requests at once: requests per second, p95, errors and memory, per setup.

    python bench/burst.py --db sqlite:////tmp/demo50k.db [--processes 1,2] \\
        [--clients 200] [--seconds 60] [--sessions 40]
    python bench/burst.py --base http://127.0.0.1:8501      (a server already running)

Each setup is `lingkaran --db DB demo --port P [--processes N]`, as a user starts it. Every
address (good and bad ones, tests/load.py) is first asked once, alone: the quiet answers.
Then ``--clients`` threads ask the addresses again and again for ``--seconds``, while every
ten seconds ``--sessions`` Streamlit sessions open the overview and the largest donor's page
at once. Every answer must equal its quiet answer, status and body, and every page the text
of a quiet visit; a refused connection, a cut answer or a timeout is an error. Prints the
answers per second, median and p95, wrong and failed answers, the pages that failed, and the
resident memory of every process of the setup before and after, and whether the server is
still alive. Nothing here is asserted: tests/test_load.py asserts a bounded burst.
"""

from __future__ import annotations

import argparse
import sys
import threading
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.load import (  # noqa: E402
    API_ADDRESSES,
    burst,
    process_tree,
    quiet_answers,
    resident_mib,
    sessions_at_once,
    start_demo,
)


def measure(base: str, pid: int | None, clients: int, seconds: float, sessions: int, donor: str):
    visits = [("", ""), ("donor", f"donor={donor}")] * (sessions // 2)
    quiet_pages = {v: sessions_at_once(base, [v])[0] for v in set(visits)}
    expected = {address: {answer} for address, answer in quiet_answers(base).items()}
    memory_before = resident_mib(process_tree(pid)) if pid else {}
    done = threading.Event()
    pages = {"visits": 0, "failed": 0, "unlike": 0}

    def page_waves() -> None:
        while not done.wait(0 if pages["visits"] == 0 else 10):
            shown_now = sessions_at_once(base, visits)
            for visit, shown in zip(visits, shown_now, strict=True):
                pages["visits"] += 1
                if isinstance(shown, BaseException):
                    pages["failed"] += 1
                elif shown != quiet_pages[visit]:
                    pages["unlike"] += 1

    waves = threading.Thread(target=page_waves)
    if sessions:
        waves.start()
    result = burst(base, list(API_ADDRESSES), clients=clients, seconds=seconds)
    done.set()
    if sessions:
        waves.join()
    memory_after = resident_mib(process_tree(pid)) if pid else {}
    try:
        with urllib.request.urlopen(f"{base}/_stcore/health", timeout=5) as answer:
            alive = answer.status == 200
    except OSError:
        alive = False
    return result, expected, pages, memory_before, memory_after, alive


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--db", help="start `lingkaran demo` on this ledger")
    where.add_argument("--base", help="a server already running, e.g. http://127.0.0.1:8501")
    parser.add_argument("--processes", default="1,2", help="app processes per setup (--db)")
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--sessions", type=int, default=40, help="page sessions per wave")
    parser.add_argument("--donor", default="BUMN-001", help="the donor page's donor")
    arguments = parser.parse_args()

    setups = [(None, arguments.base)] if arguments.base else []
    rows = []
    for processes in [] if arguments.base else [int(n) for n in arguments.processes.split(",")]:
        setups.append((processes, None))
    for processes, base in setups:
        process = None
        if base is None:
            process, base = start_demo(arguments.db, processes)
        try:
            result, expected, pages, before, after, alive = measure(
                base,
                process.pid if process else None,
                arguments.clients,
                arguments.seconds,
                arguments.sessions,
                arguments.donor,
            )
        finally:
            if process is not None:
                process.terminate()
                process.wait(timeout=60)
        name = "server at " + base if processes is None else f"{processes} process(es)"
        if processes and processes > 1:
            name = f"{processes} processes + HAProxy"
        print(f"\n{name}:\n{result.table(expected)}", flush=True)
        rows.append((name, result, expected, pages, before, after, alive))

    print()
    print(
        "| setup | clients | seconds | API answers | per second | median | p95 | wrong | "
        "failed | pages (wrong, failed) | memory before → after | alive |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for name, result, expected, pages, before, after, alive in rows:
        rate = result.answered / result.seconds
        times = sorted(result.times) or [0.0]
        print(
            f"| {name} | {result.clients} | {result.seconds:.0f} | {result.answered:,} "
            f"| {rate:.0f} | {1000 * times[len(times) // 2]:.0f} ms | {1000 * result.p95():.0f} ms "
            f"| {sum(result.wrong(expected).values())} | {sum(result.failures.values())} "
            f"| {pages['visits']} ({pages['unlike']}, {pages['failed']}) "
            f"| {sum(before.values()):.0f} → {sum(after.values()):.0f} MiB "
            f"| {'yes' if alive else 'NO'} |"
        )


if __name__ == "__main__":
    main()
