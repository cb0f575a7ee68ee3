"""The history keeps bounded stdin and output, with their full sizes (issue 8)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from history_shell import kdebug_shell

from kdebug_nb.runbook import HistoryRecord, HistoryStore, to_markdown
from kdebug_nb.runbook.record import OUTPUT_LIMIT

BODY_SIZE = 5 * 1024 * 1024
#: what a run's two history lines may take with a 5 MB stdin: its head and tail, twice
HISTORY_BUDGET = 300_000


def test_a_5mb_cell_body_adds_little_to_the_history(
    sandbox: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    history = tmp_path / "h.jsonl"
    line = "# " + "x" * 62 + "\n"  # comments: sh reads them all and runs nothing
    body = "echo first-line\n" + line * (BODY_SIZE // len(line)) + "echo last-line\n"
    with kdebug_shell(sandbox.kubeconfig, sandbox.context, history) as ip:
        ip.user_ns["body"] = body
        ip.run_cell("r = get_ipython().run_cell_magic('kdebug', 'neato --image=busybox', body)")
        result = ip.user_ns["r"]
    capsys.readouterr()
    assert result.exit_code == 0 and result.output == "first-line\nlast-line\n"
    size = history.stat().st_size
    assert size < HISTORY_BUDGET, f"the history grew by {size:,} bytes for a {len(body):,}-character body"
    started, ended = (json.loads(x) for x in history.read_text().splitlines())
    for record in (started, ended):
        assert record["stdin_size"] == len(body)
        assert record["stdin"].startswith("echo first-line\n") and record["stdin"].endswith("echo last-line\n")
        assert "characters left out of" in record["stdin"]


def test_long_output_keeps_head_tail_and_full_size(tmp_path: Path) -> None:
    output = "".join(f"line {i}\n" for i in range(100_000))
    store = HistoryStore(tmp_path / "h.jsonl")
    record = store.start(HistoryRecord.begin(line="neato --image=busybox -- seq 100000"))
    ended = store.finish(record.finish(status="ok", exit_code=0, output=output))
    assert ended.output_size == len(output)
    assert len(ended.output) < OUTPUT_LIMIT + 200
    assert ended.output.startswith("line 0\n") and ended.output.endswith("line 99999\n")
    # whole lines on both sides of the cut
    assert all(x.startswith("line ") or x.startswith("... [") for x in ended.output.splitlines())
    assert f"({len(output):,} characters; head and tail kept)" in to_markdown([ended])
