"""Shared plumbing for the route modules: kinds, bodies in, JSON out.

Responses are always JSON (``application/json``), even when a client lists
protobuf first in ``Accept``: every Kubernetes client also accepts JSON and
decodes by the response's Content-Type.
"""

from __future__ import annotations

import base64
import codecs
import datetime
import json
import re
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from kdebug_nb.sandbox.apiserver.request_info import RequestInfo
from kdebug_nb.sandbox.store.cluster import SURROGATE, Cluster, Obj, User, encode
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


def encoded(cluster: Cluster, obj: Obj) -> bytes:
    """``encode(obj)`` for a stored object: the encoding the store made when it was written."""
    return cluster.encoded(obj)


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


def _go_replace(exc: UnicodeError) -> tuple[str, int]:
    """One U+FFFD per invalid byte, as Go's decoder (``utf8.DecodeRune``) reads them."""
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    return "\ufffd" * (exc.end - exc.start), exc.end


codecs.register_error("kdebug-go-utf8", _go_replace)


def decode_text(raw: bytes) -> str:
    """Request bytes as text: invalid UTF-8 becomes U+FFFD instead of an error."""
    return raw.decode("utf-8", "kdebug-go-utf8")


def scrub(value: Any) -> Any:
    """Replace lone surrogates (``"\\ud800"`` escapes without their pair) by U+FFFD,
    in keys and values, as Go's ``encoding/json`` does when it decodes them."""
    if isinstance(value, str):
        return SURROGATE.sub("\ufffd", value) if SURROGATE.search(value) else value
    if isinstance(value, dict):
        return {scrub(k): scrub(v) for k, v in value.items()}
    if isinstance(value, list):
        return [scrub(v) for v in value]
    return value


def yaml_as_json(value: Any) -> Any:
    """What sigs.k8s.io/yaml makes of a YAML document: JSON values only (string
    keys, timestamps as strings), lone surrogates replaced."""
    if isinstance(value, dict):
        return {_yaml_key(k): yaml_as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [yaml_as_json(v) for v in value]
    if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        raise bad_request(f"error converting YAML to JSON: json: unsupported value: {value}")
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return scrub(str(value))


def _yaml_key(key: Any) -> str:
    if isinstance(key, bool):
        return "true" if key else "false"
    return scrub(str(key)) if key is not None else "null"


def _no_constants(name: str) -> Any:
    raise ValueError(f"invalid character '{name[0]}' looking for beginning of value")


def parse_json(raw: bytes) -> Any:
    text = decode_text(raw)
    try:
        value = json.loads(text, parse_constant=_no_constants)
    except (ValueError, RecursionError) as exc:
        raise bad_request(f"couldn't get version/kind; json parse error: {exc}") from None
    # Only a \uD8xx-\uDFxx escape can put a surrogate in the result.
    return scrub(value) if _SURROGATE_ESCAPE.search(text) else value


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


async def read_object(request: web.Request) -> Obj:
    """The request body as an API object dict, whatever its encoding."""
    raw = await request.read()
    ctype = request.content_type
    if ctype == PROTOBUF:
        obj = decode_protobuf(raw)
    elif ctype in YAML_TYPES:
        import yaml

        try:
            obj = yaml_as_json(yaml.safe_load(decode_text(raw)))
        except (yaml.YAMLError, RecursionError) as exc:
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
