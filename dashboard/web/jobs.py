"""Long admin jobs (an import, the allocator, the checks) run outside the page's script run.

At 2,000,000 workers an allocation or a check takes minutes: inside a script run it would
hold the admin's page (and its websocket) for all that time, be cut by a rerun or a
closed tab, and show nothing of how far it is. A job runs in this process's one job thread
(one write at a time, as the ledger takes them), reports how far it is, and keeps its
outcome for the page to show when it looks again (``dashboard.web.console.job_panel``).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

from cachetools import LRUCache

from dashboard.core.errors import LedgerError, Message
from dashboard.core.progress import Report

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Written:
    """A text of a job's outcome, written when it is shown: in the language of the page
    that shows it, not of the one that started the job (the admin may have switched since,
    or look from another tab)."""

    write: Callable[[str], str]

    def render(self, lang: str) -> str:
        return self.write(lang)


def in_language(value, lang: str):
    """An outcome's message or cell as ``lang`` reads it: what has ``render`` (``Written``,
    ``Message``, ``Rupiah``, ``Count``) is written in it; anything else is shown as it is."""
    return value.render(lang) if hasattr(value, "render") else value


@dataclass(frozen=True)
class Outcome:
    """What a job ended with: a message, whether it wrote to the ledger, and a table (the
    refused rows of an import, the donations an allocation left unspent, the violations a
    check found). Texts are written when shown (``in_language``); ``columns`` are msgids."""

    ok: bool
    message: object
    wrote: bool = False
    columns: tuple[str, ...] = ()
    rows: tuple[tuple, ...] = ()


@dataclass
class Job:
    key: str
    name: str  # "import", "allocate", "check"
    who: str
    started: dt.datetime
    what: str = ""
    done: int = 0
    total: int | None = None
    outcome: Outcome | None = None
    future: Future | None = field(default=None, repr=False)

    @property
    def running(self) -> bool:
        return self.outcome is None

    def report(self, what: str, done: int, total: int | None) -> None:
        self.what, self.done, self.total = what, done, total


_RUNNER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="lingkaran-job")
_JOBS: LRUCache[str, Job] = LRUCache(256)  # the newest jobs' outcomes, for pages to show
_JOBS_LOCK = threading.Lock()


def start(name: str, who: str, work: Callable[[Report], Outcome], failed: str) -> str:
    """Queue ``work`` (given a ``Report``) as a job; its key. ``failed`` (a msgid) is what
    the admin reads if it raises something other than a ``LedgerError`` (whose message is
    theirs, written in the page's language where it is a sentence to translate)."""
    job = Job(uuid.uuid4().hex, name, who, dt.datetime.now(dt.UTC))

    def run() -> None:
        try:
            job.outcome = work(job.report)
        except LedgerError as refused:
            job.outcome = Outcome(False, Written(refused.render))
        except Exception:  # shown as a sentence; the traceback goes to the server's log only
            log.exception("admin job %s (%s) failed", name, job.key)
            job.outcome = Outcome(False, Message(failed))

    with _JOBS_LOCK:
        _JOBS[job.key] = job
    job.future = _RUNNER.submit(run)
    return job.key


def job(key: str | None) -> Job | None:
    """The job of ``key`` while this process remembers it."""
    if key is None:
        return None
    with _JOBS_LOCK:
        return _JOBS.get(key)


def latest(names: tuple[str, ...], who: str) -> Job | None:
    """The newest job of ``names`` that ``who`` started, while this process remembers it:
    what a new tab shows when the one that started the job was closed."""
    with _JOBS_LOCK:
        mine = [j for j in _JOBS.values() if j.name in names and j.who == who]
    return max(mine, key=lambda j: j.started, default=None)


def wait(key: str, timeout: float | None = None) -> Job:
    """Block until the job has ended (the command line and the tests)."""
    found = job(key)
    if found is None:
        raise LookupError(f"no job {key}")
    found.future.result(timeout)
    return found
