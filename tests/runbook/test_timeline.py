"""The history timeline: one bar per run, one row per target, coloured by outcome."""

from __future__ import annotations

import pandas as pd
import pytest

from kdebug_nb.runbook.record import HistoryRecord
from kdebug_nb.runbook.store import to_frame
from kdebug_nb.runbook.timeline import OUTCOME_COLOURS, outcome, timeline

pytest.importorskip("matplotlib")


def _frame() -> pd.DataFrame:
    records = [
        HistoryRecord(started_at="2026-01-02T10:00:00.000Z", target="neato", status="ok",
                      exit_code=0, duration=1.5),
        HistoryRecord(started_at="2026-01-02T10:01:00.000Z", target="crasher", status="ok",
                      exit_code=1, duration=0.2),
        HistoryRecord(started_at="2026-01-02T10:02:00.000Z", target="neato", status="error",
                      duration=0.1),
        HistoryRecord(started_at="2026-01-02T10:03:00.000Z", target="web", status="interrupted",
                      duration=5.0),
    ]
    return to_frame(records)


def test_outcomes() -> None:
    assert [outcome("ok", 0), outcome("ok", 2), outcome("error", None),
            outcome("interrupted", None), outcome("started", None)] == list(OUTCOME_COLOURS)


def test_one_bar_per_run_on_its_targets_row_in_its_outcomes_colour() -> None:
    from matplotlib.colors import to_hex

    fig = timeline(_frame())
    ax = fig.axes[0]
    bars = ax.patches
    assert len(bars) == 4
    assert [t.get_text() for t in ax.get_yticklabels()] == ["neato", "crasher", "web"]
    assert [to_hex(b.get_facecolor()) for b in bars] == [
        OUTCOME_COLOURS["exit 0"].lower(), OUTCOME_COLOURS["exit non-zero"].lower(),
        OUTCOME_COLOURS["error"].lower(), OUTCOME_COLOURS["interrupted"].lower(),
    ]
    # neato's two runs share a row; the 5 s run is wider than the 0.2 s one
    assert bars[0].get_y() == bars[2].get_y()
    assert bars[3].get_width() > bars[1].get_width()
    assert {t.get_text() for t in ax.get_legend().get_texts()} == {
        "exit 0", "exit non-zero", "error", "interrupted"}


def test_available_from_the_history_frame() -> None:
    fig = _frame().kdebug.timeline(title="incident 42")
    assert fig.axes[0].get_title() == "incident 42"


def test_a_history_frame_has_it_without_importing_the_module() -> None:
    import subprocess
    import sys

    code = ("from kdebug_nb.runbook.store import to_frame; "
            "print(type(to_frame([]).kdebug.timeline()).__name__)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "Figure", done.stderr


def test_empty_history_and_wrong_frames() -> None:
    assert timeline(to_frame([])).axes[0].texts[0].get_text() == "no runs"
    with pytest.raises(ValueError, match="not a history frame"):
        timeline(pd.DataFrame({"a": [1]}))
