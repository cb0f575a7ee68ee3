"""Pod writes: create, update, patch, delete, and the status and
ephemeralcontainers subresources."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from kdebug_nb.sandbox.apiserver.common import (
    PROTOBUF,
    cluster_of,
    dry_run,
    get_object,
    info_of,
    json_response,
    object_namespace,
    parse_json,
    query_int,
    raw_json_response,
    read_object,
)
from kdebug_nb.sandbox.apiserver.selectors import field_selector, label_selector
from kdebug_nb.sandbox.policy.admission import pod_security_warnings, warning_header
from kdebug_nb.sandbox.policy.validation import field_validation_error, prune_unknown_fields, quote
from kdebug_nb.sandbox.store.cluster import Cluster, Obj
from kdebug_nb.sandbox.store.patching import JSON_PATCH, MERGE_PATCH, STRATEGIC_PATCH, apply_patch
from kdebug_nb.sandbox.store.pods import (
    create_pod,
    delete_pod,
    update_ephemeral,
    update_pod,
    update_pod_status,
)
from kdebug_nb.sandbox.store.status import StatusError, bad_request, resource_missing

Updater = Callable[..., Obj]
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def unknown_field_warnings(request: web.Request, obj: Obj) -> list[str]:
    """Apply ``fieldValidation`` (default Warn) to a JSON/YAML pod: unknown
    fields are dropped, and reported as warnings or, for Strict, refused."""
    mode = request.query.get("fieldValidation") or "Warn"
    if mode not in ("Ignore", "Warn", "Strict"):
        raise bad_request(
            f'fieldValidation: Unsupported value: "{mode}": supported values: "Ignore", "Strict", "Warn"'
        )
    if request.content_type == PROTOBUF:
        return []  # protobuf cannot carry fields the schema lacks
    unknown = prune_unknown_fields(obj)
    if unknown and mode == "Strict":
        raise bad_request(field_validation_error("Pod", unknown))
    return [f"unknown field {quote(f)}" for f in unknown] if mode == "Warn" else []


async def create(request: web.Request) -> web.StreamResponse:
    info = info_of(request)
    body = await read_object(request)
    namespace = object_namespace(info, body)
    cluster = cluster_of(request)
    warnings = unknown_field_warnings(request, body)
    pod = create_pod(cluster, namespace, body, dry_run=dry_run(request))
    return _with_warnings(json_response(pod, 201), cluster, namespace, pod, warnings)


def _with_warnings(
    resp: web.Response,
    cluster: Cluster,
    namespace: str,
    pod: Obj | None,
    extra: list[str] | None = None,
) -> web.Response:
    """Add ``Warning`` headers: ``extra``, then Pod Security's for ``pod`` (if given)."""
    messages = list(extra or [])
    if pod is not None:
        messages.extend(pod_security_warnings(cluster, namespace, pod))
    for key, value in warning_header(messages):
        resp.headers.add(key, value)
    return resp


async def read_patch(request: web.Request) -> Any:
    """The patch document, read before the object it applies to is looked up."""
    ctype = request.content_type
    if ctype not in (JSON_PATCH, MERGE_PATCH, STRATEGIC_PATCH):
        raise StatusError(
            415,
            "the body of the request was in an unknown format - accepted media types include: "
            "application/json-patch+json, application/merge-patch+json, "
            "application/apply-patch+yaml, application/strategic-merge-patch+json",
        )
    raw = await request.read()
    if not raw.strip():
        raise bad_request("the body of the request was empty")
    return parse_json(raw)


def patched(cluster: Cluster, current: Obj, patch: Any, ctype: str) -> Obj:
    new = apply_patch(cluster.copy(current), patch, ctype)
    if not isinstance(new, dict):
        raise bad_request("the patched object is not a JSON object")
    return new


def stored_response(cluster: Cluster, obj: Obj) -> web.Response:
    """The object as written, from the encoding the store made of it (no second encode)."""
    return raw_json_response(cluster.encoded(obj))


def _ephemeral_enabled(cluster: Cluster) -> None:
    if not cluster.policy.ephemeral_containers:
        raise resource_missing()


