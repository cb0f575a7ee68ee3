"""PUT and PATCH for namespaces, nodes and events (pods have their own, in routes.pods)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

from kdebug_nb.sandbox.apiserver.common import (
    cluster_of,
    dry_run,
    get_object,
    json_response,
    parse_json,
    read_object,
)
from kdebug_nb.sandbox.store.patching import JSON_PATCH, MERGE_PATCH, STRATEGIC_PATCH, apply_patch
from kdebug_nb.sandbox.store.status import StatusError, bad_request
from kdebug_nb.sandbox.store.updates import update_object

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def patch_handler(kind: str) -> Handler:
    async def handle_patch(request: web.Request) -> web.StreamResponse:
        if request.content_type not in (JSON_PATCH, MERGE_PATCH, STRATEGIC_PATCH):
            raise StatusError(415, f'the server does not support the patch type "{request.content_type}"')
        patch = parse_json(await request.read())
        # read after the body: the patch applies to the object as it is now
        current = get_object(request, kind)
        patched = apply_patch(cluster_of(request).copy(current), patch, request.content_type)
        if not isinstance(patched, dict):
            raise bad_request("the patched object is not a JSON object")
        return json_response(update_object(cluster_of(request), current, patched, dry_run=dry_run(request)))

    return handle_patch


def put_handler(kind: str) -> Handler:
    async def handle_put(request: web.Request) -> web.StreamResponse:
        body = await read_object(request)
        current = get_object(request, kind)
        return json_response(update_object(cluster_of(request), current, body, dry_run=dry_run(request)))

    return handle_put
