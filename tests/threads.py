"""Threads for the tests of the shared caches (docs/architecture.md#caching): what one of
them answers, and when the others start waiting for a build. Events and counts, no clock."""

from __future__ import annotations

import threading
from collections.abc import Callable

PATIENCE = 30  # seconds an event is awaited before the test goes on and fails


def in_thread(call: Callable[[], object]) -> tuple[threading.Thread, list]:
    """``call()`` in a thread of its own; the list gets its answer or its exception."""
    answer: list = []

    def run() -> None:
        try:
            answer.append(call())
        except Exception as problem:  # noqa: BLE001 - handed to the test
            answer.append(problem)

    thread = threading.Thread(target=run)
    thread.start()
    return thread, answer


def counted_waits(function, monkeypatch) -> threading.Semaphore:
    """A semaphore released each time an asker of the ``shared`` ``function`` starts
    waiting for a build under way (cachetools' condition): ``acquire()`` returns once
    someone waits. The build cannot be stored before the waiter is waiting: storing takes
    the condition's lock, which the waiter holds until it waits."""
    waiting = threading.Semaphore(0)
    condition = function.cache_condition
    wait = condition.wait

    def counted(timeout=None):
        waiting.release()
        return wait(timeout)

    monkeypatch.setattr(condition, "wait", counted)
    return waiting
