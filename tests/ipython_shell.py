"""The IPython shell the magics and reliability tests run cells in: a cell that raises fails the test.

At the top of ``tests/`` so that either folder imports it, run alone or together.
"""

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
