"""Importing the package stays cheap and the engine stays free of IPython (design: layers)."""

from __future__ import annotations

import json
import subprocess
import sys


def _loaded_after(code: str) -> dict[str, bool]:
    probe = (
        f"{code}\nimport json, sys\n"
        "print(json.dumps({m: m in sys.modules for m in "
        "('IPython', 'ipywidgets', 'kubernetes', 'pandas', 'ipykernel')}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_import_kdebug_nb_loads_no_heavy_modules() -> None:
    loaded = _loaded_after("import kdebug_nb")
    assert loaded == {
        "IPython": False,
        "ipywidgets": False,
        "kubernetes": False,
        "pandas": False,
        "ipykernel": False,
    }


def test_engine_api_imports_no_ipython_or_widgets() -> None:
    loaded = _loaded_after("import kdebug_nb.engine.session, kdebug_nb.engine.runs.runner, kdebug_nb.cli")
    assert not loaded["IPython"]
    assert not loaded["ipywidgets"]
    assert not loaded["ipykernel"]


def test_engine_modules_with_io_import_no_ipython() -> None:
    loaded = _loaded_after(
        "import kdebug_nb.engine.client, kdebug_nb.engine.frames.status\n"
        "import kdebug_nb.engine.frames.status as s; s.status_frame([])"
    )
    assert not loaded["IPython"]
    assert not loaded["ipywidgets"]
    assert loaded["pandas"]  # only once a frame was asked for


def test_lazy_public_names_resolve() -> None:
    import kdebug_nb

    for name in ("debug", "run", "status", "pods", "cleanup", "DebugResult", "DebugOptions"):
        assert callable(getattr(kdebug_nb, name)), name
