"""Work a panel does off the kernel's main thread: one run at a time, and a repeating timer.

ipywidgets callbacks run on the kernel's main thread; a debug run can last minutes,
so it runs on a thread of its own and reports through the run's events. Anything the
work raises is handed to ``on_error`` (a panel shows it as one line) rather than lost
in a thread's traceback on the kernel's stderr.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any


class BackgroundRun:
    """``work(stop)`` on a daemon thread; ``stop()`` sets the event the work watches."""

    def __init__(
        self,
        work: Callable[[threading.Event], Any],
        *,
        on_error: Callable[[BaseException], None],
        on_done: Callable[[], None],
        name: str = "kdebug-panel-run",
    ) -> None:
        self.stop_event = threading.Event()
        self._work = work
        self._on_error = on_error
        self._on_done = on_done
        self._thread = threading.Thread(target=self._main, name=name, daemon=True)

    def start(self) -> BackgroundRun:
        self._thread.start()
        return self

    def _main(self) -> None:
        try:
            self._work(self.stop_event)
        except BaseException as exc:  # noqa: BLE001 - shown in the panel, never lost
            self._on_error(exc)
        finally:
            self._on_done()

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def stop(self) -> None:
        self.stop_event.set()

    def join(self, timeout: float | None = None) -> bool:
        """Wait for the thread; True when it has ended."""
        if self._thread.ident is not None:
            self._thread.join(timeout)
        return not self._thread.is_alive()


class Repeater:
    """Call ``tick()`` every ``interval`` seconds on a daemon thread until ``cancel()``."""

    def __init__(
        self,
        interval: float,
        tick: Callable[[], None],
        *,
        on_error: Callable[[BaseException], None],
        name: str = "kdebug-panel-refresh",
    ) -> None:
        self.interval = interval
        self._tick = tick
        self._on_error = on_error
        self._cancelled = threading.Event()
        self._thread = threading.Thread(target=self._main, name=name, daemon=True)
        self._thread.start()

    def _main(self) -> None:
        while not self._cancelled.wait(self.interval):
            try:
                self._tick()
            except Exception as exc:  # noqa: BLE001 - shown in the panel
                self._on_error(exc)

    def cancel(self, timeout: float = 5.0) -> None:
        self._cancelled.set()
        if threading.current_thread() is not self._thread:
            self._thread.join(timeout)

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()
