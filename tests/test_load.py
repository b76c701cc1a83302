"""Many visitors at once against a real server process on loopback, on both databases.

`lingkaran demo` as a user starts it (one process on SQLite; two app processes, one API
process and HAProxy on PostgreSQL), then: 200 API clients asking good and bad addresses and
40 page sessions (the overview, and a donor's page with and without its list of rows
awaiting confirmation opened) at the same moment, while an allocation writes to the ledger
(on SQLite, first while an import writes). Every answer must equal what the same address or
page gave when asked alone, before or after the write; nothing may be refused or lost, and
the server must be alive afterwards with the processes it started with. On the code before
issue 24 the SQLite server died within two seconds of the first burst, and on PostgreSQL
one donor page in 120 showed figures of two ledger versions.

Then a process is killed: `serve`'s supervisor starts it again and says so in its log, and
with HAProxy in front only the answers in flight at the kill are cut.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import difflib
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from dashboard.accounts.access import OPERATOR
from dashboard.ledger.db import open_ledger
from queries import donor
from tests.conftest import IN_CI, postgres_programme, write_csv
from tests.load import (
    API_ADDRESSES,
    NAMED_DONOR,
    Answer,
    burst,
    command_line,
    process_tree,
    quiet_answers,
    resident_mib,
    sessions_at_once,
    start_demo,
)

pytestmark = pytest.mark.load

API_CLIENTS = 200
ASKS_PER_CLIENT = 4  # at least: the clients together ask every address, again and again
SESSIONS = 40  # half on the overview, half on the largest donor's page (`Served.visits`)
UNCONFIRMED = ("unconfirmed",)  # the expander of the donor's rows awaiting confirmation
STARTUP = 120
# How an answer cut by the death of the process sending it reaches a client.
IN_FLIGHT_FAILURES = {"IncompleteRead", "RemoteDisconnected", "ConnectionResetError"}


@dataclass
class Served:
    """A running `lingkaran demo` and what the test needs to know of it."""

    base: str
    database: str
    process: subprocess.Popen
    log: Path
    donor_id: str
    processes: int

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def app_processes(self) -> dict[int, int]:
        """Port: pid of every Streamlit process under the command (app and API)."""
        found = {}
        for pid in process_tree(self.process.pid):
            line = command_line(pid)
            if "dashboard.web.launch" in line and "--server.port" in line:
                found[int(line[line.index("--server.port") + 1])] = pid
        return found

    def visits(self) -> list[tuple]:
        """Half on the overview; half on the donor's page, of which half open the list of
        coverage rows awaiting confirmation (read only when opened)."""
        donor = f"donor={self.donor_id}"
        return [("", ""), ("donor", donor), ("", ""), ("donor", donor, UNCONFIRMED)] * (
            SESSIONS // 4
        )


@contextlib.contextmanager
def _sqlite_ledger(demo_url: str, folder: Path) -> Iterator[str]:
    import shutil

    copy = folder / "ledger.db"
    shutil.copy(make_url(demo_url).database, copy)
    yield f"sqlite:///{copy}"


@pytest.fixture(
    scope="module",
    params=[
        "sqlite, one process",
        pytest.param("postgresql, two processes", marks=pytest.mark.postgres),
    ],
)
def served(request, demo_url, tmp_path_factory) -> Iterator[Served]:
    folder = tmp_path_factory.mktemp("load")
    processes = 2 if request.param.startswith("postgresql") else 1
    if processes > 1 and not (
        os.path.exists("/usr/sbin/haproxy") or os.path.exists("/usr/local/sbin/haproxy")
    ):
        if IN_CI:
            pytest.fail("no HAProxy (apt-get install haproxy)")
        pytest.skip("no HAProxy (apt-get install haproxy)")
    ledgers = (
        postgres_programme(tmp_path_factory, 2_000, "lingkaran_load")
        if processes > 1
        else _sqlite_ledger(demo_url, folder)
    )
    with ledgers as database:
        engine = open_ledger(database)
        largest = str(donor.donors(engine, OPERATOR).iloc[0]["donor_id"])
        engine.dispose()
        log = folder / "serve.log"
        with log.open("w") as output:
            process, base = start_demo(database, processes, output=output, seconds=STARTUP)
        try:
            yield Served(base, database, process, log, largest, processes)
        finally:
            process.terminate()
            process.wait(timeout=60)


def _quiet(served: Served) -> tuple[dict[str, Answer], dict[tuple[str, str], list[str]]]:
    """Every API address and both pages, asked one at a time (after the pages' ledger
    version, read at most once a second per process, has caught up with any write)."""
    time.sleep(1.5)
    pages = {}
    for visit in set(served.visits()):
        for _ in range(3):  # with several processes, each serves its share
            (shown,) = sessions_at_once(served.base, [visit])
            assert not isinstance(shown, BaseException), shown
            assert pages.setdefault(visit, shown) == shown, "two quiet visits differ"
    return quiet_answers(served.base), pages


def _write(served: Served, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "dashboard.cli", "--db", served.database, *args],
        capture_output=True,
        text=True,
        timeout=300,
    )


def _burst_while(served: Served, *write: str):
    """API clients and waves of page sessions, all running until the write has ended
    (at least one round of every address and one wave of sessions)."""
    written = threading.Event()
    outcome: dict[str, object] = {}

    def run_write() -> None:
        try:
            outcome["write"] = _write(served, *write)
        finally:
            written.set()

    api: dict[str, object] = {}
    clients = threading.Thread(
        target=lambda: api.setdefault(
            "result",
            burst(
                served.base,
                list(API_ADDRESSES),
                clients=API_CLIENTS,
                asks=ASKS_PER_CLIENT,
                until=written,
            ),
        )
    )
    clients.start()
    writer = threading.Thread(target=run_write)
    writer.start()
    shown: list[tuple[tuple[str, str], object]] = []
    while True:
        visits = served.visits()
        shown += zip(visits, sessions_at_once(served.base, visits), strict=True)
        if written.is_set():
            break
    writer.join()
    written.set()
    clients.join()
    write_result = outcome["write"]
    assert write_result.returncode == 0, write_result.stdout + write_result.stderr
    return api["result"], shown


def _assert_every_answer_is_one_of(result, shown, before, after) -> None:
    (api_before, pages_before), (api_after, pages_after) = before, after
    expected = {a: {api_before[a], api_after[a]} for a in API_ADDRESSES}
    assert not result.failures, result.table(expected)
    assert not result.wrong(expected), result.table(expected)
    assert result.answered >= API_CLIENTS * ASKS_PER_CLIENT
    failed = [(visit, page) for visit, page in shown if isinstance(page, BaseException)]
    assert not failed, failed[:3]
    unlike = [
        (visit, page)
        for visit, page in shown
        if page not in (pages_before[visit], pages_after[visit])
    ]
    assert not unlike, (
        f"{len(unlike)} of {len(shown)} pages unlike a quiet visit; the first against the "
        "quiet visit after the write:\n"
        + "\n".join(difflib.unified_diff(pages_after[unlike[0][0]], unlike[0][1], lineterm=""))
        if unlike
        else ""
    )


def test_a_burst_of_visitors_while_the_ledger_is_written_gets_every_answer_right(served, tmp_path):
    started_with = served.app_processes()
    assert started_with, served.log_text()
    memory_before = resident_mib(process_tree(served.process.pid))
    donation = write_csv(
        tmp_path,
        "donation.csv",
        ["donation_id", "donor_id", "received_on", "amount_idr"],
        [["LOAD-1", served.donor_id, dt.date.today() - dt.timedelta(days=20), 1_008_000]],
    )
    summary = "/api/v1/summary"
    donor_page = ("donor", f"donor={served.donor_id}")
    if served.processes == 1:  # a burst during the import too (the allocation is on both)
        quiet_before = _quiet(served)
        result, shown = _burst_while(served, "import", "donations", str(donation))
        quiet_imported = _quiet(served)
        _assert_every_answer_is_one_of(result, shown, quiet_before, quiet_imported)
        # the donor sees the new donation at once; the public only in the next release
        assert quiet_before[1][donor_page] != quiet_imported[1][donor_page]
        assert quiet_before[0][summary] == quiet_imported[0][summary]
    else:
        written = _write(served, "import", "donations", str(donation))
        assert written.returncode == 0, written.stderr
        quiet_imported = _quiet(served)
    # The named donor's embed shows the donor: a 404 there would leave the bursts comparing
    # refusals only.
    assert quiet_imported[0][f"/embed/donor/{NAMED_DONOR}"].status == 200

    result, shown = _burst_while(served, "allocate")
    quiet_allocated = _quiet(served)
    _assert_every_answer_is_one_of(result, shown, quiet_imported, quiet_allocated)
    assert quiet_imported[1][donor_page] != quiet_allocated[1][donor_page]
    # The opened list shows the allocation's new rows, which await confirmation (the
    # donor's waiting rows are fewer than the list's length in both ledgers).
    listed = {
        when: len(quiet[1][donor_page + (UNCONFIRMED,)]) - len(quiet[1][donor_page])
        for when, quiet in (("imported", quiet_imported), ("allocated", quiet_allocated))
    }
    assert 0 < listed["imported"] < listed["allocated"], listed

    # A release published while visitors ask: each answer is of the old release or the new.
    result, shown = _burst_while(served, "release", "--as-of", dt.date.today().isoformat())
    quiet_released = _quiet(served)
    _assert_every_answer_is_one_of(result, shown, quiet_allocated, quiet_released)
    # The writes changed what the public and the donor see: the bursts compared real changes.
    assert quiet_allocated[0][summary] != quiet_released[0][summary]
    assert quiet_allocated[1][("", "")] != quiet_released[1][("", "")]
    # Alive, and the very processes it started with: none died and was restarted.
    assert served.process.poll() is None
    assert served.app_processes() == started_with
    assert "ended with" not in served.log_text()
    memory_after = resident_mib(process_tree(served.process.pid))
    print(f"resident MiB per process, before and after: {memory_before} {memory_after}")


def test_a_killed_process_is_started_again_and_no_request_is_lost_meanwhile(served):
    """With HAProxy in front, the API process and an app process killed in the middle of a
    burst cost no answer; alone, the one process comes back on its port."""
    expected = {a: {answer} for a, answer in quiet_answers(served.base).items()}
    processes = served.app_processes()
    stop = threading.Event()
    api: dict[str, object] = {}
    clients = threading.Thread(
        target=lambda: api.setdefault(
            "result", burst(served.base, list(API_ADDRESSES), clients=50, until=stop)
        )
    )
    clients.start()
    time.sleep(1.0)
    killed = {port: processes[port] for port in _api_and_first_app(served)}
    killed_at = time.monotonic()
    for pid in killed.values():
        os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + STARTUP
    while time.monotonic() < deadline:
        now = served.app_processes()
        back = all(port in now and now[port] != pid for port, pid in killed.items())
        if back and _answers(served.base):
            break
        time.sleep(0.5)
    stop.set()
    clients.join()
    result = api["result"]

    log = served.log_text()
    for pid in killed.values():
        assert re.search(rf"\(pid {pid}\) ended with signal 9 \(SIGKILL\)", log), log
    assert log.count("started again") >= len(killed), log
    assert served.process.poll() is None
    if len(processes) > 1:
        # HAProxy logged the requests it sent on from the dead API process (docs/operations.md)
        assert re.search(r" lingkaran api/app\d \S+ \d{3} .*/\+\d+ \d+/\d+ \"GET ", log), log
        # HAProxy sent every request to a live process: only an answer that the killed
        # process was sending at that moment can be cut (no proxy can finish it), and
        # every request sent after the kill was answered.
        in_flight = [sent for sent in result.failed_sent_at if sent <= killed_at]
        assert len(in_flight) == len(result.failed_sent_at), result.table(expected)
        assert set(result.failures) <= IN_FLIGHT_FAILURES, result.table(expected)
        visits = served.visits()
        shown = sessions_at_once(served.base, visits)
        assert not [page for page in shown if isinstance(page, BaseException)]
    assert not result.wrong(expected), result.table(expected)
    after = quiet_answers(served.base)
    assert {a: {answer} for a, answer in after.items()} == expected


def _api_and_first_app(served: Served) -> list[int]:
    """The ports of the API process and the first app process (the one process, alone)."""
    started = re.search(
        r"127\.0\.0\.1 ports (\d+), \d+\) and one for the API \(port (\d+)\)", served.log_text()
    )
    if started is None:
        return list(served.app_processes())
    return [int(started.group(2)), int(started.group(1))]


def _answers(base: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as answer:
            return answer.status == 200
    except OSError:
        return False
