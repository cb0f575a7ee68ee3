"""The kubelet's end of a container's pseudo-terminal (``tty: true``).

``ctrinit.py`` opens the terminal inside the container (its slave is the
container's ``/dev/pts/N``, so ``tty`` names it) and hands the master over
the status socket. Here the master is read for output (both streams: a
terminal has one), written with the client's stdin (the line discipline
turns Ctrl-C into SIGINT for the foreground process group), and resized
from the remotecommand resize channel (``TIOCSWINSZ``, which sends
SIGWINCH), as the kubelet's streaming server does through the CRI.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import fcntl
import os
import struct
import termios


def _wake(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


class Pty:
    """A non-blocking pty master."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        os.set_blocking(fd, False)
        self._pending = bytearray()
        self._closed = False

    async def read(self) -> bytes:
        """The next output; b"" once every slave end is closed (EIO)."""
        loop = asyncio.get_running_loop()
        while not self._closed:
            try:
                return os.read(self.fd, 65536)
            except BlockingIOError:
                pass
            except OSError as e:
                if e.errno == errno.EIO:
                    return b""
                raise
            ready = loop.create_future()
            loop.add_reader(self.fd, _wake, ready)
            try:
                await ready
            finally:
                loop.remove_reader(self.fd)
        return b""

    def write(self, data: bytes) -> None:
        if self._closed:
            return
        self._pending.extend(data)
        self._flush()

    def _flush(self) -> None:
        loop = asyncio.get_running_loop()
        while self._pending and not self._closed:
            try:
                n = os.write(self.fd, self._pending)
            except BlockingIOError:
                loop.add_writer(self.fd, self._on_writable)
                return
            except OSError:
                self._pending.clear()
                return
            del self._pending[:n]

    def _on_writable(self) -> None:
        asyncio.get_running_loop().remove_writer(self.fd)
        self._flush()

    def resize(self, width: int, height: int) -> None:
        if not self._closed and width > 0 and height > 0:
            with contextlib.suppress(OSError):
                fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", height, width, 0, 0))

    def size(self) -> tuple[int, int]:
        rows, cols, _, _ = struct.unpack("HHHH", fcntl.ioctl(self.fd, termios.TIOCGWINSZ, b"\0" * 8))
        return cols, rows

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            with contextlib.suppress(Exception):
                loop = asyncio.get_running_loop()
                loop.remove_reader(self.fd)
                loop.remove_writer(self.fd)
            with contextlib.suppress(OSError):
                os.close(self.fd)
