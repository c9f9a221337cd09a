"""The one in-process bounded cache: least recently used first out, entries optionally weighed
and expiring.

Every cache of the project is one of these: compiled statements (`api.store.statements`),
prepared documents and plans (`schema.execution`), keys and persisted documents
(`api.security`). It imports nothing of the project, so that any layer may use it.
"""

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


@dataclass(slots=True)
class _Entry(Generic[V]):
    value: V
    expires_at: float
    weight: int


class LRUCache(Generic[K, V]):
    """At most `max_weight` worth of entries (each weighs `weigh(value)`, 1 by default: then
    `max_weight` is the number of entries), each kept `ttl_seconds` (None: until evicted), the
    least recently used evicted first. Not thread-safe: one per event loop."""

    def __init__(
        self,
        max_weight: int,
        ttl_seconds: float | None = None,
        *,
        weigh: Callable[[V], int] = lambda value: 1,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_weight = max_weight
        self.ttl_seconds = ttl_seconds
        self._weigh = weigh
        self._clock = clock
        self._entries: OrderedDict[K, _Entry[V]] = OrderedDict()
        self._weight = 0

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def weight(self) -> int:
        return self._weight

    def lookup(self, key: K) -> tuple[bool, V | None]:
        """(True, value) for a live entry, (False, None) for a missing or expired one: for a
        cache whose values may be None (a negative answer kept)."""
        entry = self._entries.get(key)
        if entry is None:
            return False, None
        if self.ttl_seconds is not None and entry.expires_at <= self._clock():
            self._drop(key)
            return False, None
        self._entries.move_to_end(key)
        return True, entry.value

    def get(self, key: K) -> V | None:
        """The live value under `key`, or None."""
        return self.lookup(key)[1]

    def put(self, key: K, value: V) -> None:
        weight = self._weigh(value)
        if key in self._entries:
            self._drop(key)
        if weight > self.max_weight:
            return
        expires_at = float("inf") if self.ttl_seconds is None else self._clock() + self.ttl_seconds
        self._entries[key] = _Entry(value, expires_at, weight)
        self._weight += weight
        while self._weight > self.max_weight:
            self._drop(next(iter(self._entries)))

    def _drop(self, key: K) -> None:
        self._weight -= self._entries.pop(key).weight
