"""The mutating requests of a run, in kubectl's order, and ``--rm``'s delete.

kubectl: ``staging/src/k8s.io/kubectl/pkg/cmd/debug/debug.go``,
``debugByEphemeralContainer`` (PATCH of the ``ephemeralcontainers``
subresource), ``debugByCopy`` (POST of the copy, then the DELETE of the
original with ``--replace``) and ``debugByCreatingNode`` (POST).
"""

from __future__ import annotations

import threading
from typing import Any

from kdebug_nb import errors
from kdebug_nb.engine.client import ClusterClient, Connection
from kdebug_nb.engine.debug_options import Plan
from kdebug_nb.engine.runs.result import DebugResult


class CreatedPods:
    """The copy and node pods a session's runs created and have not deleted yet."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pods: list[tuple[Connection, str, str]] = []

    def add(self, conn: Connection, namespace: str, name: str) -> None:
        with self._lock:
            self._pods.append((conn, namespace, name))

    def discard(self, conn: Connection, namespace: str, name: str) -> None:
        with self._lock:
            if (conn, namespace, name) in self._pods:
                self._pods.remove((conn, namespace, name))

    def items(self) -> list[tuple[Connection, str, str]]:
        with self._lock:
            return list(self._pods)


def apply(
    client: ClusterClient,
    plan: Plan,
    created: list[str],
    result: DebugResult,
    registry: CreatedPods,
) -> dict[str, Any]:
    """Send the plan; return the pod as the server answered (its resourceVersion starts the watch)."""
    if plan.mode == "ephemeral":
        pod = client.patch_ephemeral(plan.namespace, plan.pod_name, plan.body)
        created.append(f"pod/{plan.pod_name} ephemeral container {plan.container}")
    else:
        pod = client.create_pod(plan.namespace, plan.body)
        created.append(f"pod/{plan.pod_name}")
        registry.add(client.connection, plan.namespace, plan.pod_name)
        if plan.delete_original:
            client.delete_pod(plan.namespace, plan.delete_original, grace_period=0)
            result.deleted = (f"pod/{plan.delete_original}",)
    node = (pod.get("spec") or {}).get("nodeName")
    if node:
        result.node = str(node)
    return pod


def remove(
    client: ClusterClient,
    plan: Plan,
    created: list[str],
    result: DebugResult,
    registry: CreatedPods,
) -> None:
    """``--rm``: delete the copy or node pod this run created."""
    try:
        client.delete_pod(plan.namespace, plan.pod_name, grace_period=0)
    except errors.NotFound:
        pass
    label = f"pod/{plan.pod_name}"
    if label in created:
        created.remove(label)
    result.created = tuple(created)
    result.deleted = (*result.deleted, label)
    result.still_running = False
    registry.discard(client.connection, plan.namespace, plan.pod_name)
