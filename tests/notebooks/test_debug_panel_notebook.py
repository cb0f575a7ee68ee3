"""notebooks/debug-panel.ipynb runs in a real kernel with its widgets' state stored.

``store_widget_state=True`` keeps what the panel and the shell showed in the notebook's
metadata (the widget-state+json a saved notebook carries), so the test reads the
panel's output the way a saved notebook would show it.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "debug-panel.ipynb"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def _html_values(nb: Any) -> list[str]:
    state = nb.metadata["widgets"][WIDGET_STATE]["state"]
    return [html.unescape(re.sub(r"<[^>]+>", "", m["state"].get("value", "")))
            for m in state.values() if m["model_name"] == "HTMLModel"]


def _outputs(cell: Any) -> list[Any]:
    return list(cell.get("outputs", []))


def test_debug_panel_notebook_runs_with_widget_state(tmp_path: Path) -> None:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbclient.NotebookClient(
        nb, timeout=180, kernel_name="python3", store_widget_state=True,
        resources={"metadata": {"path": str(tmp_path)}},
    ).execute()
    errors = [o for c in nb.cells for o in _outputs(c) if o.output_type == "error"]
    assert errors == []
    code = [c for c in nb.cells if c.cell_type == "code"]
    panel_cell = next(c for c in code if "kdebug_nb.panel(" in c.source)
    shell_cell = next(c for c in code if "kdebug_nb.Shell(" in c.source)
    for cell in (panel_cell, shell_cell):
        views = [o for o in _outputs(cell) if WIDGET_VIEW in o.get("data", {})]
        model = views[0]["data"][WIDGET_VIEW]["model_id"]
        assert model in nb.metadata["widgets"][WIDGET_STATE]["state"]
    values = _html_values(nb)
    # the scripted run: ps in the web pod's nginx container, streamed into the panel
    assert any("PID" in v and "nginx" in v for v in values), values
    assert any("exit 0" in v for v in values)
    # the shell answered the line sent to it
    assert any("answer=42" in v for v in values)
    sent = next(c for c in code if "shell.send(" in c.source)
    assert "answer=42" in "".join(o.get("text", "") for o in _outputs(sent))
    history = next(c for c in code if c.source.strip() == "%khistory")
    table = "".join(o.get("data", {}).get("text/html", "") for o in _outputs(history))
    assert "web" in table and "neato" in table
    timeline = next(c for c in code if "timeline(" in c.source)
    assert any("image/png" in o.get("data", {}) for o in _outputs(timeline))
    assert "sandbox stopped" in "".join(o.get("text", "") for o in _outputs(code[-1]))
