"""A bounded burst against a real server on loopback, and the check of every answer.

Shared by the load test (tests/test_load.py) and the measurements (bench/burst.py,
bench/sessions.py). Two kinds of visitor:

- API clients: threads asking a mix of good and bad addresses (the API, the feed, the
  embeds, the slideshow) as fast as the server answers; each answer (status and body) must
  equal the one the same address gave when asked alone.
- Streamlit sessions: what a browser's first visit asks of the server, without the browser
  (the page's websocket, one script run); the text the page shows must equal a quiet visit's.
"""

from __future__ import annotations

import asyncio
import http.client
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# A donor the demo names on its donors wall, in every size (its corporate donors all choose
# to be named): PT Samudra Niaga Lestari.
NAMED_DONOR = "CSR-001"

# Good and bad addresses, as a burst of visitors and scripts mixes them: the open-data API,
# and what is served beside the pages without a session (the feed, the embeds other sites
# frame, the slideshow; on several processes HAProxy sends /slides to the app processes).
# The feed's dates are the releases' own (published_at), so it too answers alike until a
# release is published; the base address it names is the one every ask of a burst uses.
API_ADDRESSES = (
    "/api/v1/summary",
    "/api/v1/aggregates?by=province",
    "/api/v1/aggregates?by=gender,age_band",
    "/api/v1/aggregates?by=province,occupation",
    "/api/v1/continuation?by=donor_type",
    "/api/v1/continuation?by=stimulus",
    "/api/v1/schema",
    "/api/v1/releases",
    "/api/v1/summary?release=2026-10",  # a named release: served as immutable
    "/api/v1/aggregates?by=province&release=2026-10",
    "/api/v1/summary?release=1999-12",  # no such release: 404
    "/api/v1/aggregates?by=foo",
    "/api/v1/aggregates?by=province&by=gender",
    "/api/v1/continuation?by=nothing",
    "/api/v1/no-such-thing",
    "/api/v1/releases.atom",
    "/embed/programme",
    "/embed/programme.svg",
    f"/embed/donor/{NAMED_DONOR}",
    f"/embed/donor/{NAMED_DONOR}.svg",
    "/embed/donor/NO-SUCH-DONOR",  # 404, in the same words as an anonymous donor's
    "/slides",
)


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes


def ask(base: str, address: str, *, timeout: float = 60.0) -> Answer:
    """One GET on a new connection (as a new visitor's script opens one)."""
    parts = urllib.parse.urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        connection.request("GET", address, headers={"Connection": "close"})
        response = connection.getresponse()
        return Answer(response.status, response.read())
    finally:
        connection.close()


def quiet_answers(base: str, addresses=API_ADDRESSES) -> dict[str, Answer]:
    """Each address asked once, alone: what every answer under load must equal."""
    return {address: ask(base, address) for address in addresses}


