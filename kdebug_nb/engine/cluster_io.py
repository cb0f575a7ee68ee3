"""All API traffic of the engine, as raw JSON, with errors translated once.

``ClusterClient`` uses the official client's transport (authentication, TLS,
proxies, exec credential plugins) through ``ApiClient.param_serialize`` +
``call_api`` and parses response bodies itself: no model classes are built,
so a 5,000-pod list costs one ``json.loads``. Every non-2xx answer,
``ApiException`` and urllib3 connection error is turned into a
``kdebug_nb.errors`` exception here (worded by ``engine.wire``), keeping the
server's Status message and chaining the cause.
"""

from __future__ import annotations

import codecs
import json
import math
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from kdebug_nb import errors
from kdebug_nb.engine.connection import Connection, get_default_connection
from kdebug_nb.engine.wire import (
    exit_code_from_status,
    parse_body,
    status_error,
    translate_transport,
    unreachable,
    warning_messages,
)

JSON = dict[str, Any]
Query = Sequence[tuple[str, str]]
#: a monotonic time, None for "no deadline", or a callable giving either
Deadline = float | None | Callable[[], float | None]

#: (connect, read) seconds for ordinary requests
_TIMEOUT = (10.0, 60.0)
_CHUNK = 256 * 1024
SMP = "application/strategic-merge-patch+json"


@dataclass
class AttachOutcome:
    """What an attach session returned: output, and the exit code if the server sent it."""

    output: str = ""
    exit_code: int | None = None
    status: JSON = field(default_factory=dict)


