"""Helpers shared by the kubelet tests (no tests here).

Everything goes over HTTP with the official client, reading raw JSON
(``_preload_content=False``) so assertions see exactly what the API sends.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

Obj = dict[str, Any]


def make_pod(name: str, containers: list[Obj], **spec: Any) -> Obj:
    spec.setdefault("restartPolicy", "Never")
    spec.setdefault("terminationGracePeriodSeconds", 2)
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name},
        "spec": {"containers": containers, **spec},
    }


def create(core_v1: Any, ns: str, pod: Obj) -> Obj:
    resp = core_v1.create_namespaced_pod(ns, pod, _preload_content=False)
    return json.loads(resp.data)  # type: ignore[no-any-return]


def get_pod(core_v1: Any, ns: str, name: str) -> Obj:
    resp = core_v1.read_namespaced_pod(name, ns, _preload_content=False)
    return json.loads(resp.data)  # type: ignore[no-any-return]


def statuses(pod: Obj) -> list[Obj]:
    st = pod.get("status") or {}
    return [
        *st.get("initContainerStatuses", []),
        *st.get("containerStatuses", []),
        *st.get("ephemeralContainerStatuses", []),
    ]


def cstatus(pod: Obj, container: str) -> Obj | None:
    return next((s for s in statuses(pod) if s["name"] == container), None)


def state_of(pod: Obj, container: str) -> tuple[str, Obj]:
    s = cstatus(pod, container)
    if s is None:
        return "", {}
    kind, detail = next(iter(s["state"].items()))
    return kind, detail


def wait_pod(
    core_v1: Any,
    ns: str,
    name: str,
    predicate: Callable[[Obj], bool],
    *,
    timeout: float = 15.0,
    what: str = "condition",
) -> Obj:
    """Poll the pod until ``predicate(pod)``; fail with the last pod seen."""
    deadline = time.monotonic() + timeout
    pod: Obj = {}
    while time.monotonic() < deadline:
        pod = get_pod(core_v1, ns, name)
        if predicate(pod):
            return pod
        time.sleep(0.02)
    raise AssertionError(f"{ns}/{name}: timed out waiting for {what}; last status: {json.dumps(pod.get('status'))}")


def wait_state(core_v1: Any, ns: str, name: str, container: str, state: str, **kw: Any) -> Obj:
    return wait_pod(
        core_v1, ns, name, lambda p: state_of(p, container)[0] == state, what=f"{container} {state}", **kw
    )


def wait_reason(core_v1: Any, ns: str, name: str, container: str, reason: str, **kw: Any) -> Obj:
    return wait_pod(
        core_v1,
        ns,
        name,
        lambda p: state_of(p, container)[1].get("reason") == reason,
        what=f"{container} {reason}",
        **kw,
    )


def pod_events(core_v1: Any, ns: str, name: str) -> list[Obj]:
    resp = core_v1.list_namespaced_event(ns, _preload_content=False)
    items = json.loads(resp.data)["items"]
    return [e for e in items if e["involvedObject"].get("name") == name]


def wait_event(core_v1: Any, ns: str, name: str, reason: str, *, timeout: float = 15.0) -> Obj:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for e in pod_events(core_v1, ns, name):
            if e["reason"] == reason:
                return e
        time.sleep(0.05)
    raise AssertionError(f"no {reason} event for {ns}/{name}")


def kubelet_pid(sandbox: Any, ns: str, name: str, container: str) -> int:
    """The PID of a container's main process (read on the sandbox loop)."""

    def pid() -> int:
        runner = sandbox.cluster.extensions["kubelet"].worker(ns, name).runners[container]
        return int(runner.process.pid)

    return int(sandbox.call(pid))
