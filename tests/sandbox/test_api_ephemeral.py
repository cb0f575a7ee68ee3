"""pods/ephemeralcontainers: add-only, the fields it refuses, and what it ignores."""

from __future__ import annotations

import json
from typing import Any

import pytest
from kubernetes.client.exceptions import ApiException

PARKED = "parked-node"
SMP = "application/strategic-merge-patch+json"
MERGE = "application/merge-patch+json"
JSONPATCH = "application/json-patch+json"


@pytest.fixture
def target(core_v1: Any, fresh_namespace: str) -> str:
    core_v1.create_namespaced_pod(
        fresh_namespace,
        {
            "metadata": {"name": "target", "labels": {"app": "t"}},
            "spec": {
                "nodeName": PARKED,
                "containers": [{"name": "app", "image": "busybox:1.36"}],
                "initContainers": [{"name": "init", "image": "busybox:1.36"}],
            },
        },
    )
    return fresh_namespace


def debugger(name: str = "debugger-abcde", **extra: Any) -> dict[str, Any]:
    return {"name": name, "image": "busybox", "resources": {}, "terminationMessagePolicy": "File",
            "stdin": True, "tty": True, **extra}


def add(core_v1: Any, ns: str, body: Any, ctype: str = SMP, name: str = "target") -> dict[str, Any]:
    resp = core_v1.patch_namespaced_pod_ephemeralcontainers(
        name, ns, body, _content_type=ctype, _preload_content=False
    )
    data: dict[str, Any] = json.loads(resp.data)
    return data


def refused(core_v1: Any, ns: str, body: Any, ctype: str = SMP) -> dict[str, Any]:
    with pytest.raises(ApiException) as err:
        add(core_v1, ns, body, ctype)
    status: dict[str, Any] = json.loads(err.value.body)
    assert status["code"] == err.value.status
    return status


def test_add_like_kubectl(core_v1: Any, target: str) -> None:
    pod = add(core_v1, target, {"spec": {"ephemeralContainers": [debugger()]}})
    assert pod["kind"] == "Pod" and pod["metadata"]["name"] == "target"
    (ec,) = pod["spec"]["ephemeralContainers"]
    assert ec["name"] == "debugger-abcde" and ec["stdin"] and ec["tty"]
    assert ec["imagePullPolicy"] == "Always"
    assert ec["terminationMessagePath"] == "/dev/termination-log"
    second = debugger("debugger-fghij", targetContainerName="app")
    pod = add(
        core_v1,
        target,
        {"spec": {
            "$setElementOrder/ephemeralContainers": [{"name": "debugger-abcde"}, {"name": "debugger-fghij"}],
            "ephemeralContainers": [second],
        }},
    )
    assert [c["name"] for c in pod["spec"]["ephemeralContainers"]] == ["debugger-abcde", "debugger-fghij"]
    got = json.loads(
        core_v1.read_namespaced_pod_ephemeralcontainers("target", target, _preload_content=False).data
    )
    assert len(got["spec"]["ephemeralContainers"]) == 2


def test_json_patch_append(core_v1: Any, target: str) -> None:
    ops = [{"op": "add", "path": "/spec/ephemeralContainers", "value": [debugger("jp")]}]
    pod = add(core_v1, target, ops, JSONPATCH)
    assert [c["name"] for c in pod["spec"]["ephemeralContainers"]] == ["jp"]
    ops = [{"op": "add", "path": "/spec/ephemeralContainers/-", "value": debugger("jp2")}]
    pod = add(core_v1, target, ops, JSONPATCH)
    assert [c["name"] for c in pod["spec"]["ephemeralContainers"]] == ["jp", "jp2"]


def test_json_merge_patch_that_drops_existing_is_refused(core_v1: Any, target: str) -> None:
    add(core_v1, target, {"spec": {"ephemeralContainers": [debugger("first")]}})
    status = refused(core_v1, target, {"spec": {"ephemeralContainers": [debugger("second")]}}, MERGE)
    assert status["reason"] == "Invalid"
    assert 'spec.ephemeralContainers: Forbidden: existing ephemeral containers "first" may not be removed' in status["message"]
    # Re-sending the list whole, unchanged, is fine.
    pod = add(core_v1, target, {"spec": {"ephemeralContainers": [debugger("first"), debugger("second")]}}, MERGE)
    assert [c["name"] for c in pod["spec"]["ephemeralContainers"]] == ["first", "second"]


