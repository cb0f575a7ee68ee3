"""The terminal printer of ``python -m kdebug_nb.quickstart`` (the full run is in test_notebooks)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from kdebug_nb.quickstart import find_notebook, main, print_cell


def test_finds_the_repo_notebook() -> None:
    assert find_notebook() == Path(__file__).resolve().parents[2] / "notebooks" / "quickstart.ipynb"


def test_prints_source_and_text_outputs() -> None:
    cell = {
        "cell_type": "code",
        "execution_count": 3,
        "source": "%kdebug neato --image=busybox -- ps x",
        "outputs": [
            {"output_type": "stream", "name": "stdout", "text": "PID USER\n"},
            {
                "output_type": "execute_result",
                "data": {
                    "text/plain": "exit 0 · pod/neato",
                    "text/html": '<div class="kdebug-result">…</div>',
                },
            },
            {"output_type": "error", "ename": "NameError", "evalue": "x"},
        ],
    }
    out = io.StringIO()
    print_cell(cell, out)
    text = out.getvalue()
    assert "In [3]:\n%kdebug neato" in text
    assert "PID USER\nexit 0 · pod/neato\n" in text and "NameError: x" in text


def test_missing_notebook_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(tmp_path / "nope.ipynb")]) == 1
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].startswith("error: ") and "nope.ipynb" in err[0]
