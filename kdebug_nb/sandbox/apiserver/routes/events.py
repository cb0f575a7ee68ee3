"""Event writes: create, update, patch, delete."""

from __future__ import annotations

from aiohttp import web

from kdebug_nb.sandbox.apiserver.common import (
    cluster_of,
    dry_run,
    get_object,
    info_of,
    json_response,
    object_namespace,
    read_object,
)
from kdebug_nb.sandbox.apiserver.routes.writes import patch_handler, put_handler
from kdebug_nb.sandbox.store.events import create_event


async def post_event(request: web.Request) -> web.StreamResponse:
    body = await read_object(request)
    namespace = object_namespace(info_of(request), body)
    event = create_event(cluster_of(request), namespace, body, dry_run=dry_run(request))
    return json_response(event, 201)


async def delete_event(request: web.Request) -> web.StreamResponse:
    event = get_object(request, "Event")
    meta = event["metadata"]
    if not dry_run(request):
        cluster_of(request).remove("Event", meta["namespace"], meta["name"])
    return json_response(
        {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success",
         "details": {"name": meta["name"], "kind": "events", "uid": meta.get("uid", "")}}
    )


def routes() -> list[web.RouteDef]:
    events = "/api/v1/namespaces/{namespace}/events"
    return [
        web.post(events, post_event),
        web.delete(events + "/{name}", delete_event),
        web.patch(events + "/{name}", patch_handler("Event")),
        web.put(events + "/{name}", put_handler("Event")),
    ]
