"""Whole-object round trips through the test encoder, and schema coverage.

``full_pod()`` is the maximal pod plus what kubectl never sends but an API
server must still decode: every ObjectMeta field, a rich ephemeral container
and a complete PodStatus. A coverage walk proves it sets every field of every
message type reachable from Pod, so the round trip exercises the whole table.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from test_protobuf_encoder import encode, envelope

from kdebug_nb.sandbox.protobuf import decode_object
from kdebug_nb.sandbox.protobuf.convert import REGISTRY
from kdebug_nb.sandbox.protobuf.schema import INLINE, LIST, MAP, SCALARS, SPECIALS

DATA = Path(__file__).parent / "data"

# Fields the maximal pod leaves out because an API server would refuse them
# together with others it sets (os linux vs windowsOptions, one FC/flocker
# identity), plus ephemeral containers, which cannot be set on create.
NOT_IN_MAXIMAL_POD = {
    "SecurityContext": {"windowsOptions"},
    "PodSecurityContext": {"windowsOptions"},
    "FCVolumeSource": {"wwids"},
    "FlockerVolumeSource": {"datasetUUID"},
}

TIME = "2024-01-02T03:04:05Z"

FULL_METADATA: dict[str, Any] = {
    "name": "maximal",
    "generateName": "maximal-",
    "namespace": "default",
    "selfLink": "/api/v1/namespaces/default/pods/maximal",
    "uid": "0b7a3f9e-1111-2222-3333-444455556666",
    "resourceVersion": "12345",
    "generation": 3,
    "creationTimestamp": TIME,
    "deletionTimestamp": "2024-01-02T03:05:00Z",
    "deletionGracePeriodSeconds": 0,
    "labels": {"app": "maximal"},
    "annotations": {"note": ""},
    "ownerReferences": [
        {
            "apiVersion": "apps/v1",
            "kind": "ReplicaSet",
            "name": "maximal-5d9",
            "uid": "u-rs",
            "controller": True,
            "blockOwnerDeletion": False,
        }
    ],
    "finalizers": ["example.com/keep"],
    "managedFields": [
        {
            "manager": "kubectl",
            "operation": "Update",
            "apiVersion": "v1",
            "time": TIME,
            "fieldsType": "FieldsV1",
            "fieldsV1": {"f:metadata": {"f:labels": {".": {}, "f:app": {}}}},
            "subresource": "status",
        }
    ],
}


def container_status(name: str) -> dict[str, Any]:
    return {
        "name": name,
        "state": {"running": {"startedAt": TIME}},
        "lastState": {
            "terminated": {
                "exitCode": 0,
                "signal": 9,
                "reason": "Error",
                "message": "boom",
                "startedAt": TIME,
                "finishedAt": "2024-01-02T03:04:09Z",
                "containerID": "containerd://old",
            },
            "waiting": {"reason": "CrashLoopBackOff", "message": "back-off"},
        },
        "ready": False,
        "restartCount": 0,
        "image": "nginx:1.27",
        "imageID": "docker.io/library/nginx@sha256:abc",
        "containerID": "containerd://abc",
        "started": False,
        "allocatedResources": {"cpu": "250m"},
        "resources": {"limits": {"cpu": "500m"}, "requests": {"cpu": "250m"}, "claims": [{"name": "gpu"}]},
        "volumeMounts": [
            {"name": "host", "mountPath": "/host-logs", "readOnly": True, "recursiveReadOnly": "Enabled"}
        ],
        "user": {"linux": {"uid": 0, "gid": 0, "supplementalGroups": [0, 4000]}},
        "allocatedResourcesStatus": [
            {"name": "claim:gpu", "resources": [{"resourceID": "gpu-0", "health": "Healthy"}]}
        ],
        "stopSignal": "SIGTERM",
    }


FULL_STATUS: dict[str, Any] = {
    "observedGeneration": 3,
    "phase": "Running",
    "conditions": [
        {
            "type": "Ready",
            "observedGeneration": 2,
            "status": "False",
            "lastProbeTime": TIME,
            "lastTransitionTime": TIME,
            "reason": "ContainersNotReady",
            "message": "containers with unready status: [app]",
        }
    ],
    "message": "msg",
    "reason": "Evicted",
    "nominatedNodeName": "node-2",
    "hostIP": "192.168.0.2",
    "hostIPs": [{"ip": "192.168.0.2"}],
    "podIP": "10.0.0.5",
    "podIPs": [{"ip": "10.0.0.5"}, {"ip": "fd00::5"}],
    "startTime": TIME,
    "initContainerStatuses": [container_status("setup")],
    "containerStatuses": [container_status("app")],
    "qosClass": "Burstable",
    "ephemeralContainerStatuses": [container_status("debugger-old")],
    "resize": "InProgress",
    "resourceClaimStatuses": [{"name": "gpu", "resourceClaimName": "gpu-claim"}],
    "extendedResourceClaimStatus": {
        "requestMappings": [{"containerName": "app", "resourceName": "example.com/gpu", "requestName": "r0"}],
        "resourceClaimName": "extended-claim",
    },
    "allocatedResources": {"cpu": "1"},
    "resources": {"limits": {"cpu": "2"}, "requests": {"cpu": "1"}},
}


def maximal_pod() -> dict[str, Any]:
    return json.loads((DATA / "maximal_pod.json").read_text())


def full_pod() -> dict[str, Any]:
    pod = maximal_pod()
    pod["metadata"] = copy.deepcopy(FULL_METADATA)
    pod["status"] = copy.deepcopy(FULL_STATUS)
    spec = pod["spec"]
    app = copy.deepcopy(spec["containers"][0])
    app.update(name="debugger-old", targetContainerName="app", restartPolicy="Never")
    app["restartPolicyRules"] = spec["initContainers"][1]["restartPolicyRules"]
    spec["ephemeralContainers"] = [app]
    windows = {
        "gmsaCredentialSpecName": "gmsa",
        "gmsaCredentialSpec": "{}",
        "runAsUserName": "ContainerUser",
        "hostProcess": False,
    }
    spec["securityContext"]["windowsOptions"] = windows
    spec["containers"][1]["securityContext"]["windowsOptions"] = windows
    for volume in spec["volumes"]:
        if "fc" in volume:
            volume["fc"]["wwids"] = ["3600508b400105e210000900000490000"]
        if "flocker" in volume:
            volume["flocker"]["datasetUUID"] = "uuid-1"
    return pod


def unset_fields(type_name: str, obj: dict[str, Any]) -> dict[str, set[str]]:
    """Per message type, the schema fields that no instance in ``obj`` sets."""
    seen: dict[str, set[int]] = {}

    def walk(name: str, value: dict[str, Any]) -> None:
        schema = REGISTRY[name]
        hits = seen.setdefault(name, set())
        for number, field in schema.items():
            if field.mode == INLINE:
                hits.add(number)
                walk(field.type, value)
                continue
            if field.json not in value:
                continue
            hits.add(number)
            item = value[field.json]
            if field.type in SCALARS or field.type in SPECIALS:
                continue
            if field.mode == LIST:
                for element in item:
                    walk(field.type, element)
            elif field.mode == MAP:
                for element in item.values():
                    walk(field.type, element)
            else:
                walk(field.type, item)

    walk(type_name, obj)
    missing: dict[str, set[str]] = {}
    for name, schema in REGISTRY.items():
        if name not in seen:
            continue
        unset = {f.json for n, f in schema.items() if n not in seen[name]}
        if unset:
            missing[name] = unset
    return missing


def reachable(type_name: str) -> set[str]:
    found: set[str] = set()
    stack = [type_name]
    while stack:
        name = stack.pop()
        if name in found or name in SPECIALS or name in SCALARS:
            continue
        found.add(name)
        stack.extend(field.type for field in REGISTRY[name].values())
    return found


def test_maximal_pod_sets_every_podspec_field() -> None:
    spec = maximal_pod()["spec"]
    missing = unset_fields("PodSpec", spec)
    missing.pop("EphemeralContainerCommon", None)  # only name/image/... on the original
    missing.pop("ObjectMeta", None)  # the PVC template's: labels and annotations only
    assert missing == NOT_IN_MAXIMAL_POD


def test_full_pod_sets_every_field_of_every_type_reachable_from_pod() -> None:
    pod = full_pod()
    del pod["apiVersion"], pod["kind"]
    assert unset_fields("Pod", pod) == {}
    walked = set(unset_fields("Pod", pod)) | reachable("Pod")
    assert {"ObjectMeta", "PodSpec", "PodStatus", "VolumeSource", "ContainerStatus"} <= walked


def test_full_pod_round_trips() -> None:
    pod = full_pod()
    body = {k: v for k, v in pod.items() if k not in ("apiVersion", "kind")}
    assert decode_object(envelope("Pod", encode("Pod", body))) == pod


def test_delete_options_round_trip() -> None:
    options = {
        "gracePeriodSeconds": 0,
        "preconditions": {"uid": "u1", "resourceVersion": "7"},
        "orphanDependents": False,
        "propagationPolicy": "Foreground",
        "dryRun": ["All"],
        "ignoreStoreReadErrorWithClusterBreakingPotential": False,
    }
    decoded = decode_object(envelope("DeleteOptions", encode("DeleteOptions", options)))
    assert decoded == {"apiVersion": "v1", "kind": "DeleteOptions", **options}


def test_namespace_round_trip() -> None:
    namespace = {
        "metadata": {"name": "demo", "labels": {"team": "a"}},
        "spec": {"finalizers": ["kubernetes"]},
        "status": {
            "phase": "Terminating",
            "conditions": [
                {
                    "type": "NamespaceDeletionContentFailure",
                    "status": "False",
                    "lastTransitionTime": TIME,
                    "reason": "ContentDeleted",
                    "message": "done",
                }
            ],
        },
    }
    assert unset_fields("Namespace", namespace) == {
        "ObjectMeta": {f.json for f in REGISTRY["ObjectMeta"].values()} - {"name", "labels"}
    }
    decoded = decode_object(envelope("Namespace", encode("Namespace", namespace)))
    assert decoded == {"apiVersion": "v1", "kind": "Namespace", **namespace}


def test_self_subject_access_review_round_trip() -> None:
    requirement = {"key": "a", "operator": "In", "values": ["b"]}
    review = {
        "metadata": {},
        "spec": {
            "resourceAttributes": {
                "namespace": "default",
                "verb": "create",
                "group": "",
                "version": "v1",
                "resource": "pods",
                "subresource": "ephemeralcontainers",
                "name": "web",
                "fieldSelector": {"rawSelector": "a=b", "requirements": [requirement]},
                "labelSelector": {"rawSelector": "a in (b)", "requirements": [requirement]},
            },
            "nonResourceAttributes": {"path": "/healthz", "verb": "get"},
        },
        "status": {"allowed": False, "denied": True, "reason": "no", "evaluationError": "x"},
    }
    unset = unset_fields("SelfSubjectAccessReview", review)
    assert set(unset) == {"ObjectMeta"}
    decoded = decode_object(
        envelope(
            "SelfSubjectAccessReview",
            encode("SelfSubjectAccessReview", review),
            api_version="authorization.k8s.io/v1",
        )
    )
    del review["spec"]["resourceAttributes"]["group"]  # "" is omitempty
    assert decoded == {
        "apiVersion": "authorization.k8s.io/v1",
        "kind": "SelfSubjectAccessReview",
        **review,
    }
