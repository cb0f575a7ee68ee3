"""PATCH in its three formats, over HTTP and on the patch engine itself."""

from __future__ import annotations

import json
from typing import Any

import pytest
from kubernetes.client.exceptions import ApiException

from kdebug_nb.sandbox.store.patching import json_patch, merge_patch, strategic_merge

PARKED = "parked-node"
SMP = "application/strategic-merge-patch+json"
MERGE = "application/merge-patch+json"
JSONPATCH = "application/json-patch+json"


@pytest.fixture
def two(core_v1: Any, fresh_namespace: str) -> str:
    core_v1.create_namespaced_pod(
        fresh_namespace,
        {
            "metadata": {"name": "two", "labels": {"app": "two", "keep": "yes"}},
            "spec": {
                "nodeName": PARKED,
                "containers": [
                    {"name": "main", "image": "busybox:1.36"},
                    {"name": "side", "image": "busybox:1.36"},
                ],
            },
        },
    )
    return fresh_namespace


def patch(core_v1: Any, ns: str, body: Any, ctype: str) -> dict[str, Any]:
    resp = core_v1.patch_namespaced_pod("two", ns, body, _content_type=ctype, _preload_content=False)
    data: dict[str, Any] = json.loads(resp.data)
    return data


def test_strategic_merge_containers_by_name(core_v1: Any, two: str) -> None:
    out = patch(core_v1, two, {"spec": {"containers": [{"name": "side", "image": "busybox:1.37"}]}}, SMP)
    images = {c["name"]: c["image"] for c in out["spec"]["containers"]}
    assert images == {"main": "busybox:1.36", "side": "busybox:1.37"}


def test_json_merge_patch_labels(core_v1: Any, two: str) -> None:
    out = patch(core_v1, two, {"metadata": {"labels": {"app": None, "new": "1"}}}, MERGE)
    assert out["metadata"]["labels"] == {"keep": "yes", "new": "1"}


def test_json_merge_patch_replaces_lists(core_v1: Any, two: str) -> None:
    with pytest.raises(ApiException) as err:
        patch(core_v1, two, {"spec": {"containers": [{"name": "side", "image": "busybox:1.37"}]}}, MERGE)
    assert err.value.status == 422
    assert "pod updates may not change fields" in json.loads(err.value.body)["message"]


def test_json_patch(core_v1: Any, two: str) -> None:
    ops = [
        {"op": "test", "path": "/metadata/labels/keep", "value": "yes"},
        {"op": "replace", "path": "/spec/containers/0/image", "value": "busybox:1.37"},
        {"op": "add", "path": "/metadata/annotations", "value": {"a/b": "c"}},
        {"op": "remove", "path": "/metadata/labels/keep"},
    ]
    out = patch(core_v1, two, ops, JSONPATCH)
    assert out["spec"]["containers"][0]["image"] == "busybox:1.37"
    assert out["metadata"]["annotations"] == {"a/b": "c"}
    assert "keep" not in out["metadata"]["labels"]


def test_json_patch_failed_test_is_422(core_v1: Any, two: str) -> None:
    with pytest.raises(ApiException) as err:
        patch(core_v1, two, [{"op": "test", "path": "/metadata/labels/keep", "value": "no"}], JSONPATCH)
    body = json.loads(err.value.body)
    assert err.value.status == 422 and body["reason"] == "Invalid"
    assert "testing value /metadata/labels/keep failed" in body["message"]


def test_patch_missing_pod_is_404(core_v1: Any, fresh_namespace: str) -> None:
    with pytest.raises(ApiException) as err:
        core_v1.patch_namespaced_pod("nope", fresh_namespace, {"metadata": {}}, _content_type=SMP)
    assert err.value.status == 404
    assert json.loads(err.value.body)["message"] == 'pods "nope" not found'


def test_patch_unsupported_type_is_415(api_client: Any, two: str) -> None:
    method, url, headers, _, _ = api_client.param_serialize(
        "PATCH",
        f"/api/v1/namespaces/{two}/pods/two",
        header_params={"Content-Type": "application/apply-patch+yaml", "Accept": "application/json"},
        auth_settings=["BearerToken"],
    )
    resp = api_client.rest_client.pool_manager.request(method, url, headers=headers, body=b"metadata: {}")
    body = json.loads(resp.data)
    assert resp.status == 415 and body["reason"] == "UnsupportedMediaType"


