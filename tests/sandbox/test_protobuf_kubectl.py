"""Decoding what real kubectl sent: Pods and DeleteOptions captured from kubectl
1.32 and 1.35 (``data/protobuf/*.pb``).

The captures were made by pointing each kubectl at a small recording server
that served ``data/maximal_pod.json`` (every PodSpec field set) and running
``kubectl debug maximal --copy-to=copy1 --image=busybox --keep-labels
--keep-annotations --keep-liveness --keep-readiness --keep-startup
--profile=general`` (``copy-keep-all``), ``kubectl debug maximal
--copy-to=copy2 --image=busybox --replace --profile=general`` (``copy-replace``
and its ``replace-delete``) and ``kubectl debug node/node-1 --image=busybox
--profile=sysadmin`` (``node-sysadmin``), ``kubectl create namespace demo``
(``create-namespace``) and ``kubectl auth can-i get pods`` (``auth-can-i``). kubectl copies the spec it read, so
the decoded copy must equal the maximal pod's spec up to the debug rules.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from kdebug_nb.sandbox.protobuf import decode_object

DATA = Path(__file__).parent / "data"
VERSIONS = ["1.32", "1.35"]


def maximal_pod() -> dict[str, Any]:
    return json.loads((DATA / "maximal_pod.json").read_text())


def capture(version: str, name: str) -> dict[str, Any]:
    return decode_object((DATA / "protobuf" / f"kubectl-{version}-{name}.pb").read_bytes())


def known_to(version: str, spec: dict[str, Any]) -> dict[str, Any]:
    """The spec as a kubectl of ``version`` holds it: 1.32 drops newer fields on read."""
    spec = copy.deepcopy(spec)
    if version != "1.32":
        return spec
    spec.pop("hostnameOverride", None)  # 1.34
    spec.pop("workloadRef", None)  # 1.35
    for ctr in spec.get("initContainers", []) + spec["containers"]:
        ctr.pop("restartPolicyRules", None)  # 1.34
        ctr.get("lifecycle", {}).pop("stopSignal", None)  # 1.33
        for env in ctr.get("env", []):
            env.get("valueFrom", {}).pop("fileKeyRef", None)  # 1.34
    for volume in spec["volumes"]:
        for source in volume.get("projected", {}).get("sources", []):
            source.pop("podCertificate", None)  # 1.34
    return spec


def expected_copy_spec(version: str, *, keep_probes: bool) -> dict[str, Any]:
    """The maximal spec after kubectl's copy rules (``generatePodCopyWithDebugContainer`` in debug.go, the profiles' strip in profiles.go)."""
    spec = known_to(version, maximal_pod()["spec"])
    del spec["nodeName"]  # no --same-node
    del spec["ephemeralContainers"]
    # shareProcessNamespace was explicitly false: share-pid leaves it alone.
    if not keep_probes:
        for ctr in spec["containers"]:
            for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
                ctr.pop(probe, None)
    return spec


def assert_same_fields(got: dict[str, Any], want: dict[str, Any], where: str) -> None:
    """Compare key by key so a failure names the field that differs."""
    assert sorted(got) == sorted(want), f"{where}: field sets differ"
    for key in want:
        assert got[key] == want[key], f"{where}.{key} differs"


def check_debug_container(ctr: dict[str, Any]) -> None:
    assert ctr["name"].startswith("debugger-")
    del ctr["name"]
    assert ctr == {
        "image": "busybox",
        "resources": {},
        "securityContext": {"capabilities": {"add": ["SYS_PTRACE"]}},
        "terminationMessagePolicy": "File",
    }


@pytest.mark.parametrize("version", VERSIONS)
def test_copy_keeping_everything_keeps_every_spec_field(version: str) -> None:
    pod = capture(version, "copy-keep-all")
    original = maximal_pod()
    assert pod["apiVersion"] == "v1" and pod["kind"] == "Pod"
    assert pod["metadata"] == {
        "name": "copy1",
        "namespace": "default",
        "labels": original["metadata"]["labels"],
        "annotations": original["metadata"]["annotations"],
    }
    assert pod["status"] == {}
    spec = pod["spec"]
    check_debug_container(spec["containers"].pop())
    want = expected_copy_spec(version, keep_probes=True)
    for i, (got_ctr, want_ctr) in enumerate(zip(spec["containers"], want["containers"], strict=True)):
        assert_same_fields(got_ctr, want_ctr, f"containers[{i}]")
    for i, (got_vol, want_vol) in enumerate(zip(spec["volumes"], want["volumes"], strict=True)):
        assert got_vol == want_vol, f"volumes[{i}] ({want_vol['name']}) differs"
    assert_same_fields(spec, want, "spec")


@pytest.mark.parametrize("version", VERSIONS)
def test_copy_with_general_profile_strips_labels_annotations_and_probes(version: str) -> None:
    pod = capture(version, "copy-replace")
    assert pod["metadata"] == {"name": "copy2", "namespace": "default"}
    spec = pod["spec"]
    check_debug_container(spec["containers"].pop())
    want = expected_copy_spec(version, keep_probes=False)
    assert_same_fields(spec, want, "spec")
    # Init containers are not stripped: the sidecar keeps its startup probe.
    assert spec["initContainers"][1]["startupProbe"]["periodSeconds"] == 2


@pytest.mark.parametrize("version", VERSIONS)
def test_replace_deletes_with_a_zero_grace_period(version: str) -> None:
    assert capture(version, "replace-delete") == {
        "apiVersion": "v1",
        "kind": "DeleteOptions",
        "gracePeriodSeconds": 0,
    }


@pytest.mark.parametrize("version", VERSIONS)
def test_node_debug_pod(version: str) -> None:
    pod = capture(version, "node-sysadmin")
    name = pod["metadata"].pop("name")
    assert name.startswith("node-debugger-node-1-")
    # 1.35 labels the pods it creates.
    labels = {"app.kubernetes.io/managed-by": "kubectl-debug"} if version == "1.35" else None
    assert pod["metadata"] == ({"labels": labels} if labels else {})
    assert pod["spec"] == {
        "volumes": [{"name": "host-root", "hostPath": {"path": "/"}}],
        "containers": [
            {
                "name": "debugger",
                "image": "busybox",
                "resources": {},
                "volumeMounts": [{"name": "host-root", "mountPath": "/host"}],
                "securityContext": {"privileged": True},
                "terminationMessagePolicy": "File",
            }
        ],
        "restartPolicy": "Never",
        "nodeName": "node-1",
        "hostNetwork": True,
        "hostPID": True,
        "hostIPC": True,
        "tolerations": [{"operator": "Exists"}],
    }


@pytest.mark.parametrize("version", VERSIONS)
def test_create_namespace(version: str) -> None:
    assert capture(version, "create-namespace") == {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {"name": "demo"},
        "spec": {},
        "status": {},
    }


@pytest.mark.parametrize("version", VERSIONS)
def test_auth_can_i(version: str) -> None:
    assert capture(version, "auth-can-i") == {
        "apiVersion": "authorization.k8s.io/v1",
        "kind": "SelfSubjectAccessReview",
        "metadata": {},
        "spec": {"resourceAttributes": {"namespace": "default", "verb": "get", "resource": "pods"}},
        "status": {"allowed": False},
    }