def patch_handler(update: Updater, *, ephemeral: bool = False) -> Handler:
    async def handle_patch(request: web.Request) -> web.StreamResponse:
        cluster = cluster_of(request)
        if ephemeral:
            _ephemeral_enabled(cluster)
        patch = await read_patch(request)
        # Nothing is awaited from here on: the patch applies to the object as
        # it is now and the write cannot interleave with another (what the API
        # server's GuaranteedUpdate gets by retrying on conflict).
        current = get_object(request, "Pod")
        new = patched(cluster, current, patch, request.content_type)
        warnings = unknown_field_warnings(request, new)
        result = update(cluster, current, new, dry_run=dry_run(request))
        namespace = info_of(request).namespace
        admitted = result if ephemeral else None
        return _with_warnings(stored_response(cluster, result), cluster, namespace, admitted, warnings)

    return handle_patch


def put_handler(update: Updater, *, ephemeral: bool = False) -> Handler:
    async def handle_put(request: web.Request) -> web.StreamResponse:
        cluster = cluster_of(request)
        if ephemeral:
            _ephemeral_enabled(cluster)
        info = info_of(request)
        body = await read_object(request)
        object_namespace(info, body)
        name = (body.get("metadata") or {}).get("name")
        if name and name != info.name:
            raise bad_request(
                f"the name of the object ({name}) does not match the name on the URL ({info.name})"
            )
        current = get_object(request, "Pod")
        warnings = unknown_field_warnings(request, body)
        result = update(cluster, current, body, dry_run=dry_run(request))
        admitted = result if ephemeral else None
        return _with_warnings(stored_response(cluster, result), cluster, info.namespace, admitted, warnings)

    return handle_put


async def get_ephemeral(request: web.Request) -> web.StreamResponse:
    _ephemeral_enabled(cluster_of(request))
    return json_response(get_object(request, "Pod"))


async def delete(request: web.Request) -> web.StreamResponse:
    info = info_of(request)
    grace = query_int(request, "gracePeriodSeconds")
    is_dry = dry_run(request)
    preconditions: Obj = {}
    if await request.read():
        opts = await read_object(request)
        if opts.get("gracePeriodSeconds") is not None:
            grace = delete_grace(opts["gracePeriodSeconds"])
        if isinstance(opts.get("preconditions"), dict):
            preconditions = opts["preconditions"]
        if opts.get("dryRun"):
            is_dry = True
    pod = delete_pod(
        cluster_of(request),
        info.namespace,
        info.name,
        grace,
        uid=_optional_str(preconditions.get("uid")),
        resource_version=_optional_str(preconditions.get("resourceVersion")),
        dry_run=is_dry,
    )
    return json_response(pod)


def delete_grace(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise bad_request(
            "json: cannot unmarshal into Go struct field DeleteOptions.gracePeriodSeconds of type int64"
        )
    return value


def _optional_str(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


async def delete_collection(request: web.Request) -> web.StreamResponse:
    """DELETE on the collection: every pod the selectors match, returned as a PodList."""
    cluster = cluster_of(request)
    info = info_of(request)
    labels = label_selector(request.query.get("labelSelector"))
    fields = field_selector("Pod", request.query.get("fieldSelector"))
    grace = query_int(request, "gracePeriodSeconds")
    is_dry = dry_run(request)
    deleted = []
    for pod in sorted(cluster.list("Pod", info.namespace), key=lambda p: p["metadata"]["name"]):
        if labels(pod) and fields(pod):
            deleted.append(delete_pod(cluster, info.namespace, pod["metadata"]["name"], grace, dry_run=is_dry))
    meta = {"resourceVersion": str(cluster.rv)}
    return json_response({"kind": "PodList", "apiVersion": "v1", "metadata": meta, "items": deleted})


def routes() -> list[web.RouteDef]:
    base = "/api/v1/namespaces/{namespace}/pods"
    return [
        web.post(base, create),
        web.delete(base, delete_collection),
        web.put(base + "/{name}", put_handler(update_pod)),
        web.patch(base + "/{name}", patch_handler(update_pod)),
        web.delete(base + "/{name}", delete),
        web.put(base + "/{name}/status", put_handler(update_pod_status)),
        web.patch(base + "/{name}/status", patch_handler(update_pod_status)),
        web.get(base + "/{name}/ephemeralcontainers", get_ephemeral),
        web.put(base + "/{name}/ephemeralcontainers", put_handler(update_ephemeral, ephemeral=True)),
        web.patch(base + "/{name}/ephemeralcontainers", patch_handler(update_ephemeral, ephemeral=True)),
    ]
