"""A real IPython shell with kdebug_nb loaded, pointed at the session sandbox.

Like JupySQL's TestingShell, cells that raise make the test fail (instead of
IPython printing a traceback and carrying on). The shell reaches the sandbox
through ``%config KDebug.kubeconfig`` — the same path a user with a kubeconfig
takes — so the process-wide default connection is left alone.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest
from ipython_shell import make_shell

if TYPE_CHECKING:
    from kdebug_nb.sandbox.server import Sandbox


@pytest.fixture(scope="session")
def magic_shell(sandbox: Sandbox, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    shell = make_shell(tmp_path_factory.mktemp("ipython"))
    history = tmp_path_factory.mktemp("history") / "kdebug-history.jsonl"
    shell.run_line_magic("load_ext", "kdebug_nb")
    shell.run_cell(
        f"%config KDebug.kubeconfig = {str(sandbox.kubeconfig)!r}\n"
        f"%config KDebug.context = {sandbox.context!r}\n"
        f"%config KDebug.history_path = {str(history)!r}\n"
        "%config KDebug.progress = False\n"
        "%config KDebug.completion_timeout = 5.0\n"
    )
    try:
        yield shell
    finally:
        shell.run_line_magic("unload_ext", "kdebug_nb")


@pytest.fixture()
def ip(magic_shell: Any) -> Iterator[Any]:
    """The shared shell, with settings changed by a test put back afterwards."""
    from kdebug_nb.magics import state_of

    config = state_of(magic_shell).config
    saved = {name: getattr(config, name) for name in config.trait_names() if config.trait_metadata(name, "config")}
    yield magic_shell
    for name, value in saved.items():
        setattr(config, name, value)


@pytest.fixture(scope="session")
def bare_shell(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A shell with kdebug_nb loaded and no cluster configured at all."""
    shell = make_shell(tmp_path_factory.mktemp("ipython-bare"))
    shell.run_line_magic("load_ext", "kdebug_nb")
    shell.run_cell("%config KDebug.persist_history = False")
    try:
        yield shell
    finally:
        shell.run_line_magic("unload_ext", "kdebug_nb")