def test_noop_patch_keeps_resource_version(core_v1: Any, two: str) -> None:
    before = core_v1.read_namespaced_pod("two", two).metadata.resource_version
    out = patch(core_v1, two, {"metadata": {"labels": {"keep": "yes"}}}, SMP)
    assert out["metadata"]["resourceVersion"] == before


def test_status_patch_merges_conditions_by_type(core_v1: Any, two: str) -> None:
    cond = {"type": "Example", "status": "True"}
    resp = core_v1.patch_namespaced_pod_status(
        "two", two, {"status": {"conditions": [cond]}, "spec": {"containers": []}},
        _content_type=SMP, _preload_content=False,
    )
    out = json.loads(resp.data)
    assert cond in out["status"]["conditions"]
    assert len(out["spec"]["containers"]) == 2  # spec changes are ignored on pods/status


# -- the engine, directly --------------------------------------------------


def test_smp_directives() -> None:
    original = {
        "containers": [
            {"name": "a", "env": [{"name": "X", "value": "1"}, {"name": "Y", "value": "2"}]},
            {"name": "b"},
        ],
        "finalizers": ["f1"],
        "volumes": [{"name": "v1", "emptyDir": {}}],
        "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1}},
    }
    patch_body = {
        "$setElementOrder/containers": [{"name": "b"}, {"name": "a"}],
        "containers": [
            {"name": "a", "env": [{"name": "Y", "$patch": "delete"}, {"name": "Z", "value": "3"}]}
        ],
        "finalizers": ["f2"],
        "$deleteFromPrimitiveList/finalizers": ["f1"],
        "volumes": [{"$patch": "replace"}, {"name": "v2", "emptyDir": {}}],
        "strategy": {"$retainKeys": ["type"], "type": "Recreate"},
    }
    out = strategic_merge(original, patch_body)
    assert [c["name"] for c in out["containers"]] == ["b", "a"]
    assert out["containers"][1]["env"] == [{"name": "X", "value": "1"}, {"name": "Z", "value": "3"}]
    assert out["finalizers"] == ["f2"]
    assert out["volumes"] == [{"name": "v2", "emptyDir": {}}]
    assert out["strategy"] == {"type": "Recreate"}
    assert original["finalizers"] == ["f1"]  # input untouched


def test_smp_mounts_and_ports_keys() -> None:
    original = {"volumeMounts": [{"name": "a", "mountPath": "/a"}], "ports": [{"containerPort": 80}]}
    out = strategic_merge(
        original,
        {"volumeMounts": [{"name": "a", "mountPath": "/a", "readOnly": True}],
         "ports": [{"containerPort": 80, "name": "http"}, {"containerPort": 443}]},
    )
    assert out["volumeMounts"] == [{"name": "a", "mountPath": "/a", "readOnly": True}]
    assert out["ports"] == [{"containerPort": 80, "name": "http"}, {"containerPort": 443}]


def test_smp_map_directives() -> None:
    assert strategic_merge({"a": {"x": 1}}, {"a": {"$patch": "replace", "y": 2}}) == {"a": {"y": 2}}
    assert strategic_merge({"a": {"x": 1}, "b": 1}, {"a": {"$patch": "delete"}}) == {"b": 1}


def test_merge_patch_rfc7386() -> None:
    assert merge_patch({"a": "b", "c": {"d": "e", "f": "g"}}, {"a": "z", "c": {"f": None}}) == {
        "a": "z",
        "c": {"d": "e"},
    }
    assert merge_patch({"a": [1, 2]}, {"a": [3]}) == {"a": [3]}


def test_json_patch_ops() -> None:
    doc = {"a": {"b": [1, 2]}, "c": 1}
    out = json_patch(
        doc,
        [
            {"op": "add", "path": "/a/b/-", "value": 3},
            {"op": "add", "path": "/a/b/0", "value": 0},
            {"op": "move", "from": "/c", "path": "/d"},
            {"op": "copy", "from": "/a", "path": "/e"},
            {"op": "add", "path": "/f~1g", "value": True},
        ],
    )
    assert out == {"a": {"b": [0, 1, 2, 3]}, "d": 1, "e": {"b": [0, 1, 2, 3]}, "f/g": True}
    assert doc == {"a": {"b": [1, 2]}, "c": 1}
