"""Watches: initial state, live changes, resume, selectors, timeouts, bookmarks, Tables.

(410 Expired needs a short history: see test_api_bare.py.)
"""

from __future__ import annotations

import json
import threading
import time
from typing import Any

from kubernetes import watch

PARKED = "parked-node"


def pod(name: str, labels: dict[str, str] | None = None) -> dict[str, Any]:
    return {
        "metadata": {"name": name, "labels": labels or {}},
        "spec": {"nodeName": PARKED, "containers": [{"name": "a", "image": "busybox"}]},
    }


def stream_lines(api_client: Any, path: str, accept: str = "application/json", **query: str) -> list[dict[str, Any]]:
    """Open a watch and read every event until the server ends it."""
    method, url, headers, _, _ = api_client.param_serialize(
        "GET",
        path,
        query_params=[("watch", "1"), *query.items()],
        header_params={"Accept": accept},
        auth_settings=["BearerToken"],
    )
    resp = api_client.rest_client.pool_manager.request(method, url, headers=headers, preload_content=False)
    assert resp.status == 200
    assert resp.headers["Content-Type"] == "application/json"
    assert resp.headers.get("Transfer-Encoding") == "chunked"
    events = [json.loads(line) for line in resp.read().splitlines() if line.strip()]
    resp.release_conn()
    return events


def test_initial_events_then_timeout(api_client: Any, core_v1: Any, fresh_namespace: str) -> None:
    core_v1.create_namespaced_pod(fresh_namespace, pod("w1"))
    core_v1.create_namespaced_pod(fresh_namespace, pod("w2"))
    started = time.monotonic()
    events = stream_lines(api_client, f"/api/v1/namespaces/{fresh_namespace}/pods", timeoutSeconds="1")
    assert 0.9 < time.monotonic() - started < 5
    assert [(e["type"], e["object"]["metadata"]["name"]) for e in events] == [("ADDED", "w1"), ("ADDED", "w2")]


def test_resume_from_resource_version(api_client: Any, core_v1: Any, fresh_namespace: str) -> None:
    listed = json.loads(core_v1.list_namespaced_pod(fresh_namespace, _preload_content=False).data)
    rv = listed["metadata"]["resourceVersion"]
    core_v1.create_namespaced_pod(fresh_namespace, pod("r1"))
    core_v1.patch_namespaced_pod("r1", fresh_namespace, {"metadata": {"labels": {"x": "1"}}})
    core_v1.delete_namespaced_pod("r1", fresh_namespace, grace_period_seconds=0)
    events = stream_lines(
        api_client, f"/api/v1/namespaces/{fresh_namespace}/pods", resourceVersion=rv, timeoutSeconds="1"
    )
    assert [e["type"] for e in events] == ["ADDED", "MODIFIED", "DELETED"]
    rvs = [int(e["object"]["metadata"]["resourceVersion"]) for e in events]
    assert rvs == sorted(rvs) and rvs[0] > int(rv)


def test_live_changes_with_selectors(core_v1: Any, fresh_namespace: str) -> None:
    core_v1.create_namespaced_pod(fresh_namespace, pod("sel", {"app": "x"}))
    seen: list[tuple[str, str]] = []
    w = watch.Watch()
    done = threading.Event()

    def consume() -> None:
        for ev in w.stream(
            core_v1.list_namespaced_pod, fresh_namespace, label_selector="app=x", timeout_seconds=10
        ):
            seen.append((ev["type"], ev["object"].metadata.name))
            if ev["type"] == "DELETED":
                w.stop()
        done.set()

    thread = threading.Thread(target=consume)
    thread.start()
    deadline = time.monotonic() + 10
    while not seen and time.monotonic() < deadline:
        time.sleep(0.02)
    core_v1.create_namespaced_pod(fresh_namespace, pod("other", {"app": "y"}))
    core_v1.patch_namespaced_pod("other", fresh_namespace, {"metadata": {"labels": {"app": "x"}}})
    core_v1.patch_namespaced_pod("sel", fresh_namespace, {"metadata": {"labels": {"app": "z"}}})
    assert done.wait(15)
    thread.join()
    # "other" starts matching (ADDED), "sel" stops matching (DELETED), as the watch cache reports.
    assert seen == [("ADDED", "sel"), ("ADDED", "other"), ("DELETED", "sel")]


