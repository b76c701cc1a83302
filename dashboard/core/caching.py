"""The process-wide caches that threads share (docs/architecture.md#caching).

``shared(cache)`` memoizes a function in a cachetools cache (``LRUCache``, ``TTLCache``, or a
plain dict for what is never evicted) the way every such cache here works:

- the lock is held only to get or set an entry, never while a value is built, so a slow
  build (the publication: 41 s at 2,000,000 workers) does not hold up readers of other keys;
- one build per key at a time: who asks for a key being built waits for that build's
  answer instead of building it too (cachetools' ``condition``);
- an exception is never kept: the build's waiters are released and one of them builds.

cachetools' caches are not thread-safe by design (a get moves an entry in an LRU), which is
why the lock guards every get and set.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, MutableMapping
from typing import Any

import cachetools
import cachetools.keys


def shared(
    cache: MutableMapping[Any, Any], *, key: Callable[..., Hashable] = cachetools.keys.hashkey
):
    """A decorator keeping ``function(*args)`` in ``cache`` under ``key(*args)``.

    The wrapper has ``cache_clear()``, and ``cache`` and ``cache_lock`` (hold the lock to
    read the cache's entries from outside)."""
    condition = threading.Condition()
    return cachetools.cached(cache, key=key, lock=condition, condition=condition)
