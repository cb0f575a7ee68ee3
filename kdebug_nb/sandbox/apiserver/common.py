"""Shared plumbing for the route modules: kinds, bodies in, JSON out.

Responses are always JSON (``application/json``), even when a client lists
protobuf first in ``Accept``: every Kubernetes client also accepts JSON and
decodes by the response's Content-Type.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from kdebug_nb.sandbox.apiserver.request_info import RequestInfo
from kdebug_nb.sandbox.store.cluster import Cluster, Obj, User
from kdebug_nb.sandbox.store.status import StatusError, bad_request, not_found

CLUSTER_KEY = web.AppKey("kdebug_cluster", Cluster)
#: request-scoped values the middleware sets
REQUEST_INFO: Any
REQUEST_USER: Any
if hasattr(web, "RequestKey"):  # aiohttp >= 3.13
    REQUEST_INFO = web.RequestKey("kdebug_request_info", RequestInfo)
    REQUEST_USER = web.RequestKey("kdebug_user", User)
else:  # pragma: no cover
    REQUEST_INFO, REQUEST_USER = "kdebug.request_info", "kdebug.user"

JSON = "application/json"
PROTOBUF = "application/vnd.kubernetes.protobuf"
YAML_TYPES = frozenset({"application/yaml", "application/x-yaml", "text/yaml"})
PATCH_TYPES = frozenset(
    {
        "application/json-patch+json",
        "application/merge-patch+json",
        "application/strategic-merge-patch+json",
    }
)


@dataclass(frozen=True)
class KindInfo:
    kind: str
    resource: str
    singular: str
    namespaced: bool
    short_names: tuple[str, ...] = ()

    @property
    def list_kind(self) -> str:
        return self.kind + "List"


KINDS: dict[str, KindInfo] = {
    "Pod": KindInfo("Pod", "pods", "pod", True, ("po",)),
    "Namespace": KindInfo("Namespace", "namespaces", "namespace", False, ("ns",)),
    "Node": KindInfo("Node", "nodes", "node", False, ("no",)),
    "Event": KindInfo("Event", "events", "event", True, ("ev",)),
}


def cluster_of(request: web.Request) -> Cluster:
    return request.app[CLUSTER_KEY]


def info_of(request: web.Request) -> RequestInfo:
    info: RequestInfo = request[REQUEST_INFO]
    return info


def get_object(request: web.Request, kind: str) -> Obj:
    """The object the URL names, or the API's 404 for it (one lookup for GET,
    PUT, PATCH and DELETE of every kind, so they agree on what is missing)."""
    info = info_of(request)
    namespace = info.namespace if KINDS[kind].namespaced else ""
    obj = cluster_of(request).get(kind, namespace, info.name)
    if obj is None:
        raise not_found(KINDS[kind].resource, info.name)
    return obj


_encoder = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, check_circular=False)


def encode(obj: Any) -> bytes:
    return _encoder.encode(obj).encode()


_ENCODED = "api.encoded"


def encoded(cluster: Cluster, obj: Obj) -> bytes:
    """``encode(obj)`` for a stored object, cached until its resourceVersion changes.

    Every write goes through ``cluster.put``, which stamps a new
    resourceVersion, so (identity, resourceVersion) names one content.
    """
    cache: dict[tuple[str, str, str], tuple[int, str, bytes]] = cluster.extensions.setdefault(_ENCODED, {})
    meta = obj["metadata"]
    key = (obj.get("kind", ""), meta.get("namespace", ""), meta["name"])
    rv = meta.get("resourceVersion", "")
    hit = cache.get(key)
    if hit is not None and hit[0] == id(obj) and hit[1] == rv and rv:
        return hit[2]
    data = encode(obj)
    if len(cache) > 2 * sum(len(s) for s in cluster.objects.values()) + 1024:
        cache.clear()  # forget deleted objects now and then
    cache[key] = (id(obj), rv, data)
    return data


def list_body(cluster: Cluster, list_kind: str, meta: dict[str, Any], items: list[Obj]) -> bytes:
    """A ``<Kind>List`` assembled from the cached encodings of its items."""
    head = b'{"kind":"%s","apiVersion":"v1","metadata":%s,"items":[' % (list_kind.encode(), encode(meta))
    return head + b",".join([encoded(cluster, o) for o in items]) + b"]}"


def json_response(obj: Any, status: int = 200) -> web.Response:
    return web.Response(body=encode(obj), status=status, content_type=JSON)


def raw_json_response(body: bytes, status: int = 200) -> web.Response:
    return web.Response(body=body, status=status, content_type=JSON)


def _unknown_format() -> StatusError:
    return StatusError(
        415,
        "the body of the request was in an unknown format - accepted media types include: "
        "application/json, application/yaml, application/vnd.kubernetes.protobuf",
    )


def parse_json(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise bad_request(f"couldn't get version/kind; json parse error: {exc}") from None


async def read_object(request: web.Request) -> Obj:
    """The request body as an API object dict, whatever its encoding."""
    raw = await request.read()
    ctype = request.content_type
    if ctype == PROTOBUF:
        obj = decode_protobuf(raw)
    elif ctype in YAML_TYPES:
        import yaml

        try:
            obj = yaml.safe_load(raw)
        except yaml.YAMLError as exc:
            raise bad_request(f"error converting YAML to JSON: {exc}") from None
    elif ctype in (JSON, "application/octet-stream", "") or ctype.endswith("+json"):
        obj = parse_json(raw) if raw.strip() else {}
    else:
        raise _unknown_format()
    if obj is None:
        obj = {}
    if not isinstance(obj, dict):
        raise bad_request("Object 'Kind' is missing in the request body")
    return obj


def decode_protobuf(raw: bytes) -> Obj:
    try:
        from kdebug_nb.sandbox.protobuf import ProtobufError, decode_object
    except ImportError:
        raise _unknown_format() from None
    try:
        return decode_object(raw)
    except ProtobufError as exc:
        raise StatusError(415, str(exc)) from None


def query_int(request: web.Request, name: str) -> int | None:
    value = request.query.get(name)
    if value is None or value == "":
        return None
    try:
        return int(value)
    except ValueError:
        raise bad_request(f'invalid value for {name}: "{value}"') from None


def dry_run(request: web.Request) -> bool:
    values = request.query.getall("dryRun", [])
    for v in values:
        if v != "All":
            raise bad_request(f'Invalid dryRun value: "{v}"')
    return bool(values)


def object_namespace(info: RequestInfo, body: Obj) -> str:
    """Check the body's namespace against the URL's, as the API server does."""
    meta = body.setdefault("metadata", {})
    if not isinstance(meta, dict):
        raise bad_request("metadata must be an object")
    ns = meta.get("namespace")
    if ns and ns != info.namespace:
        raise bad_request(
            "the namespace of the provided object does not match the namespace sent on the request"
        )
    meta["namespace"] = info.namespace
    return info.namespace