def test_changing_existing_is_refused(core_v1: Any, target: str) -> None:
    add(core_v1, target, {"spec": {"ephemeralContainers": [debugger("fixed")]}})
    status = refused(core_v1, target, {"spec": {"ephemeralContainers": [{"name": "fixed", "image": "alpine"}]}})
    assert err_field(status) == "spec.ephemeralContainers"
    assert 'existing ephemeral containers "fixed" may not be changed' in status["message"]


def err_field(status: dict[str, Any]) -> str:
    fields = [c["field"] for c in status["details"]["causes"]]
    assert len(fields) == 1, fields
    return fields[0]


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"ports": [{"containerPort": 80}]}, "spec.ephemeralContainers[0].ports"),
        ({"livenessProbe": {"exec": {"command": ["true"]}}}, "spec.ephemeralContainers[0].livenessProbe"),
        ({"readinessProbe": {"exec": {"command": ["true"]}}}, "spec.ephemeralContainers[0].readinessProbe"),
        ({"startupProbe": {"exec": {"command": ["true"]}}}, "spec.ephemeralContainers[0].startupProbe"),
        ({"resources": {"limits": {"cpu": "1"}}}, "spec.ephemeralContainers[0].resources"),
        ({"lifecycle": {"preStop": {"exec": {"command": ["true"]}}}}, "spec.ephemeralContainers[0].lifecycle"),
    ],
)
def test_fields_ephemeral_containers_may_not_have(
    core_v1: Any, target: str, extra: dict[str, Any], field: str
) -> None:
    status = refused(core_v1, target, {"spec": {"ephemeralContainers": [debugger(**extra)]}})
    assert status["reason"] == "Invalid" and err_field(status) == field
    assert status["message"] == f'Pod "target" is invalid: {field}: Forbidden: cannot be set for an Ephemeral Container'


@pytest.mark.parametrize("name", ["app", "init"])
def test_name_already_used(core_v1: Any, target: str, name: str) -> None:
    status = refused(core_v1, target, {"spec": {"ephemeralContainers": [debugger(name)]}})
    assert err_field(status) == "spec.ephemeralContainers[0].name"
    assert f'Duplicate value: "{name}"' in status["message"]


def test_target_must_exist(core_v1: Any, target: str) -> None:
    status = refused(core_v1, target, {"spec": {"ephemeralContainers": [debugger(targetContainerName="x")]}})
    assert status["message"] == (
        'Pod "target" is invalid: spec.ephemeralContainers[0].targetContainerName: Not found: "x"'
    )


def test_image_required(core_v1: Any, target: str) -> None:
    status = refused(core_v1, target, {"spec": {"ephemeralContainers": [{"name": "noimg"}]}})
    assert err_field(status) == "spec.ephemeralContainers[0].image"


def test_other_changes_are_ignored(core_v1: Any, target: str) -> None:
    pod = add(
        core_v1,
        target,
        {"metadata": {"labels": {"app": "changed"}},
         "spec": {"containers": [{"name": "app", "image": "alpine"}], "ephemeralContainers": [debugger()]}},
    )
    assert pod["metadata"]["labels"] == {"app": "t"}
    assert pod["spec"]["containers"][0]["image"] == "busybox:1.36"
    assert pod["spec"]["ephemeralContainers"][0]["name"] == "debugger-abcde"


def test_put_whole_pod(core_v1: Any, target: str) -> None:
    pod = json.loads(core_v1.read_namespaced_pod("target", target, _preload_content=False).data)
    pod["spec"]["ephemeralContainers"] = [debugger("via-put")]
    resp = core_v1.replace_namespaced_pod_ephemeralcontainers("target", target, pod, _preload_content=False)
    assert json.loads(resp.data)["spec"]["ephemeralContainers"][0]["name"] == "via-put"


def test_missing_pod_404_names_the_pod(core_v1: Any, fresh_namespace: str) -> None:
    with pytest.raises(ApiException) as err:
        add(core_v1, fresh_namespace, {"spec": {"ephemeralContainers": [debugger()]}}, name="ghost")
    status = json.loads(err.value.body)
    assert err.value.status == 404 and status["details"]["name"] == "ghost"
    assert status["message"] == 'pods "ghost" not found'


def test_main_resource_does_not_take_ephemeral_containers(core_v1: Any, target: str) -> None:
    resp = core_v1.patch_namespaced_pod(
        "target", target, {"spec": {"ephemeralContainers": [debugger()]}}, _content_type=SMP,
        _preload_content=False,
    )
    assert "ephemeralContainers" not in json.loads(resp.data)["spec"]
