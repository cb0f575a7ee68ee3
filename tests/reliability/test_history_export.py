"""Exports are private like the history, and a bad export path is one line (issue 8)."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

import pytest
from history_shell import kdebug_shell

from kdebug_nb.runbook import HistoryRecord, export


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize("name", ["pm.md", "pm.json"])
def test_exports_are_written_0600_even_over_a_0644_file(tmp_path: Path, name: str) -> None:
    records = [HistoryRecord(line="neato --image=busybox -- ps", status="ok", output="PID 1\n")]
    fresh = export(records, tmp_path / "fresh" / name)
    assert _mode(fresh) == 0o600
    old = tmp_path / name
    old.write_text("an older export\n")
    old.chmod(0o644)
    export(records, old)
    assert _mode(old) == 0o600 and "PID 1" in old.read_text()


def test_an_unwritable_export_path_is_a_history_error(tmp_path: Path) -> None:
    from kdebug_nb.errors import HistoryError

    blocker = tmp_path / "a-file"
    blocker.write_text("")
    with pytest.raises(HistoryError, match=r"cannot write the export to .*a-file/pm\.md"):
        export([], blocker / "pm.md")


def test_khistory_export_to_a_bad_path_prints_one_line(
    sandbox: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    with kdebug_shell(sandbox.kubeconfig, sandbox.context, tmp_path / "h.jsonl") as ip:
        ip.run_cell("%kdebug neato --image=busybox -- true")
        capsys.readouterr()
        ip.run_cell(f"%khistory --export {blocker}/sub/pm.md")  # raises if a traceback escapes
        ip.run_cell(f"%khistory --export {tmp_path}/ok.md")
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: cannot write the export to ")
    assert _mode(tmp_path / "ok.md") == 0o600
