"""Discovery: ``/version``, ``/api``, ``/api/v1``, ``/apis`` and health checks.

Only legacy (unaggregated) discovery is served. kubectl 1.32+ first asks for
the aggregated ``apidiscovery.k8s.io/v2`` form; answering with plain
``application/json`` tells it the server predates that, and it falls back to
walking ``/api/v1`` and ``/apis`` — which is what it does with older clusters.
Beyond the core group only ``authorization.k8s.io/v1`` is served, for
SelfSubjectAccessReview (``kubectl auth can-i``).

OpenAPI: ``/openapi/v2`` answers 404 and ``/openapi/v3`` serves a skeleton
for ``api/v1`` — each kind's PATCH operation with its group-version-kind and
the ``fieldValidation`` parameter, and no schemas. That is what kubectl's
``create -f``/``apply``/``edit`` look for to leave validation to the server
(without it they refuse with "failed to download openapi"); apply then
computes its strategic merge patch from its built-in types, as it does for
any server whose OpenAPI lacks a schema. ``kubectl explain`` stays unsupported.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from kdebug_nb.sandbox.apiserver.common import cluster_of, json_response

SERVER_VERSION: dict[str, str] = {
    "major": "1",
    "minor": "32",
    "gitVersion": "v1.32.4",
    "gitCommit": "59526cd4867447956156ae3a602fcbac10a2c335",
    "gitTreeState": "clean",
    "buildDate": "2025-04-22T16:03:56Z",
    "goVersion": "go1.23.6",
    "compiler": "gc",
    "platform": "linux/amd64",
}

_ALL = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]


def _res(
    name: str,
    kind: str,
    verbs: list[str],
    *,
    singular: str = "",
    namespaced: bool = True,
    short: list[str] | None = None,
    categories: list[str] | None = None,
) -> dict[str, Any]:
    r: dict[str, Any] = {
        "name": name,
        "singularName": singular,
        "namespaced": namespaced,
        "kind": kind,
        "verbs": verbs,
    }
    if short:
        r["shortNames"] = short
    if categories:
        r["categories"] = categories
    return r


def core_resources(ephemeral_containers: bool) -> list[dict[str, Any]]:
    resources = [
        _res("events", "Event", _ALL, singular="event", short=["ev"]),
        _res("namespaces", "Namespace", ["create", "delete", "get", "list", "patch", "update", "watch"],
             singular="namespace", namespaced=False, short=["ns"]),
        _res("namespaces/status", "Namespace", ["get", "patch", "update"], namespaced=False),
        _res("nodes", "Node", _ALL, singular="node", namespaced=False, short=["no"]),
        _res("nodes/status", "Node", ["get", "patch", "update"], namespaced=False),
        _res("pods", "Pod", _ALL, singular="pod", short=["po"], categories=["all"]),
        _res("pods/attach", "PodAttachOptions", ["create", "get"]),
        _res("pods/ephemeralcontainers", "Pod", ["get", "patch", "update"]),
        _res("pods/exec", "PodExecOptions", ["create", "get"]),
        _res("pods/log", "Pod", ["get"]),
        _res("pods/status", "Pod", ["get", "patch", "update"]),
    ]
    if not ephemeral_containers:
        resources = [r for r in resources if r["name"] != "pods/ephemeralcontainers"]
    return resources


async def version(request: web.Request) -> web.Response:
    return json_response(SERVER_VERSION)


async def api_versions(request: web.Request) -> web.Response:
    host = request.host or "127.0.0.1"
    return json_response(
        {
            "kind": "APIVersions",
            "versions": ["v1"],
            "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": host}],
        }
    )


async def api_v1(request: web.Request) -> web.Response:
    cluster = cluster_of(request)
    return json_response(
        {
            "kind": "APIResourceList",
            "groupVersion": "v1",
            "resources": core_resources(cluster.policy.ephemeral_containers),
        }
    )


_AUTHZ_VERSION = {"groupVersion": "authorization.k8s.io/v1", "version": "v1"}


async def api_groups(request: web.Request) -> web.Response:
    group = {
        "name": "authorization.k8s.io",
        "versions": [_AUTHZ_VERSION],
        "preferredVersion": _AUTHZ_VERSION,
    }
    return json_response({"kind": "APIGroupList", "apiVersion": "v1", "groups": [group]})


async def authorization_v1(request: web.Request) -> web.Response:
    review = _res("selfsubjectaccessreviews", "SelfSubjectAccessReview", ["create"],
                  singular="selfsubjectaccessreview", namespaced=False)
    return json_response(
        {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": "authorization.k8s.io/v1",
         "resources": [review]}
    )


_OPENAPI_HASH = "6B7A2F0C1D3E4F5A6B7C8D9E0F1A2B3C"
_PATCH_TYPES = (
    "application/apply-patch+yaml",
    "application/json-patch+json",
    "application/merge-patch+json",
    "application/strategic-merge-patch+json",
)


async def openapi_v3_index(request: web.Request) -> web.Response:
    url = f"/openapi/v3/api/v1?hash={_OPENAPI_HASH}"
    return json_response({"paths": {"api/v1": {"serverRelativeURL": url}}})


def _patch_op(kind: str) -> dict[str, Any]:
    return {
        "operationId": f"patchCoreV1{kind}",
        "x-kubernetes-action": "patch",
        "x-kubernetes-group-version-kind": {"group": "", "version": "v1", "kind": kind},
        "parameters": [
            {"name": name, "in": "query", "schema": {"type": "string", "uniqueItems": True}}
            for name in ("dryRun", "fieldManager", "fieldValidation")
        ],
        "requestBody": {"content": {t: {"schema": {"type": "object"}} for t in _PATCH_TYPES}},
        "responses": {"200": {"description": "OK"}},
    }


async def openapi_v3_core(request: web.Request) -> web.Response:
    paths = {
        "/api/v1/namespaces/{namespace}/pods/{name}": {"patch": _patch_op("Pod")},
        "/api/v1/namespaces/{namespace}/events/{name}": {"patch": _patch_op("Event")},
        "/api/v1/namespaces/{name}": {"patch": _patch_op("Namespace")},
        "/api/v1/nodes/{name}": {"patch": _patch_op("Node")},
    }
    return json_response(
        {
            "openapi": "3.0.0",
            "info": {"title": "Kubernetes", "version": SERVER_VERSION["gitVersion"]},
            "paths": paths,
            "components": {"schemas": {}},
        }
    )


async def healthz(request: web.Request) -> web.Response:
    return web.Response(text="ok", content_type="text/plain")


def routes() -> list[web.RouteDef]:
    return [
        web.get("/version", version),
        web.get("/version/", version),
        web.get("/api", api_versions),
        web.get("/api/", api_versions),
        web.get("/api/v1", api_v1),
        web.get("/api/v1/", api_v1),
        web.get("/apis", api_groups),
        web.get("/apis/", api_groups),
        web.get("/apis/authorization.k8s.io/v1", authorization_v1),
        web.get("/openapi/v3", openapi_v3_index),
        web.get("/openapi/v3/api/v1", openapi_v3_core),
        web.get("/healthz", healthz),
        web.get("/livez", healthz),
        web.get("/readyz", healthz),
    ]
