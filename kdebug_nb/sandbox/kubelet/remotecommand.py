"""The WebSocket remotecommand protocol spoken by ``exec`` and ``attach``.

Subprotocols ``v5.channel.k8s.io``, ``v4.channel.k8s.io`` and bare
``channel.k8s.io``: binary frames whose first byte is the channel (0 stdin,
1 stdout, 2 stderr, 3 error, 4 resize). v5 adds ``[255, n]`` meaning "the
client closed channel n". When the process ends, channel 3 carries a
``Status`` (v4/v5) or, for v1, the bare error text, then the socket closes.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import WSMsgType, web

from ..store.status import StatusError
from .runtime import Process

Obj = dict[str, Any]

V5 = "v5.channel.k8s.io"
V4 = "v4.channel.k8s.io"
V1 = "channel.k8s.io"
PROTOCOLS = (V5, V4, V1)
STDIN, STDOUT, STDERR, ERROR, RESIZE, CLOSE = 0, 1, 2, 3, 4, 255
#: output chunks (up to 64 KiB each) buffered per session
QUEUE_CHUNKS = 64


def internal_error(message: str) -> Obj:
    return {
        "metadata": {},
        "status": "Failure",
        "message": f"Internal error occurred: {message}",
        "reason": "InternalError",
        "details": {"causes": [{"message": message}]},
        "code": 500,
    }


def query_bool(query: Any, key: str) -> bool:
    value = query.get(key)
    if value is None:
        return False
    if value in ("1", "t", "T", "true", "TRUE", "True", ""):
        return value != ""
    if value in ("0", "f", "F", "false", "FALSE", "False"):
        return False
    raise StatusError(400, f'strconv.ParseBool: parsing "{value}": invalid syntax')


class Session:
    """One exec/attach WebSocket: fans process output out, feeds stdin in."""

    def __init__(self, ws: web.WebSocketResponse, query: Any, wire_stdin: bool) -> None:
        self.ws = ws
        self.protocol = ws.ws_protocol or V1
        self.stdin = query_bool(query, "stdin") and wire_stdin
        self.want_stdout = query_bool(query, "stdout")
        self.want_stderr = query_bool(query, "stderr")
        self.tty = query_bool(query, "tty")
        # bounded: a slow client slows an exec'd process down instead of filling memory
        self._queue: asyncio.Queue[tuple[int, bytes] | None] = asyncio.Queue(maxsize=QUEUE_CHUNKS)
        self._sender = asyncio.ensure_future(self._send_loop())
        self.client_gone = False

    @classmethod
    async def open(cls, request: web.Request, query: Any, *, wire_stdin: bool = True) -> Session:
        ws = web.WebSocketResponse(protocols=PROTOCOLS, autoping=True, max_msg_size=0, timeout=1.0)
        await ws.prepare(request)
        return cls(ws, query, wire_stdin)

    def _wanted(self, stream: int, data: bytes) -> tuple[int, bytes] | None:
        if stream == STDERR and self.tty:
            stream = STDOUT
        if (stream == STDOUT and self.want_stdout) or (stream == STDERR and self.want_stderr):
            return stream, data
        return None

    def output(self, stream: int, data: bytes) -> Awaitable[None] | None:
        """Sink for an exec'd process: waits while the client is behind."""
        item = self._wanted(stream, data)
        if item is None:
            return None
        if not self._queue.full():
            self._queue.put_nowait(item)
            return None
        return self._queue.put(item)

    def attached_output(self, stream: int, data: bytes) -> None:
        """Listener on a container's output: never blocks the container; a client
        too slow to keep up loses what does not fit."""
        item = self._wanted(stream, data)
        if item is not None and not self._queue.full():
            self._queue.put_nowait(item)

    async def _send_loop(self) -> None:
        while True:
            item = await self._queue.get()
            if item is None:
                return
            channel, data = item
            if self.ws.closed:
                continue
            with contextlib.suppress(ConnectionError, RuntimeError):
                await self.ws.send_bytes(bytes([channel]) + data)

    async def _receive_loop(self, proc: Process, on_stdin_closed: Callable[[], None]) -> None:
        async for msg in self.ws:
            if msg.type == WSMsgType.BINARY:
                data: bytes = msg.data
            elif msg.type == WSMsgType.TEXT:
                # the Python client sends str payloads as text frames
                data = msg.data.encode()
            else:
                continue
            if not data:
                continue
            channel, payload = data[0], data[1:]
            if channel == STDIN and self.stdin:
                proc.write_stdin(payload)
                await proc.drain_stdin()
            elif channel == CLOSE and self.protocol == V5 and payload[:1] == bytes([STDIN]):
                on_stdin_closed()
            elif channel == RESIZE and self.tty:
                # {"Width": cols, "Height": rows}: remotecommand's TerminalSize
                with contextlib.suppress(ValueError, TypeError, AttributeError):
                    size = json.loads(payload)
                    proc.resize(int(size.get("Width", 0)), int(size.get("Height", 0)))
        self.client_gone = True

    async def run(
        self,
        proc: Process,
        *,
        owns_process: bool = True,
        on_stdin_closed: Callable[[], None] | None = None,
    ) -> int | None:
        """Pump until the process exits (its exit code) or the client leaves (None)."""

        def close_stdin() -> None:
            if on_stdin_closed is not None:
                on_stdin_closed()
            elif owns_process:
                proc.close_stdin()

        receiver = asyncio.ensure_future(self._receive_loop(proc, close_stdin))
        waiter = asyncio.ensure_future(proc.wait() if owns_process else wait_exit(proc))
        try:
            await asyncio.wait([receiver, waiter], return_when=asyncio.FIRST_COMPLETED)
        except BaseException:
            # the handler was cancelled (a client that vanishes without closing:
            # handler_cancellation): end the helper tasks here. Left pending, the
            # sender (waiting on this session's own queue) is unreachable garbage,
            # and collecting it logs "Task was destroyed but it is pending!"
            await self.abort(receiver, waiter)
            raise
        if waiter.done():
            code: int | None = waiter.result()
            receiver.cancel()
        else:
            # the client went away: an exec dies with its session, an attach leaves the container be
            code = None
            if owns_process:
                proc.signal(signal.SIGTERM)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(asyncio.shield(waiter), 2)
                proc.signal(signal.SIGKILL)
            waiter.cancel()
            await self._close_sender()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await receiver
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await waiter
        return code

    async def abort(self, *tasks: asyncio.Future[Any]) -> None:
        """Cancel ``tasks`` and the sender, and wait until they have ended."""
        pending = [t for t in (*tasks, self._sender) if not t.done()]
        for task in pending:
            task.cancel()
        if pending:
            # shielded: a second cancellation must not leave them pending again
            await asyncio.shield(asyncio.gather(*pending, return_exceptions=True))

    async def _close_sender(self) -> None:
        if self._sender.done():
            return
        await self._queue.put(None)
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await self._sender

    async def finish(self, status: Obj) -> None:
        """Flush output, write the error channel, close."""
        await self._close_sender()
        if not self.ws.closed:
            with contextlib.suppress(ConnectionError, RuntimeError):
                if self.protocol == V1:
                    if status.get("status") != "Success":
                        await self.ws.send_bytes(bytes([ERROR]) + status.get("message", "").encode())
                else:
                    await self.ws.send_bytes(bytes([ERROR]) + json.dumps(status).encode())
            await self.ws.close()


async def wait_exit(proc: Process) -> int:
    await proc.finished.wait()
    return proc.exit_code or 0
