"""Steps on a JupyterLab page, in the words a user would use: open, run all, wait."""

from __future__ import annotations

from typing import Any

from lab_server import LabServer

# The execution indicator says "idle" while the notebook still has no kernel, so wait for
# the kernel's name in the toolbar too, or "Run All" runs nothing.
KERNEL_READY = """() => {
  const ind = document.querySelector('.jp-Notebook-ExecutionIndicator');
  const name = document.querySelector('.jp-Toolbar-kernelName');
  return ind && ind.getAttribute('data-status') === 'idle'
      && name && /Python/.test(name.textContent);
}"""

# Done when the kernel is idle and no cell's prompt still shows [*].
ALL_RAN = """() => {
  const ind = document.querySelector('.jp-Notebook-ExecutionIndicator');
  const prompts = [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')];
  return ind && ind.getAttribute('data-status') === 'idle' && prompts.length > 0
      && prompts.every(p => /\\[\\d+\\]/.test(p.textContent));
}"""


def open_notebook(page: Any, lab: LabServer, name: str) -> None:
    page.goto(lab.lab_url(name))
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
    page.wait_for_function(KERNEL_READY, timeout=60_000)


def run_all(page: Any, timeout_ms: int = 180_000) -> None:
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").click()
    page.locator(".lm-Menu-itemLabel").get_by_text("Run All Cells", exact=True).click()
    page.wait_for_function(ALL_RAN, timeout=timeout_ms)


def output_areas(page: Any) -> Any:
    """Cell outputs only (``get_by_text`` alone would also match the code in the editors)."""
    return page.locator(".jp-OutputArea-output")


def run_all_but_last(page: Any, timeout_ms: int = 180_000) -> None:
    """Run every cell above the last one (a notebook's clean-up cell stays unrun)."""
    cells = page.locator(".jp-Notebook .jp-Cell")
    cells.last.locator(".jp-InputPrompt").click()
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").click()
    page.locator(".lm-Menu-itemLabel").get_by_text("Run All Above Selected Cell", exact=True).click()
    page.wait_for_function(
        """() => {
          const ind = document.querySelector('.jp-Notebook-ExecutionIndicator');
          const prompts = [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')];
          return ind && ind.getAttribute('data-status') === 'idle' && prompts.length > 1
              && prompts.slice(0, -1).every(p => /\\[\\d+\\]/.test(p.textContent));
        }""",
        timeout=timeout_ms,
    )


def labelled(scope: Any, kind: str, label: str) -> Any:
    """The ipywidgets control of ``kind`` (``dropdown``, ``text``...) described as ``label``."""
    import re

    return scope.locator(f".widget-{kind}").filter(
        has=scope.page.locator("label", has_text=re.compile(f"^{re.escape(label)}$"))
    )
