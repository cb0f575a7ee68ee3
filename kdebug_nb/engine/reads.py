"""What a runbook reads besides pod status: a pod's events and a container's log.

``Session.events`` and ``Session.logs`` are these over the session's client;
the frames and the ``pods/log`` options they use live in ``frames.events`` and
``client.logs``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from kdebug_nb import errors
from kdebug_nb.engine.client.logs import is_rfc3339, pod_name, read_logs

if TYPE_CHECKING:
    from kdebug_nb.engine.client.rest import RestClient

JSON = dict[str, Any]


def events_json(
    client: RestClient, pod: str | None, namespace: str | None, selector: str | None
) -> list[JSON]:
    """The events of one pod, of the pods a label selector matches, or of a namespace.

    Events carry no labels of the pods they are about, so ``selector`` lists
    the matching pods first and keeps the events whose involved object is one
    of them. A pod that no longer exists is no error: its events are shown
    while the API server keeps them, as ``kubectl events --for pod/NAME``
    shows them (``staging/src/k8s.io/kubectl/pkg/cmd/events/events.go``).
    """
    if pod and selector:
        raise errors.UsageError("give a pod or a selector, not both")
    ns = namespace or client.namespace
    if pod:
        fields = f"involvedObject.kind=Pod,involvedObject.name={pod_name(pod)}"
        return _items(client.list_events(ns, field_selector=fields))
    if not selector:
        return _items(client.list_events(ns))
    names = {(p.get("metadata") or {}).get("name") for p in _items(client.list_pods(ns, selector=selector))}
    if not names:
        return []
    events = _items(client.list_events(ns, field_selector="involvedObject.kind=Pod"))
    return [e for e in events if (e.get("involvedObject") or {}).get("name") in names]


def log_text(
    client: RestClient,
    pod: str,
    namespace: str | None,
    *,
    container: str | None,
    previous: bool,
    tail: int | None,
    since: float | str | timedelta | datetime | None,
) -> str:
    """``client.logs.read_logs``, with ``since`` also as a Go duration ("5m", "1h30m")."""
    if isinstance(since, str) and since.strip() and not is_rfc3339(since):
        since = _duration(since)
    return read_logs(
        client, pod, namespace, container=container, previous=previous, tail=tail, since=since
    )


def _items(listing: JSON) -> list[JSON]:
    items: list[JSON] = listing.get("items") or []
    return items


def _duration(text: str) -> float:
    from kdebug_nb.engine.grammar.flags import FlagSyntax, to_duration

    try:
        return to_duration(text.strip())
    except FlagSyntax:
        raise errors.UsageError(
            f'invalid duration "{text}": use a number with a unit, e.g. 90s, 5m or 1h30m'
        ) from None


__all__ = ["events_json", "log_text"]