@dataclass
class BurstResult:
    """What a burst saw: every answer's time, each address's distinct answers, and the
    failures (refused, reset, timed out) by kind."""

    clients: int
    seconds: float
    times: list[float] = field(default_factory=list)
    answers: dict[str, Counter] = field(default_factory=dict)  # address: Counter of Answers
    failures: Counter = field(default_factory=Counter)
    failed_sent_at: list[float] = field(default_factory=list)  # time.monotonic() of each send

    @property
    def answered(self) -> int:
        return len(self.times)

    def wrong(self, expected: dict[str, set[Answer]]) -> Counter:
        """Per address, the answers that are none of the expected ones."""
        return Counter(
            {
                address: sum(n for answer, n in seen.items() if answer not in expected[address])
                for address, seen in self.answers.items()
                if any(answer not in expected[address] for answer in seen)
            }
        )

    def ok(self, expected: dict[str, set[Answer]]) -> bool:
        return self.answered > 0 and not self.failures and not self.wrong(expected)

    def p95(self) -> float:
        return percentile(self.times, 0.95)

    def table(self, expected: dict[str, set[Answer]]) -> str:
        rate = self.answered / self.seconds if self.seconds else 0.0
        wrong = self.wrong(expected)
        lines = [
            "| clients | seconds | answers | per second | median | p95 | wrong | failed |",
            "|---|---|---|---|---|---|---|---|",
            f"| {self.clients} | {self.seconds:.0f} | {self.answered} | {rate:.0f} "
            f"| {1000 * statistics.median(self.times or [0]):.0f} ms "
            f"| {1000 * self.p95():.0f} ms | {sum(wrong.values())} "
            f"| {sum(self.failures.values())} |",
        ]
        for address, n in wrong.items():
            kinds = {
                f"{answer.status} {answer.body[:60]!r}"
                for answer in self.answers[address]
                if answer not in expected[address]
            }
            lines.append(f"wrong answers from {address}: {n} ({'; '.join(sorted(kinds))})")
        lines += [f"failed: {kind}: {n}" for kind, n in self.failures.items()]
        return "\n".join(lines)


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def burst(
    base: str,
    addresses: list[str],
    *,
    clients: int,
    seconds: float | None = None,
    asks: int | None = None,
    until: threading.Event | None = None,
) -> BurstResult:
    """``clients`` threads, started together, each asking the addresses in turn (each from
    a different one): for ``seconds``, or else ``asks`` times (once through the list if not
    given) and then on until ``until`` is set (a write running meanwhile). A failed ask is
    counted, not retried; after a failure the client pauses a little, so a dead server ends
    the burst with a bounded count rather than a storm of refusals."""
    result = BurstResult(clients, 0.0, answers={address: Counter() for address in addresses})
    lock = threading.Lock()
    start = threading.Barrier(clients + 1)
    began = [0.0]

    def done(asked: int) -> bool:
        if seconds is not None:
            return time.monotonic() - began[0] >= seconds
        return asked >= (asks or len(addresses)) and (until is None or until.is_set())

    def client(number: int) -> None:
        start.wait()
        asked = 0
        while not done(asked):
            address = addresses[(number + asked) % len(addresses)]
            asked += 1
            sent_at = time.monotonic()
            sent = time.perf_counter()
            try:
                answer = ask(base, address)
            except (OSError, http.client.HTTPException) as problem:
                with lock:
                    result.failures[type(problem).__name__] += 1
                    result.failed_sent_at.append(sent_at)
                time.sleep(0.05)
                continue
            spent = time.perf_counter() - sent
            with lock:
                result.times.append(spent)
                result.answers[address][answer] += 1

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(clients)]
    for thread in threads:
        thread.start()
    began[0] = time.monotonic()
    start.wait()
    for thread in threads:
        thread.join()
    result.seconds = time.monotonic() - began[0]
    return result


async def first_run(
    base: str, page: str = "", query: str = "", opened: tuple[str, ...] = ()
) -> list[str]:
    """A browser's first visit to ``page`` without the browser: the page's websocket, one
    script run to its end. Returns the text the page showed (each markdown, metric, caption,
    heading, alert and table, in the order sent); a run that raised is an error.

    ``opened``: the keys of expanders the visitor then opens (``controls.opened``: their
    content runs only while open). As a click does, that is a second run with each one's
    state true, and the text returned is that run's."""
    from websockets.asyncio.client import connect

    address = base.replace("http://", "ws://") + "/_stcore/stream"
    # No handshake timeout of the client's own (10 s by default): a browser waits, and the
    # caller bounds the whole visit (`sessions_at_once`).
    async with connect(
        address, subprotocols=["streamlit"], max_size=None, open_timeout=None
    ) as socket_:
        shown, expanders = await _script_run(socket_, page, query, {})
        sent: set[str] = set()
        for _ in range(3 if opened else 0):
            # a keyed element's id ends with its key (Streamlit's element ids)
            ids = {key: [i for i in expanders if i.endswith(f"-{key}")] for key in opened}
            if missing := [key for key, found in ids.items() if len(found) != 1]:
                raise RuntimeError(f"{page or 'overview'}: no expander {missing} to open")
            if {i for (i,) in ids.values()} == sent:
                break
            # An expander's id also depends on its label: if a write changed the count in
            # it between the two runs, the page shows it closed again, and the visitor
            # opens it again.
            sent = {i for (i,) in ids.values()}
            shown, expanders = await _script_run(socket_, page, query, dict.fromkeys(sent, True))
        return shown


