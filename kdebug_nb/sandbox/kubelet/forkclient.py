"""The kubelet's end of ``forkserver.py``: container holders as asyncio processes.

``ForkServer.spawn`` sends ``ctrinit.py``'s spec with the new holder's
stdin, stdout, stderr and status socket, and returns a ``ForkedProcess``
with the parts of ``asyncio.subprocess.Process`` the runtime uses (``pid``,
``stdin``, ``stdout``, ``stderr``, ``returncode``, ``wait``), its pipes
read and written by this event loop as asyncio's own subprocess pipes are.
Exit codes come from the server, the holders' parent. If the server dies,
every holder it forked is killed and reported as killed: nothing else could
ever tell their exit.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import os
import signal
import socket
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

SCRIPT = str(Path(__file__).with_name("forkserver.py"))
#: what ``forkserver.py`` reads at most per request
MAX_REQUEST = 256 * 1024
#: the stream buffer limit asyncio's subprocesses use
STREAM_LIMIT = 2**16

log = logging.getLogger(__name__)

#: starts the server: (argv, pass_fds) -> its asyncio process
Starter = Callable[[list[str], tuple[int, ...]], Awaitable[Any]]


class ForkServerGone(OSError):
    """The fork server is not running (it failed to start, or died)."""


class ForkedProcess:
    """A holder forked by the server, seen as ``asyncio.subprocess.Process`` is."""

    def __init__(self, pid: int, exited: asyncio.Future[int]) -> None:
        self.pid = pid
        self._exited = exited
        self.stdin: asyncio.StreamWriter | None = None
        self.stdout: asyncio.StreamReader | None = None
        self.stderr: asyncio.StreamReader | None = None

    @property
    def returncode(self) -> int | None:
        if self._exited.done() and not self._exited.cancelled():
            return self._exited.result()
        return None

    async def wait(self) -> int:
        return await asyncio.shield(self._exited)


class ForkServer:
    """One ``forkserver.py`` per runtime, started on first use."""

    def __init__(self, start: Starter) -> None:
        self._start = start
        self._sock: socket.socket | None = None
        self._process: Any = None
        self._starting: asyncio.Future[None] | None = None
        self._ids = itertools.count(1)
        #: spawns waiting for their pid (and their exit's future), by request
        self._pending: dict[int, asyncio.Future[tuple[int, asyncio.Future[int]]]] = {}
        #: holders still running, by pid: their exit code when the server reports it
        self._exits: dict[int, asyncio.Future[int]] = {}
        self.gone = False

    async def ready(self) -> None:
        """Start the server once, however many spawns wait for it; raises ForkServerGone."""
        if self._starting is None:
            self._starting = asyncio.ensure_future(self._launch())
        try:
            await asyncio.shield(self._starting)
        except ForkServerGone:
            raise
        except OSError as e:
            raise ForkServerGone(f"fork server did not start: {e}") from e

    async def _launch(self) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            self._process = await self._start(
                [sys.executable, "-I", "-S", SCRIPT, str(theirs.fileno())], (theirs.fileno(),)
            )
        except BaseException:
            ours.close()
            self.gone = True
            raise
        finally:
            theirs.close()
        self._sock = ours
        asyncio.get_running_loop().add_reader(ours.fileno(), self._readable)

    async def spawn(self, spec: dict[str, Any], *, stdin: bool, merge_stderr: bool,
                    status_fd: int | None = None) -> ForkedProcess:
        """Fork a holder running ``ctrinit.main(spec)`` (``podinit.main`` when
        ``spec["program"]`` says so); raises ForkServerGone."""
        await self.ready()
        if self.gone or self._sock is None:
            raise ForkServerGone("fork server not running")
        loop = asyncio.get_running_loop()
        body = json.dumps(spec).encode()
        if len(body) >= MAX_REQUEST - 32:
            raise ForkServerGone("spec too large for the fork server")
        ours: list[int] = []    # our ends of the pipes
        theirs: list[int] = []  # the holder's, in the order stdin, stdout, stderr
        try:
            if stdin:
                r, w = os.pipe()
                theirs.append(r)
                ours.append(w)
            else:
                theirs.append(os.open(os.devnull, os.O_RDONLY | os.O_CLOEXEC))
            out_r, out_w = os.pipe()
            theirs.append(out_w)
            ours.append(out_r)
            if merge_stderr:
                theirs.append(out_w)
            else:
                err_r, err_w = os.pipe()
                theirs.append(err_w)
                ours.append(err_r)
            request = next(self._ids)
            answer: asyncio.Future[tuple[int, asyncio.Future[int]]] = loop.create_future()
            self._pending[request] = answer
            try:
                passed = [*theirs, *([] if status_fd is None else [status_fd])]
                socket.send_fds(self._sock, [b"%d " % request + body], passed)
            except OSError as e:
                self._pending.pop(request, None)
                raise ForkServerGone(f"fork server: {e}") from e
        except BaseException:
            for fd in ours:
                os.close(fd)
            raise
        finally:
            for fd in set(theirs):
                os.close(fd)
        try:
            pid, exited = await answer
        except BaseException:
            for fd in ours:
                os.close(fd)
            raise
        # the exit may be reported before this resumes: its future came with the pid
        process = ForkedProcess(pid, exited)
        try:
            fds = iter(ours)
            if stdin:
                transport, protocol = await loop.connect_write_pipe(
                    asyncio.streams.FlowControlMixin, os.fdopen(next(fds), "wb", buffering=0)
                )
                process.stdin = asyncio.StreamWriter(transport, protocol, None, loop)
            process.stdout = await _reader(loop, next(fds))
            if not merge_stderr:
                process.stderr = await _reader(loop, next(fds))
        except BaseException:
            with contextlib.suppress(OSError):
                os.killpg(pid, signal.SIGKILL)
            raise
        return process

    def _readable(self) -> None:
        assert self._sock is not None
        while True:
            try:
                data = self._sock.recv(4096, socket.MSG_DONTWAIT)
            except BlockingIOError:
                return
            except OSError:
                data = b""
            if not data:
                self._lost()
                return
            kind, _, rest = data.decode(errors="replace").partition(" ")
            if kind == "pid":
                request, pid = (int(x) for x in rest.split())
                waiter = self._pending.pop(request, None)
                if waiter is None or waiter.done():
                    # its spawn was cancelled (a stopping sandbox): no one will own it
                    with contextlib.suppress(OSError):
                        os.killpg(pid, signal.SIGKILL)
                    continue
                exited: asyncio.Future[int] = asyncio.get_running_loop().create_future()
                self._exits[pid] = exited
                waiter.set_result((pid, exited))
            elif kind == "exit":
                pid, code = (int(x) for x in rest.split())
                _resolve(self._exits.pop(pid, None), code)
            elif kind == "fail":
                failed, _, why = rest.partition(" ")
                future = self._pending.pop(int(failed), None)
                if future is not None and not future.done():
                    future.set_exception(OSError(why))

    def _lost(self) -> None:
        """The server is gone: nothing can report its holders' exits any more."""
        if self.gone:
            return
        self.gone = True
        log.warning("sandbox fork server exited; its containers are killed")
        if self._sock is not None:
            asyncio.get_running_loop().remove_reader(self._sock.fileno())
            self._sock.close()
            self._sock = None
        for waiter in self._pending.values():
            if not waiter.done():
                waiter.set_exception(ForkServerGone("fork server exited"))
        self._pending.clear()
        for pid, exited in self._exits.items():
            with contextlib.suppress(OSError):
                os.killpg(pid, signal.SIGKILL)
            _resolve(exited, -signal.SIGKILL)
        self._exits.clear()

    @property
    def pid(self) -> int | None:
        return None if self._process is None else int(self._process.pid)

    async def close(self) -> None:
        """Stop the server (after the runtime has killed and waited for its holders)."""
        if self._sock is not None:
            with contextlib.suppress(Exception):
                asyncio.get_running_loop().remove_reader(self._sock.fileno())
            self._sock.close()
            self._sock = None
        self.gone = True
        if self._process is not None:
            try:
                await asyncio.wait_for(self._process.wait(), 5)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    self._process.kill()
                await self._process.wait()


def _resolve(future: asyncio.Future[int] | None, value: int) -> None:
    if future is not None and not future.done():
        future.set_result(value)


async def _reader(loop: asyncio.AbstractEventLoop, fd: int) -> asyncio.StreamReader:
    reader = asyncio.StreamReader(limit=STREAM_LIMIT, loop=loop)
    await loop.connect_read_pipe(
        lambda: asyncio.StreamReaderProtocol(reader, loop=loop), os.fdopen(fd, "rb", buffering=0)
    )
    return reader
