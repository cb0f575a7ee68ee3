"""A busy API server: latency on every request, and 429s past a cap on requests in flight.

The cap works like kube-apiserver's ``--max-requests-inflight`` filter
(``staging/src/k8s.io/apiserver/pkg/server/filters/maxinflight.go``,
``WithMaxInFlightLimit``), which API Priority and Fairness refines: a request
arriving while ``maxInFlight`` others are being served is answered at once
with ``429 TooManyRequests``, a ``Retry-After`` header and
``details.retryAfterSeconds``. Long-running requests (watches and the
``log``/``exec``/``attach``/``portforward``/``proxy`` streams) are not
counted, as the API server's ``BasicLongRunningRequestCheck`` exempts them:
otherwise a few open watches would starve everything else.

Switched on by a scenario (``throttle: {maxInFlight: 4, retryAfter: 1}``),
``kdebug-sandbox serve --max-in-flight 4``, ``Sandbox(throttle=...)``, or at
any time through ``Sandbox.throttle`` (0 switches it off).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kdebug_nb.sandbox.store.timing import timing_of

if TYPE_CHECKING:
    from aiohttp import web
    from aiohttp.typedefs import Middleware

LONG_RUNNING_SUBRESOURCES = frozenset({"log", "exec", "attach", "portforward", "proxy"})
TOO_MANY = "Too many requests, please try again later."


class ThrottleError(ValueError):
    """A throttle setting that cannot be read; the message is one line."""


@dataclass
class Throttle:
    """The cap (0: no cap) and what a refused client is told to wait, in seconds."""

    max_in_flight: int = 0
    retry_after: int = 1
    #: requests being served now (long-running ones excluded)
    in_flight: int = 0
    #: how many requests were answered 429 so far
    rejected: int = 0


def parse_throttle(mapping: Any, where: str = "throttle") -> dict[str, int]:
    """``{maxInFlight: N, retryAfter: SECONDS}`` from a scenario, checked."""
    if not isinstance(mapping, Mapping):
        raise ThrottleError(f"{where} must be a mapping such as {{maxInFlight: 4}}")
    out: dict[str, int] = {}
    for key, value in mapping.items():
        if key not in ("maxInFlight", "retryAfter"):
            raise ThrottleError(f"{where}: unknown key {key!r} (known: maxInFlight, retryAfter)")
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ThrottleError(f"{where}.{key} must be a whole number >= 0, not {value!r}")
        if key == "retryAfter" and value < 1:
            raise ThrottleError(f"{where}.retryAfter must be at least 1 (seconds), as HTTP's is")
        out[str(key)] = value
    return out


def apply_throttle(throttle: Throttle, values: Mapping[str, int]) -> None:
    if "maxInFlight" in values:
        throttle.max_in_flight = values["maxInFlight"]
    if "retryAfter" in values:
        throttle.retry_after = values["retryAfter"]


def throttle_of(cluster: Any) -> Throttle:
    throttle: Throttle = cluster.extensions.setdefault("throttle", Throttle())
    return throttle


def is_long_running(request: web.Request) -> bool:
    from kdebug_nb.sandbox.apiserver.common import REQUEST_INFO

    info = request.get(REQUEST_INFO)
    if info is None:
        return False
    return bool(info.verb == "watch" or info.subresource in LONG_RUNNING_SUBRESOURCES)


def make_throttle_middleware(cluster: Any) -> Middleware:
    """Runs inside the main middleware (after authentication and authorization),
    so a 429 is logged and counted like any other answer. Scenarios are read
    without aiohttp, so it is imported here."""
    from aiohttp import web

    from kdebug_nb.sandbox.apiserver.common import json_response
    from kdebug_nb.sandbox.store.status import status_body

    @web.middleware
    async def throttle_middleware(request: web.Request, handler: Any) -> web.StreamResponse:
        latency = timing_of(cluster).api_latency
        throttle = throttle_of(cluster)
        if throttle.max_in_flight <= 0 or is_long_running(request):
            if latency > 0:
                await asyncio.sleep(latency)
            return await handler(request)
        if throttle.in_flight >= throttle.max_in_flight:
            throttle.rejected += 1
            wait = throttle.retry_after
            body = status_body(429, "TooManyRequests", TOO_MANY, {"retryAfterSeconds": wait})
            response = json_response(body, 429)
            response.headers["Retry-After"] = str(wait)
            return response
        throttle.in_flight += 1
        try:
            if latency > 0:
                await asyncio.sleep(latency)  # a slow request holds its slot, as on a server
            return await handler(request)
        finally:
            throttle.in_flight -= 1

    return throttle_middleware


__all__ = [
    "Throttle",
    "ThrottleError",
    "apply_throttle",
    "is_long_running",
    "make_throttle_middleware",
    "parse_throttle",
    "throttle_of",
]
