"""One server process, many threads: every reader gets its own connection, a write that
lands while figures are read is never mixed into them, and a process that dies is started
again (issue 24). The same under a real burst: tests/test_load.py."""

from __future__ import annotations

import datetime as dt
import shutil
import sys
import threading
import time
from collections import Counter

import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.pool import QueuePool

from dashboard.core.errors import LedgerMoved
from dashboard.ledger.db import open_ledger, served_ledger
from dashboard.ledger.importer import import_file
from dashboard.web.serving import Child, how_it_ended, supervise
from queries.figures import ledger_figures
from queries.public import at_version, ledger_version
from tests.conftest import write_csv

THREADS = 24  # more than SQLAlchemy's SingletonThreadPool kept (five), as a burst brings


@pytest.fixture
def served_copy(demo_url, tmp_path) -> str:
    copy = tmp_path / "served.db"
    shutil.copy(make_url(demo_url).database, copy)
    return f"sqlite:///{copy}"


def test_an_existing_sqlite_ledger_lends_each_connection_to_one_thread_at_a_time(served_copy):
    """The app opened an existing ledger through SingletonThreadPool, which closed the
    connection of one thread while it read, past five threads: the process died in
    libsqlite3 under 20 visitors. Every thread now reads the same right answer."""
    engine = served_ledger(served_copy)
    assert engine is served_ledger(served_copy)  # one engine, one pool per process
    assert isinstance(engine.pool, QueuePool)
    alone = ledger_figures(engine, None, dt.date(2026, 11, 24))
    answers: Counter = Counter()
    start = threading.Barrier(THREADS)

    def reader() -> None:
        start.wait()
        for _ in range(15):
            answers[ledger_figures(engine, None, dt.date(2026, 11, 24)) == alone] += 1

    threads = [threading.Thread(target=reader) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == Counter({True: THREADS * 15})
    assert engine.pool.checkedout() == 0


def test_figures_read_while_a_write_lands_are_refused_not_kept(served_copy, tmp_path):
    engine = open_ledger(served_copy, create=False)
    before = ledger_version(engine)
    donated = ledger_figures(engine, None, dt.date(2026, 11, 24)).donated_idr
    donation = write_csv(
        tmp_path,
        "donation.csv",
        ["donation_id", "donor_id", "received_on", "amount_idr"],
        [["LATE-1", "CSR-001", "2026-11-01", "1008000"]],
    )

    def read_while_an_import_lands():
        first = ledger_figures(engine, None, dt.date(2026, 11, 24))
        import_file(engine, "donations", donation, today=dt.date(2026, 11, 24))
        return first, ledger_figures(engine, None, dt.date(2026, 11, 24))

    with pytest.raises(LedgerMoved, match="moved on from version"):
        at_version(engine, before, read_while_an_import_lands)
    after = ledger_version(engine)
    assert after != before
    figures = at_version(engine, after, lambda: ledger_figures(engine, None, dt.date(2026, 11, 24)))
    assert figures.donated_idr == donated + 1_008_000


@pytest.mark.parametrize(
    ("code", "said"),
    [
        (-11, "signal 11 (SIGSEGV)"),
        (-9, "signal 9 (SIGKILL)"),
        (1, "exit code 1"),
        (0, "exit code 0"),
    ],
)
def test_how_a_process_ended_is_said_as_an_operator_reads_it(code, said):
    assert how_it_ended(code) == said


def test_a_process_that_dies_is_started_again_and_named_in_the_log():
    log: list[str] = []
    child = Child("app1 (port 1)", [sys.executable, "-c", "import time; time.sleep(60)"])
    stop = threading.Event()
    child.start()
    first = child.process
    watching = threading.Thread(target=supervise, args=([child], stop, log.append))
    watching.start()
    try:
        first.kill()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not any("started again" in line for line in log):
            time.sleep(0.1)
    finally:
        stop.set()
        watching.join()
        child.process.kill()
        child.process.wait()
    assert first.returncode == -9
    assert child.process is not first and child.restarts == 1
    assert f"app1 (port 1) (pid {first.pid}) ended with signal 9 (SIGKILL)" in log[0]
    assert log[0].endswith(": restarting it")  # at once: it had not just been restarted
    assert f"app1 (port 1) started again (pid {child.process.pid})" in log[1]


def test_a_process_that_keeps_dying_at_start_waits_longer_each_time():
    log: list[str] = []
    child = Child("app1 (port 1)", [sys.executable, "-c", "raise SystemExit(3)"])
    stop = threading.Event()
    child.start()
    watching = threading.Thread(target=supervise, args=([child], stop, log.append))
    watching.start()
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and sum("ended with" in line for line in log) < 2:
            time.sleep(0.1)
    finally:
        stop.set()
        watching.join()
        if child.process.poll() is None:
            child.process.kill()
    ended = [line for line in log if "ended with exit code 3" in line]
    assert ended[0].endswith(": restarting it")
    assert ended[1].endswith(": restarting it in 2 s")
