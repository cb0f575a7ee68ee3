"""Container logs: what each container instance wrote, with timestamps.

Like the CRI log files a kubelet reads, output is kept per container
*instance* (the current run and the previous one, for ``previous=true``),
line by line with the time each line was read. To stay cheap for large
outputs, lines read in one chunk are stored together as one entry sharing a
timestamp. Each instance's log rotates at ``containerLogMaxSize`` as the
kubelet's does (see ``ContainerLog``).

Attach sessions see raw chunks as they are read (``subscribe``), not the
line-buffered log.
"""

from __future__ import annotations

import asyncio
import time
import weakref
from collections import deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

STDOUT = 1
STDERR = 2

#: the kubelet's containerLogMaxSize and containerLogMaxFiles defaults
#: (pkg/kubelet/apis/config/v1beta1/defaults.go)
CONTAINER_LOG_MAX_SIZE = 10 * 1024 * 1024
CONTAINER_LOG_MAX_FILES = 5
#: a line longer than this is stored as a partial line, as CRI loggers split them
MAX_PARTIAL = 16 * 1024

Chunk = tuple[int, bytes]  # (stream, data)
Listener = Callable[[int, bytes], None]


def rfc3339nano(ns: int) -> str:
    """Kubernetes' RFC3339Nano: trailing zeros of the fraction trimmed."""
    secs, frac = divmod(ns, 1_000_000_000)
    base = datetime.fromtimestamp(secs, UTC).strftime("%Y-%m-%dT%H:%M:%S")
    digits = f"{frac:09d}".rstrip("0")
    return f"{base}.{digits}Z" if digits else f"{base}Z"


