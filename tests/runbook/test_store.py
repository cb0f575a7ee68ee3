from __future__ import annotations

import json
from pathlib import Path

from kdebug_nb.runbook import COLUMNS, HistoryRecord, HistoryStore, read_history, to_frame
from kdebug_nb.runbook.record import OUTPUT_LIMIT


def _run(store: HistoryStore, line: str, output: str = "hi\n", **kw: object) -> HistoryRecord:
    record = store.start(HistoryRecord.begin(line=line, target="neato", command=("ps", "x")))
    ended = record.finish(
        status=kw.pop("status", "ok"),
        output=output,
        exit_code=kw.pop("exit_code", 0),
        duration=0.5,
        context="kdebug-sandbox",
        namespace="default",
        **kw,
    )
    return store.finish(ended)


def test_started_and_finished_lines_are_written(tmp_path: Path) -> None:
    path = tmp_path / "h.jsonl"
    store = HistoryStore(path)
    record = store.start(HistoryRecord.begin(line="neato --image=busybox -- ps x"))
    lines = path.read_text().splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["status"] == "started"
    store.finish(record.finish(status="ok", output="PID 1\n", exit_code=0))
    lines = path.read_text().splitlines()
    assert [json.loads(x)["status"] for x in lines] == ["started", "ok"]
    # a new kernel reads back the last version of each run
    (only,) = read_history(path)
    assert only.status == "ok" and only.output == "PID 1\n" and only.finished_at


def test_crash_mid_run_leaves_a_started_record(tmp_path: Path) -> None:
    path = tmp_path / "h.jsonl"
    HistoryStore(path).start(HistoryRecord.begin(line="neato --image=busybox -- sleep 1d"))
    with open(path, "a") as fh:
        fh.write('{"id": "torn", "status": "ok"')  # a write cut short
    (record,) = HistoryStore(path).load()
    assert record.status == "started"


def test_memory_only_store_and_clear() -> None:
    store = HistoryStore(None)
    _run(store, "a --image=busybox -- true")
    _run(store, "b --image=busybox -- false", status="error", exit_code=1)
    assert [r.status for r in store.records] == ["ok", "error"]
    assert store.load() == store.records
    assert store.clear() == 2 and store.records == []


def test_unwritable_path_warns_once_and_keeps_records(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    store = HistoryStore(blocker / "sub" / "h.jsonl")
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        _run(store, "a --image=busybox -- true")
        _run(store, "b --image=busybox -- true")
    assert len([w for w in caught if "history_path" in str(w.message)]) == 1
    assert len(store.records) == 2


def test_frame_schema_and_preview() -> None:
    store = HistoryStore(None)
    _run(store, "neato --image=busybox -- ps x", output="line one\nline two\n")
    frame = to_frame(store.records)
    assert tuple(frame.columns) == COLUMNS
    row = frame.iloc[0]
    assert row["output"] == "line one …"
    assert row["command"] == "ps x"
    assert row["exit_code"] == 0 and row["status"] == "ok"
    assert str(frame["time"].dt.tz) == "UTC"


def test_long_output_is_capped_and_secrets_never_stored(tmp_path: Path) -> None:
    path = tmp_path / "h.jsonl"
    store = HistoryStore(path)
    big = "x" * (OUTPUT_LIMIT * 2)
    record = store.start(
        HistoryRecord.begin(line="neato --token=abc123 --image=busybox", stdin="export PASSWORD=pw1\n")
    )
    store.finish(record.finish(status="ok", output=big + "\npassword=pw2\n", error="token: tok3"))
    text = path.read_text()
    for secret in ("abc123", "pw1", "pw2", "tok3"):
        assert secret not in text
    assert len(store.records[0].output) < OUTPUT_LIMIT + 100


def test_moved_store_keeps_session_and_records(tmp_path: Path) -> None:
    store = HistoryStore(None)
    _run(store, "a --image=busybox -- true")
    moved = store.moved_to(tmp_path / "h.jsonl")
    assert moved.session == store.session and moved.records == store.records
    _run(moved, "b --image=busybox -- true")
    assert [r.line for r in read_history(tmp_path / "h.jsonl")] == ["b --image=busybox -- true"]
