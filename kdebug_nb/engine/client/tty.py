"""An interactive terminal session with a container: attach with ``tty=true``.

What ``kubectl debug -it`` does once the debug container runs (kubectl's
``staging/src/k8s.io/kubectl/pkg/cmd/attach/attach.go`` and the remote
command protocol of ``k8s.io/client-go/tools/remotecommand``): keys go in on
the stdin channel (0), the terminal's output comes back on stdout (1; with a
tty there is no separate stderr), and the window size is sent on the resize
channel (4) as ``{"Width": cols, "Height": rows}``, first at once and again
whenever it changes. The session ends when the server closes the stream (the
process exited) or ``cancel`` fires.

The engine holds no terminal: the adapter gives a :class:`TerminalInput`
(keys and the window size) and hears the output through ``on_output(text,
data)``: the bytes as they came, and their UTF-8 decoding so far.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Callable
from typing import Any, Protocol

from kdebug_nb.engine.client.cancel import Cancel

#: seconds between checks for keys, output and size changes while nothing happens
POLL = 0.05


class TerminalInput(Protocol):
    """The adapter's side of a terminal session."""

    def size(self) -> tuple[int, int] | None:
        """The window's (columns, rows) now; None when unknown."""

    def read_keys(self, timeout: float) -> bytes | None:
        """Keys typed since the last call, waiting up to ``timeout`` for the first
        (b"" when none came); None once the input has ended (EOF)."""


def run_terminal(
    ws: Any,
    terminal: TerminalInput,
    on_output: Callable[[str, bytes], None],
    cancel: Cancel | None = None,
) -> None:
    """Pump keys in and output out of ``ws`` (an attach websocket, binary frames)."""
    from kubernetes.stream import ws_client

    decoder = codecs.getincrementaldecoder("utf-8")("replace")
    sent_size: tuple[int, int] | None = None
    stdin_open = True
    try:
        while ws.is_open() and not (cancel is not None and cancel.cancelled):
            size = terminal.size()
            if size is not None and size != sent_size:
                resize = json.dumps({"Width": size[0], "Height": size[1]}).encode()
                ws.write_channel(ws_client.RESIZE_CHANNEL, resize)
                sent_size = size
            ws.update(timeout=0 if stdin_open else POLL)
            for channel in (ws_client.STDOUT_CHANNEL, ws_client.STDERR_CHANNEL):
                data = ws.read_channel(channel)
                if data:
                    on_output(decoder.decode(data), data)
            if not stdin_open:
                continue
            keys = terminal.read_keys(POLL)
            if keys is None:
                # the input ended (a pipe, Ctrl-D on a closed terminal): stop sending
                stdin_open = False
                ws.close_channel(ws_client.STDIN_CHANNEL)
            elif keys:
                ws.write_channel(ws_client.STDIN_CHANNEL, keys)
    finally:
        tail = decoder.decode(b"", final=True)
        if tail:
            on_output(tail, b"")
        ws.close()


__all__ = ["POLL", "TerminalInput", "run_terminal"]