def rfc3339(ns: int) -> str:
    return datetime.fromtimestamp(ns / 1e9, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class LogOptions:
    """The log subresource's query, already validated."""

    follow: bool = False
    timestamps: bool = False
    tail_lines: int | None = None
    since_ns: int | None = None
    limit_bytes: int | None = None


class _LogFile:
    """One log file of an instance: entries (timestamp ns, stream, bytes) and
    the file that replaced it when it was rotated."""

    __slots__ = ("entries", "size", "next", "__weakref__")

    def __init__(self) -> None:
        self.entries: list[tuple[int, int, bytes]] = []
        self.size = 0
        self.next: _LogFile | None = None


class ContainerLog:
    """The output of one container instance, rotated like the kubelet's log files.

    As the kubelet's ``ContainerLogManager`` (pkg/kubelet/logs/container_log_manager.go)
    does, a file that reaches ``max_size`` is rotated: new output goes to a fresh
    file, and reads that do not follow see only the current one, as
    ``kubectl logs`` does after a rotation. A follower that is still reading a
    rotated file finishes it and moves on to its successor (the kubelet's
    reader keeps the old file open), so a follower that keeps up loses
    nothing; a rotated file lives on only while a follower still reads it and
    only while fewer than ``max_files`` files are newer, so memory stays
    bounded by what followers have yet to read.
    """

    def __init__(self, max_size: int = CONTAINER_LOG_MAX_SIZE, max_files: int = CONTAINER_LOG_MAX_FILES) -> None:
        self.max_size = max_size
        self.max_files = max_files
        self._file = _LogFile()
        #: rotated files a follower may still be reading, oldest first
        self._rotated: deque[weakref.ref[_LogFile]] = deque()
        self._pending: dict[int, bytearray] = {STDOUT: bytearray(), STDERR: bytearray()}
        self._waiters: list[asyncio.Future[None]] = []
        self._listeners: list[Listener] = []
        self.closed = False

    # -- writing -----------------------------------------------------------

    def write(self, stream: int, data: bytes) -> None:
        if not data:
            return
        for listener in list(self._listeners):
            listener(stream, data)
        buf = self._pending[stream]
        buf += data
        cut = buf.rfind(b"\n")
        if cut >= 0:
            self._append(stream, bytes(buf[: cut + 1]))
            del buf[: cut + 1]
        if len(buf) >= MAX_PARTIAL:
            self._append(stream, bytes(buf))
            buf.clear()
        self._wake()

    def close(self) -> None:
        """The instance ended: flush partial lines and end followers."""
        if self.closed:
            return
        for stream, buf in self._pending.items():
            if buf:
                self._append(stream, bytes(buf))
                buf.clear()
        self.closed = True
        self._wake()

    def _append(self, stream: int, data: bytes) -> None:
        f = self._file
        f.entries.append((time.time_ns(), stream, data))
        f.size += len(data)
        if f.size >= self.max_size:
            self._rotate()

    def _rotate(self) -> None:
        old, self._file = self._file, _LogFile()
        old.next = self._file
        self._rotated.append(weakref.ref(old))
        while len(self._rotated) >= self.max_files:
            gone = self._rotated.popleft()()
            if gone is not None:  # a follower is that far behind: its file is deleted
                gone.entries.clear()
                gone.size = 0

    def _wake(self) -> None:
        waiters, self._waiters = self._waiters, []
        for fut in waiters:
            if not fut.done():
                fut.set_result(None)

    # -- attach ------------------------------------------------------------

    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def unsubscribe(self, listener: Listener) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    # -- reading -----------------------------------------------------------

    @property
    def size(self) -> int:
        """Bytes in the current file."""
        return self._file.size

    def tail(self, max_lines: int, max_bytes: int) -> str:
        """The end of the output (what FallbackToLogsOnError reports)."""
        parts: list[bytes] = []
        size = 0
        for _, _, data in reversed(self._file.entries):
            parts.append(data)
            size += len(data)
            if size >= max_bytes:
                break
        data = b"".join(reversed(parts))[-max_bytes:]
        lines = data.splitlines(keepends=True)[-max_lines:]
        return b"".join(lines).decode("utf-8", "replace")

    def text(self) -> str:
        """The current file, as text (tests and debugging)."""
        return b"".join(e[2] for e in self._file.entries).decode("utf-8", "replace")

    def _start(self, opts: LogOptions) -> tuple[int, int]:
        """(entry index in the current file, byte offset in that entry) where output starts."""
        entries = self._file.entries
        idx = 0
        if opts.since_ns is not None:
            while idx < len(entries) and entries[idx][0] < opts.since_ns:
                idx += 1
        if opts.tail_lines is None:
            return idx, 0
        want = opts.tail_lines
        if want <= 0:
            return len(entries), 0
        # A line starts after every "\n" that is not the log's last byte.
        last = len(entries) - 1
        count = 0
        for j in range(last, idx - 1, -1):
            data = entries[j][2]
            pos = len(data)
            while True:
                nl = data.rfind(b"\n", 0, pos)
                if nl < 0:
                    break
                pos = nl
                if j == last and nl + 1 == len(data):
                    continue
                count += 1
                if count == want:
                    return j, nl + 1
        return idx, 0

    def _render(self, entry: tuple[int, int, bytes], offset: int, timestamps: bool) -> bytes:
        ts, _, data = entry
        if offset:
            data = data[offset:]
        if not timestamps or not data:
            return data
        prefix = rfc3339nano(ts).encode() + b" "
        lines = data.splitlines(keepends=True)
        return b"".join(prefix + line for line in lines)

    async def read(
        self, opts: LogOptions, alive: Callable[[], bool] | None = None
    ) -> AsyncIterator[bytes]:
        """Yield the selected output; with ``follow``, keep yielding until closed
        (or until ``alive()`` turns false, checked every few seconds of silence)."""
        f = self._file
        idx, offset = self._start(opts)
        budget = opts.limit_bytes
        while True:
            batch: list[bytes] = []
            while True:
                while idx < len(f.entries):
                    batch.append(self._render(f.entries[idx], offset, opts.timestamps))
                    idx += 1
                    offset = 0
                if f.next is None or not opts.follow:
                    break
                f, idx = f.next, 0  # rotated under us: on to the next file
            if batch:
                out = b"".join(batch)
                if budget is not None:
                    out = out[:budget]
                    budget -= len(out)
                if out:
                    yield out
                if budget is not None and budget <= 0:
                    return
            if not opts.follow:
                return
            if self.closed:
                if idx < len(f.entries) or f.next is not None:
                    continue
                return
            fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            self._waiters.append(fut)
            while not fut.done():
                await asyncio.wait([fut], timeout=5)
                if alive is not None and not alive():
                    return


class ContainerLogs:
    """Logs of one container across restarts, by container ID: the current
    instance and the one before it (what ``previous=true`` reads)."""

    KEEP = 2

    def __init__(self) -> None:
        self.instances: dict[str, ContainerLog] = {}
        self.current: ContainerLog | None = None

    def new_instance(self, container_id: str) -> ContainerLog:
        if self.current is not None:
            self.current.close()
        self.current = self.instances[container_id] = ContainerLog()
        while len(self.instances) > self.KEEP:
            del self.instances[next(iter(self.instances))]
        return self.current

    def get(self, container_id: str) -> ContainerLog | None:
        return self.instances.get(container_id)

    def close(self) -> None:
        if self.current is not None:
            self.current.close()
