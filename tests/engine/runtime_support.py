"""Helpers for the engine-runtime tests (runs against the session sandbox over HTTP).

The ``conn`` and ``cc`` fixtures these helpers take live in tests/engine/conftest.py.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

from kdebug_nb.engine.client import ClusterClient
from kdebug_nb.engine.runs.waiting import container_status
from kdebug_nb.errors import NotFound


def uid(prefix: str = "p") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:6]}"


def make_pod(
    cc: ClusterClient,
    namespace: str,
    name: str | None = None,
    *,
    command: tuple[str, ...] = ("sh", "-c", "while true; do sleep 1; done"),
    image: str = "busybox",
    init: list[dict[str, Any]] | None = None,
    wait: bool = True,
    **spec: Any,
) -> dict[str, Any]:
    """Create a busybox pod and (by default) wait until its container runs."""
    name = name or uid("target")
    body: dict[str, Any] = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": namespace, "labels": {"app": name}},
        "spec": {
            "containers": [{"name": "app", "image": image, "command": list(command)}],
            **spec,
        },
    }
    if init:
        body["spec"]["initContainers"] = init
    pod = cc.create_pod(namespace, body)
    if wait:
        pod = wait_pod(cc, namespace, name, lambda p: _state(p, "app") == "running")
    return pod


def _state(pod: dict[str, Any], container: str) -> str:
    st = (container_status(pod, container) or {}).get("state") or {}
    return next(iter(st), "")


def wait_pod(
    cc: ClusterClient,
    namespace: str,
    name: str,
    cond: Callable[[dict[str, Any]], bool],
    timeout: float = 20.0,
) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    last: dict[str, Any] = {}
    for _kind, obj in cc.watch_pod(namespace, name, deadline=deadline):
        last = obj
        if obj and cond(obj):
            return obj
    raise AssertionError(f"pod {namespace}/{name} did not reach the condition: {last.get('status')}")


def wait_gone(cc: ClusterClient, namespace: str, name: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            cc.read_pod(namespace, name)
        except NotFound:
            return
        time.sleep(0.05)
    raise AssertionError(f"pod {namespace}/{name} still exists")


def pod_names(cc: ClusterClient, namespace: str) -> set[str]:
    return {p["metadata"]["name"] for p in cc.list_pods(namespace).get("items") or []}


def ephemeral_names(cc: ClusterClient, namespace: str, pod: str) -> list[str]:
    spec = cc.read_pod(namespace, pod).get("spec") or {}
    return [c["name"] for c in spec.get("ephemeralContainers") or []]


def mutating_requests(records: list[Any]) -> list[tuple[str, str]]:
    return [(r.method, r.path) for r in records if r.method not in ("GET", "HEAD")]


def on_output(fn: Callable[[str], None]) -> Callable[[Any], None]:
    """A run observer that hands each output chunk to ``fn``."""

    def observe(event: Any) -> None:
        if type(event).__name__ == "RunOutput":
            fn(event.text)

    return observe
