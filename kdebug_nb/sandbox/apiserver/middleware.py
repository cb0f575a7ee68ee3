"""The sandbox's one middleware: who is asking, for what, may they, and errors.

Every request — REST, watch, and the kubelet's log/exec/attach streams —
passes through here, so handlers neither authenticate nor authorize, and
every failure leaves as a Kubernetes ``Status`` body with the right code.
In order: what a web page could have forged is refused (``request_guard``),
then the caller is authenticated (401) and authorized (403), then a write's
body type is checked (415), as the API server decodes a body only in its handler.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiohttp import web
from aiohttp.typedefs import Middleware

from kdebug_nb.sandbox.apiserver.common import REQUEST_INFO, REQUEST_USER, json_response
from kdebug_nb.sandbox.apiserver.request_guard import refuse_foreign, refuse_untyped_write
from kdebug_nb.sandbox.apiserver.request_info import parse_request_info
from kdebug_nb.sandbox.policy.rbac import ADMIN, authenticate, authorize, impersonate
from kdebug_nb.sandbox.store.cluster import Cluster
from kdebug_nb.sandbox.store.status import StatusError, resource_missing, status_body

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

#: the API server's request body limit (``MaxRequestBodyBytes`` in
#: k8s.io/apiserver/pkg/server/config.go: 3 MiB)
MAX_REQUEST_BYTES = 3 * 1024 * 1024


@dataclass(frozen=True)
class RequestRecord:
    """One served request, as the sandbox's request log keeps it."""

    method: str
    path: str
    query: str
    status: int
    duration: float
    user: str
    #: ``time.monotonic()`` when the request arrived. The log is appended when
    #: a response ends, so a long watch or log stream is logged late: filter
    #: on this to get the requests made after some moment.
    started: float = 0.0


def _from_http_exception(exc: web.HTTPException) -> StatusError:
    if exc.status == 404:
        return resource_missing()
    if exc.status == 413:
        # worded as limitedReadBody in k8s.io/apiserver/pkg/endpoints/handlers/rest.go
        return StatusError(413, f"Request entity too large: limit is {MAX_REQUEST_BYTES}")
    if exc.status == 405:
        return StatusError(
            405, "the server does not allow this method on the requested resource", details={}
        )
    return StatusError(exc.status, exc.reason or exc.text or "error")


def make_middleware(cluster: Cluster, request_log: list[RequestRecord] | None) -> Middleware:
    @web.middleware
    async def kube_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        started = time.perf_counter()
        arrived = time.monotonic()
        user_name = ""
        status = 500
        try:
            try:
                refuse_foreign(request)
                user = authenticate(cluster, request.headers.get("Authorization"))
                user = impersonate(cluster, user, request.headers.get("Impersonate-User"))
                user_name = user.name
                info = parse_request_info(request.method, request.path, request.query)
                request[REQUEST_INFO] = info
                request[REQUEST_USER] = user
                authorize(user, info)
                refuse_untyped_write(request, info, bearer=user is not ADMIN)
                response = await handler(request)
            except StatusError as exc:
                response = json_response(exc.to_status(), exc.code)
            except web.HTTPException as exc:
                if exc.status < 400:
                    raise
                err = _from_http_exception(exc)
                response = json_response(err.to_status(), err.code)
            except (asyncio.CancelledError, ConnectionResetError):
                status = 499  # the client went away first (nginx's "client closed request")
                raise
            except Exception as exc:
                log.exception("sandbox: %s %s failed", request.method, request.path)
                body = status_body(500, "InternalError", f"Internal error occurred: {exc}")
                response = json_response(body, 500)
            status = response.status
            return response
        finally:
            if request_log is not None:
                request_log.append(
                    RequestRecord(
                        method=request.method,
                        path=request.path,
                        query=request.query_string,
                        status=status,
                        duration=time.perf_counter() - started,
                        user=user_name,
                        started=arrived,
                    )
                )

    return kube_middleware
