"""Stdin that is written while a run goes: what ``kubectl debug -i`` forwards from a terminal.

A ``StdinPipe`` is handed to ``Session.run(..., stdin_stream=pipe)``; the run attaches
to the debug container's stdin and forwards each ``write`` as it comes, until
``close()`` (the process then reads end of file, as ``stdinOnce`` asks) or the run
ends. The output still comes from the container's log. kubectl does the same with
its terminal (``staging/src/k8s.io/kubectl/pkg/cmd/attach/attach.go``, ``Run``).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kdebug_nb.engine.client import Cancel, ClusterClient

#: how often a waiting reader checks whether the run was stopped
_POLL = 0.2


class StdinPipe:
    """Text for a debug container's stdin, written from another thread (a panel, a shell)."""

    def __init__(self) -> None:
        self._queue: queue.Queue[bytes | None] = queue.Queue()
        self._closed = threading.Event()

    def write(self, text: str | bytes) -> None:
        """Queue ``text`` for the container's stdin (sent as soon as the run has attached)."""
        if self._closed.is_set():
            raise ValueError("stdin is closed")
        data = text.encode() if isinstance(text, str) else bytes(text)
        if data:
            self._queue.put(data)

    def close(self) -> None:
        """End of input: the process reads EOF once everything written has been sent."""
        if not self._closed.is_set():
            self._closed.set()
            self._queue.put(None)

    @property
    def closed(self) -> bool:
        return self._closed.is_set()

    def chunks(self, stopped: Callable[[], bool]) -> Iterator[bytes]:
        """What was written, in order, until ``close()`` or until ``stopped()`` says so."""
        while not stopped():
            try:
                item = self._queue.get(timeout=_POLL)
            except queue.Empty:
                continue
            if item is None:
                return
            yield item


class StdinPump:
    """Forwards a ``StdinPipe`` to the container on a thread of its own while the log is read.

    ``finish()`` (the run's end: the process exited, was stopped or ran out of time)
    stops the forwarding and waits for the thread, so a run leaves no thread behind.
    """

    def __init__(
        self,
        client: ClusterClient,
        namespace: str,
        pod: str,
        container: str,
        pipe: StdinPipe,
        cancel: Cancel,
    ) -> None:
        self._done = threading.Event()
        self.error: BaseException | None = None

        def stopped() -> bool:
            return self._done.is_set() or cancel.cancelled

        def forward() -> None:
            try:
                client.stream_stdin(namespace, pod, container, pipe.chunks(stopped))
            except Exception as exc:  # noqa: BLE001 - the log and state tell what happened
                self.error = exc

        self._thread = threading.Thread(target=forward, name="kdebug-stdin", daemon=True)
        self._thread.start()

    def finish(self, timeout: float = 10.0) -> None:
        self._done.set()
        self._thread.join(timeout)