class ClusterClient:
    """The engine's only door to the API server (one per Connection is plenty)."""

    def __init__(self, connection: Connection | None = None) -> None:
        self.connection = connection or get_default_connection()
        resolved = self.connection.resolve()
        self._api = resolved.api_client
        #: the namespace kubectl would use: -n, else the context's, else "default"
        self.namespace = resolved.namespace
        self.server = resolved.server
        self.context = resolved.context
        #: client-side rate limit and 429 handling, shared with every client of
        #: this connection (``kdebug_nb.engine.ratelimit``)
        self.gate = resolved.gate
        #: called with the text of each ``Warning`` header the server sends
        #: (Pod Security "warn" level, deprecations); kubectl prints them on stderr
        self.on_warning: Callable[[str], None] | None = None

    # ---- reads -----------------------------------------------------------

    def read_pod(self, namespace: str, name: str) -> JSON:
        return self._json("GET", _pod_path(namespace, name))

    def read_node(self, name: str) -> JSON:
        return self._json("GET", f"/api/v1/nodes/{quote(name, safe='')}")

    def read_namespace(self, name: str) -> JSON:
        return self._json("GET", f"/api/v1/namespaces/{quote(name, safe='')}")

    def list_pods(
        self,
        namespace: str | None = None,
        *,
        selector: str = "",
        field_selector: str = "",
        all_namespaces: bool = False,
        limit: int = 0,
        continue_token: str = "",
    ) -> JSON:
        """A PodList as JSON: one namespace, or every namespace with ``all_namespaces``.

        ``limit``/``continue_token`` read one page of a chunked list
        (``kdebug_nb.engine.paging``).
        """
        if all_namespaces or not namespace:
            path = "/api/v1/pods"
        else:
            path = f"/api/v1/namespaces/{quote(namespace, safe='')}/pods"
        query = _sel(selector)
        if field_selector:
            query.append(("fieldSelector", field_selector))
        return self._json("GET", path, query=query + _page(limit, continue_token))

    def list_nodes(
        self,
        *,
        selector: str = "",
        field_selector: str = "",
        limit: int = 0,
        continue_token: str = "",
    ) -> JSON:
        query = _sel(selector)
        if field_selector:
            query.append(("fieldSelector", field_selector))
        return self._json("GET", "/api/v1/nodes", query=query + _page(limit, continue_token))

    def list_namespaces(self, *, selector: str = "") -> JSON:
        return self._json("GET", "/api/v1/namespaces", query=_sel(selector))

    def events_for(self, namespace: str, pod: str) -> list[JSON]:
        """The pod's events, oldest first (empty when events cannot be read)."""
        try:
            doc = self._json(
                "GET",
                f"/api/v1/namespaces/{quote(namespace, safe='')}/events",
                query=[("fieldSelector", f"involvedObject.name={pod}")],
            )
        except errors.KDebugError:
            return []  # events are decoration for a message, never a reason to fail
        items = [
            e for e in doc.get("items") or [] if (e.get("involvedObject") or {}).get("name") == pod
        ]
        items.sort(key=_event_time)
        return items

    # ---- writes ----------------------------------------------------------

    def patch_ephemeral(self, namespace: str, name: str, body: JSON) -> JSON:
        """PATCH the ephemeralcontainers subresource with a strategic merge patch."""
        return self._json(
            "PATCH", _pod_path(namespace, name) + "/ephemeralcontainers", body=body, content_type=SMP
        )

    def create_pod(self, namespace: str, body: JSON) -> JSON:
        return self._json(
            "POST", f"/api/v1/namespaces/{quote(namespace, safe='')}/pods", body=body
        )

    def delete_pod(self, namespace: str, name: str, *, grace_period: int | None = None) -> JSON:
        body: JSON = {"kind": "DeleteOptions", "apiVersion": "v1"}
        if grace_period is not None:
            body["gracePeriodSeconds"] = grace_period
        return self._json("DELETE", _pod_path(namespace, name), body=body)

    # ---- streams ---------------------------------------------------------

    def watch_pod(
        self, namespace: str, name: str, *, deadline: Deadline = None
    ) -> Iterator[tuple[str, JSON]]:
        """LIST then WATCH one pod; yields ``(type, pod)`` until ``deadline`` (monotonic).

        ``deadline`` may be a callable, read afresh whenever the watch waits, so
        one watch can serve several waits with different deadlines.

        The first item comes from the LIST: ``("ADDED", pod)`` or ``("DELETED", {})``
        when the pod does not exist. The watch is resumed from the last
        resourceVersion when the server ends it, and relisted on 410 Gone.
        """
        path = f"/api/v1/namespaces/{quote(namespace, safe='')}/pods"
        fsel = ("fieldSelector", f"metadata.name={name}")
        while True:
            listed = self._json("GET", path, query=[fsel])
            rv = str((listed.get("metadata") or {}).get("resourceVersion", ""))
            items = listed.get("items") or []
            yield ("ADDED", items[0]) if items else ("DELETED", {})
            gone = False
            while not gone:
                remaining = _remaining(deadline)
                if remaining is not None and remaining <= 0:
                    return
                query = [fsel, ("watch", "true"), ("allowWatchBookmarks", "true")]
                if rv:
                    query.append(("resourceVersion", rv))
                read_timeout: float | None = None
                if remaining is not None:
                    query.append(("timeoutSeconds", str(max(1, math.ceil(remaining)))))
                    read_timeout = remaining + 0.5
                else:
                    query.append(("timeoutSeconds", "300"))
                    read_timeout = 330.0
                try:
                    resp = self._send("GET", path, query=query, timeout=(10.0, read_timeout))
                except errors.ApiError as exc:
                    if exc.status != 410:
                        raise
                    break  # 410 Gone as an HTTP answer: our resourceVersion is too old; relist
                except errors.ConnectionFailed:
                    left = _remaining(deadline)
                    if left is not None and left <= 0:
                        return
                    raise
                try:
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
                finally:
                    _close(resp)

    def follow_log(
        self, namespace: str, pod: str, container: str, *, follow: bool = True
    ) -> Iterator[str]:
        """The container's log from its start, as text chunks while they arrive.

        Decoding is incremental, so a multi-byte character split across two
        network reads is never mangled.
        """
        query = [("container", container)]
        if follow:
            query.append(("follow", "true"))
        resp = self._send("GET", _pod_path(namespace, pod) + "/log", query=query, timeout=(10.0, None))
        decoder = codecs.getincrementaldecoder("utf-8")("replace")
        try:
            while True:
                data = _read1(resp, self.server)
                if not data:
                    break
                text = decoder.decode(data)
                if text:
                    yield text
            tail = decoder.decode(b"", final=True)
            if tail:
                yield tail
        finally:
            _close(resp)

    def read_log(self, namespace: str, pod: str, container: str) -> str:
        return "".join(self.follow_log(namespace, pod, container, follow=False))

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

        ws = self._open_attach(
            namespace, pod, container, stdin=True, stdout=False, stderr=False, tty=False
        )
        raw = data.encode() if isinstance(data, str) else data
        try:
            for start in range(0, len(raw), _CHUNK):
                ws.write_channel(ws_client.STDIN_CHANNEL, raw[start : start + _CHUNK])
            ws.close_channel(ws_client.STDIN_CHANNEL)
        except (OSError, WebSocketException) as exc:
            raise unreachable(self.server, exc) from exc
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
        path = _pod_path(namespace, pod) + "/attach"
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

    def attach(
        self,
        namespace: str,
        pod: str,
        container: str,
        *,
        stdin_data: str | bytes | None = None,
        tty: bool = False,
        on_output: Callable[[str], None] | None = None,
        deadline: Deadline = None,
    ) -> AttachOutcome:
        """Attach over WebSocket, send ``stdin_data``, close stdin, collect output + status.

        Closing stdin uses the v5 channel protocol's close frame; on a v4-only
        server the data is sent and the session lasts until the process
        exits by itself (v4 has no way to signal EOF without hanging up).
        """
        from kubernetes.stream import ws_client
        from websocket import WebSocketException

        ws = self._open_attach(
            namespace,
            pod,
            container,
            stdin=stdin_data is not None,
            stdout=True,
            stderr=not tty,
            tty=tty,
        )
        out = AttachOutcome()
        decoders = {
            ch: codecs.getincrementaldecoder("utf-8")("replace")
            for ch in (ws_client.STDOUT_CHANNEL, ws_client.STDERR_CHANNEL)
        }
        parts: list[str] = []
        try:
            if stdin_data is not None:
                data = stdin_data.encode() if isinstance(stdin_data, str) else stdin_data
                if data:
                    ws.write_channel(ws_client.STDIN_CHANNEL, data)
                ws.close_channel(ws_client.STDIN_CHANNEL)
            while ws.is_open():
                remaining = _remaining(deadline)
                if remaining is not None and remaining <= 0:
                    break
                ws.update(timeout=min(remaining, 1.0) if remaining is not None else 1.0)
                for ch, dec in decoders.items():
                    raw = ws.read_channel(ch)
                    text = dec.decode(raw) if raw else ""
                    if text:
                        parts.append(text)
                        if on_output is not None:
                            on_output(text)
            for dec in decoders.values():
                tail = dec.decode(b"", final=True)
                if tail:
                    parts.append(tail)
                    if on_output is not None:
                        on_output(tail)
            raw_status = ws.read_channel(ws_client.ERROR_CHANNEL)
        except (OSError, WebSocketException) as exc:
            raise unreachable(self.server, exc) from exc
        finally:
            ws.close()
        out.output = "".join(parts)
        if raw_status:
            out.status = parse_body(raw_status)
            out.exit_code = exit_code_from_status(out.status)
        return out

    # ---- plumbing --------------------------------------------------------

    def _json(
        self,
        method: str,
        path: str,
        *,
        query: Query = (),
        body: JSON | None = None,
        content_type: str | None = None,
    ) -> JSON:
        resp = self._send(method, path, query=query, body=body, content_type=content_type)
        try:
            data = resp.data
        except Exception as exc:  # urllib3 protocol/timeout errors while reading the body
            raise unreachable(self.server, exc) from exc
        finally:
            _close(resp)
        return parse_body(data)

    def _send(
        self,
        method: str,
        path: str,
        *,
        query: Query = (),
        body: JSON | None = None,
        content_type: str | None = None,
        timeout: tuple[float, float | None] = _TIMEOUT,
    ) -> Any:
        """Send one request; return the unread urllib3 response of a 2xx, raise otherwise.

        Each attempt waits for the connection's rate limit; a 429 is retried
        after its ``Retry-After`` (``RequestGate.retry_delay``).
        """
        headers = {"Accept": "application/json"}
        if body is not None:
            headers["Content-Type"] = content_type or "application/json"
        request = self._api.param_serialize(
            method=method,
            resource_path=path,
            query_params=list(query) or None,
            header_params=headers,
            body=body,
            auth_settings=["BearerToken"],
        )
        attempt = 0
        while True:
            self.gate.before_request()
            try:
                rest_resp = self._api.call_api(*request, _request_timeout=timeout)
            except Exception as exc:
                raise translate_transport(exc, self.server) from exc
            resp = rest_resp.response
            if rest_resp.status != 429:
                break
            delay = self.gate.retry_delay(attempt, resp.headers.get("Retry-After"))
            if delay is None:
                break  # given up: the 429 is raised below like any other refusal
            _close(resp)
            time.sleep(delay)
            attempt += 1
        if not 200 <= rest_resp.status <= 299:
            try:
                raw = resp.data
            except Exception:
                raw = b""
            finally:
                _close(resp)
            raise status_error(rest_resp.status, parse_body(raw), path, method=method, sent=body)
        if self.on_warning is not None:
            for message in warning_messages(resp.headers.getlist("Warning")):
                self.on_warning(message)
        return resp


