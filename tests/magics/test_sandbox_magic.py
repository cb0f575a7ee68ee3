"""%ksandbox start/status/stop with a sandbox of its own."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from ipython_shell import make_shell

from kdebug_nb.engine import default_session


def get_default_connection() -> Any:
    return default_session().connection


def test_start_status_stop(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shell = make_shell(tmp_path / "ipython")
    shell.run_line_magic("load_ext", "kdebug_nb")
    shell.run_cell(f"%config KDebug.history_path = {str(tmp_path / 'h.jsonl')!r}")
    before = get_default_connection()
    kubeconfig_env = os.environ.get("KUBECONFIG")
    try:
        shell.run_cell("%ksandbox start")
        assert "sandbox running at https://127.0.0.1:" in capsys.readouterr().out
        shell.run_cell("info = %ksandbox status")
        info: Any = shell.user_ns["info"]
        assert info.running and info.context == "kdebug-sandbox"
        assert get_default_connection().kubeconfig == info.kubeconfig
        assert os.environ.get("KUBECONFIG") == kubeconfig_env  # nothing of the user's touched
        shell.run_cell("r = %kdebug neato --image=busybox -- echo via-ksandbox")
        assert "via-ksandbox" in capsys.readouterr().out
        shell.run_cell("%ksandbox start")  # a second start says it is already running
        assert "already running" in capsys.readouterr().out
        shell.run_cell("%ksandbox stop")
        assert "sandbox stopped" in capsys.readouterr().out
        assert get_default_connection() == before
        shell.run_cell("info2 = %ksandbox status")
        assert not shell.user_ns["info2"].running
    finally:
        shell.run_line_magic("unload_ext", "kdebug_nb")
    assert get_default_connection() == before


def test_bad_scenario_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shell = make_shell(tmp_path / "ipython")
    shell.run_line_magic("load_ext", "kdebug_nb")
    try:
        shell.run_cell("%ksandbox start --scenario no-such-scenario")
        lines = [x for x in capsys.readouterr().err.splitlines() if x.strip()]
        assert len(lines) == 1 and "no-such-scenario" in lines[0]
    finally:
        shell.run_line_magic("unload_ext", "kdebug_nb")
