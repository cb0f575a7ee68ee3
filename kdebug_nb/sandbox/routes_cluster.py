"""Namespaces and nodes: creation (with API defaulting) and namespace deletion.

``create_namespace`` and ``create_node`` are also what a scenario loader can
call to get objects shaped like a real cluster's.
"""

from __future__ import annotations

import copy
from typing import Any

from aiohttp import web

from kdebug_nb.sandbox.cluster import Cluster, Obj
from kdebug_nb.sandbox.pods import delete_pod
from kdebug_nb.sandbox.routes_common import cluster_of, dry_run, info_of, json_response, read_object
from kdebug_nb.sandbox.status import already_exists, invalid, not_found
from kdebug_nb.sandbox.validation import (
    DNS1123_LABEL,
    LABEL_MSG,
    invalid_value,
    required,
    validate_name,
)


def create_namespace(cluster: Cluster, body: dict[str, Any], *, dry_run: bool = False) -> Obj:
    ns = copy.deepcopy(body)
    ns["kind"], ns["apiVersion"] = "Namespace", "v1"
    meta = ns.setdefault("metadata", {})
    meta.pop("namespace", None)
    name = meta.get("name") or ""
    if not name:
        raise invalid("Namespace", "", [required("metadata.name", "name or generateName is required")])
    if len(name) > 63 or not DNS1123_LABEL.match(name):
        raise invalid("Namespace", name, [invalid_value("metadata.name", name, LABEL_MSG)])
    if cluster.get("Namespace", "", name) is not None:
        raise already_exists("namespaces", name)
    labels = meta.get("labels") or {}
    labels["kubernetes.io/metadata.name"] = name
    meta["labels"] = labels
    ns["spec"] = {"finalizers": ["kubernetes"]}
    ns["status"] = {"phase": "Active"}
    if dry_run:
        return ns
    return cluster.put(ns)


def create_node(cluster: Cluster, body: dict[str, Any], *, dry_run: bool = False) -> Obj:
    """A Ready node with the addresses, capacity and nodeInfo a kubelet reports."""
    node = copy.deepcopy(body)
    node["kind"], node["apiVersion"] = "Node", "v1"
    meta = node.setdefault("metadata", {})
    meta.pop("namespace", None)
    name = meta.get("name") or ""
    causes = validate_name(name)
    if causes:
        raise invalid("Node", name, causes)
    if cluster.get("Node", "", name) is not None:
        raise already_exists("nodes", name)
    labels = meta.setdefault("labels", {})
    labels.setdefault("kubernetes.io/hostname", name)
    labels.setdefault("kubernetes.io/os", "linux")
    labels.setdefault("kubernetes.io/arch", "amd64")
    labels.setdefault("beta.kubernetes.io/os", "linux")
    labels.setdefault("beta.kubernetes.io/arch", "amd64")
    node.setdefault("spec", {})
    status = node.setdefault("status", {})
    index = len(cluster.objects["Node"]) + 2
    status.setdefault("addresses", [
        {"type": "InternalIP", "address": f"172.18.0.{index}"},
        {"type": "Hostname", "address": name},
    ])
    capacity = {"cpu": "4", "ephemeral-storage": "102626232Ki", "hugepages-2Mi": "0",
                "memory": "16375460Ki", "pods": "110"}
    status.setdefault("capacity", capacity)
    status.setdefault("allocatable", dict(status["capacity"]))
    if not status.get("conditions"):
        ts = "2025-01-01T00:00:00Z"
        status["conditions"] = [
            {"type": t, "status": "False", "reason": r, "message": m,
             "lastHeartbeatTime": ts, "lastTransitionTime": ts}
            for t, r, m in (
                ("MemoryPressure", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
                ("DiskPressure", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
                ("PIDPressure", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
            )
        ] + [{"type": "Ready", "status": "True", "reason": "KubeletReady",
              "message": "kubelet is posting ready status", "lastHeartbeatTime": ts,
              "lastTransitionTime": ts}]
    status.setdefault("daemonEndpoints", {"kubeletEndpoint": {"Port": 10250}})
    info = status.setdefault("nodeInfo", {})
    for key, value in {
        "machineID": name.replace("-", "")[:32].ljust(32, "0"),
        "systemUUID": "",
        "bootID": "",
        "kernelVersion": "6.8.0-kdebug",
        "osImage": "Debian GNU/Linux 12 (bookworm)",
        "containerRuntimeVersion": "containerd://1.7.24",
        "kubeletVersion": "v1.32.4",
        "kubeProxyVersion": "v1.32.4",
        "operatingSystem": "linux",
        "architecture": "amd64",
    }.items():
        info.setdefault(key, value)
    if dry_run:
        return node
    return cluster.put(node)


async def post_namespace(request: web.Request) -> web.StreamResponse:
    body = await read_object(request)
    return json_response(create_namespace(cluster_of(request), body, dry_run=dry_run(request)), 201)


async def post_node(request: web.Request) -> web.StreamResponse:
    body = await read_object(request)
    return json_response(create_node(cluster_of(request), body, dry_run=dry_run(request)), 201)


async def delete_namespace(request: web.Request) -> web.StreamResponse:
    """Pods go first (immediately), then the namespace; the answer shows it Terminating."""
    cluster = cluster_of(request)
    name = info_of(request).name
    ns = cluster.get("Namespace", "", name)
    if ns is None:
        raise not_found("namespaces", name)
    if dry_run(request):
        return json_response(ns)
    for pod in cluster.list("Pod", name):
        delete_pod(cluster, name, pod["metadata"]["name"], 0)
    for event in cluster.list("Event", name):
        cluster.remove("Event", name, event["metadata"]["name"])
    ns["status"] = {"phase": "Terminating"}
    cluster.put(ns)
    answer = copy.deepcopy(ns)
    cluster.remove("Namespace", "", name)
    return json_response(answer)


async def delete_node(request: web.Request) -> web.StreamResponse:
    cluster = cluster_of(request)
    name = info_of(request).name
    node = cluster.remove("Node", "", name)
    if node is None:
        raise not_found("nodes", name)
    return json_response(node)


def routes() -> list[web.RouteDef]:
    return [
        web.post("/api/v1/namespaces", post_namespace),
        web.delete("/api/v1/namespaces/{name}", delete_namespace),
        web.post("/api/v1/nodes", post_node),
        web.delete("/api/v1/nodes/{name}", delete_node),
    ]
