"""Namespaces, nodes and events."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import pytest
from kubernetes.client.exceptions import ApiException


def raw(resp: Any) -> Any:
    return json.loads(resp.data)


def test_namespace_lifecycle(core_v1: Any) -> None:
    name = f"ns-{uuid.uuid4().hex[:8]}"
    created = raw(core_v1.create_namespace({"metadata": {"name": name}}, _preload_content=False))
    assert created["metadata"]["labels"] == {"kubernetes.io/metadata.name": name}
    assert created["status"] == {"phase": "Active"} and created["spec"] == {"finalizers": ["kubernetes"]}
    assert core_v1.read_namespace(name).metadata.uid == created["metadata"]["uid"]
    assert name in [n.metadata.name for n in core_v1.list_namespace().items]
    with pytest.raises(ApiException) as err:
        core_v1.create_namespace({"metadata": {"name": name}})
    assert err.value.status == 409
    assert json.loads(err.value.body)["message"] == f'namespaces "{name}" already exists'
    core_v1.create_namespaced_pod(
        name, {"metadata": {"name": "p"}, "spec": {"nodeName": "parked", "containers": [{"name": "a", "image": "b"}]}}
    )
    gone = raw(core_v1.delete_namespace(name, _preload_content=False))
    assert gone["status"]["phase"] == "Terminating"
    with pytest.raises(ApiException) as err:
        core_v1.read_namespace(name)
    assert err.value.status == 404
    assert json.loads(err.value.body)["message"] == f'namespaces "{name}" not found'
    with pytest.raises(ApiException) as err:
        core_v1.read_namespaced_pod("p", name)
    assert err.value.status == 404


def test_invalid_namespace_name(core_v1: Any) -> None:
    with pytest.raises(ApiException) as err:
        core_v1.create_namespace({"metadata": {"name": "Not.Valid"}})
    body = json.loads(err.value.body)
    assert err.value.status == 422 and body["reason"] == "Invalid"
    assert body["message"].startswith('Namespace "Not.Valid" is invalid: metadata.name: Invalid value: "Not.Valid"')


def test_nodes(core_v1: Any) -> None:
    nodes = raw(core_v1.list_node(_preload_content=False))
    assert nodes["kind"] == "NodeList" and nodes["metadata"]["resourceVersion"]
    names = [n["metadata"]["name"] for n in nodes["items"]]
    assert names == sorted(names) and names
    node = core_v1.read_node(names[0])
    assert any(c.type == "Ready" and c.status == "True" for c in node.status.conditions)
    assert node.status.addresses and node.status.capacity and node.status.allocatable
    assert node.status.node_info.kubelet_version.startswith("v1.")
    with pytest.raises(ApiException) as err:
        core_v1.read_node("no-such-node")
    assert json.loads(err.value.body)["message"] == 'nodes "no-such-node" not found'
    picked = raw(core_v1.list_node(field_selector=f"metadata.name={names[0]}", _preload_content=False))
    assert [n["metadata"]["name"] for n in picked["items"]] == [names[0]]


def test_create_node_defaults(core_v1: Any) -> None:
    name = f"node-{uuid.uuid4().hex[:6]}"
    node = core_v1.create_node({"metadata": {"name": name}})
    try:
        assert node.metadata.labels["kubernetes.io/hostname"] == name
        assert node.status.node_info.operating_system == "linux"
    finally:
        core_v1.delete_node(name)


def wait_events(core_v1: Any, ns: str, pod: str, reason: str) -> list[dict[str, Any]]:
    deadline = time.monotonic() + 20
    while True:
        events = raw(
            core_v1.list_namespaced_event(
                ns, field_selector=f"involvedObject.name={pod},involvedObject.kind=Pod", _preload_content=False
            )
        )["items"]
        if any(e["reason"] == reason for e in events):
            return list(events)
        assert time.monotonic() < deadline, f"no {reason} event for {pod}: {events}"
        time.sleep(0.05)


def test_events_for_a_pod(core_v1: Any, fresh_namespace: str) -> None:
    pod = core_v1.create_namespaced_pod(
        fresh_namespace,
        {"metadata": {"name": "evented"},
         "spec": {"containers": [{"name": "a", "image": "busybox:1.36", "command": ["sleep", "3600"]}]}},
    )
    events = wait_events(core_v1, fresh_namespace, "evented", "Scheduled")
    assert all(e["involvedObject"]["name"] == "evented" for e in events)
    uid = pod.metadata.uid
    by_uid = raw(core_v1.list_namespaced_event(
        fresh_namespace,
        field_selector=f"involvedObject.uid={uid},involvedObject.namespace={fresh_namespace}",
        _preload_content=False,
    ))["items"]
    assert {e["metadata"]["name"] for e in by_uid} >= {e["metadata"]["name"] for e in events}
    one = core_v1.read_namespaced_event(events[0]["metadata"]["name"], fresh_namespace)
    assert one.involved_object.kind == "Pod"
    everywhere = raw(core_v1.list_event_for_all_namespaces(
        field_selector=f"involvedObject.namespace={fresh_namespace}", _preload_content=False
    ))["items"]
    assert {e["metadata"]["namespace"] for e in everywhere} == {fresh_namespace}
    none = raw(core_v1.list_namespaced_event(
        fresh_namespace, field_selector="involvedObject.kind=Node", _preload_content=False
    ))["items"]
    assert none == []
    with pytest.raises(ApiException) as err:
        core_v1.read_namespaced_event("nope", fresh_namespace)
    assert json.loads(err.value.body)["message"] == 'events "nope" not found'


def test_label_namespace_and_cordon_node(core_v1: Any, fresh_namespace: str) -> None:
    ns = core_v1.patch_namespace(fresh_namespace, {"metadata": {"labels": {"team": "a"}}, "status": {"phase": "X"}})
    assert ns.metadata.labels["team"] == "a" and ns.status.phase == "Active"
    name = f"node-{uuid.uuid4().hex[:6]}"
    core_v1.create_node({"metadata": {"name": name}})
    try:
        node = core_v1.patch_node(name, {"spec": {"unschedulable": True}})
        assert node.spec.unschedulable is True
        assert node.status.conditions  # status is kept on the main resource
        current = core_v1.read_node(name)
        current.metadata.labels["x"] = "y"
        assert core_v1.replace_node(name, current).metadata.labels["x"] == "y"
    finally:
        core_v1.delete_node(name)


def test_create_and_delete_event(core_v1: Any, fresh_namespace: str) -> None:
    body = {
        "metadata": {"generateName": "manual."},
        "involvedObject": {"kind": "Pod", "name": "x", "namespace": fresh_namespace},
        "reason": "Manual",
        "message": "written by a test",
    }
    ev = core_v1.create_namespaced_event(fresh_namespace, body)
    assert ev.metadata.name.startswith("manual.") and ev.count == 1 and ev.type == "Normal"
    listed = core_v1.list_namespaced_event(fresh_namespace, field_selector="reason=Manual")
    assert [e.metadata.name for e in listed.items] == [ev.metadata.name]
    core_v1.delete_namespaced_event(ev.metadata.name, fresh_namespace)
    assert core_v1.list_namespaced_event(fresh_namespace, field_selector="reason=Manual").items == []


def test_delete_collection_of_pods(core_v1: Any, fresh_namespace: str) -> None:
    for name, tier in (("dc-a", "x"), ("dc-b", "x"), ("dc-c", "y")):
        core_v1.create_namespaced_pod(fresh_namespace, {
            "metadata": {"name": name, "labels": {"tier": tier}},
            "spec": {"nodeName": "parked", "containers": [{"name": "a", "image": "b"}]},
        })
    gone = raw(core_v1.delete_collection_namespaced_pod(
        fresh_namespace, label_selector="tier=x", grace_period_seconds=0, _preload_content=False
    ))
    assert gone["kind"] == "PodList"
    assert [p["metadata"]["name"] for p in gone["items"]] == ["dc-a", "dc-b"]
    assert [p.metadata.name for p in core_v1.list_namespaced_pod(fresh_namespace).items] == ["dc-c"]
