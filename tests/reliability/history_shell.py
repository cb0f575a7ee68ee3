"""An IPython shell with kdebug_nb loaded, aimed at the session sandbox, for one test.

Cells that raise fail the test (as in ``tests/magics``); errors the magics
print as one line go to stderr, where the tests read them with ``capsys``.
The shell gets a session of its own (the magics use the default session,
which holds the history), so no other test's runs show in its history.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


@contextmanager
def kdebug_shell(kubeconfig: Path, context: str, history: Path) -> Iterator[Any]:
    from ipython_shell import make_shell

    from kdebug_nb.engine import Session, default_session, set_default_session

    shell = make_shell(history.parent / "ipython")
    previous = default_session()
    set_default_session(Session())
    shell.run_line_magic("load_ext", "kdebug_nb")
    shell.run_cell(
        f"%config KDebug.kubeconfig = {str(kubeconfig)!r}\n"
        f"%config KDebug.context = {context!r}\n"
        f"%config KDebug.history_path = {str(history)!r}\n"
        "%config KDebug.progress = False\n"
    )
    try:
        yield shell
    finally:
        shell.run_line_magic("unload_ext", "kdebug_nb")
        set_default_session(previous)
