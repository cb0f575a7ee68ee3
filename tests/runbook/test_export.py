from __future__ import annotations

import json
import re
from pathlib import Path

from kdebug_nb.runbook import HistoryRecord, HistoryStore, export, fence_for, to_markdown


def _records() -> list[HistoryRecord]:
    store = HistoryStore(None)
    r = store.start(HistoryRecord.begin(line="neato --image=busybox -- sh -c 'echo ```'"))
    store.finish(
        r.finish(
            status="ok",
            output="before\n```\n# injected heading\n`````\nafter\n",
            exit_code=0,
            duration=1.25,
            context="kdebug-sandbox",
            namespace="default",
            target="neato",
            mode="ephemeral",
            image="busybox",
            command=("sh", "-c", "echo ```"),
        )
    )
    r2 = store.start(HistoryRecord.begin(line="ghost --image=busybox -- true"))
    store.finish(r2.finish(status="error", error='pods "ghost" not found', context="kdebug-sandbox"))
    return store.records


def test_fence_is_longer_than_any_backtick_run() -> None:
    assert fence_for("plain") == "```"
    assert fence_for("a ``` b ```` c") == "`````"


def test_markdown_is_fence_safe_and_complete() -> None:
    md = to_markdown(_records())
    assert md.startswith("# kdebug session history")
    assert "UTC" in md and "kdebug-sandbox" in md
    # the output block uses a fence longer than the 5-backtick run inside it
    assert "``````text\nbefore\n" in md
    # nothing inside the output became a heading of the document
    headings = [line for line in _outside_fences(md) if line.startswith("#")]
    assert headings[0] == "# kdebug session history"
    assert len(headings) == 3 and all(h.startswith("## ") for h in headings[1:])
    assert "exit code:** 0" in md
    assert 'pods "ghost" not found' in md


def _outside_fences(md: str) -> list[str]:
    out, fence = [], ""
    for line in md.splitlines():
        m = re.match(r"^(`{3,})", line)
        if fence:
            if re.fullmatch(rf"`{{{len(fence)},}}\s*", line):
                fence = ""
        elif m:
            fence = m.group(1)
        else:
            out.append(line)
    return out


def _fenced_blocks(md: str) -> list[str]:
    """Contents of top-level fenced blocks, honouring fence length (CommonMark)."""
    blocks, lines, i = [], md.splitlines(), 0
    while i < len(lines):
        m = re.match(r"^(`{3,})", lines[i])
        if m:
            fence, body, i = m.group(1), [], i + 1
            while i < len(lines) and not re.fullmatch(rf"`{{{len(fence)},}}\s*", lines[i]):
                body.append(lines[i])
                i += 1
            blocks.append("\n".join(body))
        i += 1
    return blocks


def test_output_round_trips_through_its_fence() -> None:
    records = _records()
    blocks = _fenced_blocks(to_markdown(records))
    assert records[0].output.rstrip("\n") in blocks


def test_export_by_suffix(tmp_path: Path) -> None:
    records = _records()
    md = export(records, tmp_path / "pm.md")
    js = export(records, tmp_path / "runs.json")
    assert md.read_text().startswith("# kdebug")
    doc = json.loads(js.read_text())
    assert [r["status"] for r in doc["runs"]] == ["ok", "error"]
    assert doc["exported_at"].endswith("Z")
