"""Lists: namespaces, selectors, paging, resourceVersion, and Tables for kubectl."""

from __future__ import annotations

import json
from typing import Any

import pytest
from kubernetes.client.exceptions import ApiException

PARKED = "parked-node"
TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json"


def pod(name: str, labels: dict[str, str], **spec: Any) -> dict[str, Any]:
    return {
        "metadata": {"name": name, "labels": labels},
        "spec": {"nodeName": PARKED, "containers": [{"name": "a", "image": "busybox"}], **spec},
    }


@pytest.fixture
def labelled(core_v1: Any, fresh_namespace: str) -> str:
    core_v1.create_namespaced_pod(fresh_namespace, pod("p1", {"app": "web", "tier": "front"}))
    core_v1.create_namespaced_pod(fresh_namespace, pod("p2", {"app": "web", "tier": "back"}))
    core_v1.create_namespaced_pod(fresh_namespace, pod("p3", {"app": "db"}, restartPolicy="Never"))
    core_v1.create_namespaced_pod(fresh_namespace, pod("p4", {"env": "x"}, nodeName="other-node"))
    return fresh_namespace


def names(core_v1: Any, ns: str, **kw: Any) -> list[str]:
    data = json.loads(core_v1.list_namespaced_pod(ns, _preload_content=False, **kw).data)
    return [p["metadata"]["name"] for p in data["items"]]


def test_list_shape(core_v1: Any, labelled: str) -> None:
    data = json.loads(core_v1.list_namespaced_pod(labelled, _preload_content=False).data)
    assert data["kind"] == "PodList" and data["apiVersion"] == "v1"
    assert int(data["metadata"]["resourceVersion"]) > 0
    assert [p["metadata"]["name"] for p in data["items"]] == ["p1", "p2", "p3", "p4"]


@pytest.mark.parametrize(
    ("selector", "expected"),
    [
        ("app=web", ["p1", "p2"]),
        ("app==web", ["p1", "p2"]),
        ("app!=web", ["p3", "p4"]),
        ("app in (web,db)", ["p1", "p2", "p3"]),
        ("app notin (web)", ["p3", "p4"]),
        ("tier", ["p1", "p2"]),
        ("!tier", ["p3", "p4"]),
        ("app=web,tier=back", ["p2"]),
        ("app in (web), !tier", []),
    ],
)
def test_label_selectors(core_v1: Any, labelled: str, selector: str, expected: list[str]) -> None:
    assert names(core_v1, labelled, label_selector=selector) == expected


@pytest.mark.parametrize(
    ("selector", "expected"),
    [
        ("metadata.name=p2", ["p2"]),
        ("metadata.name==p2", ["p2"]),
        ("metadata.name!=p2", ["p1", "p3", "p4"]),
        ("spec.nodeName=other-node", ["p4"]),
        ("spec.nodeName!=other-node,metadata.name!=p1", ["p2", "p3"]),
        ("status.phase=Pending", ["p1", "p2", "p3", "p4"]),
        ("status.phase!=Pending", []),
        ("spec.restartPolicy=Never", ["p3"]),
    ],
)
def test_field_selectors(core_v1: Any, labelled: str, selector: str, expected: list[str]) -> None:
    assert names(core_v1, labelled, field_selector=selector) == expected


def test_namespace_field_selector_across_namespaces(core_v1: Any, labelled: str) -> None:
    data = json.loads(
        core_v1.list_pod_for_all_namespaces(
            field_selector=f"metadata.namespace={labelled}", _preload_content=False
        ).data
    )
    assert {p["metadata"]["namespace"] for p in data["items"]} == {labelled}
    assert len(data["items"]) == 4


def test_all_namespaces(core_v1: Any, labelled: str) -> None:
    data = json.loads(core_v1.list_pod_for_all_namespaces(_preload_content=False).data)
    spaces = {p["metadata"]["namespace"] for p in data["items"]}
    assert labelled in spaces and "default" in spaces


def test_unsupported_field_label_is_400(core_v1: Any, labelled: str) -> None:
    with pytest.raises(ApiException) as err:
        core_v1.list_namespaced_pod(labelled, field_selector="spec.bogus=1")
    body = json.loads(err.value.body)
    assert err.value.status == 400 and body["reason"] == "BadRequest"
    assert body["message"] == "field label not supported: spec.bogus"


def test_bad_label_selector_is_400(core_v1: Any, labelled: str) -> None:
    with pytest.raises(ApiException) as err:
        core_v1.list_namespaced_pod(labelled, label_selector="app in web")
    assert err.value.status == 400
    assert "unable to parse requirement" in json.loads(err.value.body)["message"]


