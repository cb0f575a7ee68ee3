"""%khistory: frames, exports and the JSON Lines file, with credentials kept out."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from kdebug_nb.magics import state_of
from kdebug_nb.runbook import COLUMNS, read_history

SECRETS = ("sekrit-env-value", "hunter2", "tok-3f9a")


def test_history_frame_and_exports(ip: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ip.run_cell(
        "%kdebug neato --image=busybox --env=API_TOKEN=sekrit-env-value -- "
        "sh -c \"echo password=hunter2; echo '```'; echo done\""
    )
    # kubectl's --token flag: the sandbox does not know this token and answers 401
    ip.run_cell("%kdebug neato --image=busybox --token=tok-3f9a -- true")
    assert "Unauthorized" in capsys.readouterr().err
    ip.run_cell("h = %khistory")
    h = ip.user_ns["h"]
    assert tuple(h.columns) == COLUMNS
    assert h.iloc[-1]["status"] == "error"
    last = h.iloc[-2]
    assert last["status"] == "ok" and last["exit_code"] == 0 and last["context"] == "kdebug-sandbox"
    assert last["target"] == "neato" and last["namespace"] == "default"

    md, js = tmp_path / "pm.md", tmp_path / "pm.json"
    ip.run_cell(f"%khistory --export {md}\n%khistory --export {js}")
    text = md.read_text()
    assert "UTC" in text and "kdebug-sandbox" in text
    assert "````text" in text  # longer than the ``` the command printed
    doc = json.loads(js.read_text())
    assert doc["runs"][-2]["exit_code"] == 0

    jsonl = Path(state_of(ip).store.path).read_text()
    for where in (text, js.read_text(), jsonl, h.to_string()):
        for secret in SECRETS:
            assert secret not in where
    capsys.readouterr()


def test_jsonl_has_started_and_ended_lines(ip: Any, capsys: pytest.CaptureFixture[str]) -> None:
    path = state_of(ip).store.path
    ip.run_cell("%kdebug neato --image=busybox -- echo jsonl-check")
    lines = [json.loads(x) for x in Path(path).read_text().splitlines()]
    mine = [x for x in lines if x["id"] == lines[-1]["id"]]
    assert [x["status"] for x in mine] == ["started", "ok"]
    assert any(r.output.strip() == "jsonl-check" for r in read_history(path))
    capsys.readouterr()


def test_clear_and_all(ip: Any, capsys: pytest.CaptureFixture[str]) -> None:
    ip.run_cell("%kdebug neato --image=busybox -- true")
    ip.run_cell("%khistory --clear")
    assert "cleared" in capsys.readouterr().out
    ip.run_cell("empty = %khistory\nall_runs = %khistory --all")
    assert len(ip.user_ns["empty"]) == 0
    assert len(ip.user_ns["all_runs"]) >= 1


def test_failed_run_is_recorded_with_where_it_was_aimed(
    ip: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    ip.run_cell("%kdebug no-such-pod --image=busybox -- true")
    capsys.readouterr()
    record = state_of(ip).store.records[-1]
    assert record.status == "error" and "no-such-pod" in record.error
    assert (record.context, record.namespace, record.mode) == ("kdebug-sandbox", "default", "ephemeral")
    assert record.finished_at


def test_python_api_and_magic_runs_share_one_history(
    magic_shell: Any, sandbox: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """The default session records every run, whoever started it."""
    from kdebug_nb.engine import Connection, Session, default_session, set_default_session

    previous = default_session()
    set_default_session(Session(Connection(str(sandbox.kubeconfig), sandbox.context)))
    try:
        magic_shell.run_cell(
            "import kdebug_nb\n"
            "a = kdebug_nb.debug('neato', image='busybox', command='echo one', quiet=True)\n"
            "b = kdebug_nb.debug('neato', image='busybox', command=['echo', 'two'], quiet=True)\n"
            "%kdebug neato --image=busybox -q -- echo three\n"
            "h = %khistory"
        )
        h = magic_shell.user_ns["h"]
        assert list(h["output"]) == ["one", "two", "three"]
        assert list(h["status"]) == ["ok", "ok", "ok"]
        records = state_of(magic_shell).store.records
        assert [r.magic for r in records] == ["kdebug_nb.run", "kdebug_nb.run", "%kdebug"]
        assert records[0].line == "neato --image=busybox --quiet -- echo one"
    finally:
        set_default_session(previous)
    capsys.readouterr()
