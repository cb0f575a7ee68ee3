"""A container's log as text, with ``kubectl logs``' choices of container and range.

``read_logs`` takes what ``kubectl logs`` takes (``-c``, ``--previous``,
``--tail``, ``--since``/``--since-time``) and turns it into ``PodLogOptions``
the way ``staging/src/k8s.io/kubectl/pkg/cmd/logs/logs.go`` does
(``LogsOptions.ToLogOptions``): ``--since`` is rounded to whole seconds and
0 means "no limit", a negative ``--tail`` means the whole log. Without a
container it picks the one kubectl picks
(``staging/src/k8s.io/kubectl/pkg/cmd/util/podcmd/podcmd.go``,
``FindOrDefaultContainerByName``): the ``kubectl.kubernetes.io/default-container``
annotation, else the pod's first container.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from kdebug_nb.errors import UsageError

if TYPE_CHECKING:
    from kdebug_nb.engine.client.rest import RestClient

JSON = dict[str, Any]
#: what ``since`` may be: seconds, a timedelta, an aware datetime or an RFC 3339
#: time (the last two meaning ``--since-time``); ``Session.logs`` also takes a
#: Go duration ("90s", "1h30m") and turns it into seconds first
Since = float | int | str | timedelta | datetime | None

DEFAULT_CONTAINER_ANNOTATION = "kubectl.kubernetes.io/default-container"

_RFC3339 = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)")


def pod_name(ref: str) -> str:
    """A pod name from ``NAME`` or kubectl's ``pod/NAME`` (``pods/NAME``) form."""
    kind, sep, name = ref.partition("/")
    if not sep:
        return ref
    if kind.lower() not in ("pod", "pods", "po"):
        raise UsageError(f'only pods have logs and events here, not "{ref}": give POD or pod/POD')
    return name


def default_container(pod: JSON) -> str:
    """The container ``kubectl logs POD`` reads when no ``-c`` is given."""
    meta = pod.get("metadata") or {}
    spec = pod.get("spec") or {}
    names = [str(c.get("name", "")) for c in spec.get("containers") or []]
    wanted = (meta.get("annotations") or {}).get(DEFAULT_CONTAINER_ANNOTATION)
    if wanted and wanted in names:
        return str(wanted)
    if not names:
        raise UsageError(f"pod {meta.get('name', '')} has no containers")
    return names[0]


def log_query(
    container: str, *, previous: bool = False, tail: int | None = None, since: Since = None
) -> list[tuple[str, str]]:
    """The ``pods/log`` query (PodLogOptions) for these choices."""
    query = [("container", container)]
    if previous:
        query.append(("previous", "true"))
    if tail is not None:
        if isinstance(tail, bool) or not isinstance(tail, int):
            raise UsageError(f"tail must be a whole number of lines, not {tail!r}")
        if tail >= 0:
            query.append(("tailLines", str(tail)))
    query.extend(_since_query(since))
    return query


def _since_query(since: Since) -> list[tuple[str, str]]:
    if since is None or since == "":
        return []
    if isinstance(since, datetime):
        if since.tzinfo is None:
            raise UsageError("since as a datetime needs a time zone, e.g. datetime.now(UTC)")
        return [("sinceTime", since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))]
    if isinstance(since, str):
        if not is_rfc3339(since):
            raise UsageError(f'since "{since}" is not an RFC 3339 time such as 2026-01-01T00:00:00Z')
        return [("sinceTime", since.strip())]
    if isinstance(since, timedelta):
        seconds = since.total_seconds()
    elif isinstance(since, int | float) and not isinstance(since, bool):
        seconds = float(since)
    else:
        raise UsageError(f"since must be seconds, a duration such as 5m, or a time, not {since!r}")
    if seconds < 0:
        raise UsageError(f"since must not be negative (got {since!r})")
    whole = round(seconds)
    return [("sinceSeconds", str(whole))] if whole else []


def is_rfc3339(text: str) -> bool:
    """Whether ``text`` is a time (kubectl's ``--since-time``) rather than a duration."""
    return bool(_RFC3339.fullmatch(text.strip()))


def read_logs(
    client: RestClient,
    pod: str,
    namespace: str | None = None,
    *,
    container: str | None = None,
    previous: bool = False,
    tail: int | None = None,
    since: Since = None,
) -> str:
    """The container's log (``--previous``: its last terminated instance's) as text.

    Bytes that are not UTF-8 are replaced (U+FFFD), never an error: logs are
    what a program wrote, not text we control.
    """
    pod = pod_name(pod)
    if not pod:
        raise UsageError("give the pod whose log to read")
    ns = namespace or client.namespace
    name = container or default_container(client.read_pod(ns, pod))
    query = log_query(name, previous=previous, tail=tail, since=since)
    return client.read_log_bytes(ns, pod, query).decode("utf-8", "replace")


__all__ = ["default_container", "is_rfc3339", "log_query", "pod_name", "read_logs"]
