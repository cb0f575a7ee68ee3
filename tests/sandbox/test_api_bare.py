"""The API app alone (no kubelet, no scenario) on its own thread: policies the
shared sandbox does not have, a short watch history, and 5,000 pods.

Served over plain http: TLS belongs to ``Sandbox``, which this harness leaves
out to reach the app's policies directly. Anonymous callers are refused as in
a sandbox; clients here send the admin's token."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import pytest
from aiohttp import web
from kubernetes import client
from kubernetes.client.exceptions import ApiException

from kdebug_nb.sandbox.apiserver.app import create_app
from kdebug_nb.sandbox.apiserver.middleware import RequestRecord
from kdebug_nb.sandbox.store.cluster import WATCH_HISTORY, Cluster, User
from kdebug_nb.sandbox.store.namespaces import create_namespace
from kdebug_nb.sandbox.store.pods import create_pod

T = TypeVar("T")
ADMIN_TOKEN = "admin-token"


class BareServer:
    """create_app on 127.0.0.1:0 with its own loop and thread."""

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster
        self.requests: list[RequestRecord] = []
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.runner: web.AppRunner | None = None
        self.url = ""

    def call(self, fn: Callable[[], T]) -> T:
        async def run() -> T:
            return fn()

        return asyncio.run_coroutine_threadsafe(run(), self.loop).result(60)

    def start(self) -> BareServer:
        self.thread.start()

        async def serve() -> str:
            self.runner = web.AppRunner(create_app(self.cluster, request_log=self.requests), shutdown_timeout=1.0)
            await self.runner.setup()
            site = web.TCPSite(self.runner, "127.0.0.1", 0)
            await site.start()
            port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
            return f"http://127.0.0.1:{port}"

        self.url = asyncio.run_coroutine_threadsafe(serve(), self.loop).result(30)
        return self

    def stop(self) -> None:
        if self.runner is not None:
            asyncio.run_coroutine_threadsafe(self.runner.cleanup(), self.loop).result(30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()

    def api(self, token: str | None = ADMIN_TOKEN) -> Any:
        cfg = client.Configuration()
        cfg.host = self.url
        if token:
            cfg.api_key = {"BearerToken": token}
            cfg.api_key_prefix = {"BearerToken": "Bearer"}
        return client.CoreV1Api(client.ApiClient(cfg))


def pod(name: str) -> dict[str, Any]:
    return {"metadata": {"name": name, "labels": {"i": name[-1]}},
            "spec": {"containers": [{"name": "a", "image": "busybox:1.36"}]}}


@pytest.fixture(scope="module")
def bare() -> Iterator[BareServer]:
    cluster = Cluster()
    server = BareServer(cluster).start()

    def setup() -> None:
        create_namespace(cluster, {"metadata": {"name": "default"}})
        create_pod(cluster, "default", pod("target"))
        cluster.users[ADMIN_TOKEN] = User("kubernetes-admin", ADMIN_TOKEN, {"*": {"*"}})

    server.call(setup)
    try:
        yield server
    finally:
        server.stop()


def test_ephemeral_containers_switched_off(bare: BareServer) -> None:
    api = bare.api()
    bare.call(lambda: setattr(bare.cluster.policy, "ephemeral_containers", False))
    try:
        names = {r.name for r in api.get_api_resources().resources}
        assert "pods/ephemeralcontainers" not in names and "pods" in names
        with pytest.raises(ApiException) as err:
            api.patch_namespaced_pod_ephemeralcontainers(
                "target", "default", {"spec": {"ephemeralContainers": [{"name": "d", "image": "busybox"}]}},
                _content_type="application/strategic-merge-patch+json",
            )
        body = json.loads(err.value.body)
        assert err.value.status == 404 and body["reason"] == "NotFound"
        assert body["message"] == "the server could not find the requested resource"
        assert body["details"] == {}
    finally:
        bare.call(lambda: setattr(bare.cluster.policy, "ephemeral_containers", True))
    names = {r.name for r in api.get_api_resources().resources}
    assert "pods/ephemeralcontainers" in names


def test_require_auth(bare: BareServer) -> None:
    with pytest.raises(ApiException) as err:
        bare.api(None).read_namespaced_pod("target", "default")
    assert err.value.status == 401
    assert bare.api().read_namespaced_pod("target", "default").metadata.name == "target"
    assert bare.requests[-1].user == "kubernetes-admin"


def test_delete_without_kubelet_removes_at_once(bare: BareServer) -> None:
    api = bare.api()
    api.create_namespaced_pod("default", pod("short-lived"))
    answer = json.loads(api.delete_namespaced_pod("short-lived", "default", _preload_content=False).data)
    assert answer["metadata"]["name"] == "short-lived"
    with pytest.raises(ApiException) as err:
        api.read_namespaced_pod("short-lived", "default")
    assert err.value.status == 404


def test_too_old_resource_version_is_410_expired(bare: BareServer) -> None:
    api = bare.api()
    history = bare.cluster.history
    bare.call(lambda: setattr(history, "max_events", 3))
    try:
        rv = api.list_namespaced_pod("default").metadata.resource_version
        for i in range(5):
            api.patch_namespaced_pod("target", "default", {"metadata": {"labels": {"n": str(i)}}})
        resp = api.list_namespaced_pod(
            "default", watch=True, resource_version=rv, timeout_seconds=1, _preload_content=False
        )
        assert resp.status == 200
        events = [json.loads(line) for line in resp.data.splitlines() if line.strip()]
        assert [e["type"] for e in events] == ["ERROR"]
        status = events[0]["object"]
        assert status["code"] == 410 and status["reason"] == "Expired"
        assert status["message"].startswith(f"too old resource version: {rv} (")
    finally:
        bare.call(lambda: setattr(history, "max_events", WATCH_HISTORY))


def test_request_log_records_every_request(bare: BareServer) -> None:
    before = len(bare.requests)
    with pytest.raises(ApiException):
        bare.api().read_namespaced_pod("missing", "default")
    rec = bare.requests[before]
    assert (rec.method, rec.path, rec.status, rec.user) == (
        "GET", "/api/v1/namespaces/default/pods/missing", 404, "kubernetes-admin"
    )
    assert rec.duration >= 0


def test_five_thousand_pods_list_fast(bare: BareServer) -> None:
    def fill() -> None:
        create_namespace(bare.cluster, {"metadata": {"name": "big"}})
        for i in range(5000):
            create_pod(bare.cluster, "big", pod(f"p{i:05d}"))

    bare.call(fill)
    api = bare.api()
    resp = api.list_namespaced_pod("big", _preload_content=False)
    assert len(json.loads(resp.data)["items"]) == 5000
    plain = bare.requests[-1]
    method, url, headers, _, _ = api.api_client.param_serialize(
        "GET",
        "/api/v1/pods",
        header_params={"Accept": "application/json;as=Table;v=v1;g=meta.k8s.io"},
        auth_settings=["BearerToken"],
    )
    table = json.loads(api.api_client.rest_client.pool_manager.request(method, url, headers=headers).data)
    assert len(table["rows"]) == 5001
    as_table = bare.requests[-1]
    selected = api.list_pod_for_all_namespaces(label_selector="i=7", _preload_content=False)
    assert len(json.loads(selected.data)["items"]) == 500
    # Generous bounds (CI machines are slow); typical figures are ~0.05-0.15 s.
    assert plain.duration < 1.0, plain
    assert as_table.duration < 1.5, as_table
