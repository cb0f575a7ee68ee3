"""The shell the magics tests run in (imported by tests/magics/conftest.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def make_shell(ipython_dir: Path) -> Any:
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    class TestingShell(InteractiveShell):
        def run_cell(self, raw_cell: str, *args: Any, **kwargs: Any) -> Any:
            result = super().run_cell(raw_cell, *args, **kwargs)
            result.raise_error()
            return result

    config = Config()
    config.HistoryManager.enabled = False
    # not .instance(): other test modules may own the singleton
    return TestingShell(config=config, ipython_dir=str(ipython_dir))
