"""Server-side printing: ``meta.k8s.io/v1 Table`` for pods, nodes, namespaces, events.

kubectl asks for ``Accept: application/json;as=Table;v=v1;g=meta.k8s.io`` and
prints what comes back, hiding columns with priority 1 unless ``-o wide``.
The cells follow kubectl's own printers (``printPod``, ``printNode``, ...),
so the sandbox looks like a cluster in a terminal.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from kdebug_nb.durations import human_duration
from kdebug_nb.sandbox.store.cluster import Obj

Column = dict[str, Any]

_NAME_DESC = (
    "Name must be unique within a namespace. Is required when creating resources, although "
    "some resources may allow a client to request the generation of an appropriate name "
    "automatically."
)
_AGE_DESC = (
    "CreationTimestamp is a timestamp representing the server time when this object was "
    "created."
)


def _col(name: str, desc: str = "", *, priority: int = 0, type_: str = "string", fmt: str = "") -> Column:
    return {"name": name, "type": type_, "format": fmt, "description": desc, "priority": priority}


@lru_cache(maxsize=4096)
def _parse_ts(ts: str | None) -> datetime | None:
    # Cached: a list of thousands of objects shares a handful of timestamps.
    if not ts:
        return None
    try:
        return datetime.fromisoformat(ts[:19]).replace(tzinfo=UTC)
    except ValueError:
        return None


def since(ts: str | None, now: datetime) -> str:
    when = _parse_ts(ts)
    if when is None:
        return "<unknown>"
    return human_duration((now - when).total_seconds())


# -- pods ------------------------------------------------------------------

POD_COLUMNS = [
    _col("Name", _NAME_DESC, fmt="name"),
    _col("Ready", "The aggregate readiness state of this pod for accepting traffic."),
    _col("Status", "The aggregate status of the containers in this pod."),
    _col("Restarts", "The number of times the containers in this pod have been restarted "
         "and when the last container in this pod has restarted."),
    _col("Age", _AGE_DESC),
    _col("IP", "podIP address allocated to the pod. Routable at least within the cluster. "
         "Empty if not yet allocated.", priority=1),
    _col("Node", "NodeName indicates in which node this pod is scheduled.", priority=1),
    _col("Nominated Node", "nominatedNodeName is set only when this pod preempts other pods "
         "on the node.", priority=1),
    _col("Readiness Gates", "If specified, all readiness gates will be evaluated for pod "
         "readiness.", priority=1),
]


def _restartable(container: Obj | None) -> bool:
    return bool(container) and container.get("restartPolicy") == "Always"  # type: ignore[union-attr]


def pod_status_reason(pod: Obj) -> tuple[str, int, int, int, datetime | None]:
    """(STATUS, ready, total, restarts, last restart) as kubectl's printPod computes them."""
    spec = pod.get("spec") or {}
    status = pod.get("status") or {}
    phase = status.get("phase") or ""
    reason = status.get("reason") or phase
    for cond in status.get("conditions") or ():
        if cond.get("type") == "PodScheduled" and cond.get("reason") == "SchedulingGated":
            reason = "SchedulingGated"
    init_specs = {c.get("name"): c for c in spec.get("initContainers") or ()}
    total = len(spec.get("containers") or ()) + sum(1 for c in init_specs.values() if _restartable(c))
    ready = 0
    restarts = 0
    sidecar_restarts = 0
    last_restart: datetime | None = None
    sidecar_last: datetime | None = None

    def later(a: datetime | None, ts: str | None) -> datetime | None:
        b = _parse_ts(ts)
        if b is None:
            return a
        return b if a is None or b > a else a

    initializing = False
    init_statuses = status.get("initContainerStatuses") or []
    for i, cs in enumerate(init_statuses):
        restarts += cs.get("restartCount", 0)
        last_term = (cs.get("lastState") or {}).get("terminated")
        if last_term:
            last_restart = later(last_restart, last_term.get("finishedAt"))
        sidecar = _restartable(init_specs.get(cs.get("name")))
        if sidecar:
            sidecar_restarts += cs.get("restartCount", 0)
            if last_term:
                sidecar_last = later(sidecar_last, last_term.get("finishedAt"))
        state = cs.get("state") or {}
        term = state.get("terminated")
        waiting = state.get("waiting")
        if term and term.get("exitCode", 0) == 0:
            continue
        if sidecar and cs.get("started"):
            if cs.get("ready"):
                ready += 1
            continue
        if term:
            if term.get("reason"):
                reason = "Init:" + term["reason"]
            elif term.get("signal"):
                reason = f"Init:Signal:{term['signal']}"
            else:
                reason = f"Init:ExitCode:{term.get('exitCode', 0)}"
        elif waiting and waiting.get("reason") and waiting["reason"] != "PodInitializing":
            reason = "Init:" + waiting["reason"]
        else:
            reason = f"Init:{i}/{len(init_specs)}"
        initializing = True
        break

    initialized = any(
        c.get("type") == "Initialized" and c.get("status") == "True"
        for c in status.get("conditions") or ()
    )
    if not initializing or initialized:
        restarts = sidecar_restarts
        last_restart = sidecar_last
        has_running = False
        for cs in reversed(status.get("containerStatuses") or []):
            restarts += cs.get("restartCount", 0)
            last_term = (cs.get("lastState") or {}).get("terminated")
            if last_term:
                last_restart = later(last_restart, last_term.get("finishedAt"))
            state = cs.get("state") or {}
            waiting, term = state.get("waiting"), state.get("terminated")
            if waiting and waiting.get("reason"):
                reason = waiting["reason"]
            elif term and term.get("reason"):
                reason = term["reason"]
            elif term:
                if term.get("signal"):
                    reason = f"Signal:{term['signal']}"
                else:
                    reason = f"ExitCode:{term.get('exitCode', 0)}"
            elif cs.get("ready") and state.get("running") is not None:
                has_running = True
                ready += 1
        if reason == "Completed" and has_running:
            pod_ready = any(
                c.get("type") == "Ready" and c.get("status") == "True"
                for c in status.get("conditions") or ()
            )
            reason = "Running" if pod_ready else "NotReady"

    if pod["metadata"].get("deletionTimestamp"):
        if status.get("reason") == "NodeLost":
            reason = "Unknown"
        elif phase not in ("Succeeded", "Failed"):
            reason = "Terminating"
    return reason, ready, total, restarts, last_restart


