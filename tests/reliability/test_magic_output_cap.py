"""A magic shows at most ``KDebug.max_output`` characters of output in the cell (issue 8)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from history_shell import kdebug_shell

LINES = 20_000
FULL = "".join(f"{i}\n" for i in range(1, LINES + 1))  # what `seq 20000` prints


def test_long_output_shows_head_and_tail_and_says_what_was_left_out(
    sandbox: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with kdebug_shell(sandbox.kubeconfig, sandbox.context, tmp_path / "h.jsonl") as ip:
        ip.run_cell("%config KDebug.max_output = 2000")
        capsys.readouterr()
        ip.run_cell(f"r = %kdebug neato -q --image=busybox -- seq {LINES}")
        shown = capsys.readouterr().out
        result = ip.user_ns["r"]
    assert result.output == FULL  # the result holds all of it
    assert len(shown) < 2000 + 400, f"{len(shown):,} characters shown"
    assert shown.startswith("1\n2\n3\n") and shown.endswith(f"{LINES - 1}\n{LINES}\n")
    start = shown.index("\n[... ")
    end = shown.index("...]\n", start) + len("...]\n")
    head, note, tail = shown[:start], shown[start:end], shown[end:]
    assert FULL.startswith(head) and FULL.endswith(tail)
    assert f"[... {len(FULL) - len(head) - len(tail):,} characters (" in note
    assert ".output holds all of it" in note and "KDebug.max_output" in note


def test_the_limit_is_a_kdebug_setting(
    sandbox: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with kdebug_shell(sandbox.kubeconfig, sandbox.context, tmp_path / "h.jsonl") as ip:
        capsys.readouterr()
        ip.run_cell("%config KDebug")
        listing = capsys.readouterr().out
        ip.run_cell("%config KDebug.max_output = 1234")
        from kdebug_nb.magics import state_of

        assert state_of(ip).settings().max_output == 1234
    assert "KDebug.max_output" in listing
