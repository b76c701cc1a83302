"""The caches threads share (`dashboard.core.caching.shared`), with real threads: a build
holds up nobody but those who wait for that key, it is made once however many ask, and a
failed one is never kept. Nothing here waits on the clock: events and counts only."""

from __future__ import annotations

import threading

from cachetools import LRUCache

from dashboard.core.caching import shared
from tests.threads import PATIENCE, counted_waits, in_thread


class Builds:
    """A builder that counts its builds; the key "slow" waits for ``release``, "broken"
    fails while ``failing`` is set."""

    def __init__(self) -> None:
        self.made: list[str] = []
        self.started = threading.Event()
        self.release = threading.Event()
        self.finished = threading.Event()
        self.failing = threading.Event()

    def __call__(self, key: str) -> object:
        self.made.append(key)
        fails = key == "broken" and self.failing.is_set()
        if key in ("slow", "broken"):
            self.started.set()
            self.release.wait(PATIENCE)
            self.finished.set()
        if fails:
            raise RuntimeError("the build failed")
        return object()


def test_a_slow_build_does_not_hold_up_a_kept_answer_of_another_key():
    builds = Builds()
    kept = shared(LRUCache(maxsize=4))(builds)
    other = kept("other")
    thread, slow = in_thread(lambda: kept("slow"))
    assert builds.started.wait(PATIENCE)
    assert kept("other") is other
    assert not builds.finished.is_set()  # answered while "slow" was being built
    builds.release.set()
    thread.join()
    assert builds.made == ["other", "slow"] and slow[0] is kept("slow")


def test_who_asks_for_a_key_being_built_waits_for_that_one_build(monkeypatch):
    builds = Builds()
    kept = shared(LRUCache(maxsize=4))(builds)
    waiting = counted_waits(kept, monkeypatch)
    first, first_answer = in_thread(lambda: kept("slow"))
    assert builds.started.wait(PATIENCE)
    others = [in_thread(lambda: kept("slow")) for _ in range(5)]
    for _ in others:
        assert waiting.acquire(timeout=PATIENCE)  # each of them waits for the build
    builds.release.set()
    for thread, _answer in [(first, first_answer), *others]:
        thread.join()
    assert builds.made == ["slow"]
    assert all(answer == first_answer for _thread, answer in others)


def test_a_failed_build_is_not_kept_and_releases_whoever_waits(monkeypatch):
    builds = Builds()
    kept = shared(LRUCache(maxsize=4))(builds)
    waiting = counted_waits(kept, monkeypatch)
    builds.failing.set()
    first, first_answer = in_thread(lambda: kept("broken"))
    assert builds.started.wait(PATIENCE)
    second, second_answer = in_thread(lambda: kept("broken"))
    assert waiting.acquire(timeout=PATIENCE)
    builds.failing.clear()  # the first build fails; the waiter's own build will not
    builds.release.set()
    first.join()
    second.join()
    assert isinstance(first_answer[0], RuntimeError)
    assert builds.made == ["broken", "broken"]  # the failure was not kept: built again
    assert kept("broken") is second_answer[0]  # and the success was
    assert builds.made == ["broken", "broken"]


def test_a_failure_alone_is_not_kept():
    calls: list[int] = []

    @shared(LRUCache(maxsize=4))
    def flaky(key: str) -> int:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("the ledger is busy")
        return len(calls)

    try:
        flaky("a")
    except RuntimeError:
        pass
    assert flaky("a") == 2 and flaky("a") == 2 and len(calls) == 2


def test_the_cache_is_bounded_least_recently_used_out():
    builds = Builds()
    kept = shared(LRUCache(maxsize=2))(builds)
    first = kept("a")
    kept("b")
    assert kept("a") is first  # "a" used last: "b" goes
    kept("c")
    assert kept("a") is first
    assert builds.made == ["a", "b", "c"]
    kept("b")
    assert builds.made == ["a", "b", "c", "b"]
