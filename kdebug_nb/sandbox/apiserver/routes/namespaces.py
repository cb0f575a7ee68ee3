"""Namespaces, nodes and events: writes (reads are generic, in routes_read).

``create_namespace`` and ``create_node`` are also what a scenario loader can
call to get objects shaped like a real cluster's. Updates (PUT/PATCH, e.g.
``kubectl label ns`` or ``kubectl cordon``) take metadata and spec; status is
kept, as on the main resource of a real server.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from kdebug_nb.sandbox.cluster import Cluster, Obj, now_rfc3339
from kdebug_nb.sandbox.patching import JSON_PATCH, MERGE_PATCH, STRATEGIC_PATCH, apply_patch
from kdebug_nb.sandbox.pods import (
    carry_system_fields,
    check_resource_version,
    delete_pod,
    replace_object,
)
from kdebug_nb.sandbox.routes_common import (
    cluster_of,
    dry_run,
    get_object,
    info_of,
    json_response,
    object_namespace,
    parse_json,
    read_object,
)
from kdebug_nb.sandbox.status import StatusError, already_exists, bad_request, invalid, not_found
from kdebug_nb.sandbox.validation import (
    DNS1123_LABEL,
    LABEL_MSG,
    invalid_value,
    required,
    validate_name,
)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


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


def update_object(cluster: Cluster, current: Obj, new: Obj, *, dry_run: bool = False) -> Obj:
    """PUT/PATCH of a namespace, node or event: status stays the server's."""
    check_resource_version(current, new)
    name = current["metadata"]["name"]
    if (new.get("metadata") or {}).get("name", name) != name:
        raise invalid(current["kind"], name, [("FieldValueInvalid", "metadata.name", "field is immutable")])
    new = carry_system_fields(current, copy.deepcopy(new))
    if "status" in current and current["kind"] != "Event":
        new["status"] = current["status"]
    if dry_run:
        return new
    return replace_object(cluster, current, new)


def patch_handler(kind: str) -> Handler:
    async def handle_patch(request: web.Request) -> web.StreamResponse:
        current = get_object(request, kind)
        if request.content_type not in (JSON_PATCH, MERGE_PATCH, STRATEGIC_PATCH):
            raise StatusError(415, f'the server does not support the patch type "{request.content_type}"')
        patched = apply_patch(copy.deepcopy(current), parse_json(await request.read()), request.content_type)
        if not isinstance(patched, dict):
            raise bad_request("the patched object is not a JSON object")
        return json_response(update_object(cluster_of(request), current, patched, dry_run=dry_run(request)))

    return handle_patch


def put_handler(kind: str) -> Handler:
    async def handle_put(request: web.Request) -> web.StreamResponse:
        current = get_object(request, kind)
        body = await read_object(request)
        return json_response(update_object(cluster_of(request), current, body, dry_run=dry_run(request)))

    return handle_put


def create_event(cluster: Cluster, namespace: str, body: dict[str, Any], *, dry_run: bool = False) -> Obj:
    event = copy.deepcopy(body)
    event["kind"], event["apiVersion"] = "Event", "v1"
    meta = event.setdefault("metadata", {})
    meta["namespace"] = namespace
    name = meta.get("name") or ""
    if not name and meta.get("generateName"):
        name = meta["name"] = f"{meta['generateName']}{uuid.uuid4().hex[:16]}"
    causes = validate_name(name)
    if not event.get("involvedObject"):
        causes.append(required("involvedObject"))
    if causes:
        raise invalid("Event", name, causes)
    if cluster.get("Event", namespace, name) is not None:
        raise already_exists("events", name)
    ts = now_rfc3339()
    event.setdefault("firstTimestamp", ts)
    event.setdefault("lastTimestamp", ts)
    event.setdefault("count", 1)
    event.setdefault("type", "Normal")
    if dry_run:
        return event
    return cluster.put(event)


async def post_event(request: web.Request) -> web.StreamResponse:
    body = await read_object(request)
    namespace = object_namespace(info_of(request), body)
    event = create_event(cluster_of(request), namespace, body, dry_run=dry_run(request))
    return json_response(event, 201)


async def delete_event(request: web.Request) -> web.StreamResponse:
    event = get_object(request, "Event")
    meta = event["metadata"]
    if not dry_run(request):
        cluster_of(request).remove("Event", meta["namespace"], meta["name"])
    return json_response(
        {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success",
         "details": {"name": meta["name"], "kind": "events", "uid": meta.get("uid", "")}}
    )


def routes() -> list[web.RouteDef]:
    events = "/api/v1/namespaces/{namespace}/events"
    return [
        web.post("/api/v1/namespaces", post_namespace),
        web.delete("/api/v1/namespaces/{name}", delete_namespace),
        web.patch("/api/v1/namespaces/{name}", patch_handler("Namespace")),
        web.put("/api/v1/namespaces/{name}", put_handler("Namespace")),
        web.post("/api/v1/nodes", post_node),
        web.delete("/api/v1/nodes/{name}", delete_node),
        web.patch("/api/v1/nodes/{name}", patch_handler("Node")),
        web.put("/api/v1/nodes/{name}", put_handler("Node")),
        web.post(events, post_event),
        web.delete(events + "/{name}", delete_event),
        web.patch(events + "/{name}", patch_handler("Event")),
        web.put(events + "/{name}", put_handler("Event")),
    ]
