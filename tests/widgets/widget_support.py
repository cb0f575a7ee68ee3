"""Helpers for the widget tests: wait for a condition, list the widgets' threads."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any


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
