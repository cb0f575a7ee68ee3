"""Panels headless: real widgets without a frontend (ipywidgets' comm is a no-op without a
kernel), a real session on the test sandbox, clicks through ``Button.click()``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

pytest.importorskip("ipywidgets")

from widget_support import eventually, widget_threads  # noqa: E402

from kdebug_nb import engine  # noqa: E402

if TYPE_CHECKING:
    from kdebug_nb.sandbox.server import Sandbox


@pytest.fixture
def session(sandbox: Sandbox) -> engine.Session:
    """A session of its own (history in memory) on the test sandbox."""
    return engine.Session(engine.Connection(str(sandbox.kubeconfig), sandbox.context))


@pytest.fixture
def no_thread_left() -> Iterator[None]:
    yield
    eventually(lambda: not widget_threads(), 10, "the widgets' threads to end")
