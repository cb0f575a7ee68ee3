"""The API's wire format, in and out: parsing bodies, and errors worded once.

Pure functions used by ``cluster_io`` (the only module doing I/O): a Status
body or a transport failure becomes the matching ``kdebug_nb.errors``
exception, with the server's own message.
"""

from __future__ import annotations

import gc
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from kdebug_nb import errors

JSON = dict[str, Any]


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic GC while building many small objects (big lists, frames).

    A 5,000-pod list is ~1M dicts and lists; with the collector running,
    parsing it spends two thirds of its time in collections that free nothing.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def parse_body(raw: bytes | str | None) -> JSON:
    if not raw:
        return {}
    try:
        if len(raw) > 256 * 1024:
            with paused_gc():
                doc = json.loads(raw)
        else:
            doc = json.loads(raw)
    except ValueError:
        text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
        return {"kind": "Status", "message": text.strip()[:500]}
    return doc if isinstance(doc, dict) else {"items": doc}


def exit_code_from_status(status: JSON) -> int | None:
    if status.get("status") == "Success":
        return 0
    for cause in (status.get("details") or {}).get("causes") or []:
        if cause.get("reason") == "ExitCode":
            try:
                return int(cause.get("message", ""))
            except ValueError:
                return None
    return None


def status_error(code: int, body: JSON, path: str) -> errors.ApiError:
    """A Status answer (or any non-2xx) as the matching engine error."""
    message = str(body.get("message") or f"the server responded with status {code}")
    reason = str(body.get("reason") or "")
    details = body.get("details") or {}
    kw: dict[str, Any] = {"status": code, "reason": reason, "body": body}
    if code == 404:
        if path.endswith("/ephemeralcontainers") and not details.get("name"):
            return errors.EphemeralContainersDisabled(
                "ephemeral containers are disabled for this cluster "
                f'(error from server: "{message}")',
                **kw,
            )
        return errors.NotFound(message, **kw)
    if code == 403:
        return errors.Forbidden(message, **kw)
    if code == 409 and reason == "AlreadyExists":
        return errors.AlreadyExists(message, **kw)
    if code == 422:
        # kubectl words Invalid errors as 'The Pod "x" is invalid: ...'
        if details.get("kind") and not message.startswith("The "):
            message = f"The {message}"
        return errors.Invalid(message, **kw)
    if code == 401:
        return errors.ApiError(
            f"you must be logged in to the server (Unauthorized): {message}", **kw
        )
    return errors.ApiError(message, **kw)


def translate_transport(exc: BaseException, server: str) -> errors.KDebugError:
    from kubernetes.client.exceptions import ApiException

    if isinstance(exc, ApiException) and exc.status:
        return status_error(exc.status, parse_body(exc.body), "")
    return unreachable(server, exc)


def unreachable(server: str, exc: BaseException) -> errors.ConnectionFailed:
    """The error for a server that could not be reached, naming its URL."""
    return errors.ConnectionFailed(
        f"cannot reach the Kubernetes API server at {server}: {_why(exc)} — "
        "is the cluster running? (%ksandbox start starts a local one)"
    )


def _causes(exc: BaseException) -> list[BaseException]:
    """``exc`` and what it wraps: urllib3 keeps the cause in ``.reason``."""
    chain: list[BaseException] = []
    cur: BaseException | None = exc
    while cur is not None and all(cur is not seen for seen in chain):
        chain.append(cur)
        reason = getattr(cur, "reason", None)
        cur = reason if isinstance(reason, BaseException) else (cur.__cause__ or cur.__context__)
    return chain


def _why(exc: BaseException) -> str:
    """A few words for why a connection failed (``connection refused``, ...)."""
    chain = _causes(exc)
    text = " ".join(str(e) for e in chain).lower()
    if any(isinstance(e, ConnectionRefusedError) for e in chain) or "refused" in text:
        return "connection refused"
    if "timed out" in text or "timeout" in text:
        return "timed out"
    if "name or service not known" in text or "nodename nor servname" in text:
        return "unknown host"
    if "certificate" in text or "ssl" in text:
        return "TLS handshake failed"
    if any(isinstance(e, ConnectionResetError) for e in chain) or "reset" in text:
        return "connection reset"
    if "remote end closed" in text or "connection aborted" in text:
        return "connection closed by the server"
    last = str(chain[-1]).splitlines()[0] if str(chain[-1]) else type(chain[-1]).__name__
    return last[:200]


_WARNING = re.compile(r'\d{3} \S+ "((?:[^"\\]|\\.)*)"')


def warning_messages(values: list[str]) -> list[str]:
    """The texts of RFC 7234 ``Warning`` headers (``299 - "text"``), as kubectl prints them."""
    out: list[str] = []
    for value in values:
        for quoted in _WARNING.findall(value):
            out.append(re.sub(r"\\(.)", r"\1", quoted))
    return out
