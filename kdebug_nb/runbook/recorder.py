"""The history as an observer of runs: one record per run, written when it starts and ends.

Subscribed by every ``kdebug_nb.engine.Session`` that records (the default
session always does; the ``kdebug`` command when given ``--history``), so a
run is recorded the same way whichever entry point started it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from kdebug_nb.engine import (
    Interrupted,
    RunFailed,
    RunFinished,
    RunInterrupted,
    RunStarted,
    target_kind,
)

if TYPE_CHECKING:
    from kdebug_nb.engine import DebugOptions, DebugResult, RunEvent
    from kdebug_nb.runbook.record import HistoryRecord
    from kdebug_nb.runbook.store import HistoryStore

#: how a record's ``magic`` column names each source of runs
_MAGIC = {"python": "kdebug_nb.run", "cli": "kdebug"}


class HistoryRecorder:
    """Turns run events into history records in the store ``store_of()`` returns."""

    def __init__(
        self,
        store_of: Callable[[], HistoryStore | None],
        connection_of: Callable[[], Any] | None = None,
    ) -> None:
        self._store_of = store_of
        #: the session's connection (``kubeconfig``/``context``): whose credentials to mask
        self._connection_of = connection_of
        self._lock = threading.Lock()
        self._open: dict[str, tuple[HistoryStore, HistoryRecord]] = {}

    def __call__(self, event: RunEvent) -> None:
        if isinstance(event, RunStarted):
            self._started(event)
        elif isinstance(event, RunFinished | RunInterrupted):
            self._ended(event.run_id, _from_result(event.result))
        elif isinstance(event, RunFailed):
            status = "interrupted" if isinstance(event.error, Interrupted) else "error"
            changes: dict[str, Any] = {"status": status, "error": event.error.one_line()}
            if event.context:
                changes["context"] = event.context
            if event.namespace:
                changes["namespace"] = event.namespace
            self._ended(event.run_id, changes)

    def _started(self, event: RunStarted) -> None:
        store = self._store_of()
        if store is None:
            return
        opts: DebugOptions = event.options
        conn = self._connection_of() if self._connection_of is not None else None
        store.redactor.remember_kubeconfig(
            opts.kubeconfig or getattr(conn, "kubeconfig", None) or None,
            opts.context or getattr(conn, "context", None) or None,
        )
        record = store.begin(
            magic=_MAGIC.get(event.source, event.source),
            line=event.line,
            stdin=event.stdin,
            target=" ".join(opts.targets) or ",".join(opts.filenames),
            mode=mode_of(opts),
            namespace=opts.namespace,
            context=opts.context,
            image=opts.image,
            command=opts.command,
        )
        with self._lock:
            self._open[event.run_id] = (store, record)

    def _ended(self, run_id: str, changes: dict[str, Any]) -> None:
        with self._lock:
            opened = self._open.pop(run_id, None)
        if opened is None:
            return
        started_in, record = opened
        # the store the session has now: KDebug.history_path may have moved it mid-run
        store = self._store_of() or started_in
        store.finish(record.finish(**changes))


def mode_of(opts: DebugOptions) -> str:
    """The mode a run will take, known from its flags before anything is sent."""
    if opts.targets and all(target_kind(t) == "Node" for t in opts.targets):
        return "node"
    return "copy" if opts.copy_to else "ephemeral"


def _from_result(result: DebugResult) -> dict[str, Any]:
    if result.interrupted:
        status = "interrupted"
    elif result.ok:
        status = "ok"
    else:
        status = "error"
    return {
        "status": status,
        "context": result.context,
        "namespace": result.namespace,
        "mode": result.mode,
        "pod": result.pod,
        "container": result.container or "",
        "image": result.image,
        "command": tuple(result.command),
        "exit_code": result.exit_code,
        "duration": result.duration,
        "output": result.output,
        "error": "" if status == "ok" else result.status_line() if result.still_running else result.reason,
    }
