"""The debug panel and the shell as users meet them: in JupyterLab, clicked and typed into."""

from __future__ import annotations

import re
from typing import Any

from lab_page import labelled, open_notebook, run_all_but_last
from lab_server import ARTIFACTS, LabServer
from playwright.sync_api import expect


def run_button(panel: Any) -> Any:
    return panel.locator("button.jupyter-button", has_text=re.compile(r"^\s*Run\s*$"))


def test_panel_runs_ps_in_neato_and_the_shell_answers(page: Any, lab: LabServer) -> None:
    open_notebook(page, lab, "debug-panel.ipynb")
    run_all_but_last(page)
    panel = page.locator(".kdebug-panel").first
    panel.scroll_into_view_if_needed()
    expect(panel).to_be_visible()

    pod = labelled(panel, "dropdown", "pod").locator("select")
    # ipywidgets shows the labels' spaces as no-break spaces
    labels = pod.evaluate("s => [...s.options].map(o => o.textContent.replace(/\\s/g, ' '))")
    neato = next(i for i, label in enumerate(labels) if label.startswith("neato · Running"))
    pod.select_option(index=neato)
    target = labelled(panel, "dropdown", "target").locator("select")
    expect(target.locator("option", has_text="neato")).to_have_count(1)
    target.select_option(label="neato")
    labelled(panel, "text", "command").locator("input").fill("ps")
    run_button(panel).click()
    output = panel.locator("pre")
    expect(output).to_contain_text("PID", timeout=60_000)
    expect(output).to_contain_text("/neato")
    expect(panel).to_contain_text("exit 0", timeout=30_000)
    expect(run_button(panel)).to_be_enabled()
    panel.locator(".lm-TabBar-tab", has_text="Runs").click()
    expect(panel).to_contain_text("neato -n default --image=busybox --target=neato")

    panel.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "debug-panel-after-run.png"))

    shell = page.locator(".kdebug-shell").first
    shell.scroll_into_view_if_needed()
    line = shell.locator("input").first
    line.fill("echo browser-$((20 + 3))")
    line.press("Enter")
    expect(shell.locator("pre")).to_contain_text("browser-23", timeout=30_000)
    expect(line).to_have_value("")
