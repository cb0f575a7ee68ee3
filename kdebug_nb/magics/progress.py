"""The "waiting for the container" line, gone once output begins, and the output itself.

Output goes to the cell through ``CappedOutput``: at most ``KDebug.max_output``
characters, head and tail.

In a Jupyter frontend it is an updatable display (``display_id``) that is
blanked when the first output chunk arrives; in a terminal it is a
carriage-return line on stderr; elsewhere (a pipe, a test) nothing is shown.
"""

from __future__ import annotations

import html
import sys
from typing import Any


def describe(progress: Any) -> str:
    """``waiting: ContainerCreating — pulling image (2.1 s)`` from a ``RunWaiting`` event."""
    state = getattr(progress, "state", "") or "waiting"
    reason = getattr(progress, "reason", "") or ""
    message = " ".join(str(getattr(progress, "message", "") or "").split())
    elapsed = getattr(progress, "elapsed", None)
    text = f"{state}: {reason}" if reason else str(state)
    if message:
        text += f" — {message}"
    if isinstance(elapsed, int | float):
        text += f" ({elapsed:.1f} s)"
    return text


#: steps that take one request; shown only when they are slow
QUICK_STATES = ("reading", "creating", "deleting")
SHOW_AFTER = 0.5


class ProgressLine:
    """A run's observer for a cell: prints output and kubectl's lines, shows the
    waiting line until output begins; ``clear()`` removes it."""

    def __init__(
        self, *, enabled: bool = True, rich: bool | None = None, max_output: int = 0
    ) -> None:
        from kdebug_nb.magics.render import CappedOutput

        self.enabled = enabled
        self.rich = _in_frontend() if rich is None else rich
        self._handle: Any = None
        self._tty_shown = False
        self.last = ""
        #: at most ``max_output`` characters of output in the cell (0: all of it)
        self._shown = CappedOutput(_write_stdout, max_output)

    def __call__(self, event: Any) -> None:
        from kdebug_nb.engine import (
            RunFailed,
            RunFinished,
            RunInterrupted,
            RunNotice,
            RunOutput,
            RunWaiting,
        )

        if isinstance(event, RunOutput):
            self.clear()
            self._shown.write(event.text)
            sys.stdout.flush()
            return
        if isinstance(event, RunFinished | RunInterrupted | RunFailed):
            self.finish()
            return
        if isinstance(event, RunNotice):
            # kubectl's own lines: notices on stdout, warnings on stderr; a
            # frontend's waiting line stays where it is (above them)
            self._clear_tty()
            stream = sys.stdout if event.level == "notice" else sys.stderr
            print(str(event.text).rstrip("\n"), file=stream, flush=True)
            return
        if not isinstance(event, RunWaiting):
            self.clear()  # the run ended
            return
        progress = event
        state = event.state
        if state in ("running", "terminated"):
            # output begins (or the run ended): the waiting line has done its job
            self.clear()
            return
        if not self.enabled:
            return
        elapsed = getattr(progress, "elapsed", 0.0) or 0.0
        if self._handle is None and state in QUICK_STATES and elapsed < SHOW_AFTER:
            return  # a quick request: a line shown and blanked at once would only flicker
        text = "⏳ " + describe(progress)
        self.last = text
        if self.rich:
            bundle = {
                "text/plain": text,
                "text/html": f'<span style="color:#777;font-family:monospace">{html.escape(text)}</span>',
            }
            if self._handle is None:
                from IPython.display import display

                self._handle = display(bundle, raw=True, display_id=True)
            else:
                self._handle.update(bundle, raw=True)
        elif sys.stderr.isatty():
            sys.stderr.write("\r\x1b[K" + text)
            sys.stderr.flush()
            self._tty_shown = True

    def finish(self) -> None:
        """The run is over: remove the line, write the kept tail of a long output."""
        self.clear()
        self._shown.close()
        sys.stdout.flush()

    def clear(self) -> None:
        """Make the line disappear (called on the first output chunk and at the end)."""
        if self._handle is not None:
            self._handle.update({"text/plain": ""}, raw=True)
            self._handle = None
        self._clear_tty()

    def _clear_tty(self) -> None:
        if self._tty_shown:
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()
            self._tty_shown = False


def _write_stdout(text: str) -> None:
    # looked up at each call: IPython and pytest swap sys.stdout
    sys.stdout.write(text)


def _in_frontend() -> bool:
    """True inside a Jupyter kernel, where display updates reach a frontend."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None
