"""The real terminal behind ``kdebug POD -it``: raw mode, keys, the window size.

As ``kubectl debug -it`` does (kubectl's ``pkg/util/term`` ``TTY.Safe`` and
``resizeevents_unix.go``): the terminal is put in raw mode only once the
session is attached (so Ctrl-C while waiting still interrupts ``kdebug``),
every key then goes to the container (Ctrl-C included), the window size is
read again on ``SIGWINCH`` and sent, and the terminal's settings are restored
on every way out: the command ends, an error, Ctrl-C before attaching,
``SIGTERM`` or ``SIGHUP`` (which then end the run as an interrupt does:
``--rm`` still deletes the copy).

Used by the CLI only; it is the ``TerminalInput`` the engine's terminal
session reads from (``kdebug_nb.engine.TerminalInput``).
"""

from __future__ import annotations

import fcntl
import os
import select
import signal
import struct
import sys
import termios
import tty
from types import FrameType
from typing import Any

#: signals that end kdebug and must not leave the terminal raw
_FATAL = (signal.SIGTERM, signal.SIGHUP)


class RawTerminal:
    """A context manager over the terminal on ``fd`` (its input) and ``out_fd``."""

    def __init__(self, fd: int | None = None, out_fd: int | None = None) -> None:
        self.fd = sys.stdin.fileno() if fd is None else fd
        self.out_fd = sys.stdout.fileno() if out_fd is None else out_fd
        self.raw = False
        self._saved: Any = None
        self._size: tuple[int, int] | None = None
        self._size_stale = True
        self._handlers: dict[int, Any] = {}

    def __enter__(self) -> RawTerminal:
        self._saved = termios.tcgetattr(self.fd)
        self._handlers[signal.SIGWINCH] = signal.signal(signal.SIGWINCH, self._on_winch)
        for sig in _FATAL:
            self._handlers[sig] = signal.signal(sig, self._on_fatal)
        return self

    def __exit__(self, *exc: object) -> None:
        self.restore()
        for sig, handler in self._handlers.items():
            signal.signal(sig, handler)
        self._handlers.clear()

    def restore(self) -> None:
        """The terminal as it was before (idempotent)."""
        if self._saved is not None and self.raw:
            termios.tcsetattr(self.fd, termios.TCSADRAIN, self._saved)
        self.raw = False

    def make_raw(self) -> None:
        if not self.raw:
            # cfmakeraw: no echo, no line editing, no signals from keys, no output processing
            tty.setraw(self.fd, termios.TCSADRAIN)
            self.raw = True

    # ---- TerminalInput ----------------------------------------------------

    def size(self) -> tuple[int, int] | None:
        """(columns, rows) of the window, read again after each SIGWINCH."""
        self.make_raw()  # the engine asks first when it attaches
        if self._size_stale:
            self._size_stale = False
            try:
                packed = fcntl.ioctl(self.out_fd, termios.TIOCGWINSZ, b"\0" * 8)
                rows, cols = struct.unpack("HHHH", packed)[:2]
                self._size = (cols, rows) if cols and rows else None
            except OSError:
                self._size = None
        return self._size

    def read_keys(self, timeout: float) -> bytes | None:
        """What was typed (b"" if nothing within ``timeout``); None at end of input."""
        self.make_raw()
        try:
            ready, _, _ = select.select([self.fd], [], [], timeout)
        except InterruptedError:  # a signal (SIGWINCH) arrived while waiting
            return b""
        if not ready:
            return b""
        data = os.read(self.fd, 4096)
        return data if data else None

    # ---- output of kdebug's own lines while raw ----------------------------

    def line(self, text: str) -> str:
        """``text`` as it must be written while raw (no output processing: \\n alone
        would not return the cursor)."""
        return text.replace("\r\n", "\n").replace("\n", "\r\n") if self.raw else text

    # ---- signals ------------------------------------------------------------

    def _on_winch(self, signum: int, frame: FrameType | None) -> None:
        self._size_stale = True

    def _on_fatal(self, signum: int, frame: FrameType | None) -> None:
        self.restore()
        # an interrupt, as the CLI makes of these signals outside a session:
        # the run winds down (a --copy-to --rm copy is deleted), exit code 130
        raise KeyboardInterrupt


__all__ = ["RawTerminal"]
