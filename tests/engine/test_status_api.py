"""status() and pods() against the sandbox: frames straight from the API's JSON."""

from __future__ import annotations

from runtime_support import make_pod

from kdebug_nb import engine as api
from kdebug_nb.engine.client import ClusterClient
from kdebug_nb.engine.client.connection import Connection
from kdebug_nb.engine.frames.status import PODS_COLUMNS, STATUS_COLUMNS


def test_status_of_one_pod_includes_its_debug_container(
    conn: Connection, cc: ClusterClient, fresh_namespace: str
) -> None:
    pod = make_pod(cc, fresh_namespace)["metadata"]["name"]
    api.debug(pod, image="busybox", command="sh -c 'exit 4'", c="dbg", target="app",
              namespace=fresh_namespace, connection=conn)
    df = api.status(pod, namespace=fresh_namespace, connection=conn)
    assert tuple(df.columns) == STATUS_COLUMNS
    rows = {r["container"]: r for r in df.to_dict("records")}
    assert rows["app"]["kind"] == "app" and rows["app"]["state"] == "running"
    assert rows["dbg"]["kind"] == "ephemeral" and rows["dbg"]["exit_code"] == 4
    assert rows["dbg"]["target"] == "app" and rows["dbg"]["node"]


def test_pods_and_status_by_selector(conn: Connection, cc: ClusterClient, fresh_namespace: str) -> None:
    a = make_pod(cc, fresh_namespace)["metadata"]["name"]
    make_pod(cc, fresh_namespace, wait=False)
    listing = api.pods(namespace=fresh_namespace, connection=conn)
    assert tuple(listing.columns) == PODS_COLUMNS and len(listing) == 2
    picked = api.status(namespace=fresh_namespace, selector=f"app={a}", connection=conn)
    assert set(picked["pod"]) == {a}
    everywhere = api.pods(all_namespaces=True, connection=conn)
    assert {fresh_namespace, "default"} <= set(everywhere["namespace"])


def test_cluster_reads(cc: ClusterClient) -> None:
    import pytest

    from kdebug_nb import errors

    assert {n["metadata"]["name"] for n in cc.list_nodes()["items"]} >= {"node-1", "node-2"}
    assert [n["metadata"]["name"] for n in cc.list_nodes(selector="workload=batch")["items"]] == [
        "node-2"
    ]
    assert cc.read_node("node-1")["metadata"]["name"] == "node-1"
    names = {n["metadata"]["name"] for n in cc.list_namespaces()["items"]}
    assert {"default", "secure"} <= names
    assert cc.read_namespace("secure")["metadata"]["labels"][
        "pod-security.kubernetes.io/enforce"
    ] == "restricted"
    with pytest.raises(errors.NotFound, match='namespaces "nope" not found'):
        cc.read_namespace("nope")
    events = cc.events_for("default", "api")
    assert events and all(e["involvedObject"]["name"] == "api" for e in events)