def test_paging_with_limit_and_continue(core_v1: Any, labelled: str) -> None:
    first = json.loads(core_v1.list_namespaced_pod(labelled, limit=3, _preload_content=False).data)
    assert [p["metadata"]["name"] for p in first["items"]] == ["p1", "p2", "p3"]
    assert first["metadata"]["remainingItemCount"] == 1
    token = first["metadata"]["continue"]
    rest = json.loads(
        core_v1.list_namespaced_pod(labelled, limit=3, _continue=token, _preload_content=False).data
    )
    assert [p["metadata"]["name"] for p in rest["items"]] == ["p4"]
    assert "continue" not in rest["metadata"]


def test_list_in_missing_namespace_is_empty(core_v1: Any) -> None:
    data = json.loads(core_v1.list_namespaced_pod("nowhere-at-all", _preload_content=False).data)
    assert data["items"] == []


def test_typed_list_deserialises(core_v1: Any, labelled: str) -> None:
    pods = core_v1.list_namespaced_pod(labelled, label_selector="app=db")
    assert [p.metadata.name for p in pods.items] == ["p3"]
    assert pods.items[0].spec.containers[0].termination_message_policy == "File"


def get_table(api_client: Any, path: str, accept: str = TABLE, **query: str) -> dict[str, Any]:
    method, url, headers, _, _ = api_client.param_serialize(
        "GET",
        path,
        query_params=list(query.items()),
        header_params={"Accept": accept},
        auth_settings=["BearerToken"],
    )
    resp = api_client.rest_client.pool_manager.request(method, url, headers=headers)
    assert resp.status == 200, resp.data
    assert resp.headers["Content-Type"] == "application/json"
    data: dict[str, Any] = json.loads(resp.data)
    return data


def test_pod_table(api_client: Any, labelled: str) -> None:
    table = get_table(api_client, f"/api/v1/namespaces/{labelled}/pods")
    assert table["kind"] == "Table" and table["apiVersion"] == "meta.k8s.io/v1"
    cols = [(c["name"], c["priority"]) for c in table["columnDefinitions"]]
    assert cols == [
        ("Name", 0), ("Ready", 0), ("Status", 0), ("Restarts", 0), ("Age", 0),
        ("IP", 1), ("Node", 1), ("Nominated Node", 1), ("Readiness Gates", 1),
    ]
    assert table["metadata"]["resourceVersion"]
    first = table["rows"][0]
    assert first["cells"][:4] == ["p1", "0/1", "Pending", "0"]
    assert first["cells"][5:] == ["<none>", PARKED, "<none>", "<none>"]
    assert first["object"]["kind"] == "PartialObjectMetadata"
    assert first["object"]["metadata"]["namespace"] == labelled
    assert "spec" not in first["object"]


def test_table_include_object(api_client: Any, labelled: str) -> None:
    table = get_table(api_client, f"/api/v1/namespaces/{labelled}/pods", includeObject="Object")
    assert table["rows"][0]["object"]["kind"] == "Pod"
    assert table["rows"][0]["object"]["spec"]["containers"]
    bare = get_table(api_client, f"/api/v1/namespaces/{labelled}/pods", includeObject="None")
    assert "object" not in bare["rows"][0]


def test_single_object_table_and_v1beta1(api_client: Any, labelled: str) -> None:
    accept = "application/json;as=Table;v=v1beta1;g=meta.k8s.io"
    table = get_table(api_client, f"/api/v1/namespaces/{labelled}/pods/p2", accept=accept)
    assert table["apiVersion"] == "meta.k8s.io/v1beta1"
    assert [r["cells"][0] for r in table["rows"]] == ["p2"]


def test_node_and_namespace_tables(api_client: Any) -> None:
    nodes = get_table(api_client, "/api/v1/nodes")
    assert [c["name"] for c in nodes["columnDefinitions"]][:5] == ["Name", "Status", "Roles", "Age", "Version"]
    assert all(r["cells"][1] in ("Ready", "NotReady", "Unknown") for r in nodes["rows"])
    spaces = get_table(api_client, "/api/v1/namespaces")
    assert ["default", "Active"] in [r["cells"][:2] for r in spaces["rows"]]


def test_protobuf_first_accept_still_gets_json(api_client: Any, labelled: str) -> None:
    table = get_table(
        api_client,
        f"/api/v1/namespaces/{labelled}/pods",
        accept="application/vnd.kubernetes.protobuf, */*",
    )
    assert table["kind"] == "PodList"
