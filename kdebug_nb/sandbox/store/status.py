"""Kubernetes ``Status`` objects, the shape of every error the sandbox answers.

Handlers raise ``StatusError``; one middleware turns it into the JSON body
and HTTP code. Constructors word messages like the real API server.
"""

from __future__ import annotations

from typing import Any

REASONS = {
    400: "BadRequest",
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    405: "MethodNotAllowed",
    406: "NotAcceptable",
    409: "AlreadyExists",
    408: "Timeout",
    410: "Expired",
    413: "RequestEntityTooLarge",
    415: "UnsupportedMediaType",
    422: "Invalid",
    429: "TooManyRequests",
    500: "InternalError",
    504: "Timeout",
}


class StatusError(Exception):
    def __init__(
        self,
        code: int,
        message: str,
        *,
        reason: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.reason = reason or REASONS.get(code, "Unknown")
        self.details = details

    def to_status(self) -> dict[str, Any]:
        return status_body(self.code, self.reason, self.message, self.details)


def status_body(
    code: int, reason: str, message: str, details: dict[str, Any] | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure" if code >= 400 else "Success",
        "message": message,
        "reason": reason,
        "code": code,
    }
    if details is not None:
        body["details"] = details
    return body


def not_found(resource: str, name: str, group: str = "") -> StatusError:
    return StatusError(
        404,
        f'{resource} "{name}" not found',
        details={"name": name, "group": group, "kind": resource},
    )


def resource_missing() -> StatusError:
    """404 for an endpoint the server does not serve (details carry no name)."""
    return StatusError(404, "the server could not find the requested resource", details={})


def already_exists(resource: str, name: str, group: str = "") -> StatusError:
    return StatusError(
        409,
        f'{resource} "{name}" already exists',
        details={"name": name, "group": group, "kind": resource},
    )


def invalid(kind: str, name: str, causes: list[tuple[str, str, str]]) -> StatusError:
    """422 Invalid. ``causes`` are (reason, field path, message) triples, e.g.
    ("FieldValueRequired", "spec.containers[0].image", "Required value")."""
    parts = [f"{f}: {m}" if f else m for _, f, m in causes]
    # The API server brackets an aggregate of several field errors.
    summary = parts[0] if len(parts) == 1 else "[" + ", ".join(parts) + "]"
    return StatusError(
        422,
        f'{kind} "{name}" is invalid: {summary}',
        details={
            "name": name,
            "kind": kind,
            "causes": [{"reason": r, "message": m, "field": f} for r, f, m in causes],
        },
    )


def forbidden(message: str, name: str = "", kind: str = "") -> StatusError:
    return StatusError(403, message, details={"name": name, "kind": kind})


def conflict(resource: str, name: str, reason_text: str) -> StatusError:
    """409 Conflict, e.g. a stale resourceVersion on update."""
    return StatusError(
        409,
        f'Operation cannot be fulfilled on {resource} "{name}": {reason_text}',
        reason="Conflict",
        details={"name": name, "kind": resource},
    )


def bad_request(message: str) -> StatusError:
    return StatusError(400, message)