async def _script_run(socket_, page: str, query: str, open_ids: dict[str, bool]):
    """One script run asked on an open session: the text it showed, and the ids of its
    stateful expanders."""
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    message = BackMsg()
    message.rerun_script.query_string = query
    message.rerun_script.page_name = page
    for element_id, value in open_ids.items():
        state = message.rerun_script.widget_states.widgets.add()
        state.id, state.bool_value = element_id, value
    await socket_.send(message.SerializeToString())
    shown: list[str] = []
    expanders: list[str] = []
    while True:
        forward = ForwardMsg()
        forward.ParseFromString(await socket_.recv())
        kind = forward.WhichOneof("type")
        if kind == "script_finished":
            status = forward.script_finished
            if status == ForwardMsg.FINISHED_SUCCESSFULLY:
                return shown, expanders
            if status != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                raise RuntimeError(f"{page or 'overview'}: the run ended with status {status}")
            shown = []  # the page runs again: what the browser keeps is the new run's
        elif kind == "page_not_found":
            raise RuntimeError(f"no page {page!r}")
        elif kind == "delta" and forward.delta.WhichOneof("type") == "add_block":
            block = forward.delta.add_block
            if block.WhichOneof("type") == "expandable" and block.expandable.id:
                expanders.append(block.expandable.id)
        elif kind == "delta":
            element = forward.delta.new_element
            which = element.WhichOneof("type")
            if which == "exception":
                raise RuntimeError(f"{page or 'overview'}: {element.exception.message}")
            shown += _texts(element, which)


def _texts(element, which: str | None) -> list[str]:
    if which == "markdown":
        return [element.markdown.body]
    if which == "metric":
        return [f"{element.metric.label}: {element.metric.body}"]
    if which == "heading":
        return [element.heading.body]
    if which == "alert":
        return [element.alert.body]
    if which == "dataframe":
        import pyarrow as pa

        rows = pa.ipc.open_stream(element.dataframe.arrow_data.data).read_all().to_pylist()
        return [" | ".join(str(value) for value in row.values()) for row in rows]
    return []


def sessions_at_once(
    base: str, visits: list[tuple], *, timeout: float = 120.0
) -> list[list[str] | BaseException]:
    """Every visit (page, query and, if any, the expanders opened: `first_run`'s arguments)
    opened at the same moment; each one's text, or its error
    (a visit not finished within ``timeout`` seconds is a TimeoutError). The sessions run
    on an event loop of their own, in a thread of their own: the caller's thread may have
    a loop running already (Playwright's, in the test suite)."""

    async def together():
        return await asyncio.gather(
            *(asyncio.wait_for(first_run(base, *visit), timeout) for visit in visits),
            return_exceptions=True,
        )

    outcome: list = []
    runner = threading.Thread(target=lambda: outcome.append(asyncio.run(together())))
    runner.start()
    runner.join()
    return outcome[0]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_up(url: str, process: subprocess.Popen, seconds: float = 60) -> None:
    """Until the server at ``url`` answers its health check; an error if its process ends
    first or ``seconds`` pass."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the app exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"the app did not answer at {url} within {seconds} s")


def start_demo(
    db: str, processes: int, *, output=subprocess.DEVNULL, seconds: float = 180
) -> tuple[subprocess.Popen, str]:
    """`lingkaran --db DB demo --port P --processes N`, as a user starts it, once it
    answers: its process and its address."""
    port = free_port()
    command = [sys.executable, "-m", "dashboard.cli", "--db", db, "demo", "--port", str(port)]
    command += ["--processes", str(processes)]
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        stdout=output,
        # a log file gets both; otherwise what goes wrong reaches the caller's terminal
        stderr=None if output is subprocess.DEVNULL else subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base, process, seconds)
    except RuntimeError:
        process.terminate()
        process.wait(timeout=60)
        raise
    return process, base


def process_tree(pid: int) -> list[int]:
    """The process and all its descendants (Linux /proc)."""
    found, queue = [], [pid]
    while queue:
        current = queue.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*"):
            try:
                queue += [int(child) for child in (task / "children").read_text().split()]
            except OSError:
                pass
    return found


def resident_mib(pids: list[int]) -> dict[int, float]:
    """Each process's resident memory now, in MiB."""
    sizes = {}
    for pid in pids:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                sizes[pid] = int(line.split()[1]) / 1024
    return sizes


def command_line(pid: int) -> list[str]:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode().split("\0")
    except OSError:
        return []