def pod_cells(pod: Obj, now: datetime) -> list[Any]:
    reason, ready, total, restarts, last = pod_status_reason(pod)
    restarts_cell = str(restarts)
    if restarts and last is not None:
        restarts_cell = f"{restarts} ({human_duration((now - last).total_seconds())} ago)"
    status = pod.get("status") or {}
    spec = pod.get("spec") or {}
    ips = status.get("podIPs") or []
    ip = (ips[0].get("ip") if ips else "") or status.get("podIP") or "<none>"
    gates = spec.get("readinessGates") or []
    gates_cell = "<none>"
    if gates:
        conds = {c.get("type"): c.get("status") for c in status.get("conditions") or ()}
        true_gates = sum(1 for g in gates if conds.get(g.get("conditionType")) == "True")
        gates_cell = f"{true_gates}/{len(gates)}"
    return [
        pod["metadata"]["name"],
        f"{ready}/{total}",
        reason,
        restarts_cell,
        since(pod["metadata"].get("creationTimestamp"), now),
        ip,
        spec.get("nodeName") or "<none>",
        status.get("nominatedNodeName") or "<none>",
        gates_cell,
    ]


def _pod_conditions(pod: Obj) -> list[Obj] | None:
    phase = (pod.get("status") or {}).get("phase")
    if phase in ("Succeeded", "Failed"):
        return [{"type": "Completed", "status": "True", "reason": phase,
                 "message": "The pod has completed successfully."}]
    return None


# -- nodes -----------------------------------------------------------------

NODE_COLUMNS = [
    _col("Name", _NAME_DESC, fmt="name"),
    _col("Status", "The status of the node"),
    _col("Roles", "The roles of the node"),
    _col("Age", _AGE_DESC),
    _col("Version", "Kubelet Version reported by the node."),
    _col("Internal-IP", "List of addresses reachable to the node.", priority=1),
    _col("External-IP", "List of addresses reachable to the node.", priority=1),
    _col("OS-Image", "OS Image reported by the node from /etc/os-release (e.g. Debian "
         "GNU/Linux 7 (wheezy)).", priority=1),
    _col("Kernel-Version", "Kernel Version reported by the node from 'uname -r' (e.g. "
         "3.16.0-0.bpo.4-amd64).", priority=1),
    _col("Container-Runtime", "ContainerRuntime Version reported by the node through "
         "runtime remote API (e.g. containerd://1.4.2).", priority=1),
]


def node_cells(node: Obj, now: datetime) -> list[Any]:
    status = node.get("status") or {}
    conds = {c.get("type"): c.get("status") for c in status.get("conditions") or ()}
    ready = conds.get("Ready")
    states = ["Ready" if ready == "True" else "NotReady" if ready == "False" else "Unknown"]
    if (node.get("spec") or {}).get("unschedulable"):
        states.append("SchedulingDisabled")
    labels = node["metadata"].get("labels") or {}
    roles = sorted(
        {k.split("/", 1)[1] for k in labels if k.startswith("node-role.kubernetes.io/") and "/" in k}
        | {v for k, v in labels.items() if k == "kubernetes.io/role" and v}
    )
    info = status.get("nodeInfo") or {}
    addrs = status.get("addresses") or []

    def addr(kind: str) -> str:
        return next((a.get("address") for a in addrs if a.get("type") == kind), None) or "<none>"

    return [
        node["metadata"]["name"],
        ",".join(states),
        ",".join(r for r in roles if r) or "<none>",
        since(node["metadata"].get("creationTimestamp"), now),
        info.get("kubeletVersion", ""),
        addr("InternalIP"),
        addr("ExternalIP"),
        info.get("osImage") or "<unknown>",
        info.get("kernelVersion") or "<unknown>",
        info.get("containerRuntimeVersion") or "<unknown>",
    ]


