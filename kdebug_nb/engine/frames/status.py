"""Pods and their containers as DataFrames, built straight from API JSON.

Columns are built as Python lists in one pass and handed to one DataFrame
constructor (5,000 pods in well under a second); pandas is imported only
when a frame is asked for.

``status_frame`` — one row per container, columns and dtypes:

================  ======================  ===========================================
pod               object (str)            pod name
namespace         object (str)
node              object (str)            ``spec.nodeName`` ("" when unscheduled)
container         object (str)
kind              object (str)            ``init`` | ``app`` | ``ephemeral``
image             object (str)
state             object (str)            ``waiting`` | ``running`` | ``terminated`` | ""
reason            object (str)            waiting/terminated reason ("" when none)
message           object (str)            waiting/terminated message ("" when none)
exit_code         Int64 (nullable)        terminated exit code, else <NA>
ready             bool
restarts          int64
started_at        datetime64[ns, UTC]     running or terminated ``startedAt``, else NaT
finished_at       datetime64[ns, UTC]     terminated ``finishedAt``, else NaT
target            object (str)            ephemeral ``targetContainerName`` ("" otherwise)
last_reason       object (str)            ``lastState.terminated.reason`` ("" when none)
last_exit_code    Int64 (nullable)        ``lastState.terminated.exitCode``, else <NA>
last_finished_at  datetime64[ns, UTC]     ``lastState.terminated.finishedAt``, else NaT
================  ======================  ===========================================

The ``last_*`` columns are what ``kubectl describe pod`` prints as "Last
State: Terminated": for a crash-looping container the current state is
``waiting``/``CrashLoopBackOff`` and only the last state says why it died.

``pods_frame`` — one row per pod: ``name``, ``namespace``, ``phase``, ``node``,
``ip`` (str), ``ready`` (str ``"n/m"`` of regular containers), ``restarts``
(int64, regular containers), ``age`` (str, the time since creation as
``kubectl get pods`` prints it: ``45s``, ``5m3s``, ``2h``; see
``kdebug_nb.durations.human_duration``), ``ephemeral`` (int64, number
of ephemeral containers), ``created_at`` (datetime64[ns, UTC], to sort or
compute with).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

JSON = dict[str, Any]

STATUS_COLUMNS = (
    "pod",
    "namespace",
    "node",
    "container",
    "kind",
    "image",
    "state",
    "reason",
    "message",
    "exit_code",
    "ready",
    "restarts",
    "started_at",
    "finished_at",
    "target",
    "last_reason",
    "last_exit_code",
    "last_finished_at",
)
_STR_COLUMNS = (
    "pod", "namespace", "node", "container", "kind", "image", "state", "reason", "message",
    "target", "last_reason",
)
PODS_COLUMNS = (
    "name", "namespace", "phase", "node", "ip", "ready", "restarts", "age", "ephemeral", "created_at",
)

_KINDS = (
    ("initContainers", "initContainerStatuses", "init"),
    ("containers", "containerStatuses", "app"),
    ("ephemeralContainers", "ephemeralContainerStatuses", "ephemeral"),
)


def _items(pods_json: Iterable[JSON] | JSON) -> Iterable[JSON]:
    if isinstance(pods_json, dict):
        if "items" in pods_json:
            return pods_json.get("items") or []
        return [pods_json]
    return pods_json


def status_frame(pods_json: Iterable[JSON] | JSON) -> pd.DataFrame:
    """One row per container of every pod (a pod, a PodList or a list of pods)."""
    import pandas as pd

    from kdebug_nb.engine.client.wire import paused_gc

    with paused_gc():
        return _status_frame(pd, pods_json)


def _status_frame(pd: Any, pods_json: Iterable[JSON] | JSON) -> pd.DataFrame:
    cols: dict[str, list[Any]] = {c: [] for c in STATUS_COLUMNS}
    for pod in _items(pods_json):
        meta = pod.get("metadata") or {}
        spec = pod.get("spec") or {}
        status = pod.get("status") or {}
        name, ns, node = meta.get("name", ""), meta.get("namespace", ""), spec.get("nodeName") or ""
        for spec_key, status_key, kind in _KINDS:
            by_name = {s.get("name"): s for s in status.get(status_key) or []}
            for c in spec.get(spec_key) or []:
                cname = c.get("name", "")
                st = by_name.get(cname) or {}
                state = st.get("state") or {}
                if "terminated" in state:
                    detail = state["terminated"] or {}
                    sname = "terminated"
                elif "running" in state:
                    detail = state["running"] or {}
                    sname = "running"
                elif "waiting" in state:
                    detail = state["waiting"] or {}
                    sname = "waiting"
                else:
                    detail, sname = {}, ""
                cols["pod"].append(name)
                cols["namespace"].append(ns)
                cols["node"].append(node)
                cols["container"].append(cname)
                cols["kind"].append(kind)
                cols["image"].append(c.get("image", ""))
                cols["state"].append(sname)
                cols["reason"].append(detail.get("reason") or "")
                cols["message"].append(detail.get("message") or "")
                cols["exit_code"].append(detail.get("exitCode") if sname == "terminated" else None)
                cols["ready"].append(bool(st.get("ready", False)))
                cols["restarts"].append(int(st.get("restartCount") or 0))
                cols["started_at"].append(detail.get("startedAt"))
                cols["finished_at"].append(detail.get("finishedAt"))
                cols["target"].append(c.get("targetContainerName") or "")
                last = (st.get("lastState") or {}).get("terminated") or {}
                cols["last_reason"].append(last.get("reason") or "")
                cols["last_exit_code"].append(last.get("exitCode"))
                cols["last_finished_at"].append(last.get("finishedAt"))
    data: dict[str, Any] = {c: cols[c] for c in STATUS_COLUMNS}
    data["exit_code"] = pd.array(cols["exit_code"], dtype="Int64")
    data["ready"] = pd.array(cols["ready"], dtype=bool)
    data["restarts"] = pd.array(cols["restarts"], dtype="int64")
    data["started_at"] = _times(cols["started_at"])
    data["finished_at"] = _times(cols["finished_at"])
    data["last_exit_code"] = pd.array(cols["last_exit_code"], dtype="Int64")
    data["last_finished_at"] = _times(cols["last_finished_at"])
    frame = pd.DataFrame(data, columns=list(STATUS_COLUMNS))
    return _strs(frame, _STR_COLUMNS)


def pods_frame(pods_json: Iterable[JSON] | JSON, *, now: datetime | None = None) -> pd.DataFrame:
    """One row per pod, like ``kubectl get pods -o wide``."""
    import pandas as pd

    from kdebug_nb.engine.client.wire import paused_gc

    with paused_gc():
        return _pods_frame(pd, pods_json, now)


def _pods_frame(pd: Any, pods_json: Iterable[JSON] | JSON, now: datetime | None) -> pd.DataFrame:
    cols: dict[str, list[Any]] = {c: [] for c in PODS_COLUMNS}
    created: list[Any] = []
    for pod in _items(pods_json):
        meta = pod.get("metadata") or {}
        spec = pod.get("spec") or {}
        status = pod.get("status") or {}
        statuses = status.get("containerStatuses") or []
        total = len(spec.get("containers") or [])
        ready = sum(1 for s in statuses if s.get("ready"))
        phase = status.get("phase") or ""
        if meta.get("deletionTimestamp"):
            phase = "Terminating"
        cols["name"].append(meta.get("name", ""))
        cols["namespace"].append(meta.get("namespace", ""))
        cols["phase"].append(phase)
        cols["node"].append(spec.get("nodeName") or "")
        cols["ip"].append(status.get("podIP") or "")
        cols["ready"].append(f"{ready}/{total}")
        cols["restarts"].append(sum(int(s.get("restartCount") or 0) for s in statuses))
        cols["ephemeral"].append(len(spec.get("ephemeralContainers") or []))
        created.append(meta.get("creationTimestamp"))
    now_ts = pd.Timestamp(now or datetime.now(UTC))
    from kdebug_nb.durations import human_duration

    data: dict[str, Any] = {c: cols[c] for c in PODS_COLUMNS if c not in ("age", "created_at")}
    data["restarts"] = pd.array(cols["restarts"], dtype="int64")
    data["ephemeral"] = pd.array(cols["ephemeral"], dtype="int64")
    data["created_at"] = _times(created)
    # kubectl prints "<unknown>" for an object without a creation time (translateTimestampSince)
    data["age"] = [
        "<unknown>" if pd.isna(t) else human_duration((now_ts - t).total_seconds())
        for t in data["created_at"]
    ]
    frame = pd.DataFrame(data, columns=list(PODS_COLUMNS))
    return _strs(frame, ("name", "namespace", "phase", "node", "ip", "ready", "age"))


def _times(values: list[Any]) -> Any:
    import pandas as pd

    return pd.to_datetime(pd.Series(values, dtype=object), utc=True, format="ISO8601").astype(
        "datetime64[ns, UTC]"
    ).array


def _strs(frame: pd.DataFrame, names: tuple[str, ...]) -> pd.DataFrame:
    # pandas 3 infers a "str" dtype; keep plain object columns so the schema
    # is the same on pandas 2 and 3
    for name in names:
        frame[name] = frame[name].astype(object)
    return frame
