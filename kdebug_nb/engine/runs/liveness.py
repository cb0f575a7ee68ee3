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

One check serves every run following on the same server with the same
bound: fifty runs of a fleet share one ``/version`` every few seconds
instead of sending fifty (a busy API server's priority and fairness would
count each of them). A run that joins late is judged from when it joined.
"""

from __future__ import annotations

import itertools
import threading
import time
from dataclasses import dataclass
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


@dataclass
class _Follower:
    client: ClusterClient
    cancel: Cancel
    joined: float


class _Check:
    """The health check of one (server, bound): a thread while anyone follows."""

    def __init__(self, key: tuple[str, float]) -> None:
        self.key = key
        self.bound = key[1]
        self.followers: dict[int, _Follower] = {}
        self.last_answer = 0.0
        self.failure: errors.ConnectionFailed | None = None
        self.thread: threading.Thread | None = None
        #: set when the last run leaves, so the thread ends now, not after its pause
        self.idle = threading.Event()

    def _loop(self) -> None:
        every = min(_EVERY, self.bound / 4)
        while True:
            self.idle.wait(every if self.failure is None else _RETRY)
            with _LOCK:
                if not self.followers:
                    # the last run left: the next one starts a new thread
                    self.thread = None
                    del _CHECKS[self.key]
                    return
                now = time.monotonic()
                silent = [token for token, f in self.followers.items()
                          if max(self.last_answer, f.joined) + self.bound <= now]
                given_up = [self.followers.pop(token) for token in silent]
                client = None
                if self.followers:
                    # the newest run's client: an older run's may be closed once it ends
                    client = next(reversed(self.followers.values())).client
                    left = min(max(self.last_answer, f.joined) for f in self.followers.values()) + self.bound - now
            for follower in given_up:  # outside the lock: cancelling closes the run's streams
                _give_up(follower, self.failure, self.bound)
            if client is None:
                continue
            try:
                client.probe(timeout=left)
            except errors.ConnectionFailed as exc:
                self.failure = exc
                continue
            except errors.KDebugError:
                pass  # an answer all the same
            self.failure = None
            self.last_answer = time.monotonic()


_LOCK = threading.Lock()
_CHECKS: dict[tuple[str, float], _Check] = {}
_TOKENS = itertools.count()


def _give_up(follower: _Follower, failure: errors.ConnectionFailed | None, bound: float) -> None:
    client = follower.client
    if failure is not None and not failure.timed_out:
        # refused or reset for the whole bound: the server went away
        error = lost(client.server, failure.__cause__ or failure)
    else:
        error = unreachable(client.server, TimeoutError("timed out"), bound)
    follower.cancel.cancel(UNRESPONSIVE, error)


class Liveness:
    """Checks that ``client``'s server answers while a run waits on it."""

    def __init__(self, client: ClusterClient, cancel: Cancel) -> None:
        self.client = client
        self.cancel = cancel
        self.bound = client.request_timeout
        self._token: int | None = None
        self._check: _Check | None = None

    def start(self) -> None:
        if self.bound is None or self._token is not None:
            return  # --request-timeout=0: no limit, as in kubectl
        key = (self.client.server, self.bound)
        with _LOCK:
            check = _CHECKS.get(key)
            if check is None:
                check = _CHECKS[key] = _Check(key)
            self._token = next(_TOKENS)
            check.followers[self._token] = _Follower(self.client, self.cancel, time.monotonic())
            check.idle.clear()
            if check.thread is None:
                check.thread = threading.Thread(target=check._loop, name="kdebug-liveness", daemon=True)
                check.thread.start()
            self._check = check

    def close(self) -> None:
        # not joined: a check in flight ends within the request timeout on its own
        if self._check is not None and self._token is not None:
            with _LOCK:
                self._check.followers.pop(self._token, None)
                if not self._check.followers:
                    self._check.idle.set()
