"""A run's voice: turns the steps of one run into events for the session's observers."""

from __future__ import annotations

import time
from collections.abc import Callable

from kdebug_nb.engine.runs.events import RunEvent, RunNotice, RunOutput, RunWaiting


class Reporter:
    """Emits the events of run ``run_id`` (the id changes for each target of an invocation)."""

    def __init__(self, emit: Callable[[RunEvent], None], run_id: str = "") -> None:
        self.emit = emit
        self.run_id = run_id
        self.t0 = time.monotonic()

    def waiting(self, state: str, reason: str = "", message: str = "") -> None:
        self.emit(RunWaiting(self.run_id, state, reason, message, time.monotonic() - self.t0))

    def output(self, text: str, data: bytes = b"") -> None:
        self.emit(RunOutput(self.run_id, text, data))

    def notice(self, text: str, level: str = "notice") -> None:
        self.emit(RunNotice(self.run_id, text, level))
