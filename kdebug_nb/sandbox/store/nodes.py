"""Nodes as a kubelet registers them: labels, addresses, capacity, conditions.

``create_node`` is the one way a node enters the sandbox: the REST handler
and the scenario loader both call it. What the body sets wins; conditions
given by type replace the defaults field by field.
"""

from __future__ import annotations

import copy
import platform
from typing import Any

from kdebug_nb.sandbox.policy.validation import validate_metadata, validate_name
from kdebug_nb.sandbox.store.cluster import Cluster, Obj, now_rfc3339
from kdebug_nb.sandbox.store.schema import decode
from kdebug_nb.sandbox.store.status import already_exists, invalid

_CONDITION_DEFAULTS = [
    ("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
    ("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
    ("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
    ("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
]


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _conditions(given: Any, now: str) -> list[Obj]:
    overrides = {c.get("type"): c for c in given or [] if isinstance(c, dict)}
    conditions: list[Obj] = []
    for type_, status, reason, message in _CONDITION_DEFAULTS:
        cond = {"type": type_, "status": status, "reason": reason, "message": message,
                "lastHeartbeatTime": now, "lastTransitionTime": now}
        cond.update(overrides.pop(type_, {}))
        conditions.append(cond)
    for extra_type, extra in overrides.items():
        conditions.append({"status": "Unknown", "lastHeartbeatTime": now, "lastTransitionTime": now,
                           **extra, "type": str(extra_type)})
    return conditions


def create_node(cluster: Cluster, body: dict[str, Any], *, dry_run: bool = False) -> Obj:
    """Default, validate and store a node; it is Ready unless its conditions say otherwise."""
    node = decode("Node", copy.deepcopy(body))
    node["kind"], node["apiVersion"] = "Node", "v1"
    meta = node["metadata"] = _dict(node.get("metadata"))
    meta.pop("namespace", None)
    name = meta.get("name") or ""
    causes = validate_name(name) + validate_metadata(meta)
    if causes:
        raise invalid("Node", str(name), causes)
    if cluster.get("Node", "", name) is not None:
        raise already_exists("nodes", name)
    index = len(cluster.objects["Node"])
    meta["labels"] = {
        "beta.kubernetes.io/arch": "amd64",
        "beta.kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64",
        "kubernetes.io/hostname": name,
        "kubernetes.io/os": "linux",
        **_dict(meta.get("labels")),
    }
    meta["annotations"] = {
        "node.alpha.kubernetes.io/ttl": "0",
        "volumes.kubernetes.io/controller-managed-attach-detach": "true",
        **_dict(meta.get("annotations")),
    }
    spec = node["spec"] = _dict(node.get("spec"))
    spec.setdefault("podCIDR", f"10.244.{index}.0/24")
    spec.setdefault("podCIDRs", [spec["podCIDR"]])
    status = node["status"] = _dict(node.get("status"))
    status["capacity"] = {
        "cpu": "4",
        "ephemeral-storage": "102687672Ki",
        "hugepages-2Mi": "0",
        "memory": "16384Mi",
        "pods": "110",
        **_dict(status.get("capacity")),
    }
    status["allocatable"] = {**status["capacity"], **_dict(status.get("allocatable"))}
    status["conditions"] = _conditions(status.get("conditions"), now_rfc3339())
    if not status.get("addresses"):
        status["addresses"] = [
            {"type": "InternalIP", "address": f"10.0.0.{11 + index}"},
            {"type": "Hostname", "address": name},
        ]
    status.setdefault("daemonEndpoints", {"kubeletEndpoint": {"Port": 10250}})
    status["nodeInfo"] = {
        "architecture": "amd64",
        "bootID": "",
        "containerRuntimeVersion": "kdebug-sandbox://0.1.0",
        "kernelVersion": platform.release(),
        "kubeProxyVersion": "v1.32.4",
        "kubeletVersion": "v1.32.4",
        "machineID": "",
        "operatingSystem": "linux",
        "osImage": "kdebug sandbox (processes run locally)",
        "systemUUID": "",
        **_dict(status.get("nodeInfo")),
    }
    status.setdefault("images", [])
    if dry_run:
        return node
    return cluster.put(node)
