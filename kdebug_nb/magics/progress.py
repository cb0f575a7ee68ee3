"""The "waiting for the container" line, replaced by the output once it begins.

Output goes to the cell through ``CappedOutput``: at most ``KDebug.max_output``
characters, head and tail.

In a Jupyter frontend the line is an updatable display (``display_id``). A
display cannot be removed once shown, and one blanked to "" stays in the cell
as an empty output; so once the line has been shown, the run's output (and
kubectl's notices) are written *into that display* in its place, and a run
that printed nothing ends with "(no output)" there. A run that never waited
long enough to show the line streams to stdout as usual. In a terminal the
line is a carriage-return line on stderr; elsewhere (a pipe, a test) nothing
is shown.
"""

from __future__ import annotations

import html
import sys
import time
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
    waiting line until output begins; ``clear()`` ends the run's display."""

    #: output written into the display at most; the rest streams below it
    DISPLAY_LIMIT = 256_000
    #: seconds between display updates while output streams (each resends the text)
    UPDATE_EVERY = 0.2

    def __init__(
        self, *, enabled: bool = True, rich: bool | None = None, max_output: int = 0
    ) -> None:
        from kdebug_nb.magics.render import CappedOutput

        self.enabled = enabled
        self.rich = _in_frontend() if rich is None else rich
        self._handle: Any = None
        self._body = ""  # output (and notices) written into the display
        self._status = ""  # the waiting line, after the body
        self._full = False  # the display holds DISPLAY_LIMIT: stream the rest
        self._updated = 0.0
        self._tty_shown = False
        self.last = ""
        #: at most ``max_output`` characters of output in the cell (0: all of it)
        self._shown = CappedOutput(self._output, max_output)

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
            self._clear_tty()
            self._shown.write(event.text)
            return
        if isinstance(event, RunFinished | RunInterrupted | RunFailed):
            self.finish()
            return
        if isinstance(event, RunNotice):
            # kubectl's own lines: notices on stdout, warnings on stderr
            self._clear_tty()
            text = str(event.text).rstrip("\n") + "\n"
            if event.level == "notice":
                self._write(text, sys.stdout, now=True)
            else:
                sys.stderr.write(text)
                sys.stderr.flush()
            return
        if not isinstance(event, RunWaiting):
            self.clear()  # the run ended
            return
        if event.state in ("running", "terminated"):
            # output begins (or the run ended): the waiting line has done its job; a
            # display already shown says "running" until the output takes its place
            self._clear_tty()
            if self._handle is not None and self._status:
                self._status = "" if self._body else "⏳ " + describe(event)
                self._render(now=True)
            return
        if not self.enabled:
            return
        elapsed = getattr(event, "elapsed", 0.0) or 0.0
        if self._handle is None and event.state in QUICK_STATES and elapsed < SHOW_AFTER:
            return  # a quick request: a line shown and replaced at once would only flicker
        text = "⏳ " + describe(event)
        self.last = text
        if self.rich:
            self._status = text
            self._render(now=True)
        elif sys.stderr.isatty():
            sys.stderr.write("\r\x1b[K" + text)
            sys.stderr.flush()
            self._tty_shown = True

    def _output(self, text: str) -> None:
        # sys.stdout looked up at each call: IPython and pytest swap it
        self._write(text, sys.stdout)

    def _write(self, text: str, stream: Any, *, now: bool = False) -> None:
        if self._handle is None or self._full:
            stream.write(text)
            stream.flush()
            return
        room = self.DISPLAY_LIMIT - len(self._body)
        self._body += text[:room]
        self._status = ""
        if len(text) > room:
            self._full = True
            self._render(now=True)
            stream.write(text[room:])
            stream.flush()
            return
        self._render(now=now)

    def _render(self, *, now: bool = False) -> None:
        if not now and time.monotonic() - self._updated < self.UPDATE_EVERY:
            return  # the next update (or clear()) shows it
        self._updated = time.monotonic()
        body = self._body
        if self._status and body and not body.endswith("\n"):
            body += "\n"
        text = body + self._status
        bundle: dict[str, str] = {"text/plain": text}
        if self._status:
            line = html.escape(self._status)
            bundle["text/html"] = (
                f'<pre style="margin:0">{html.escape(body)}</pre>' if body else ""
            ) + f'<span style="color:#777;font-family:monospace">{line}</span>'
        if self._handle is None:
            from IPython.display import display

            self._handle = display(bundle, raw=True, display_id=True)
        else:
            self._handle.update(bundle, raw=True)

    def finish(self) -> None:
        """The run is over: the kept tail of a long output, then the display's end."""
        self._shown.close()
        self.clear()
        sys.stdout.flush()

    def clear(self) -> None:
        """End the display: the waiting line goes, what was written stays; a run that
        printed nothing says so (called at the end of every run, idempotent)."""
        if self._handle is not None:
            self._status = ""
            if not self._body.strip():
                self._body = "(no output)\n"
            self._render(now=True)
            self._handle = None
        self._clear_tty()

    def _clear_tty(self) -> None:
        if self._tty_shown:
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()
            self._tty_shown = False


def _in_frontend() -> bool:
    """True inside a Jupyter kernel, where display updates reach a frontend."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None
