"""A damaged history file: %khistory skips what it cannot use and says how much (issue 8)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from history_shell import kdebug_shell

from kdebug_nb.runbook import HistoryRecord, read_history


def _good(n: int) -> bytes:
    record = HistoryRecord(
        id=f"good{n}", line=f"neato --image=busybox -- echo {n}", status="ok",
        exit_code=0, output=f"{n}\n", started_at=f"2026-01-0{n}T00:00:00.000Z",
    )
    return json.dumps(record.to_dict()).encode() + b"\n"


def _fields(**changes: Any) -> bytes:
    data = HistoryRecord(id="bad", line="x").to_dict() | changes
    return json.dumps(data).encode() + b"\n"


BAD_LINES = {
    "invalid utf-8": b'{"id": "b1", "line": "\xff\xfe"}\n',
    "a JSON list": b'["not", "an", "object"]\n',
    "a JSON string": b'"just text"\n',
    "a JSON number": b"42\n",
    "cut short": b'{"id": "torn", "status": "ok"\n',
    "exit_code a string": _fields(exit_code="zero"),
    "started_at a number": _fields(started_at=5),
    "command a number": _fields(command=5),
    "command of numbers": _fields(command=[1, 2]),
    "duration a string": _fields(duration="fast"),
    "status unknown": _fields(status="exploded"),
    "output an object": _fields(output={"a": 1}),
    "exit_code a boolean": _fields(exit_code=True),
}


@pytest.mark.parametrize("bad", list(BAD_LINES), ids=list(BAD_LINES))
def test_each_kind_of_bad_line_is_skipped_and_counted(tmp_path: Path, bad: str) -> None:
    path = tmp_path / "h.jsonl"
    path.write_bytes(_good(1) + BAD_LINES[bad] + _good(2))
    assert [r.id for r in read_history(path)] == ["good1", "good2"]
    from kdebug_nb.runbook.store import read_history_file

    assert read_history_file(path).skipped_lines == (2,)


def test_a_lone_surrogate_escape_is_kept_as_a_replacement_character(tmp_path: Path) -> None:
    path = tmp_path / "h.jsonl"
    path.write_bytes(_fields(id="s", output="a\\udcffb").replace(b"a\\\\udcffb", b"a\\udcffb"))
    (record,) = read_history(path)
    assert record.output == "a\ufffdb"
    record.to_dict()  # and it can be written out again
    json.dumps(record.to_dict(), ensure_ascii=False).encode("utf-8")


def test_khistory_all_reads_a_mixed_file_and_says_how_many_lines_it_skipped(
    sandbox: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    history = tmp_path / "h.jsonl"
    history.write_bytes(_good(1) + b"".join(BAD_LINES.values()) + _good(2))
    with kdebug_shell(sandbox.kubeconfig, sandbox.context, history) as ip:
        ip.run_cell("r = %kdebug neato --image=busybox -- echo after-the-damage")
        capsys.readouterr()
        ip.run_cell("frame = %khistory --all")
        frame = ip.user_ns["frame"]
        captured = capsys.readouterr()
        md = tmp_path / "all.md"
        ip.run_cell(f"%khistory --all --export {md}")
    assert list(frame["id"][:2]) == ["good1", "good2"] and len(frame) == 3
    assert frame.iloc[-1]["status"] == "ok"
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in captured.err
    assert f"skipped {len(BAD_LINES)} unreadable line(s) of {history}" in lines[0]
    assert "after-the-damage" in md.read_text()


def test_an_unreadable_history_file_is_one_line(
    sandbox: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    history = tmp_path / "h.jsonl"
    history.mkdir()  # e.g. a path that names a directory
    with kdebug_shell(sandbox.kubeconfig, sandbox.context, history) as ip:
        capsys.readouterr()
        ip.run_cell("frame = %khistory --all")  # raises if a traceback escapes
        assert ip.user_ns["frame"] is None
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"error: cannot read the history file {history}: ")
