"""Pod lifecycle on the API side: defaulting, validation, admission, storage.

``create_pod`` is the one way a pod enters the sandbox — the REST handler
and the scenario loader both call it, so scenario pods are defaulted exactly
like created ones. ``delete_pod`` is graceful deletion: the pod is marked,
the simulated kubelet stops its processes, then the pod leaves the store.
"""

from __future__ import annotations

import asyncio
import copy
import logging
import random
from datetime import UTC, datetime, timedelta
from typing import Any

from kdebug_nb.sandbox.policy.admission import enforce_pod_security
from kdebug_nb.sandbox.policy.validation import (
    forbidden_cause,
    validate_ephemeral_update,
    validate_metadata,
    validate_pod_create,
    validate_pod_update,
)
from kdebug_nb.sandbox.store.cluster import Cluster, Obj, now_rfc3339
from kdebug_nb.sandbox.store.schema import decode
from kdebug_nb.sandbox.store.status import (
    StatusError,
    already_exists,
    bad_request,
    conflict,
    invalid,
    not_found,
)
from kdebug_nb.sandbox.store.updates import (
    carry_system_fields,
    check_resource_version,
    replace_object,
)

log = logging.getLogger(__name__)

_GENERATE_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"
_background: set[asyncio.Task[Any]] = set()

DEFAULT_TOLERATIONS = [
    {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300},
    {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300},
]


# -- defaulting ------------------------------------------------------------


def default_pull_policy(image: str) -> str:
    """Always for ``:latest`` or no tag (and no digest), else IfNotPresent."""
    if "@" in image:
        return "IfNotPresent"
    last = image.rsplit("/", 1)[-1]
    if ":" not in last:
        return "Always"
    return "Always" if last.rsplit(":", 1)[1] == "latest" else "IfNotPresent"


def _default_probe(probe: Obj | None) -> None:
    if not isinstance(probe, dict):
        return
    probe.setdefault("timeoutSeconds", 1)
    probe.setdefault("periodSeconds", 10)
    probe.setdefault("successThreshold", 1)
    probe.setdefault("failureThreshold", 3)
    http = probe.get("httpGet")
    if isinstance(http, dict):
        http.setdefault("path", "/")
        http.setdefault("scheme", "HTTP")


def default_container(c: Obj) -> Obj:
    """Container defaults (the same for init, app and ephemeral containers)."""
    if not isinstance(c, dict):
        return c
    image = c.get("image")
    if isinstance(image, str) and image and not c.get("imagePullPolicy"):
        c["imagePullPolicy"] = default_pull_policy(image)
    c.setdefault("terminationMessagePath", "/dev/termination-log")
    c.setdefault("terminationMessagePolicy", "File")
    # The API server's Go structs always serialise resources, ephemeral or not.
    c.setdefault("resources", {})
    resources = c.get("resources")
    if isinstance(resources, dict) and resources.get("limits") and "requests" not in resources:
        resources["requests"] = dict(resources["limits"])
    for port in c.get("ports") or []:
        if isinstance(port, dict):
            port.setdefault("protocol", "TCP")
    for key in ("livenessProbe", "readinessProbe", "startupProbe"):
        _default_probe(c.get(key))
    for env in c.get("env") or []:
        ref = ((env or {}).get("valueFrom") or {}).get("fieldRef")
        if isinstance(ref, dict):
            ref.setdefault("apiVersion", "v1")
    return c


def qos_class(spec: Obj) -> str:
    containers = [*(spec.get("initContainers") or []), *(spec.get("containers") or [])]
    any_set = False
    guaranteed = True
    for c in containers:
        res = c.get("resources") or {}
        req, lim = res.get("requests") or {}, res.get("limits") or {}
        if req or lim:
            any_set = True
        for r in ("cpu", "memory"):
            if r not in lim or str(req.get(r, lim.get(r))) != str(lim.get(r)):
                guaranteed = False
    if not any_set:
        return "BestEffort"
    return "Guaranteed" if guaranteed else "Burstable"


