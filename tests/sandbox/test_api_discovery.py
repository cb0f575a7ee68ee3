"""Discovery, /version, and how unknown paths and methods fail."""

from __future__ import annotations

import json
from typing import Any

import pytest
from kubernetes.client.exceptions import ApiException


def call(api_client: Any, method: str, path: str, **kw: Any) -> tuple[int, Any, dict[str, str]]:
    """Raw call through the official client's transport; (status, parsed body, headers)."""
    try:
        resp = api_client.call_api(*api_client.param_serialize(method, path, auth_settings=["BearerToken"], **kw))
        body = resp.read() if hasattr(resp, "read") else resp.data
        return resp.status, json.loads(body), dict(resp.getheaders())
    except ApiException as exc:
        return exc.status, json.loads(exc.body), dict(exc.headers or {})


def test_version(api_client: Any) -> None:
    status, body, headers = call(api_client, "GET", "/version")
    assert status == 200
    assert body["major"] == "1" and body["minor"] == "32"
    assert body["gitVersion"].startswith("v1.32.")
    assert headers["Content-Type"].startswith("application/json")


def test_core_group_versions(api_client: Any) -> None:
    status, body, _ = call(api_client, "GET", "/api")
    assert status == 200
    assert body["kind"] == "APIVersions" and body["versions"] == ["v1"]


def test_aggregated_discovery_request_gets_legacy_json(api_client: Any) -> None:
    accept = (
        "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,"
        "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json"
    )
    status, body, headers = call(api_client, "GET", "/apis", header_params={"Accept": accept})
    assert status == 200
    # Plain application/json (no g=apidiscovery...) tells kubectl to fall back to legacy discovery.
    assert headers["Content-Type"] == "application/json"
    assert body["kind"] == "APIGroupList"


def test_core_v1_resources(api_client: Any) -> None:
    status, body, _ = call(api_client, "GET", "/api/v1")
    assert status == 200 and body["kind"] == "APIResourceList" and body["groupVersion"] == "v1"
    by_name = {r["name"]: r for r in body["resources"]}
    for name in (
        "pods", "pods/ephemeralcontainers", "pods/log", "pods/exec", "pods/attach",
        "pods/status", "namespaces", "nodes", "events",
    ):
        assert name in by_name, name
    pods = by_name["pods"]
    assert pods["kind"] == "Pod" and pods["namespaced"] and pods["singularName"] == "pod"
    assert pods["shortNames"] == ["po"]
    assert {"get", "list", "watch", "create", "patch", "delete"} <= set(pods["verbs"])
    assert by_name["nodes"]["shortNames"] == ["no"] and not by_name["nodes"]["namespaced"]
    assert by_name["namespaces"]["shortNames"] == ["ns"]
    assert by_name["events"]["shortNames"] == ["ev"]
    assert by_name["pods/ephemeralcontainers"]["verbs"] == ["get", "patch", "update"]


def test_core_api_list_via_client(core_v1: Any) -> None:
    resources = core_v1.get_api_resources()
    assert "pods/ephemeralcontainers" in {r.name for r in resources.resources}


@pytest.mark.parametrize("path", ["/openapi/v2", "/api/v1/widgets", "/apis/apps/v1"])
def test_unknown_paths_are_404_status(api_client: Any, path: str) -> None:
    status, body, _ = call(api_client, "GET", path)
    assert status == 404
    assert body["kind"] == "Status" and body["reason"] == "NotFound"
    assert body["message"] == "the server could not find the requested resource"


def test_method_not_allowed(api_client: Any) -> None:
    status, body, _ = call(api_client, "PUT", "/api/v1/namespaces/default/pods")
    assert status == 405
    assert body["reason"] == "MethodNotAllowed"


def test_openapi_v3_skeleton_lets_kubectl_use_server_validation(api_client: Any) -> None:
    status, index, _ = call(api_client, "GET", "/openapi/v3")
    assert status == 200
    url = index["paths"]["api/v1"]["serverRelativeURL"]
    assert url.startswith("/openapi/v3/api/v1?hash=")
    status, doc, _ = call(api_client, "GET", url.split("?")[0])
    assert status == 200
    kinds = {}
    for item in doc["paths"].values():
        op = item["patch"]
        params = {p["name"] for p in op["parameters"] if p["in"] == "query"}
        kinds[op["x-kubernetes-group-version-kind"]["kind"]] = params
    assert set(kinds) == {"Pod", "Namespace", "Node", "Event"}
    assert all("fieldValidation" in p for p in kinds.values())


def test_health(api_client: Any) -> None:
    method, url, headers, _, _ = api_client.param_serialize("GET", "/readyz", auth_settings=["BearerToken"])
    resp = api_client.rest_client.pool_manager.request(method, url, headers=headers)
    assert resp.status == 200 and resp.data == b"ok"
