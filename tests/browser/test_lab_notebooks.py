"""Notebooks as users meet them: opened in JupyterLab in Chromium, run, read off the page."""

from __future__ import annotations

import shlex
from typing import Any

import nbformat
from lab_page import open_notebook, output_areas, run_all
from lab_server import LabServer
from playwright.sync_api import expect

# Lab resets the title at once, so a final check would miss a script that ran: record
# every change from the start of the page.
RECORD_TITLES = """
window.__titles = [];
new MutationObserver(() => window.__titles.push(document.title))
  .observe(document.documentElement, {subtree: true, childList: true, characterData: true});
"""


def test_quickstart_runs_and_its_outputs_render(page: Any, lab: LabServer) -> None:
    open_notebook(page, lab, "quickstart.ipynb")
    run_all(page)
    outputs = output_areas(page)
    expect(page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
           .filter(has_text="Traceback")).to_have_count(0)
    # the status frame as an HTML table, ps from the debug container, the copy, the node
    expect(outputs.locator("table").filter(has_text="neato").first).to_be_visible()
    expect(outputs.filter(has_text="PID").first).to_be_visible()
    expect(outputs.filter(has_text="hello from").first).to_be_visible()
    expect(outputs.filter(has_text="PRETTY_NAME").first).to_be_visible()
    expect(outputs.filter(has_text="quickstart-history").first).to_be_visible()


def test_container_output_with_script_stays_text(page: Any, lab: LabServer) -> None:
    payload = "<script>document.title='pwned'</script><img src=x onerror=\"document.title='pwned'\">"
    nb = nbformat.v4.new_notebook(metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
    })
    nb.cells = [
        nbformat.v4.new_code_cell("%load_ext kdebug_nb\n%ksandbox start"),
        nbformat.v4.new_code_cell(f"%kdebug neato --image=busybox -- echo {shlex.quote(payload)}"),
        nbformat.v4.new_code_cell(
            "import kdebug_nb\n"
            f"kdebug_nb.debug('neato', image='busybox', command=['echo', {payload!r}])"
        ),
        nbformat.v4.new_code_cell("%khistory"),
        nbformat.v4.new_code_cell("%ksandbox stop"),
    ]
    nbformat.write(nb, lab.root / "script-output.ipynb")
    page.add_init_script(RECORD_TITLES)
    open_notebook(page, lab, "script-output.ipynb")
    run_all(page)
    outputs = output_areas(page)
    # the magic's stream, the result's HTML and the history table each show the markup
    expect(outputs.filter(has_text="<script>document.title='pwned'</script>")).to_have_count(3)
    assert page.locator(".jp-OutputArea script, .jp-OutputArea img[src='x']").count() == 0
    assert "pwned" not in page.evaluate("window.__titles.join(' ')")
