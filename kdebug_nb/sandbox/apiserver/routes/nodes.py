"""Node writes: create, update (e.g. ``kubectl cordon``), patch, delete."""

from __future__ import annotations

from aiohttp import web

from kdebug_nb.sandbox.apiserver.common import (
    cluster_of,
    dry_run,
    info_of,
    json_response,
    read_object,
)
from kdebug_nb.sandbox.apiserver.routes.writes import patch_handler, put_handler
from kdebug_nb.sandbox.store.nodes import create_node
from kdebug_nb.sandbox.store.status import not_found


async def post_node(request: web.Request) -> web.StreamResponse:
    body = await read_object(request)
    return json_response(create_node(cluster_of(request), body, dry_run=dry_run(request)), 201)


async def delete_node(request: web.Request) -> web.StreamResponse:
    cluster = cluster_of(request)
    name = info_of(request).name
    node = cluster.remove("Node", "", name)
    if node is None:
        raise not_found("nodes", name)
    return json_response(node)


def routes() -> list[web.RouteDef]:
    return [
        web.post("/api/v1/nodes", post_node),
        web.delete("/api/v1/nodes/{name}", delete_node),
        web.patch("/api/v1/nodes/{name}", patch_handler("Node")),
        web.put("/api/v1/nodes/{name}", put_handler("Node")),
    ]
