"""The REST routes, one module per resource; reads are generic (``reads``)."""

from __future__ import annotations

from aiohttp import web

from kdebug_nb.sandbox.apiserver.routes import (
    access_reviews,
    events,
    namespaces,
    nodes,
    pods,
    reads,
)


def api_routes() -> list[web.RouteDef]:
    """Every REST route of the API server (the kubelet's streams are added by the app)."""
    out: list[web.RouteDef] = []
    for module in (reads, pods, namespaces, nodes, events, access_reviews):
        out.extend(module.routes())
    return out
