"""The one error hierarchy every layer raises and every adapter renders.

Each error carries a one-line ``str()`` that says what went wrong and what to
do. API exceptions are translated into these once, at the edge
(``kdebug_nb.engine.client``), with the original chained as ``__cause__``.
"""

from __future__ import annotations

from typing import Any


class KDebugError(Exception):
    """Base of every error a user can cause or meet.

    ``_render_traceback_`` makes IPython show the one-line message instead of
    a traceback when the error escapes a cell; the magics' ``short_errors``
    setting decides whether they let it escape like that.
    """

    #: what is still running or was created, when the error came mid-run
    leftovers: tuple[str, ...] = ()
    #: no cluster is configured or reachable: an adapter may suggest starting
    #: one its own way (the magic: ``%ksandbox start``; the CLI: ``kdebug-sandbox serve``)
    suggest_cluster: bool = False

    def __init__(
        self,
        message: str,
        *,
        leftovers: tuple[str, ...] = (),
        suggest_cluster: bool = False,
    ) -> None:
        super().__init__(message)
        self.message = message
        if leftovers:
            self.leftovers = leftovers
        if suggest_cluster:
            self.suggest_cluster = True

    def __str__(self) -> str:
        return self.message

    def one_line(self) -> str:
        """The message with what was left behind, before the ``— what to do`` hint.

        Every adapter (magics, the CLI) shows errors through this, so a
        failure that left a pod or container behind always says so the same way.
        """
        text = " ".join(self.message.split())
        if not self.leftovers:
            return text
        head, sep, hint = text.partition(" — ")
        return f"{head} (still there: {', '.join(self.leftovers)}){sep}{hint}"

    def _render_traceback_(self) -> list[str]:
        return [f"{type(self).__name__}: {self.one_line()}"]


class UsageError(KDebugError):
    """Invalid flags or flag combinations (kubectl's validation errors)."""


class ConfigError(KDebugError):
    """Missing or broken kubeconfig, unknown context, no cluster configured."""


class ConnectionFailed(KDebugError):
    """The API server could not be reached, or did not answer in time."""

    #: the server took the connection but did not answer within the request timeout
    timed_out: bool = False


class ApiError(KDebugError):
    """An error answered by the API server, keeping its Status."""

    def __init__(
        self,
        message: str,
        *,
        status: int = 0,
        reason: str = "",
        body: dict[str, Any] | None = None,
        leftovers: tuple[str, ...] = (),
    ) -> None:
        super().__init__(message, leftovers=leftovers)
        self.status = status
        self.reason = reason
        self.body = body or {}


class NotFound(ApiError):
    """A pod, node or namespace that does not exist."""


class AlreadyExists(ApiError):
    """A name already taken (copy pod name, container name)."""


class Forbidden(ApiError):
    """RBAC or Pod Security admission refused the request."""


class Invalid(ApiError):
    """The API server refused the object as invalid (422)."""


class EphemeralContainersDisabled(ApiError):
    """The cluster does not serve pods/ephemeralcontainers."""


class ImageError(KDebugError):
    """An invalid image reference, or an image the cluster cannot pull."""


class StartFailed(KDebugError):
    """The debug container could not start (config errors, runtime errors)."""


class StartTimeout(KDebugError):
    """The debug container did not start within the deadline."""


class PodGone(KDebugError):
    """The pod holding the debug container was deleted while we waited."""


class Interrupted(KDebugError):
    """The user interrupted a wait or a stream; something may still run."""


class HistoryError(KDebugError):
    """The run history (or an export of it) cannot be read or written."""


#: the engine contract's name for the base class
DebugError = KDebugError
