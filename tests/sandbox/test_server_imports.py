"""``import kdebug_nb.sandbox`` stays cheap: the API server and kubelet load on start()."""

from __future__ import annotations

import subprocess
import sys

import pytest

import kdebug_nb.sandbox


def test_lazy_exports() -> None:
    from kdebug_nb.sandbox.scenario import load_scenario
    from kdebug_nb.sandbox.server import Sandbox

    assert kdebug_nb.sandbox.Sandbox is Sandbox
    assert kdebug_nb.sandbox.load_scenario is load_scenario
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        _ = kdebug_nb.sandbox.nope


def test_importing_the_sandbox_loads_no_server() -> None:
    probe = (
        "import sys, kdebug_nb.sandbox as s; s.Sandbox; s.load_scenario('default'); "
        "print(sorted(m for m in ('aiohttp', 'kubernetes', 'kdebug_nb.sandbox.apiserver.app', "
        "'kdebug_nb.sandbox.kubelet') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == "[]"
