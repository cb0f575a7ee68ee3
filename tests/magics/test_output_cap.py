"""The cell's output cap (``KDebug.max_output``) leaves short output and a 0 limit alone."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.mark.parametrize("limit", [0, 100_000])
def test_output_within_the_limit_is_shown_whole(
    ip: Any, capsys: pytest.CaptureFixture[str], limit: int
) -> None:
    ip.run_cell(f"%config KDebug.max_output = {limit}")
    capsys.readouterr()
    ip.run_cell("r = %kdebug neato -q --image=busybox -- seq 10000")
    shown = capsys.readouterr().out
    assert shown == ip.user_ns["r"].output == "".join(f"{i}\n" for i in range(1, 10001))


@pytest.mark.parametrize("chunk", [1, 7, 1000, 10**6])
def test_capped_output_keeps_head_and_tail_whatever_the_chunking(chunk: int) -> None:
    from kdebug_nb.magics.render import CappedOutput

    text = "".join(f"line {i}\n" for i in range(50_000))
    written: list[str] = []
    capped = CappedOutput(written.append, 1000)
    for start in range(0, len(text), chunk):
        capped.write(text[start : start + chunk])
    capped.close()
    capped.close()
    shown = "".join(written)
    head, _, rest = shown.partition("\n[... ")
    tail = rest.split("...]\n", 1)[1]
    assert text.startswith(head) and text.endswith(tail) and tail.startswith("line ")
    assert len(head) == 500 and 300 < len(tail) <= 500
    assert f"{len(text) - len(head) - len(tail):,} characters" in shown
