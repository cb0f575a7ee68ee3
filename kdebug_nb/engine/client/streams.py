"""The engine's long-lived requests: a pod's watch, a container's log, stdin through attach.

Each stream can be ended from another thread through a :class:`Cancel`
(``client.cancel``): a stop request or ``--run-timeout`` shuts the socket
down and the stream returns at once.
"""

from __future__ import annotations

import codecs
import json
import math
import threading
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import quote

from kdebug_nb import errors
from kdebug_nb.engine.client.cancel import Cancel
from kdebug_nb.engine.client.rest import (
    JSON,
    Deadline,
    RestClient,
    close_response,
    pod_path,
    remaining,
)
from kdebug_nb.engine.client.wire import (
    lost,
    parse_body,
    status_error,
    unreachable,
)

_CHUNK = 256 * 1024


class ClusterClient(RestClient):
    """The engine's only door to the API server: requests and streams (one per Connection)."""

    def watch_pod(
        self,
        namespace: str,
        name: str,
        *,
        deadline: Deadline = None,
        since: JSON | None = None,
        cancel: Cancel | None = None,
    ) -> Iterator[tuple[str, JSON]]:
        """One pod's changes as ``(type, pod)`` until ``deadline`` (monotonic).

        ``deadline`` may be a callable, read afresh whenever the watch waits, so
        one watch can serve several waits with different deadlines.

        With ``since`` (the pod as a write returned it) no LIST is sent:
        ``since`` is the first item and the WATCH starts at its
        ``resourceVersion``, from which the API server sends every later
        change (``resourceVersion`` semantics "Start at Exact", see
        https://kubernetes.io/docs/reference/using-api/api-concepts/#semantics-for-watch).
        Without it, the first item comes from a LIST: ``("ADDED", pod)`` or
        ``("DELETED", {})`` when the pod does not exist. The watch is resumed
        from the last resourceVersion when the server ends it, and relisted
        on 410 Gone (the version has left the server's window).
        """
        path = f"/api/v1/namespaces/{quote(namespace, safe='')}/pods"
        fsel = ("fieldSelector", f"metadata.name={name}")
        seed = since
        opened = False
        broken: BaseException | None = None
        while True:
            if seed is not None:
                rv = str((seed.get("metadata") or {}).get("resourceVersion", ""))
                yield "ADDED", seed
                seed = None
            else:
                listed = self._json("GET", path, query=[fsel])
                rv = str((listed.get("metadata") or {}).get("resourceVersion", ""))
                items = listed.get("items") or []
                yield ("ADDED", items[0]) if items else ("DELETED", {})
            gone = False
            while not gone:
                left = remaining(deadline)
                if (left is not None and left <= 0) or (cancel is not None and cancel.cancelled):
                    return
                query = [fsel, ("watch", "true"), ("allowWatchBookmarks", "true")]
                if rv:
                    query.append(("resourceVersion", rv))
                read_timeout: float | None = None
                if left is not None:
                    query.append(("timeoutSeconds", str(max(1, math.ceil(left)))))
                    read_timeout = left + 0.5
                else:
                    query.append(("timeoutSeconds", "300"))
                    read_timeout = 330.0
                try:
                    resp = self._send_stream(path, query=query, body_timeout=read_timeout)
                except errors.ApiError as exc:
                    if exc.status != 410:
                        raise
                    break  # 410 Gone as an HTTP answer: our resourceVersion is too old; relist
                except errors.ConnectionFailed as exc:
                    left = remaining(deadline)
                    if left is not None and left <= 0:
                        return
                    if opened and not exc.timed_out:
                        # the watch was open, and the server is not back: it went away
                        raise lost(self.server, broken or exc.__cause__ or exc) from exc
                    raise
                opened, broken = True, None
                try:
                    with _held(cancel, resp):
                        for line in _lines(resp, deadline):
                            event = json.loads(line)
                            kind, obj = event.get("type", ""), event.get("object") or {}
                            if kind == "ERROR":
                                if obj.get("code") == 410:
                                    gone = True
                                    break
                                raise status_error(obj.get("code", 500), obj, path)
                            rv = str((obj.get("metadata") or {}).get("resourceVersion", rv))
                            if kind != "BOOKMARK":
                                yield kind, obj
                except _DeadlineReached:
                    continue  # the loop's check ends the watch, unless the deadline moved
                except _Broken as exc:
                    # the server hung up mid-watch (or a cancel shut the socket):
                    # resume from the last resourceVersion, or stop
                    broken = exc.__cause__ or exc
                finally:
                    close_response(resp)

    def follow_log(
        self,
        namespace: str,
        pod: str,
        container: str,
        *,
        follow: bool = True,
        cancel: Cancel | None = None,
    ) -> Iterator[str]:
        """The container's log from its start, as text chunks while they arrive.

        Decoding is incremental, so a multi-byte character split across two
        network reads is never mangled. A cancelled follow ends quietly with
        what had arrived.
        """
        decoder = codecs.getincrementaldecoder("utf-8")("replace")
        for data in self.follow_log_bytes(namespace, pod, container, follow=follow, cancel=cancel):
            text = decoder.decode(data)
            if text:
                yield text
        tail = decoder.decode(b"", final=True)
        if tail:
            yield tail

    def follow_log_bytes(
        self,
        namespace: str,
        pod: str,
        container: str,
        *,
        follow: bool = True,
        cancel: Cancel | None = None,
    ) -> Iterator[bytes]:
        """The container's log from its start, as the bytes arrive (binary output intact)."""
        query = [("container", container)]
        if follow:
            query.append(("follow", "true"))
        resp = self._send_stream(pod_path(namespace, pod) + "/log", query=query)
        try:
            with _held(cancel, resp):
                while True:
                    try:
                        data = _read1(resp)
                    except _Broken as exc:
                        if cancel is not None and cancel.cancelled:
                            break
                        raise lost(self.server, exc.__cause__ or exc) from exc
                    if not data:
                        break
                    yield data
        finally:
            close_response(resp)

    def send_stdin(
        self, namespace: str, pod: str, container: str, data: str | bytes
    ) -> None:
        """Attach with stdin only, send ``data``, close stdin and hang up.

        The output is read from the container's log instead (complete, no
        attach race). The process sees EOF only if the container has
        ``stdinOnce: true``: without it Kubernetes keeps a container's stdin
        open across attach sessions.
        """
        from kubernetes.stream import ws_client
        from websocket import WebSocketException

        ws = self._open_attach_bounded(namespace, pod, container)
        raw = data.encode() if isinstance(data, str) else data
        try:
            ws.sock.settimeout(self.request_timeout)  # each write, like any request
            for start in range(0, len(raw), _CHUNK):
                ws.write_channel(ws_client.STDIN_CHANNEL, raw[start : start + _CHUNK])
            ws.close_channel(ws_client.STDIN_CHANNEL)
        except (OSError, WebSocketException) as exc:
            raise unreachable(self.server, exc, self.request_timeout) from exc
        finally:
            ws.close()

    def _open_attach_bounded(self, namespace: str, pod: str, container: str) -> Any:
        """``_open_attach`` for stdin, answered within the request timeout.

        The official client opens the websocket with no timeout at all (a
        frozen server holds the handshake forever) and takes none, so the
        handshake runs in a helper thread that is given up on after the
        request timeout; a session it opens after that is closed at once.
        """
        box: dict[str, Any] = {}
        abandoned = threading.Event()

        def open_it() -> None:
            try:
                ws = self._open_attach(
                    namespace, pod, container, stdin=True, stdout=False, stderr=False, tty=False
                )
            except BaseException as exc:  # handed to the caller's thread below
                box["error"] = exc
                return
            box["ws"] = ws
            if abandoned.is_set():
                ws.close()

        helper = threading.Thread(target=open_it, name="kdebug-attach", daemon=True)
        helper.start()
        helper.join(self.request_timeout)
        if helper.is_alive():
            abandoned.set()
            if "ws" in box:  # opened between the join's end and the flag
                box["ws"].close()
            raise unreachable(self.server, TimeoutError("timed out"), self.request_timeout)
        if "error" in box:
            raise box["error"]
        return box["ws"]

    def stream_stdin(
        self, namespace: str, pod: str, container: str, chunks: Iterable[bytes]
    ) -> None:
        """Attach with stdin only and forward ``chunks`` as they come; close stdin at their end.

        ``send_stdin`` for input that is still being typed (``kubectl debug -i`` from a
        terminal). A process that has ended (or a server that hung up) ends the
        forwarding quietly: what it printed is in its log either way.
        """
        from kubernetes.stream import ws_client
        from websocket import WebSocketException

        ws = self._open_attach_bounded(namespace, pod, container)
        try:
            for chunk in chunks:
                if not ws.is_open():
                    return
                for start in range(0, len(chunk), _CHUNK):
                    ws.write_channel(ws_client.STDIN_CHANNEL, chunk[start : start + _CHUNK])
            if ws.is_open():
                ws.close_channel(ws_client.STDIN_CHANNEL)
        except (OSError, WebSocketException):
            return
        finally:
            ws.close()

    def _open_attach(
        self,
        namespace: str,
        pod: str,
        container: str,
        *,
        stdin: bool,
        stdout: bool,
        stderr: bool,
        tty: bool,
    ) -> Any:
        from kubernetes.stream import ws_client
        from websocket import WebSocketBadStatusException, WebSocketException

        def flag(value: bool) -> str:
            return "true" if value else "false"

        query = [
            ("container", container),
            ("stdin", flag(stdin)),
            ("stdout", flag(stdout)),
            ("stderr", flag(stderr)),
            ("tty", flag(tty)),
        ]
        path = pod_path(namespace, pod) + "/attach"
        _, url, headers, _, _ = self._api.param_serialize(
            method="GET", resource_path=path, query_params=query, auth_settings=["BearerToken"]
        )
        try:
            return ws_client.WSClient(
                self._api.configuration, ws_client.get_websocket_url(url), headers, False, True
            )
        except WebSocketBadStatusException as exc:
            raise status_error(exc.status_code, parse_body(exc.resp_body), path) from exc
        except (OSError, WebSocketException) as exc:
            raise unreachable(self.server, exc) from exc


class _DeadlineReached(Exception):
    pass


class _NoCancel:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


def _held(cancel: Cancel | None, resp: Any) -> Any:
    return cancel.holding(resp) if cancel is not None else _NoCancel()


class _Broken(Exception):
    """An open stream ended by a transport error (the server went away, or a cancel)."""


def _read1(resp: Any) -> bytes:
    try:
        return bytes(resp.read1(_CHUNK))
    except Exception as exc:
        raise _Broken() from exc


def _lines(resp: Any, deadline: Deadline) -> Iterator[bytes]:
    """Newline-delimited watch events as they arrive."""
    from urllib3.exceptions import ProtocolError, ReadTimeoutError

    buf = b""
    while True:
        try:
            data = resp.read1(_CHUNK)
        except (ReadTimeoutError, TimeoutError) as exc:
            raise _DeadlineReached() from exc
        except (ProtocolError, OSError) as exc:
            raise _Broken() from exc
        if not data:
            if buf.strip():
                yield buf
            return
        buf += data
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            if line.strip():
                yield line
        left = remaining(deadline)
        if left is not None and left <= 0 and not buf:
            raise _DeadlineReached()


__all__ = ["ClusterClient"]