def default_pod(pod: Obj) -> Obj:
    spec = pod.setdefault("spec", {})
    if not isinstance(spec, dict):
        return pod
    spec.setdefault("restartPolicy", "Always")
    spec.setdefault("terminationGracePeriodSeconds", 30)
    spec.setdefault("dnsPolicy", "ClusterFirst")
    spec.setdefault("securityContext", {})
    spec.setdefault("schedulerName", "default-scheduler")
    sa = spec.get("serviceAccountName") or spec.get("serviceAccount") or "default"
    spec["serviceAccountName"] = sa
    spec["serviceAccount"] = sa
    spec.setdefault("enableServiceLinks", True)
    spec.setdefault("priority", 0)
    spec.setdefault("preemptionPolicy", "PreemptLowerPriority")
    tolerations = spec.setdefault("tolerations", [])
    if isinstance(tolerations, list):
        for tol in DEFAULT_TOLERATIONS:
            if not any(t.get("key") == tol["key"] and t.get("effect") == tol["effect"] for t in tolerations):
                tolerations.append(dict(tol))
    for c in spec.get("initContainers") or []:
        default_container(c)
    for c in spec.get("containers") or []:
        default_container(c)
    for c in spec.get("ephemeralContainers") or []:
        default_container(c)
    for vol in spec.get("volumes") or []:
        for key in ("configMap", "secret"):
            if isinstance(vol.get(key), dict):
                vol[key].setdefault("defaultMode", 420)
        if isinstance(vol.get("hostPath"), dict):
            vol["hostPath"].setdefault("type", "")
    return pod


# -- create ----------------------------------------------------------------


def _generate_name(cluster: Cluster, namespace: str, prefix: str) -> str:
    for _ in range(16):
        name = prefix + "".join(random.choices(_GENERATE_ALPHABET, k=5))
        if cluster.get("Pod", namespace, name) is None:
            return name
    raise StatusError(500, f"pods \"{prefix}\" could not generate a unique name")


