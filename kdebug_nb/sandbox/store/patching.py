"""The three patch formats the API server accepts for core objects.

* JSON merge patch (RFC 7386): maps merge, ``null`` deletes, lists replace.
* Strategic merge patch: like merge patch, but lists of containers, volumes,
  env, mounts, ports... merge element-wise on their merge key, with the
  directives ``$patch`` (delete/replace/merge), ``$setElementOrder/<list>``,
  ``$retainKeys`` and ``$deleteFromPrimitiveList/<list>``. Merge keys come from
  the core/v1 schema; fields are looked up by name, which is unambiguous for
  the objects the sandbox stores.
* JSON patch (RFC 6902): add/remove/replace/move/copy/test.

Patches never mutate their input: the result is a new tree sharing
untouched sub-objects with the original (callers deep-copy when they need).
"""

from __future__ import annotations

import copy
from typing import Any

from kdebug_nb.sandbox.store.status import StatusError, bad_request

MERGE_PATCH = "application/merge-patch+json"
STRATEGIC_PATCH = "application/strategic-merge-patch+json"
JSON_PATCH = "application/json-patch+json"

#: list field -> merge key (None: a primitive list merged as a set)
MERGE_KEYS: dict[str, str | None] = {
    "containers": "name",
    "initContainers": "name",
    "ephemeralContainers": "name",
    "volumes": "name",
    "env": "name",
    "volumeMounts": "mountPath",
    "volumeDevices": "devicePath",
    "ports": "containerPort",
    "imagePullSecrets": "name",
    "hostAliases": "ip",
    "conditions": "type",
    "ownerReferences": "uid",
    "resourceClaims": "name",
    "finalizers": None,
    "addresses": "type",
    "taints": "key",
}


def _invalid_patch(message: str) -> StatusError:
    return StatusError(422, message, reason="Invalid", details={"causes": [{"message": message}]})


# -- JSON merge patch ------------------------------------------------------


def merge_patch(target: Any, patch: Any) -> Any:
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    out = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = merge_patch(out.get(key), value)
    return out


# -- strategic merge patch -------------------------------------------------


def strategic_merge(original: Any, patch: Any) -> Any:
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    if not isinstance(original, dict):
        original = {}
    directive = patch.get("$patch")
    if directive == "delete":
        return None
    if directive == "replace":
        return {k: copy.deepcopy(v) for k, v in patch.items() if k != "$patch"}
    if directive not in (None, "merge"):
        raise bad_request(f"Unknown patch type: {directive}")

    out = dict(original)
    orders: dict[str, list[Any]] = {}
    retain: list[str] | None = None
    for key, value in patch.items():
        if key == "$patch":
            continue
        if key == "$retainKeys":
            if not isinstance(value, list):
                raise bad_request("doesn't match the retainKeys format")
            retain = [str(v) for v in value]
            continue
        if key.startswith("$setElementOrder/"):
            orders[key.split("/", 1)[1]] = value
            continue
        if key.startswith("$deleteFromPrimitiveList/"):
            field = key.split("/", 1)[1]
            drop = value if isinstance(value, list) else [value]
            if isinstance(out.get(field), list):
                out[field] = [v for v in out[field] if v not in drop]
            continue
        if value is None:
            out.pop(key, None)
            continue
        if isinstance(value, list) and key in MERGE_KEYS:
            merged = _merge_list(out.get(key), value, MERGE_KEYS[key])
            if merged is None:
                out.pop(key, None)
            else:
                out[key] = merged
            continue
        if isinstance(value, dict):
            merged_map = strategic_merge(out.get(key), value)
            if merged_map is None:
                out.pop(key, None)
            else:
                out[key] = merged_map
            continue
        out[key] = copy.deepcopy(value)
    for field, order in orders.items():
        if isinstance(out.get(field), list):
            out[field] = _apply_order(out[field], order, MERGE_KEYS.get(field))
    if retain is not None:
        out = {k: v for k, v in out.items() if k in retain}
    return out


def _merge_list(original: Any, patch: list[Any], key: str | None) -> list[Any] | None:
    base = list(original) if isinstance(original, list) else []
    if any(isinstance(p, dict) and p.get("$patch") == "replace" for p in patch):
        return [copy.deepcopy(p) for p in patch if not (isinstance(p, dict) and "$patch" in p)]
    if key is None:
        for v in patch:
            if v not in base:
                base.append(copy.deepcopy(v))
        return base
    for item in patch:
        if not isinstance(item, dict):
            raise bad_request(f"unable to find api field in struct for list element {item!r}")
        if key not in item:
            raise bad_request(f"map: {item} does not contain declared merge key: {key}")
        idx = next((i for i, e in enumerate(base) if isinstance(e, dict) and e.get(key) == item[key]), None)
        if item.get("$patch") == "delete":
            if idx is not None:
                base.pop(idx)
            continue
        if idx is None:
            clean = strategic_merge({}, item)
            base.append(clean)
        else:
            base[idx] = strategic_merge(base[idx], item)
    return base