# -- namespaces and events -------------------------------------------------

NAMESPACE_COLUMNS = [
    _col("Name", _NAME_DESC, fmt="name"),
    _col("Status", "The status of the namespace"),
    _col("Age", _AGE_DESC),
]


def namespace_cells(ns: Obj, now: datetime) -> list[Any]:
    return [
        ns["metadata"]["name"],
        (ns.get("status") or {}).get("phase", "Active"),
        since(ns["metadata"].get("creationTimestamp"), now),
    ]


EVENT_COLUMNS = [
    _col("Last Seen", "Time when last event occurred"),
    _col("Type", "Type of this event (Normal, Warning), new types could be added in the future."),
    _col("Reason", "This should be a short, machine understandable string that gives the "
         "reason for this event being generated."),
    _col("Object", "The object that this event is about."),
    _col("Subobject", "The subobject this event is about.", priority=1),
    _col("Source", "The component reporting this event.", priority=1),
    _col("Message", "A human-readable description of the status of this operation."),
    _col("First Seen", "The first time this event was seen.", priority=1),
    _col("Count", "The number of times this event has occurred.", priority=1),
    _col("Name", _NAME_DESC, priority=1, fmt="name"),
]


def event_cells(ev: Obj, now: datetime) -> list[Any]:
    inv = ev.get("involvedObject") or {}
    src = ev.get("source") or {}
    source = src.get("component", "")
    if src.get("host"):
        source = f"{source}, {src['host']}"
    last = ev.get("lastTimestamp") or ev.get("eventTime") or ev["metadata"].get("creationTimestamp")
    first = ev.get("firstTimestamp") or ev.get("eventTime")
    return [
        since(last, now),
        ev.get("type", ""),
        ev.get("reason", ""),
        f"{(inv.get('kind') or '').lower()}/{inv.get('name', '')}",
        inv.get("fieldPath", ""),
        source,
        (ev.get("message") or "").strip(),
        since(first, now),
        ev.get("count", 1),
        ev["metadata"]["name"],
    ]


PRINTERS: dict[str, tuple[list[Column], Callable[[Obj, datetime], list[Any]]]] = {
    "Pod": (POD_COLUMNS, pod_cells),
    "Node": (NODE_COLUMNS, node_cells),
    "Namespace": (NAMESPACE_COLUMNS, namespace_cells),
    "Event": (EVENT_COLUMNS, event_cells),
}


def table_row(kind: str, obj: Obj, include: str, now: datetime, api_version: str) -> Obj:
    cells = PRINTERS[kind][1](obj, now)
    row: Obj = {"cells": cells}
    if kind == "Pod":
        conds = _pod_conditions(obj)
        if conds:
            row["conditions"] = conds
    if include == "Object":
        row["object"] = obj
    elif include != "None":
        row["object"] = {
            "kind": "PartialObjectMetadata",
            "apiVersion": api_version,
            "metadata": obj["metadata"],
        }
    return row


def to_table(
    kind: str,
    objs: Iterable[Obj],
    *,
    include: str = "Metadata",
    resource_version: str = "",
    api_version: str = "meta.k8s.io/v1",
    headers: bool = True,
) -> Obj:
    now = datetime.now(UTC)
    columns, _ = PRINTERS[kind]
    table: Obj = {
        "kind": "Table",
        "apiVersion": api_version,
        "metadata": {"resourceVersion": resource_version} if resource_version else {},
        "rows": [table_row(kind, o, include, now, api_version) for o in objs],
    }
    if headers:
        table["columnDefinitions"] = columns
    return table


def wants_table(accept: str) -> str | None:
    """The Table apiVersion asked for (``meta.k8s.io/v1``...), or None.

    Honours the client's order: a Table wins only when listed before plain JSON.
    """
    for media in accept.split(","):
        params = [p.strip() for p in media.split(";")]
        base = params[0].lower()
        opts = dict(p.split("=", 1) for p in params[1:] if "=" in p)
        if opts.get("as") == "Table" and opts.get("g") == "meta.k8s.io" and base == "application/json":
            return f"meta.k8s.io/{opts.get('v', 'v1')}"
        if "as" not in opts and base in ("application/json", "*/*", "application/*"):
            return None
    return None
