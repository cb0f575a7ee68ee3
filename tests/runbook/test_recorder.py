"""The history recorder as a run observer: events in, one record per run out."""

from __future__ import annotations

from kdebug_nb.engine import (
    DebugResult,
    Interrupted,
    RunFailed,
    RunFinished,
    RunOutput,
    RunStarted,
    UsageError,
    parse_args,
)
from kdebug_nb.runbook.recorder import HistoryRecorder
from kdebug_nb.runbook.store import HistoryStore


def test_a_run_is_started_then_finished_in_place() -> None:
    store = HistoryStore(None)
    record = HistoryRecorder(lambda: store)
    opts = parse_args("node/n1 --image=busybox -- sh -c 'echo password=hunter2'")
    record(RunStarted("r1", opts, "node/n1 --image=busybox -- ...", "cli", "2026-01-01T00:00:00Z"))
    assert [(r.status, r.mode, r.magic, r.target) for r in store.records] == [
        ("started", "node", "kdebug", "node/n1")
    ]
    assert "hunter2" not in " ".join(store.records[0].command)
    record(RunOutput("r1", "ignored: the result carries the output"))
    result = DebugResult(pod="node-debugger-n1-x", namespace="default", container="debugger",
                         mode="node", output="hello\n", exit_code=0, reason="Completed",
                         context="ctx")
    record(RunFinished("r1", result))
    (done,) = store.records
    assert (done.status, done.exit_code, done.output, done.context) == ("ok", 0, "hello\n", "ctx")
    assert done.finished_at


def test_failures_and_interrupts_end_their_record() -> None:
    store = HistoryStore(None)
    record = HistoryRecorder(lambda: store)
    opts = parse_args("web --image=busybox")
    record(RunStarted("a", opts, "web --image=busybox", "%kdebug", "2026-01-01T00:00:00Z"))
    record(RunStarted("b", opts, "web --image=busybox", "python", "2026-01-01T00:00:01Z"))
    record(RunFailed("a", UsageError("bad  flag\n here"), context="c", namespace="ns"))
    record(RunFailed("b", Interrupted("interrupted after creating pod/x")))
    a, b = store.records
    assert (a.status, a.error, a.context, a.namespace, a.magic) == (
        "error", "bad flag here", "c", "ns", "%kdebug"
    )
    assert (b.status, b.magic) == ("interrupted", "kdebug_nb.run")
    record(RunFailed("never-started", UsageError("x")))  # nothing to end: ignored
    assert len(store.records) == 2
