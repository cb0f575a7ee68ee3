"""Panels headless: real widgets without a frontend (ipywidgets' comm is a no-op without a
kernel), a real session on the test sandbox, clicks through ``Button.click()``."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import pytest

pytest.importorskip("ipywidgets")

from kdebug_nb import engine  # noqa: E402

if TYPE_CHECKING:
    from kdebug_nb.sandbox.server import Sandbox


@pytest.fixture
def session(sandbox: Sandbox) -> engine.Session:
    """A session of its own (history in memory) on the test sandbox."""
    return engine.Session(engine.Connection(str(sandbox.kubeconfig), sandbox.context))


def eventually(check: Callable[[], Any], timeout: float = 30.0, what: str = "") -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout:g} s: {what or check}")
        time.sleep(0.05)


def widget_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate()
            if t.name.startswith(("kdebug-panel", "kdebug-shell")) and t.is_alive()]


@pytest.fixture
def no_thread_left() -> Iterator[None]:
    yield
    eventually(lambda: not widget_threads(), 10, "the widgets' threads to end")
