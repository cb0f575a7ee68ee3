"""Every notebook in notebooks/ runs top to bottom in a real kernel (nbclient).

Each notebook starts its own sandbox with ``%ksandbox start``, exactly as on
binder, and runs in a scratch directory so its history and exports stay out
of the checkout. The notebooks are stored without outputs.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

NOTEBOOKS = sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("*.ipynb"))


def _error_outputs(nb: object) -> list[str]:
    found = []
    for cell in nb.cells:  # type: ignore[attr-defined]
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                found.append(f"{out.get('ename')}: {out.get('evalue')}")
            if out.get("output_type") == "stream" and out.get("name") == "stderr":
                for line in out.get("text", "").splitlines():
                    if line.startswith("error: "):
                        found.append(line)
    return found


def test_notebooks_exist() -> None:
    names = {p.stem for p in NOTEBOOKS}
    assert {"quickstart", "runbook-crashloop", "postmortem", "training-profiles",
            "fleet-security-audit"} <= names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_is_saved_clean_and_starts_the_sandbox(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in code)
    first = code[0].source.splitlines()
    assert first[0] == "%load_ext kdebug_nb" and first[1].split(" --scenario ")[0] == "%ksandbox start"
    assert any("real cluster" in c.source for c in nb.cells if c.cell_type == "markdown")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs(path: Path, tmp_path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute()
    errors = _error_outputs(nb)
    # the postmortem deliberately shows one failed command
    if path.stem == "postmortem":
        assert len(errors) == 1 and "no-such-pod" in errors[0], errors
    else:
        assert errors == [], errors
    assert (tmp_path / "kdebug-history.jsonl").exists()
    # the waiting line was updated away once output began
    assert "⏳" not in json.dumps([c.get("outputs", []) for c in nb.cells], ensure_ascii=False)


def test_runbook_takes_papermill_parameters(tmp_path: Path) -> None:
    """papermill inserts an "injected-parameters" cell after the "parameters" one."""
    path = next(p for p in NOTEBOOKS if p.stem == "runbook-crashloop")
    nb = nbformat.read(path, as_version=4)
    at = next(i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", []))
    injected = nbformat.v4.new_code_cell('pod = "web"\ncontainer = "log-shipper"')
    injected.metadata["tags"] = ["injected-parameters"]
    nb.cells.insert(at + 1, injected)
    nbclient.NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    assert _error_outputs(nb) == []
    history = (tmp_path / "runbook-crashloop-history.md").read_text()
    assert "%kdebug web -n default" in history and "-c log-shipper" in history


def test_quickstart_module_runs(tmp_path: Path) -> None:
    import subprocess

    done = subprocess.run(
        [sys.executable, "-m", "kdebug_nb.quickstart"],
        capture_output=True, text=True, timeout=300, cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "%kdebug neato" in done.stdout
    assert "quickstart finished" in done.stdout


def test_quickstart_runs_in_process_without_a_kernel(tmp_path: Path) -> None:
    import subprocess

    done = subprocess.run(
        [sys.executable, "-m", "kdebug_nb.quickstart", "--in-process"],
        capture_output=True, text=True, timeout=300, cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "sandbox stopped" in done.stdout and "quickstart finished" in done.stdout
    assert list(tmp_path.iterdir()) == []  # history and exports went to a scratch directory
