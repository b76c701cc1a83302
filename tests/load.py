"""A bounded burst against a real server on loopback, and the check of every answer.

Shared by the load test (tests/test_load.py) and the measurements (bench/burst.py,
bench/sessions.py). Two kinds of visitor:

- API clients: threads asking a mix of good and bad addresses as fast as the server answers;
  each answer (status and body) must equal the one the same address gave when asked alone.
- Streamlit sessions: what a browser's first visit asks of the server, without the browser
  (the page's websocket, one script run); the text the page shows must equal a quiet visit's.
"""

from __future__ import annotations

import asyncio
import http.client
import statistics
import threading
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field

# Good and bad addresses, as a burst of visitors and scripts mixes them.
API_ADDRESSES = (
    "/api/v1/summary",
    "/api/v1/aggregates?by=province",
    "/api/v1/aggregates?by=gender,age_band",
    "/api/v1/aggregates?by=province,occupation",
    "/api/v1/continuation?by=donor_type",
    "/api/v1/continuation?by=stimulus",
    "/api/v1/schema",
    "/api/v1/aggregates?by=foo",
    "/api/v1/aggregates?by=province&by=gender",
    "/api/v1/continuation?by=nothing",
    "/api/v1/no-such-thing",
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
    """What a burst saw: every answer's time, the wrong ones and the failures by kind."""

    clients: int
    seconds: float
    times: list[float] = field(default_factory=list)
    wrong: Counter = field(default_factory=Counter)  # address: answers unlike the quiet one
    failures: Counter = field(default_factory=Counter)  # kind of failure: how many

    @property
    def answered(self) -> int:
        return len(self.times)

    @property
    def ok(self) -> bool:
        return self.answered > 0 and not self.wrong and not self.failures

    def p95(self) -> float:
        return percentile(self.times, 0.95)

    def table(self) -> str:
        rate = self.answered / self.seconds if self.seconds else 0.0
        lines = [
            "| clients | seconds | answers | per second | median | p95 | wrong | failed |",
            "|---|---|---|---|---|---|---|---|",
            f"| {self.clients} | {self.seconds:.0f} | {self.answered} | {rate:.0f} "
            f"| {1000 * statistics.median(self.times or [0]):.0f} ms "
            f"| {1000 * self.p95():.0f} ms | {sum(self.wrong.values())} "
            f"| {sum(self.failures.values())} |",
        ]
        for address, count in self.wrong.items():
            lines.append(f"wrong answer from {address}: {count}")
        for kind, count in self.failures.items():
            lines.append(f"failed: {kind}: {count}")
        return "\n".join(lines)


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def burst(
    base: str,
    expected: dict[str, Answer],
    *,
    clients: int,
    seconds: float | None = None,
    rounds: int | None = None,
) -> BurstResult:
    """``clients`` threads, started together, each asking every address in turn (each thread
    from a different one) for ``seconds`` or ``rounds`` times through the list."""
    addresses = list(expected)
    result = BurstResult(clients, 0.0)
    lock = threading.Lock()
    start = threading.Barrier(clients + 1)
    deadline: list[float] = []

    def client(number: int) -> None:
        start.wait()
        turn = number
        asked = 0
        while True:
            if rounds is not None and asked >= rounds * len(addresses):
                return
            if seconds is not None and time.monotonic() >= deadline[0]:
                return
            address = addresses[turn % len(addresses)]
            turn += 1
            asked += 1
            began = time.perf_counter()
            try:
                answer = ask(base, address)
            except (OSError, http.client.HTTPException) as problem:
                with lock:
                    result.failures[type(problem).__name__] += 1
                continue
            spent = time.perf_counter() - began
            with lock:
                result.times.append(spent)
                if answer != expected[address]:
                    result.wrong[address] += 1

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(clients)]
    for thread in threads:
        thread.start()
    began = time.monotonic()
    deadline.append(began + (seconds or 0))
    start.wait()
    for thread in threads:
        thread.join()
    result.seconds = time.monotonic() - began
    return result


async def first_run(base: str, page: str = "", query: str = "") -> list[str]:
    """A browser's first visit to ``page`` without the browser: the page's websocket, one
    script run to its end. Returns the text the page showed (each markdown, metric, caption,
    heading, alert and table heading, in the order sent); a run that raised is an error."""
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    from websockets.asyncio.client import connect

    shown: list[str] = []
    address = base.replace("http://", "ws://") + "/_stcore/stream"
    async with connect(address, subprotocols=["streamlit"], max_size=None) as socket_:
        message = BackMsg()
        message.rerun_script.query_string = query
        message.rerun_script.page_name = page
        await socket_.send(message.SerializeToString())
        while True:
            forward = ForwardMsg()
            forward.ParseFromString(await socket_.recv())
            kind = forward.WhichOneof("type")
            if kind == "script_finished":
                status = forward.script_finished
                if status == ForwardMsg.FINISHED_SUCCESSFULLY:
                    return shown
                if status != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    raise RuntimeError(f"{page or 'overview'}: the run ended with status {status}")
            elif kind == "page_not_found":
                raise RuntimeError(f"no page {page!r}")
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
    return []


async def sessions_at_once(
    base: str, visits: list[tuple[str, str]]
) -> list[list[str] | BaseException]:
    """Every visit (page, query) opened at the same moment; each one's text, or its error."""
    return await asyncio.gather(
        *(first_run(base, page, query) for page, query in visits), return_exceptions=True
    )
