"""Pure helpers deriving pod-level status from container statuses.

The kubelet keeps container statuses; everything else a client reads
(phase, conditions, QoS class) is computed here, the way the real kubelet's
status manager derives it, so the pieces never disagree.
"""

from __future__ import annotations

from typing import Any

from ..store.cluster import now_rfc3339

Obj = dict[str, Any]

CONDITION_ORDER = ("PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled")


def condition(type_: str, status: bool, reason: str = "", message: str = "") -> Obj:
    cond: Obj = {
        "type": type_,
        "status": "True" if status else "False",
        "lastProbeTime": None,
        "lastTransitionTime": now_rfc3339(),
    }
    if reason:
        cond["reason"] = reason
    if message:
        cond["message"] = message
    return cond


def merge_conditions(old: list[Obj] | None, new: list[Obj]) -> list[Obj]:
    """Keep lastTransitionTime when a condition's status did not change."""
    before = {c.get("type"): c for c in old or ()}
    out = []
    for cond in new:
        prev = before.get(cond["type"])
        if prev is not None and prev.get("status") == cond["status"]:
            cond["lastTransitionTime"] = prev.get("lastTransitionTime", cond["lastTransitionTime"])
        out.append(cond)
    # conditions others wrote (e.g. readiness gates) survive
    ours = {c["type"] for c in new}
    out += [c for t, c in before.items() if t not in ours]
    return out


def is_sidecar(container: Obj) -> bool:
    return container.get("restartPolicy") == "Always"


def qos_class(spec: Obj) -> str:
    containers = [*spec.get("initContainers", []), *spec.get("containers", [])]
    any_set = False
    guaranteed = True
    for c in containers:
        res = c.get("resources") or {}
        requests = res.get("requests") or {}
        limits = res.get("limits") or {}
        if requests or limits:
            any_set = True
        for r in ("cpu", "memory"):
            lim = limits.get(r)
            req = requests.get(r, lim)
            if lim is None or str(req) != str(lim):
                guaranteed = False
    if not any_set:
        return "BestEffort"
    return "Guaranteed" if guaranteed else "Burstable"


def _state(status: Obj) -> str:
    state = status.get("state") or {}
    return next(iter(state), "waiting")


def phase_for(spec: Obj, init: list[Obj], app: list[Obj], *, init_failed: bool) -> str:
    """Pod phase from container statuses (ephemeral containers never count)."""
    if init_failed:
        return "Failed"
    policy = spec.get("restartPolicy", "Always")
    regular_init = [
        s for c, s in zip(spec.get("initContainers", []), init, strict=False) if not is_sidecar(c)
    ]
    for s in regular_init:
        term = (s.get("state") or {}).get("terminated")
        if term is None or term.get("exitCode") != 0:
            return "Pending"
    running = waiting_restart = terminated_ok = terminated_bad = waiting = 0
    for s in app:
        kind = _state(s)
        if kind == "running":
            running += 1
        elif kind == "terminated":
            if s["state"]["terminated"].get("exitCode") == 0:
                terminated_ok += 1
            else:
                terminated_bad += 1
        elif s.get("lastState", {}).get("terminated"):
            waiting_restart += 1
        else:
            waiting += 1
    if waiting:
        return "Pending"
    if running or waiting_restart:
        return "Running"
    if terminated_bad:
        # Always/OnFailure would restart a failed container: still running
        return "Running" if policy != "Never" else "Failed"
    if terminated_ok:
        return "Running" if policy == "Always" else "Succeeded"
    return "Pending"


def pod_conditions(
    spec: Obj,
    init: list[Obj],
    app: list[Obj],
    *,
    scheduled: bool,
    sandbox_ready: bool,
    phase: str,
) -> list[Obj]:
    conds: list[Obj] = []
    if scheduled:
        conds.append(condition("PodReadyToStartContainers", sandbox_ready))
        pending_init = []
        for c, s in zip(spec.get("initContainers", []), init, strict=False):
            state = s.get("state") or {}
            if is_sidecar(c):
                if not s.get("started"):
                    pending_init.append(c["name"])
            elif (state.get("terminated") or {}).get("exitCode") != 0:
                pending_init.append(c["name"])
        if phase in ("Succeeded", "Failed") and not spec.get("initContainers"):
            conds.append(condition("Initialized", True))
        elif pending_init and phase not in ("Succeeded",):
            conds.append(
                condition(
                    "Initialized",
                    False,
                    "ContainersNotInitialized",
                    f"containers with incomplete status: [{' '.join(pending_init)}]",
                )
            )
        else:
            conds.append(condition("Initialized", True))
        unready = [s["name"] for s in app if not s.get("ready")]
        unready += [
            s["name"]
            for c, s in zip(spec.get("initContainers", []), init, strict=False)
            if is_sidecar(c) and not s.get("ready")
        ]
        if phase in ("Succeeded", "Failed"):
            why = "PodCompleted" if phase == "Succeeded" else "PodFailed"
            conds.append(condition("Ready", False, why))
            conds.append(condition("ContainersReady", False, why))
        elif unready:
            msg = f"containers with unready status: [{' '.join(unready)}]"
            conds.append(condition("Ready", False, "ContainersNotReady", msg))
            conds.append(condition("ContainersReady", False, "ContainersNotReady", msg))
        else:
            conds.append(condition("Ready", True))
            conds.append(condition("ContainersReady", True))
    conds.append(condition("PodScheduled", scheduled))
    return conds
