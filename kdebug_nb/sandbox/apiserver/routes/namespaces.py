"""Namespace writes: create, update, patch, delete (reads are generic, in routes.reads)."""

from __future__ import annotations

import copy

from aiohttp import web

from kdebug_nb.sandbox.apiserver.common import (
    cluster_of,
    dry_run,
    info_of,
    json_response,
    read_object,
)
from kdebug_nb.sandbox.apiserver.routes.writes import patch_handler, put_handler
from kdebug_nb.sandbox.store.namespaces import create_namespace
from kdebug_nb.sandbox.store.pods import delete_pod
from kdebug_nb.sandbox.store.status import not_found


async def post_namespace(request: web.Request) -> web.StreamResponse:
    body = await read_object(request)
    return json_response(create_namespace(cluster_of(request), body, dry_run=dry_run(request)), 201)


async def delete_namespace(request: web.Request) -> web.StreamResponse:
    """Pods go first (immediately), then the namespace; the answer shows it Terminating."""
    cluster = cluster_of(request)
    name = info_of(request).name
    ns = cluster.get("Namespace", "", name)
    if ns is None:
        raise not_found("namespaces", name)
    if dry_run(request):
        return json_response(ns)
    for pod in cluster.list("Pod", name):
        delete_pod(cluster, name, pod["metadata"]["name"], 0)
    for event in cluster.list("Event", name):
        cluster.remove("Event", name, event["metadata"]["name"])
    ns["status"] = {"phase": "Terminating"}
    cluster.put(ns)
    answer = copy.deepcopy(ns)
    cluster.remove("Namespace", "", name)
    return json_response(answer)


def routes() -> list[web.RouteDef]:
    return [
        web.post("/api/v1/namespaces", post_namespace),
        web.delete("/api/v1/namespaces/{name}", delete_namespace),
        web.patch("/api/v1/namespaces/{name}", patch_handler("Namespace")),
        web.put("/api/v1/namespaces/{name}", put_handler("Namespace")),
    ]
