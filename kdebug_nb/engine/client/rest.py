"""The engine's request/response API calls, as raw JSON, with errors translated once.

``RestClient`` uses the official client's transport (authentication, TLS,
proxies, exec credential plugins) through ``ApiClient.param_serialize`` +
``call_api`` and parses response bodies itself: no model classes are built,
so a 5,000-pod list costs one ``json.loads``. Every non-2xx answer,
``ApiException`` and urllib3 connection error is turned into a
``kdebug_nb.errors`` exception here (worded by ``client.wire``), keeping the
server's Status message and chaining the cause. Long-lived streams (watch,
log, attach) are in ``client.streams``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import quote

from kdebug_nb import errors
from kdebug_nb.engine.client.connection import Connection
from kdebug_nb.engine.client.wire import (
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
TIMEOUT = (10.0, 60.0)
SMP = "application/strategic-merge-patch+json"


class RestClient:
    """One connection's door to the API server for plain requests."""

    def __init__(self, connection: Connection | None = None) -> None:
        self.connection = connection or Connection()
        resolved = self.connection.resolve()
        self._api = resolved.api_client
        #: the namespace kubectl would use: -n, else the context's, else "default"
        self.namespace = resolved.namespace
        self.server = resolved.server
        self.context = resolved.context
        #: client-side rate limit and 429 handling, shared with every client of
        #: this connection (``kdebug_nb.engine.ratelimit``)
        self.gate = resolved.gate
        rt = resolved.request_timeout
        #: (connect, read) seconds for ordinary requests; ``--request-timeout``
        #: bounds them (not watches and log follows, which last as long as a run)
        self._timeout: tuple[float, float | None] = TIMEOUT
        if rt is not None:
            self._timeout = (TIMEOUT[0], None) if math.isinf(rt) else (min(TIMEOUT[0], rt), rt)
        #: seconds the server may stay silent where an answer is due: a request's
        #: answer, a stream's headers, a run's health checks (None: no limit)
        self.request_timeout: float | None = self._timeout[1]
        #: called with the text of each ``Warning`` header the server sends
        #: (Pod Security "warn" level, deprecations); kubectl prints them on stderr
        self.on_warning: Callable[[str], None] | None = None

    # ---- reads -----------------------------------------------------------

    def read_pod(self, namespace: str, name: str) -> JSON:
        return self._json("GET", pod_path(namespace, name))

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

    def events_for(self, namespace: str, pod: str, *, unreachable_raises: bool = False) -> list[JSON]:
        """The pod's events, oldest first (empty when events cannot be read).

        With ``unreachable_raises``, a server that cannot be reached raises
        ``ConnectionFailed`` instead: the caller wants to know it went away.
        """
        try:
            doc = self._json(
                "GET",
                f"/api/v1/namespaces/{quote(namespace, safe='')}/events",
                query=[("fieldSelector", f"involvedObject.name={pod}")],
            )
        except errors.ConnectionFailed:
            if unreachable_raises:
                raise
            return []
        except errors.KDebugError:
            return []  # events are decoration for a message, never a reason to fail
        items = [
            e for e in doc.get("items") or [] if (e.get("involvedObject") or {}).get("name") == pod
        ]
        items.sort(key=_event_time)
        return items

    def list_events(
        self, namespace: str | None, *, field_selector: str = "", all_namespaces: bool = False
    ) -> JSON:
        """An EventList (core/v1) as JSON, for one namespace or, with ``all_namespaces``, all."""
        if all_namespaces or not namespace:
            path = "/api/v1/events"
        else:
            path = f"/api/v1/namespaces/{quote(namespace, safe='')}/events"
        query = [("fieldSelector", field_selector)] if field_selector else []
        return self._json("GET", path, query=query)

    def read_log_bytes(self, namespace: str, pod: str, query: Query) -> bytes:
        """GET ``pods/log`` with ``query`` (PodLogOptions) as bytes, read to the end."""
        resp = self._send("GET", pod_path(namespace, pod) + "/log", query=query)
        try:
            return bytes(resp.data)
        except Exception as exc:  # urllib3 protocol/timeout errors while reading the body
            raise unreachable(self.server, exc, self.request_timeout) from exc
        finally:
            close_response(resp)

    # ---- writes ----------------------------------------------------------

    def patch_ephemeral(self, namespace: str, name: str, body: JSON) -> JSON:
        """PATCH the ephemeralcontainers subresource with a strategic merge patch."""
        return self._json(
            "PATCH", pod_path(namespace, name) + "/ephemeralcontainers", body=body, content_type=SMP
        )

    def create_pod(self, namespace: str, body: JSON) -> JSON:
        return self._json(
            "POST", f"/api/v1/namespaces/{quote(namespace, safe='')}/pods", body=body
        )

    def delete_pod(self, namespace: str, name: str, *, grace_period: int | None = None) -> JSON:
        body: JSON = {"kind": "DeleteOptions", "apiVersion": "v1"}
        if grace_period is not None:
            body["gracePeriodSeconds"] = grace_period
        return self._json("DELETE", pod_path(namespace, name), body=body)

    def probe(self, timeout: float | None = None) -> None:
        """Ask the server for its version: returns once it answers anything at all.

        A run's health check (``runs.liveness``): an HTTP error is an answer
        too; only a transport failure (refused, reset, no answer within
        ``timeout`` seconds) raises ``ConnectionFailed``.
        """
        limit = self.request_timeout if timeout is None else timeout
        try:
            resp = self._send(
                "GET", "/version", timeout=(min(self._timeout[0], limit or self._timeout[0]), limit)
            )
        except errors.ApiError:
            return
        try:
            resp.data  # noqa: B018 - the body is read to its end, so the connection is reused
        except Exception as exc:
            raise unreachable(self.server, exc, limit) from exc
        finally:
            close_response(resp)

    # ---- plumbing --------------------------------------------------------

    def _send_stream(
        self, path: str, *, query: Query = (), body_timeout: float | None = None
    ) -> Any:
        """GET a stream: its headers within the request timeout, then ``body_timeout`` a read.

        A watch or a log may rightly stay silent for minutes once it is open,
        but the answer that opens it is due at once.
        """
        resp = self._send("GET", path, query=query)
        sock = getattr(getattr(resp, "connection", None), "sock", None)
        if sock is not None:
            sock.settimeout(body_timeout)
        return resp

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
            raise unreachable(self.server, exc, self.request_timeout) from exc
        finally:
            close_response(resp)
        return parse_body(data)

    def _send(
        self,
        method: str,
        path: str,
        *,
        query: Query = (),
        body: JSON | None = None,
        content_type: str | None = None,
        timeout: tuple[float, float | None] | None = None,
    ) -> Any:
        """Send one request; return the unread urllib3 response of a 2xx, raise otherwise.

        Each attempt waits for the connection's rate limit; a 429 is retried
        after its ``Retry-After`` (``RequestGate.retry_delay``), as client-go does.
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
        timeout = timeout or self._timeout
        attempt = 0
        while True:
            self.gate.before_request()
            try:
                rest_resp = self._api.call_api(*request, _request_timeout=timeout)
            except Exception as exc:
                raise translate_transport(exc, self.server, timeout[1]) from exc
            resp = rest_resp.response
            if rest_resp.status != 429:
                break
            delay = self.gate.retry_delay(attempt, resp.headers.get("Retry-After"))
            if delay is None:
                break  # given up: the 429 is raised below like any other refusal
            close_response(resp)
            time.sleep(delay)
            attempt += 1
        if not 200 <= rest_resp.status <= 299:
            try:
                raw = resp.data
            except Exception:
                raw = b""
            finally:
                close_response(resp)
            raise status_error(rest_resp.status, parse_body(raw), path, method=method, sent=body)
        if self.on_warning is not None:
            for message in warning_messages(resp.headers.getlist("Warning")):
                self.on_warning(message)
        return resp


def pod_path(namespace: str, name: str) -> str:
    return f"/api/v1/namespaces/{quote(namespace, safe='')}/pods/{quote(name, safe='')}"


def _sel(selector: str) -> list[tuple[str, str]]:
    return [("labelSelector", selector)] if selector else []


def _page(limit: int, continue_token: str) -> list[tuple[str, str]]:
    query = [("limit", str(limit))] if limit > 0 else []
    if continue_token:
        query.append(("continue", continue_token))
    return query


def remaining(deadline: Deadline) -> float | None:
    """Seconds left until ``deadline`` (None: no deadline)."""
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


def close_response(resp: Any) -> None:
    try:
        resp.close()
        resp.release_conn()
    except Exception:  # the connection may already be gone; nothing to recover
        pass