def test_field_selector_watch_like_kubectl_wait(api_client: Any, core_v1: Any, fresh_namespace: str) -> None:
    core_v1.create_namespaced_pod(fresh_namespace, pod("one"))
    core_v1.create_namespaced_pod(fresh_namespace, pod("two"))
    events = stream_lines(
        api_client,
        f"/api/v1/namespaces/{fresh_namespace}/pods",
        fieldSelector="metadata.name=two",
        timeoutSeconds="1",
    )
    assert [e["object"]["metadata"]["name"] for e in events] == ["two"]


def test_bookmarks(api_client: Any, core_v1: Any, fresh_namespace: str) -> None:
    core_v1.create_namespaced_pod(fresh_namespace, pod("bm"))
    events = stream_lines(
        api_client,
        f"/api/v1/namespaces/{fresh_namespace}/pods",
        allowWatchBookmarks="true",
        sendInitialEvents="true",
        resourceVersionMatch="NotOlderThan",
        timeoutSeconds="1",
    )
    types = [e["type"] for e in events]
    assert types[0] == "ADDED" and types[1] == "BOOKMARK"
    assert events[1]["object"]["metadata"]["annotations"] == {"k8s.io/initial-events-end": "true"}
    assert events[-1]["type"] == "BOOKMARK"


def test_watch_as_table(api_client: Any, core_v1: Any, fresh_namespace: str) -> None:
    core_v1.create_namespaced_pod(fresh_namespace, pod("tbl"))
    accept = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"
    events = stream_lines(api_client, f"/api/v1/namespaces/{fresh_namespace}/pods", accept=accept, timeoutSeconds="1")
    table = events[0]["object"]
    assert table["kind"] == "Table" and table["rows"][0]["cells"][0] == "tbl"
    assert table["columnDefinitions"][0]["name"] == "Name"


def test_watch_nodes_and_namespaces(api_client: Any) -> None:
    nodes = stream_lines(api_client, "/api/v1/nodes", timeoutSeconds="1")
    assert nodes and all(e["object"]["kind"] == "Node" for e in nodes)
    spaces = stream_lines(api_client, "/api/v1/namespaces", fieldSelector="metadata.name=default", timeoutSeconds="1")
    assert [e["object"]["metadata"]["name"] for e in spaces] == ["default"]


def test_many_concurrent_watchers(core_v1: Any, fresh_namespace: str) -> None:
    count = 100
    got = [0] * count
    ready = threading.Barrier(count + 1)

    def consume(i: int) -> None:
        w = watch.Watch()
        first = True
        for ev in w.stream(core_v1.list_namespaced_pod, fresh_namespace, timeout_seconds=15):
            if first:
                first = False
            if ev["object"].metadata.name == "ping":
                got[i] += 1
                w.stop()
        return None

    core_v1.create_namespaced_pod(fresh_namespace, pod("seed"))

    def run(i: int) -> None:
        ready.wait()
        consume(i)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    ready.wait()
    time.sleep(0.5)  # let the watches open before the change they wait for
    core_v1.create_namespaced_pod(fresh_namespace, pod("ping"))
    for t in threads:
        t.join(20)
    assert got == [1] * count


def test_a_watch_ends_when_its_client_goes_away(sandbox: Any, core_v1: Any, fresh_namespace: str) -> None:
    """Like the API server, the sandbox ends a watch as soon as its client closes
    the connection (its request is logged when it ends), even with no event to
    write and a long timeoutSeconds."""
    core_v1.create_namespaced_pod(fresh_namespace, pod("idle"))
    for _ in range(3):
        mark = time.monotonic()
        resp = core_v1.list_namespaced_pod(
            fresh_namespace, watch=True, timeout_seconds=300, _preload_content=False
        )
        assert json.loads(resp.readline())["type"] == "ADDED"
        resp.close()
        resp.release_conn()
        closed = time.monotonic()
        # seconds, not the 300 asked for: a loaded machine may take a moment
        while time.monotonic() < closed + 5:
            ended = [r for r in sandbox.requests_since(mark) if "watch=true" in r.query]
            if ended:
                break
            time.sleep(0.01)
        assert ended, "the watch was still being served 5 s after its client left"
        assert ended[0].path == f"/api/v1/namespaces/{fresh_namespace}/pods"
