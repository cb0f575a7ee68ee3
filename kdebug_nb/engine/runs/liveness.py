"""A health check beside a run's streams: a silent server is a frozen one after the request timeout.

A watch may rightly stay quiet for minutes, and so may the log of a command
that prints nothing, so their reads cannot carry a short timeout. A frozen
API server (SIGSTOPped, deadlocked, behind a dead proxy) keeps their
connections open and sends nothing: without another channel a run would
wait forever. While the run follows, this thread asks the server for its
version every few seconds; once nothing has answered for the request
timeout (``--request-timeout``, or the client's default), it cancels the run
with a :class:`~kdebug_nb.errors.ConnectionFailed` that says so. Any answer,
an HTTP error included, counts as a sign of life. kubectl's
``--request-timeout=0`` (no limit) turns the check off.
"""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING

from kdebug_nb import errors
from kdebug_nb.engine.client.wire import lost, unreachable

if TYPE_CHECKING:
    from kdebug_nb.engine.client import Cancel, ClusterClient

#: ``Cancel.reason`` when the server stopped answering
UNRESPONSIVE = "unresponsive"

#: the longest pause between two checks; shorter for a short request timeout
_EVERY = 5.0
#: a refused or reset check is repeated this soon (the server may be restarting)
_RETRY = 0.2


class Liveness:
    """Checks that ``client``'s server answers while a run waits on it."""

    def __init__(self, client: ClusterClient, cancel: Cancel) -> None:
        self.client = client
        self.cancel = cancel
        self.bound = client.request_timeout
        self._done = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self.bound is None or self._thread is not None:
            return  # --request-timeout=0: no limit, as in kubectl
        self._thread = threading.Thread(target=self._loop, name="kdebug-liveness", daemon=True)
        self._thread.start()

    def close(self) -> None:
        # not joined: a check in flight ends within the request timeout on its own
        self._done.set()

    def _loop(self) -> None:
        assert self.bound is not None
        bound = self.bound
        every = min(_EVERY, bound / 4)
        last_answer = time.monotonic()
        failure: errors.ConnectionFailed | None = None
        while not self._done.wait(every if failure is None else _RETRY):
            left = last_answer + bound - time.monotonic()
            if left <= 0:
                self._give_up(failure, bound)
                return
            try:
                self.client.probe(timeout=left)
            except errors.ConnectionFailed as exc:
                failure = exc
                if last_answer + bound - time.monotonic() <= 0:
                    self._give_up(failure, bound)
                    return
                continue
            except errors.KDebugError:
                pass  # an answer all the same
            failure = None
            last_answer = time.monotonic()

    def _give_up(self, failure: errors.ConnectionFailed | None, bound: float) -> None:
        if self._done.is_set():
            return
        if failure is not None and not failure.timed_out:
            # refused or reset for the whole bound: the server went away
            error = lost(self.client.server, failure.__cause__ or failure)
        else:
            error = unreachable(self.client.server, TimeoutError("timed out"), bound)
        self.cancel.cancel(UNRESPONSIVE, error)