# ---- helpers ---------------------------------------------------------------


class _DeadlineReached(Exception):
    pass


def _pod_path(namespace: str, name: str) -> str:
    return f"/api/v1/namespaces/{quote(namespace, safe='')}/pods/{quote(name, safe='')}"


def _sel(selector: str) -> list[tuple[str, str]]:
    return [("labelSelector", selector)] if selector else []


def _page(limit: int, continue_token: str) -> list[tuple[str, str]]:
    query = [("limit", str(limit))] if limit > 0 else []
    if continue_token:
        query.append(("continue", continue_token))
    return query


def _remaining(deadline: Deadline) -> float | None:
    at = deadline() if callable(deadline) else deadline
    return None if at is None else at - time.monotonic()


def _event_time(event: JSON) -> str:
    return str(
        event.get("lastTimestamp")
        or event.get("eventTime")
        or event.get("firstTimestamp")
        or (event.get("metadata") or {}).get("creationTimestamp")
        or ""
    )


def _close(resp: Any) -> None:
    try:
        resp.close()
        resp.release_conn()
    except Exception:  # the connection may already be gone; nothing to recover
        pass


def _read1(resp: Any, server: str) -> bytes:
    try:
        return bytes(resp.read1(_CHUNK))
    except Exception as exc:
        raise translate_transport(exc, server) from exc


def _lines(resp: Any, deadline: Deadline) -> Iterator[bytes]:
    """Newline-delimited watch events as they arrive."""
    from urllib3.exceptions import ProtocolError, ReadTimeoutError

    buf = b""
    while True:
        try:
            data = resp.read1(_CHUNK)
        except (ReadTimeoutError, TimeoutError) as exc:
            raise _DeadlineReached() from exc
        except ProtocolError:
            # the server hung up mid-watch: resume from the last resourceVersion
            return
        if not data:
            if buf.strip():
                yield buf
            return
        buf += data
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            if line.strip():
                yield line
        remaining = _remaining(deadline)
        if remaining is not None and remaining <= 0 and not buf:
            raise _DeadlineReached()


__all__ = ["AttachOutcome", "ClusterClient"]
