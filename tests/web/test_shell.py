"""The shell's process-wide caches with real threads (docs/architecture.md#caching): a chart
being built holds up no session that wants another, two sessions wanting the same one
build it once, a failed build is not kept, and a version read under way when the versions
are forgotten is not served afterwards. Events and counts, no clock."""

from __future__ import annotations

import threading

import pytest

import queries.public
from dashboard.web import shell
from tests.threads import PATIENCE, counted_waits, in_thread


@pytest.fixture
def kept(monkeypatch):
    """`shell.built` at one ledger version and language, from an empty cache."""
    monkeypatch.setattr(shell, "database_url", lambda: "sqlite:///shell.db")
    monkeypatch.setattr(shell, "ledger_version", lambda: (1,))
    monkeypatch.setattr(shell, "language", lambda: "id")
    shell.forget_built()
    yield
    shell.forget_built()


class Chart:
    """A build of a chart that counts its builds and, when ``slow``, waits for ``release``."""

    def __init__(self, *, slow: bool = False, fails: bool = False) -> None:
        self.slow, self.fails = slow, fails
        self.builds = 0
        self.started, self.release, self.finished = (threading.Event() for _ in range(3))

    def __call__(self) -> object:
        self.builds += 1
        if self.slow:
            self.started.set()
            self.release.wait(PATIENCE)
            self.finished.set()
        if self.fails:
            raise RuntimeError("the chart could not be built")
        return object()


def test_a_chart_being_built_holds_up_no_session_that_wants_another(kept):
    ready = shell.built("chart", shell.PUBLIC, ("B",), Chart())
    slow = Chart(slow=True)
    thread, answer = in_thread(lambda: shell.built("chart", shell.PUBLIC, ("A",), slow))
    assert slow.started.wait(PATIENCE)
    assert shell.built("chart", shell.PUBLIC, ("B",), Chart()) is ready
    assert not slow.finished.is_set()  # B was answered while A was being built
    slow.release.set()
    thread.join()
    assert shell.built("chart", shell.PUBLIC, ("A",), Chart()) is answer[0]


def test_two_sessions_wanting_the_same_chart_build_it_once(kept, monkeypatch):
    waiting = counted_waits(shell._built, monkeypatch)
    slow = Chart(slow=True)
    first, first_answer = in_thread(lambda: shell.built("chart", shell.PUBLIC, ("A",), slow))
    assert slow.started.wait(PATIENCE)
    again = Chart()
    second, second_answer = in_thread(lambda: shell.built("chart", shell.PUBLIC, ("A",), again))
    assert waiting.acquire(timeout=PATIENCE)  # the second session waits for the first's
    slow.release.set()
    first.join()
    second.join()
    assert (slow.builds, again.builds) == (1, 0)
    assert second_answer[0] is first_answer[0]


def test_a_chart_that_fails_to_build_is_built_again_at_the_next_ask(kept):
    with pytest.raises(RuntimeError):
        shell.built("chart", shell.PUBLIC, ("A",), Chart(fails=True))
    working = Chart()
    chart = shell.built("chart", shell.PUBLIC, ("A",), working)
    assert working.builds == 1
    assert shell.built("chart", shell.PUBLIC, ("A",), Chart()) is chart


def test_a_version_read_under_way_when_versions_are_forgotten_is_not_served_after(
    monkeypatch,
):
    """A page that met LedgerMoved forgets the version and runs again: the read another
    thread had begun before the write must not answer that run."""
    started, release = threading.Event(), threading.Event()
    reads: list[int] = []

    def version_of(engine):
        reads.append(1)
        if len(reads) == 1:  # the read under way: it began before the write landed
            started.set()
            release.wait(PATIENCE)
        return (len(reads),)

    monkeypatch.setattr(queries.public, "ledger_version", version_of)
    monkeypatch.setattr(shell, "database_url", lambda: "sqlite:///forgotten.db")
    monkeypatch.setattr(shell, "_engine", lambda url: None)
    monkeypatch.setattr(shell, "_clock", lambda: 0.0)  # no read expires during the test
    shell.forget_built()
    thread, before = in_thread(shell.ledger_version)
    assert started.wait(PATIENCE)
    shell.forget_version()
    release.set()
    thread.join()
    assert before == [(1,)]
    assert shell.ledger_version() == (2,) and len(reads) == 2
    assert shell.ledger_version() == (2,) and len(reads) == 2  # and that one is kept
    shell.forget_built()
