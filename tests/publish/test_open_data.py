"""The publication's cache with real threads (docs/architecture.md#caching): a build (41 s at
2,000,000 workers) holds up no reader of another publication, visitors who ask during it
wait for that one build, and a failed build is not kept. Events and counts, no clock."""

from __future__ import annotations

import threading

import pytest

from dashboard.publish import open_data
from tests.threads import PATIENCE, counted_waits, in_thread


class Builds:
    """``open_data._build`` counted per threshold k; the k in ``slow`` waits for ``release``,
    the k in ``failing`` fails."""

    def __init__(self) -> None:
        self.made: list[int] = []
        self.slow: set[int] = set()
        self.failing: set[int] = set()
        self.started, self.release, self.finished = (threading.Event() for _ in range(3))

    def __call__(self, engine, k, today):
        self.made.append(k)
        if k in self.slow:
            self.started.set()
            self.release.wait(PATIENCE)
            self.finished.set()
        if k in self.failing:
            raise RuntimeError("the publication could not be built")
        return object()


@pytest.fixture
def builds(monkeypatch):
    built = Builds()
    monkeypatch.setattr(open_data, "_build", built)
    open_data._published.cache_clear()
    yield built
    open_data._published.cache_clear()


def test_a_publication_being_built_holds_up_no_reader_of_another(sqlite_engine, builds):
    other = open_data.publication(sqlite_engine, k=11)
    builds.slow.add(10)
    thread, slow = in_thread(lambda: open_data.publication(sqlite_engine, k=10))
    assert builds.started.wait(PATIENCE)
    assert open_data.publication(sqlite_engine, k=11) is other
    assert not builds.finished.is_set()  # answered while the other was being built
    builds.release.set()
    thread.join()
    assert open_data.publication(sqlite_engine, k=10) is slow[0]
    assert builds.made == [11, 10]


def test_visitors_during_a_build_wait_for_that_one_build(sqlite_engine, builds, monkeypatch):
    waiting = counted_waits(open_data._published, monkeypatch)
    builds.slow.add(10)
    askers = [in_thread(lambda: open_data.publication(sqlite_engine, k=10))]
    assert builds.started.wait(PATIENCE)
    askers += [in_thread(lambda: open_data.publication(sqlite_engine, k=10)) for _ in range(3)]
    for _ in range(3):
        assert waiting.acquire(timeout=PATIENCE)
    builds.release.set()
    for thread, _answer in askers:
        thread.join()
    assert builds.made == [10]
    assert len({id(answer[0]) for _thread, answer in askers}) == 1


def test_a_failed_build_is_not_kept(sqlite_engine, builds):
    builds.failing.add(10)
    with pytest.raises(RuntimeError):
        open_data.publication(sqlite_engine, k=10)
    builds.failing.clear()
    published = open_data.publication(sqlite_engine, k=10)
    assert open_data.publication(sqlite_engine, k=10) is published
    assert builds.made == [10, 10]
