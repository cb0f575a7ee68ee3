"""Ending a run's open streams from another thread.

A watch or a log follow blocks in a socket read; a stop request (the
``stop`` event of ``Session.run``) or ``--run-timeout`` must end that read
at once. Closing a socket from another thread does not wake a blocked
``recv`` on Linux; ``shutdown(SHUT_RDWR)`` does, so the stream's read
returns (or raises) and its loop sees :attr:`Cancel.reason`.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


class Cancel:
    """A run's cancellation token: streams register here while they are open."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._open: list[Any] = []
        #: why the run was cancelled ("" while it was not)
        self.reason = ""
        #: the error the run should end with, when the cancel is a failure
        #: (the server stopped answering) rather than a request
        self.error: Exception | None = None

    @property
    def cancelled(self) -> bool:
        return bool(self.reason)

    def cancel(self, reason: str, error: Exception | None = None) -> None:
        """Record ``reason`` (the first one wins) and abort every open stream."""
        with self._lock:
            if not self.reason:
                self.reason = reason
                self.error = error
            opened = list(self._open)
        for resp in opened:
            abort_response(resp)

    @contextmanager
    def holding(self, resp: Any) -> Iterator[None]:
        """Keep ``resp`` abortable while the caller reads it."""
        with self._lock:
            self._open.append(resp)
            late = bool(self.reason)
        if late:
            abort_response(resp)
        try:
            yield
        finally:
            with self._lock:
                self._open.remove(resp)


def abort_response(resp: Any) -> None:
    """Wake a thread blocked reading ``resp`` by shutting its socket down."""
    sock = getattr(getattr(resp, "connection", None), "sock", None)
    if sock is None:
        return
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:  # already closed by the peer or by us
        pass
