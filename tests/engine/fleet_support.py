"""Helpers for the fleet tests: many labelled pods at once, a scoped user's connection."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from kdebug_nb.engine.client import ClusterClient
from kdebug_nb.engine.client.connection import Connection

if TYPE_CHECKING:
    from kdebug_nb.sandbox.server import Sandbox


def make_pods(
    cc: ClusterClient,
    namespace: str,
    names: list[str],
    labels: dict[str, str],
    *,
    image: str = "busybox",
    wait: bool = True,
) -> list[str]:
    """Create one pod per name (``sleep`` in busybox), then wait until all run."""
    for name in names:
        cc.create_pod(namespace, {
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": namespace, "labels": dict(labels)},
            "spec": {"containers": [{"name": "app", "image": image,
                                     "command": ["sleep", "3600"]}]},
        })
    if wait:
        wait_running(cc, namespace, names)
    return names


def wait_running(cc: ClusterClient, namespace: str, names: list[str], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    want = set(names)
    while time.monotonic() < deadline:
        pods = cc.list_pods(namespace).get("items") or []
        running = {p["metadata"]["name"] for p in pods
                   if (p.get("status") or {}).get("phase") == "Running"}
        if want <= running:
            return
        time.sleep(0.2)
    raise AssertionError(f"pods not running in {namespace}: {sorted(want - running)}")


def user_connection(sandbox: Sandbox, tmp_path: Path, token: str) -> Connection:
    """A kubeconfig for the sandbox that authenticates as the user holding ``token``."""
    doc: dict[str, Any] = sandbox.kubeconfig_dict()
    for entry in doc["users"]:
        entry["user"] = {"token": token}
    path = tmp_path / f"kubeconfig-{token}"
    path.write_text(yaml.safe_dump(doc))
    return Connection(str(path), sandbox.context)


def add_user(sandbox: Sandbox, name: str, token: str, allow: dict[str, set[str]],
             namespaced: dict[str, dict[str, set[str]]]) -> None:
    from kdebug_nb.sandbox.store.cluster import User

    def put() -> None:
        sandbox.cluster.users[token] = User(name, token, allow, namespaced)

    sandbox.call(put)
