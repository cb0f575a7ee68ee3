"""Reads for every kind: get, list (selectors, paging, Tables) and watch.

Lists are encoded in one pass over the stored dicts without copying them;
5,000 pods list in a few tens of milliseconds.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Awaitable, Callable

from aiohttp import web

from kdebug_nb.sandbox.apiserver.common import (
    KINDS,
    cluster_of,
    encoded,
    get_object,
    info_of,
    json_response,
    list_body,
    query_int,
    raw_json_response,
)
from kdebug_nb.sandbox.apiserver.request_info import is_true
from kdebug_nb.sandbox.apiserver.selectors import exact_name, field_selector, label_selector
from kdebug_nb.sandbox.apiserver.tables import to_table, wants_table
from kdebug_nb.sandbox.apiserver.watch import WatchRequest, serve_watch
from kdebug_nb.sandbox.store.cluster import Obj
from kdebug_nb.sandbox.store.status import bad_request

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _sort_key(obj: Obj) -> tuple[str, str]:
    meta = obj["metadata"]
    return meta.get("namespace", ""), meta["name"]


def _include(request: web.Request) -> str:
    include = request.query.get("includeObject", "Metadata") or "Metadata"
    if include not in ("None", "Metadata", "Object"):
        raise bad_request(f'includeObject: Unsupported value: "{include}"')
    return include


def _decode_continue(token: str) -> tuple[str, str]:
    try:
        data = json.loads(base64.urlsafe_b64decode(token.encode()))
        return str(data["start"][0]), str(data["start"][1])
    except (ValueError, KeyError, TypeError, IndexError, binascii.Error):
        raise bad_request("continue key is not valid: incorrect encoded start resourceVersion") from None


def _encode_continue(key: tuple[str, str], rv: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"rv": rv, "start": list(key)}).encode()).decode()


def lookup_namespace(kind: str, request: web.Request) -> str | None:
    """The namespace a request is scoped to (None: all namespaces)."""
    if not KINDS[kind].namespaced:
        return ""
    return info_of(request).namespace or None


def list_handler(kind: str) -> Handler:
    info = KINDS[kind]

    async def handle_list(request: web.Request) -> web.StreamResponse:
        cluster = cluster_of(request)
        q = request.query
        namespace = lookup_namespace(kind, request)
        label_text, field_text = q.get("labelSelector"), q.get("fieldSelector")
        labels = label_selector(label_text)
        fields = field_selector(kind, field_text)
        filtered = bool((label_text or "").strip() or (field_text or "").strip())

        def matches(o: Obj) -> bool:
            return labels(o) and fields(o)

        table_version = wants_table(request.headers.get("Accept", ""))
        include = _include(request) if table_version else "Metadata"
        if is_true(q.get("watch")):
            watch = WatchRequest(
                kind,
                None if not info.namespaced else namespace,
                matches,
                filtered=filtered,
                table_version=table_version,
                include=include,
                cluster=cluster,
                only_name=None if (label_text or "").strip() else exact_name(field_text),
            )
            return await serve_watch(request, watch)

        rv = cluster.rv
        name = exact_name(field_text)
        if name is not None and namespace is not None:
            one = cluster.get(kind, namespace, name)
            objs = [one] if one is not None and labels(one) else []
        else:
            objs = cluster.list(kind, namespace)
            if filtered:
                objs = [o for o in objs if matches(o)]
        objs.sort(key=_sort_key)

        meta: dict[str, object] = {"resourceVersion": str(rv)}
        token = q.get("continue")
        if token:
            start = _decode_continue(token)
            objs = [o for o in objs if _sort_key(o) > start]
        limit = query_int(request, "limit")
        if limit is not None and limit > 0 and len(objs) > limit:
            meta["continue"] = _encode_continue(_sort_key(objs[limit - 1]), rv)
            meta["remainingItemCount"] = len(objs) - limit
            objs = objs[:limit]

        if table_version:
            table = to_table(kind, objs, include=include, api_version=table_version)
            table["metadata"] = meta
            return json_response(table)
        return raw_json_response(list_body(cluster, info.list_kind, meta, objs))

    return handle_list


def get_handler(kind: str) -> Handler:
    async def handle_get(request: web.Request) -> web.StreamResponse:
        obj = get_object(request, kind)
        table_version = wants_table(request.headers.get("Accept", ""))
        if table_version:
            table = to_table(
                kind,
                [obj],
                include=_include(request),
                api_version=table_version,
                resource_version=obj["metadata"].get("resourceVersion", ""),
            )
            return json_response(table)
        return raw_json_response(encoded(cluster_of(request), obj))

    return handle_get


def routes() -> list[web.RouteDef]:
    ns = "/api/v1/namespaces/{namespace}"
    return [
        web.get("/api/v1/namespaces", list_handler("Namespace")),
        web.get("/api/v1/namespaces/{name}", get_handler("Namespace")),
        web.get("/api/v1/namespaces/{name}/status", get_handler("Namespace")),
        web.get("/api/v1/nodes", list_handler("Node")),
        web.get("/api/v1/nodes/{name}", get_handler("Node")),
        web.get("/api/v1/nodes/{name}/status", get_handler("Node")),
        web.get("/api/v1/pods", list_handler("Pod")),
        web.get(ns + "/pods", list_handler("Pod")),
        web.get(ns + "/pods/{name}", get_handler("Pod")),
        web.get(ns + "/pods/{name}/status", get_handler("Pod")),
        web.get("/api/v1/events", list_handler("Event")),
        web.get(ns + "/events", list_handler("Event")),
        web.get(ns + "/events/{name}", get_handler("Event")),
    ]