def create_pod(
    cluster: Cluster,
    namespace: str,
    body: dict[str, Any],
    *,
    dry_run: bool = False,
    allow_ephemeral: bool = False,
) -> dict[str, Any]:
    """Default, validate, admit and store a new pod; return it as stored.

    ``allow_ephemeral`` lets a scenario seed pods that already carry
    ephemeral containers (the API refuses them on create).
    """
    if body.get("kind") not in (None, "", "Pod"):
        raise bad_request(f"the API version in the data (v1) does not match the expected kind (Pod); got {body.get('kind')}")
    pod = decode("Pod", copy.deepcopy(body))
    pod["kind"] = "Pod"
    pod["apiVersion"] = "v1"
    meta = pod.setdefault("metadata", {})
    if cluster.get("Namespace", "", namespace) is None:
        raise not_found("namespaces", namespace)
    meta["namespace"] = namespace
    for key in ("uid", "resourceVersion", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds"):
        meta.pop(key, None)
    if not meta.get("name") and meta.get("generateName"):
        meta["name"] = _generate_name(cluster, namespace, str(meta["generateName"]))
    name = str(meta.get("name") or "")
    default_pod(pod)
    causes = validate_pod_create(pod)
    if pod.get("spec", {}).get("ephemeralContainers") and not allow_ephemeral:
        causes.append(forbidden_cause("spec.ephemeralContainers", "cannot be set on create"))
    if causes:
        raise invalid("Pod", name, causes)
    if cluster.get("Pod", namespace, name) is not None:
        raise already_exists("pods", name)
    enforce_pod_security(cluster, namespace, pod, name)
    spec = pod["spec"]
    pod["status"] = {"phase": "Pending", "qosClass": qos_class(spec)}
    if dry_run:
        meta.setdefault("uid", "00000000-0000-0000-0000-000000000000")
        meta.setdefault("creationTimestamp", now_rfc3339())
        return pod
    return cluster.put(pod)


# -- update ----------------------------------------------------------------


def update_pod(cluster: Cluster, current: Obj, new: Obj, *, dry_run: bool = False) -> Obj:
    """PUT/PATCH on the pod itself: status and ephemeral containers are not taken."""
    new = decode("Pod", new)
    check_resource_version(current, new)
    new = carry_system_fields(current, new)
    if not isinstance(new.get("spec"), dict):
        new["spec"] = {}
    spec = new["spec"]
    default_pod(new)
    if "ephemeralContainers" in current["spec"]:
        spec["ephemeralContainers"] = current["spec"]["ephemeralContainers"]
    else:
        spec.pop("ephemeralContainers", None)
    new["status"] = current.get("status", {})
    causes = validate_pod_update(current, new)
    if causes:
        raise invalid("Pod", current["metadata"]["name"], causes)
    if dry_run:
        return new
    return replace_object(cluster, current, new)


def update_pod_status(cluster: Cluster, current: Obj, new: Obj, *, dry_run: bool = False) -> Obj:
    """PUT/PATCH on pods/status: only status (and labels/annotations) are taken."""
    new = decode("Pod", new)
    check_resource_version(current, new)
    result = cluster.copy(current)
    result["status"] = new.get("status") or {}
    meta = new.get("metadata") or {}
    for key in ("labels", "annotations"):
        if key in meta:
            result["metadata"][key] = meta[key]
    causes = validate_metadata(result["metadata"])
    if causes:
        raise invalid("Pod", current["metadata"]["name"], causes)
    if dry_run:
        return result
    return replace_object(cluster, current, result)


def update_ephemeral(cluster: Cluster, current: Obj, new: Obj, *, dry_run: bool = False) -> Obj:
    """pods/ephemeralcontainers: only spec.ephemeralContainers changes are taken."""
    new = decode("Pod", new)
    check_resource_version(current, new)
    result = cluster.copy(current)
    new_spec = new.get("spec")
    ecs = new_spec.get("ephemeralContainers") if isinstance(new_spec, dict) else None
    if ecs:
        if not isinstance(ecs, list):
            raise bad_request("spec.ephemeralContainers must be a list")
        result["spec"]["ephemeralContainers"] = [
            default_container(c) for c in ecs  # decode() made them ours
        ]
    else:
        result["spec"].pop("ephemeralContainers", None)
    name = current["metadata"]["name"]
    causes = validate_ephemeral_update(current, result)
    if causes:
        raise invalid("Pod", name, causes)
    enforce_pod_security(cluster, current["metadata"].get("namespace", ""), result, name)
    if dry_run:
        return result
    return replace_object(cluster, current, result)


# -- delete ----------------------------------------------------------------


def _spawn(coro: Any) -> None:
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        coro.close()
        return
    task = loop.create_task(coro)
    _background.add(task)
    task.add_done_callback(_background.discard)


def _same_pod(cluster: Cluster, namespace: str, name: str, uid: str) -> bool:
    pod = cluster.get("Pod", namespace, name)
    return pod is not None and pod["metadata"].get("uid") == uid


async def _finish_deletion(cluster: Cluster, namespace: str, name: str, uid: str, grace: int) -> None:
    # kill_pod goes by name: never let it stop a namesake created meanwhile.
    if not _same_pod(cluster, namespace, name, uid):
        return
    kubelet = cluster.extensions.get("kubelet")
    if kubelet is not None:
        try:
            await kubelet.kill_pod(namespace, name, grace)
        except Exception:
            log.exception("sandbox: kubelet failed to stop pod %s/%s", namespace, name)
    if _same_pod(cluster, namespace, name, uid):
        cluster.remove("Pod", namespace, name)


def delete_pod(
    cluster: Cluster,
    ns: str,
    name: str,
    grace_period: int | None,
    *,
    uid: str | None = None,
    resource_version: str | None = None,
    dry_run: bool = False,
) -> dict[str, Any]:
    """Delete gracefully; return the pod as the API answers the DELETE.

    A pod never scheduled, already finished, or deleted with grace 0 leaves
    the store at once (the API server skips graceful deletion for those, and
    the kubelet reaps what vanished); otherwise it is marked with
    deletionTimestamp and removed once ``kubelet.kill_pod`` has stopped its
    processes (at once when there is no kubelet).
    """
    pod = cluster.get("Pod", ns, name)
    if pod is None:
        raise not_found("pods", name)
    meta = pod["metadata"]
    if uid and uid != meta.get("uid"):
        raise conflict(
            "pods",
            name,
            f"Precondition failed: UID in precondition: {uid}, UID in object meta: {meta.get('uid')}",
        )
    if resource_version and resource_version != meta.get("resourceVersion"):
        raise conflict(
            "pods",
            name,
            f"Precondition failed: ResourceVersion in precondition: {resource_version}, "
            f"ResourceVersion in object meta: {meta.get('resourceVersion')}",
        )
    if grace_period is None:
        grace_period = int(pod.get("spec", {}).get("terminationGracePeriodSeconds", 30))
    grace_period = max(grace_period, 0)
    status = pod.get("status") or {}
    immediate = (
        grace_period == 0
        or not pod.get("spec", {}).get("nodeName")
        or status.get("phase") in ("Succeeded", "Failed")
    )
    if dry_run:
        return pod
    if meta.get("deletionTimestamp"):
        # Already terminating: a shorter grace period may only speed it up.
        if not immediate:
            return pod
    if immediate:
        # The kubelet reaps the processes of a pod that vanishes (its DELETED hook);
        # calling kill_pod here could hit a namesake created right after.
        return cluster.remove("Pod", ns, name) or pod
    kubelet = cluster.extensions.get("kubelet")
    meta["deletionTimestamp"] = (datetime.now(UTC) + timedelta(seconds=grace_period)).strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )
    meta["deletionGracePeriodSeconds"] = grace_period
    cluster.put(pod)
    if kubelet is None or not _has_loop():
        cluster.remove("Pod", ns, name)
        return pod
    _spawn(_finish_deletion(cluster, ns, name, str(meta.get("uid", "")), grace_period))
    return pod


def _has_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True