def _apply_order(items: list[Any], order: list[Any], key: str | None) -> list[Any]:
    def ident(v: Any) -> Any:
        return v.get(key) if key and isinstance(v, dict) else v

    wanted = [ident(o) for o in order]
    rank = {w: i for i, w in enumerate(wanted) if isinstance(w, (str, int))}
    ranked = [it for it in items if ident(it) in rank]
    rest = [it for it in items if ident(it) not in rank]
    ranked.sort(key=lambda it: rank[ident(it)])
    return ranked + rest


# -- JSON patch ------------------------------------------------------------


def _pointer(path: str) -> list[str]:
    if path == "":
        return []
    if not path.startswith("/"):
        raise _invalid_patch(f'the server rejected our request due to an error in our request: invalid JSON pointer "{path}"')
    return [p.replace("~1", "/").replace("~0", "~") for p in path[1:].split("/")]


def _walk(doc: Any, parts: list[str], path: str) -> Any:
    """Follow ``parts`` (of the JSON pointer ``path``) down from ``doc``; a step
    that is not there is the API server's "doc is missing path" error."""
    cur = doc
    for part in parts:
        if isinstance(cur, dict) and part in cur:
            cur = cur[part]
        elif isinstance(cur, list) and part.isdigit() and int(part) < len(cur):
            cur = cur[int(part)]
        else:
            raise _invalid_patch(f'the server rejected our request due to an error in our request: doc is missing path: "{path}"')
    return cur


def _parent(doc: Any, parts: list[str], path: str) -> tuple[Any, str]:
    return _walk(doc, parts[:-1], path), parts[-1]


def _get(doc: Any, path: str) -> Any:
    return _walk(doc, _pointer(path), path)


def _add(doc: Any, path: str, value: Any) -> Any:
    parts = _pointer(path)
    if not parts:
        return value
    parent, last = _parent(doc, parts, path)
    if isinstance(parent, dict):
        parent[last] = value
    elif isinstance(parent, list):
        if last == "-":
            parent.append(value)
        elif last.isdigit() and int(last) <= len(parent):
            parent.insert(int(last), value)
        else:
            raise _invalid_patch(f'the server rejected our request due to an error in our request: add operation does not apply: doc is missing path: "{path}"')
    else:
        raise _invalid_patch(f'the server rejected our request due to an error in our request: doc is missing path: "{path}"')
    return doc


def _remove(doc: Any, path: str) -> Any:
    parts = _pointer(path)
    parent, last = _parent(doc, parts, path)
    if isinstance(parent, dict) and last in parent:
        return parent.pop(last)
    if isinstance(parent, list) and last.isdigit() and int(last) < len(parent):
        return parent.pop(int(last))
    raise _invalid_patch(f'the server rejected our request due to an error in our request: remove operation does not apply: doc is missing path: "{path}"')


def json_patch(doc: Any, ops: Any) -> Any:
    if not isinstance(ops, list):
        raise bad_request("json: cannot unmarshal object into Go value of type jsonpatch.Patch")
    doc = copy.deepcopy(doc)
    for op in ops:
        if not isinstance(op, dict) or "op" not in op:
            raise bad_request("Unexpected kind: missing op")
        kind, path = op["op"], op.get("path", "")
        if kind == "add":
            doc = _add(doc, path, copy.deepcopy(op.get("value")))
        elif kind == "remove":
            _remove(doc, path)
        elif kind == "replace":
            _get(doc, path)
            if _pointer(path):
                _remove(doc, path)
            doc = _add(doc, path, copy.deepcopy(op.get("value")))
        elif kind == "move":
            value = _remove(doc, op.get("from", ""))
            doc = _add(doc, path, value)
        elif kind == "copy":
            doc = _add(doc, path, copy.deepcopy(_get(doc, op.get("from", ""))))
        elif kind == "test":
            if _get(doc, path) != op.get("value"):
                raise _invalid_patch(
                    f'the server rejected our request due to an error in our request: testing value {path} failed'
                )
        else:
            raise bad_request(f"Unexpected kind: {kind}")
    return doc


def apply_patch(original: Any, patch: Any, content_type: str) -> Any:
    """Apply ``patch`` (already parsed JSON) to ``original`` by ``content_type``."""
    if content_type == JSON_PATCH:
        return json_patch(original, patch)
    if not isinstance(patch, dict):
        raise bad_request("json: cannot unmarshal array into Go value of type map[string]interface {}")
    if content_type == MERGE_PATCH:
        return merge_patch(original, patch)
    if content_type == STRATEGIC_PATCH:
        result = strategic_merge(original, patch)
        return result if result is not None else {}
    raise StatusError(
        415,
        "the body of the request was in an unknown format - accepted media types include: "
        "application/json-patch+json, application/merge-patch+json, "
        "application/strategic-merge-patch+json",
    )
