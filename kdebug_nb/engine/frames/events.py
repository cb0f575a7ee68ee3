"""A namespace's or a pod's events as a DataFrame, oldest first, like ``kubectl events``.

``events_frame`` — one row per Event (core/v1), newest last; columns and dtypes:

=========  ====================  =================================================
last_seen  datetime64[ns, UTC]   when the event was last observed (NaT if unknown)
type       object (str)          ``Normal`` | ``Warning``
reason     object (str)          ``Scheduled``, ``Pulled``, ``BackOff``, ...
object     object (str)          the involved object as ``kind/name``, e.g. ``pod/web``
count      int64                 how many times it was observed (at least 1)
message    object (str)          the event's message, as the component wrote it
=========  ====================  =================================================

Which time is "last seen" and the sort order follow kubectl's
``staging/src/k8s.io/kubectl/pkg/cmd/events/events.go`` (``eventTime``: the
series' ``lastObservedTime``, else ``lastTimestamp``, else ``eventTime``);
``Session.events`` selects a pod's events as ``kubectl events --for pod/NAME``
does there (field selector on ``involvedObject.kind`` and ``.name``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

JSON = dict[str, Any]

EVENT_COLUMNS = ("last_seen", "type", "reason", "object", "count", "message")


def event_time(event: JSON) -> str:
    """kubectl's sort time of an event (RFC 3339 text; "" when it has none)."""
    series = event.get("series") or {}
    return str(
        series.get("lastObservedTime")
        or event.get("lastTimestamp")
        or event.get("eventTime")
        or event.get("firstTimestamp")
        or (event.get("metadata") or {}).get("creationTimestamp")
        or ""
    )


def events_frame(events_json: Iterable[JSON] | JSON) -> pd.DataFrame:
    """One row per event (a list of events or an EventList), newest last."""
    import pandas as pd

    from kdebug_nb.engine.frames.status import _strs, _times

    items = (events_json.get("items") or []) if isinstance(events_json, dict) else events_json
    cols: dict[str, list[Any]] = {c: [] for c in EVENT_COLUMNS}
    for event in items:
        when = event_time(event)
        involved = event.get("involvedObject") or event.get("regarding") or {}
        series = event.get("series") or {}
        count = series.get("count") or event.get("count") or 1
        cols["last_seen"].append(when or None)
        cols["type"].append(event.get("type") or "")
        cols["reason"].append(event.get("reason") or "")
        cols["object"].append(f"{str(involved.get('kind') or '').lower()}/{involved.get('name') or ''}")
        cols["count"].append(int(count))
        cols["message"].append(str(event.get("message") or event.get("note") or "").strip())
    data: dict[str, Any] = dict(cols)
    data["last_seen"] = _times(cols["last_seen"])
    data["count"] = pd.array(cols["count"], dtype="int64")
    frame = pd.DataFrame(data, columns=list(EVENT_COLUMNS))
    # stable: events seen in the same second keep the server's order
    frame = frame.sort_values("last_seen", kind="stable", na_position="first")
    return _strs(frame.reset_index(drop=True), ("type", "reason", "object", "message"))


__all__ = ["EVENT_COLUMNS", "event_time", "events_frame"]
