"""What may end a run from outside its own thread: a stop request, ``--run-timeout``.

One thread per run that needs it (a ``stop`` event was given, or a run-time
bound was armed). When a trigger fires, the run's :class:`Cancel` shuts its
open streams down; the run's own thread then sees ``cancel.reason`` and ends
the way that reason asks. A server that stopped answering is the other
trigger; its check blocks on requests, so it has a thread of its own
(``runs/liveness.py``) that cancels through the same :class:`Cancel`.
"""

from __future__ import annotations

import threading
import time

from kdebug_nb.engine.client import Cancel

#: ``Cancel.reason`` values
STOPPED = "stopped"
RUN_TIMEOUT = "run-timeout"

#: how often a ``stop`` event is looked at (it cannot be waited on with the bound)
_POLL = 0.05


class Watchdog:
    """Watches ``stop`` and an optional run-time deadline for one run."""

    def __init__(self, cancel: Cancel, stop: threading.Event | None) -> None:
        self.cancel = cancel
        self.stop = stop
        self._deadline: float | None = None
        self._wake = threading.Event()
        self._done = False
        self._thread: threading.Thread | None = None
        if stop is not None:
            self._start()

    def arm(self, seconds: float) -> None:
        """Cancel with :data:`RUN_TIMEOUT` ``seconds`` from now."""
        self._deadline = time.monotonic() + seconds
        self._start()
        self._wake.set()

    def close(self) -> None:
        self._done = True
        self._wake.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)

    def _start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="kdebug-watchdog", daemon=True)
            self._thread.start()

    def _loop(self) -> None:
        while not self._done:
            if self.stop is not None and self.stop.is_set():
                self.cancel.cancel(STOPPED)
                return
            now = time.monotonic()
            if self._deadline is not None and now >= self._deadline:
                self.cancel.cancel(RUN_TIMEOUT)
                return
            wait = None if self._deadline is None else self._deadline - now
            if self.stop is not None:
                wait = _POLL if wait is None else min(wait, _POLL)
            self._wake.wait(wait)
            self._wake.clear()
