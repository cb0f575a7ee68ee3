"""Requests the sandbox refuses before asking who sent them: those a web page can forge.

The sandbox runs processes for whoever drives it, and a browser on the same
machine can reach 127.0.0.1. A bearer token stops a page from authenticating,
but the sandbox also refuses what only a page (or a confused proxy) sends:

- ``Host`` naming anything but the address and port the connection arrived
  on (or ``localhost``): a DNS-rebinding page reaches 127.0.0.1 under its
  own name, which its Host header then carries.
- an ``Origin`` other than the sandbox's own: browsers put one on every
  cross-origin ``fetch`` and on every WebSocket handshake (``exec``/``attach``
  are WebSockets), while kubectl sends none and the official client's
  websocket (websocket-client) sends the server's own.
- a write whose body is not typed as something the API decodes: a page may
  POST ``text/plain``, a form or an untyped body without a CORS preflight, so
  JSON, YAML, protobuf (and for PATCH the patch types) are required, 415
  otherwise. One exception: the API server reads an untyped body as JSON
  (``NegotiateInputSerializerForMediaType`` in apiserver's
  ``pkg/endpoints/handlers/negotiation/negotiate.go``) and the official
  Python client relies on it (37.x: its generated ``create_*`` send no
  Content-Type), so an untyped body is JSON when the request carries a
  bearer token, which no request a page sends without a preflight can.
"""

from __future__ import annotations

from aiohttp import web

from kdebug_nb.sandbox.apiserver.common import JSON, PROTOBUF, YAML_TYPES
from kdebug_nb.sandbox.apiserver.request_info import CONNECT_SUBRESOURCES, RequestInfo
from kdebug_nb.sandbox.store.status import StatusError

APPLY_PATCH = "application/apply-patch+yaml"
#: what POST, PUT and a DELETE with a body may carry (the API server's list, plus YAML's aliases)
OBJECT_TYPES = frozenset({JSON, PROTOBUF, *YAML_TYPES})
#: the API server's patch types, in the order its 415 lists them (as routes/pods.py words it)
PATCH_ORDER = (
    "application/json-patch+json",
    "application/merge-patch+json",
    APPLY_PATCH,
    "application/strategic-merge-patch+json",
)


def local_address(request: web.Request) -> tuple[str, int] | None:
    """The address and port this request's connection arrived on."""
    sockname = request.transport.get_extra_info("sockname") if request.transport else None
    if not sockname:
        return None
    address = str(sockname[0])
    return (f"[{address}]" if ":" in address else address), int(sockname[1])


def served_hosts(address: str, port: int) -> frozenset[str]:
    """The Host values naming this server: its address or localhost, with or without its port."""
    return frozenset(h for name in (address, "localhost") for h in (name, f"{name}:{port}"))


def refuse_foreign(request: web.Request) -> None:
    """Raise 403 for a request not addressed to this server by name, or sent from a web page."""
    local = local_address(request)
    hosts = served_hosts(*local) if local else frozenset()
    host = request.headers.get("Host", "").strip().lower()
    if host not in hosts:
        own = f"{local[0]}:{local[1]}" if local else "its own address"
        raise StatusError(
            403,
            f'Host "{host}" does not name this sandbox: it serves only requests addressed to '
            f"{own} (a web page may be rebinding its DNS name to this machine)",
        )
    origin = request.headers.get("Origin")
    if origin is not None and origin.strip().lower() not in {
        f"{request.scheme}://{h}" for h in hosts
    }:
        raise StatusError(
            403,
            f'requests from web pages are refused (Origin "{origin}"): the sandbox runs '
            "processes as the user who started it",
        )


def refuse_untyped_write(request: web.Request, info: RequestInfo, *, bearer: bool) -> None:
    """Raise 415 for a write whose body is not typed as JSON, YAML, protobuf or a patch
    (``bearer``: the caller authenticated with a token, so an untyped body is JSON)."""
    method = request.method
    if info.subresource in CONNECT_SUBRESOURCES:
        return  # exec/attach: an upgrade, its body is a stream, not an object
    if method == "DELETE" and not request.body_exists:
        return
    if method not in ("POST", "PUT", "PATCH", "DELETE"):
        return
    raw = request.headers.get("Content-Type")
    if raw is None and bearer and method != "PATCH":
        return
    media_type = (raw or "").partition(";")[0].strip().lower()
    if method == "PATCH":
        if media_type not in PATCH_ORDER:
            raise unsupported_media_type(PATCH_ORDER)
    elif media_type not in OBJECT_TYPES:
        raise unsupported_media_type((JSON, "application/yaml", PROTOBUF))


def unsupported_media_type(accepted: tuple[str, ...]) -> StatusError:
    """The API server's 415 (``NewUnsupportedMediaTypeError`` in apiserver's negotiation errors)."""
    return StatusError(
        415,
        "the body of the request was in an unknown format - accepted media types include: "
        + ", ".join(accepted),
    )
