"""The changes a watch may resume from, bounded by count and by bytes.

The API server's watch cache keeps a window of recent events (``--watch-cache-sizes``,
and ``k8s.io/apiserver/pkg/storage/cacher/watch_cache.go``'s capacity); a watch
from a resourceVersion before that window gets 410 Gone ("too old resource
version"). Here every event holds its object's JSON encoding, shared with the
store's copy of the current version, so the window costs what its bytes cost
(a pod with hundreds of containers is a few hundred kilobytes per change),
and the byte bound keeps a flood of big objects from holding memory.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

#: how many past changes a watch may resume from at most
WATCH_HISTORY = 10_000
#: and how many bytes of encoded objects they may hold at most
WATCH_HISTORY_BYTES = 32 * 1024 * 1024


@dataclass(frozen=True)
class WatchEvent:
    """One change: the object as it was written, JSON-encoded once."""

    type: str  # ADDED | MODIFIED | DELETED
    kind: str
    namespace: str
    name: str
    rv: int
    data: bytes

    @property
    def obj(self) -> dict[str, Any]:
        """A fresh decoded copy of the object (the event itself holds only bytes)."""
        obj: dict[str, Any] = json.loads(self.data)
        return obj


class WatchHistory:
    """A window of recent events, oldest first, within both bounds."""

    def __init__(self, first_rv: int, max_events: int = WATCH_HISTORY, max_bytes: int = WATCH_HISTORY_BYTES) -> None:
        self.max_events = max_events
        self.max_bytes = max_bytes
        self._events: deque[WatchEvent] = deque()
        self._bytes = 0
        #: every resourceVersion after this one is still in the window
        self._oldest = first_rv

    def append(self, event: WatchEvent) -> None:
        self._events.append(event)
        self._bytes += len(event.data)
        while self._events and (len(self._events) > self.max_events or self._bytes > self.max_bytes):
            gone = self._events.popleft()
            self._bytes -= len(gone.data)
            self._oldest = gone.rv

    def oldest_rv(self) -> int:
        """The oldest resourceVersion a watch may still resume from."""
        return self._oldest

    @property
    def size_bytes(self) -> int:
        return self._bytes

    def __len__(self) -> int:
        return len(self._events)

    def __iter__(self) -> Iterator[WatchEvent]:
        return iter(list(self._events))

    def since(self, rv: int, until: int) -> list[WatchEvent]:
        """The events after ``rv`` up to ``until``, oldest first."""
        # walked from the newest end: a watch almost always starts from a
        # recent resourceVersion (a PATCH's, a list's), so this reads the few
        # events after it, not the whole window (10,000 events, see above)
        found: list[WatchEvent] = []
        for event in reversed(self._events):
            if event.rv <= rv:
                break
            if event.rv <= until:
                found.append(event)
        found.reverse()
        return found
