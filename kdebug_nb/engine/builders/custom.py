"""``--custom``: a partial container spec merged into the debug container
(``staging/src/k8s.io/kubectl/pkg/cmd/debug/debug.go``, custom profile handling).

kubectl decodes the file into a typed ``Container`` and re-encodes it before
merging, so the spec is first *normalised* the way Go's codecs do it
(:mod:`kdebug_nb.engine.builders.typed`). The normalised spec is then applied
as a strategic merge patch with the Container schema: objects merge, ``env``
merges by ``name``, ``volumeMounts`` by ``mountPath``, ``ports`` by
``containerPort``, every other list replaces.

Element order after a keyed merge follows the strategic-merge library: items
named in the patch keep the patch's order and are interleaved with the
container's other items by their original positions; an item new to the
container is placed before the existing items that follow it in the patch
(so a patch with only new ``env`` entries puts them first). Finally the
result is decoded back onto the old container the way Go's JSON decoder does
it (:func:`go_decode_onto`), quirks included.
"""

from __future__ import annotations

import copy
from typing import Any

from kdebug_nb.engine.builders.typed import (
    CONTAINER,
    DecodeError,
    ListOf,
    Struct,
    decode_container,
    json_type,
)
from kdebug_nb.errors import UsageError

FORBIDDEN_MESSAGE = (
    "name, command, image, lifecycle and volume devices are not modifiable via custom profile"
)


# ----------------------------------------------------------------- loading and checks


def normalize_container_spec(
    spec: Any, source: str = "custom_spec", *, lenient: bool = False
) -> dict[str, Any] | None:
    """The spec as kubectl sees it after decoding into a typed Container (None = no spec)."""
    if spec is None:
        return None
    if not isinstance(spec, dict):
        raise UsageError(f"{source} does not contain a valid container spec: json: cannot "
                         f"unmarshal {json_type(spec)} into Go value of type v1.Container")
    try:
        return decode_container(spec, lenient=lenient)
    except DecodeError as exc:
        raise UsageError(f"{source} does not contain a valid container spec: {exc}") from None


def has_forbidden_fields(spec: dict[str, Any]) -> bool:
    """What ``(*DebugOptions).Validate`` refuses in a custom profile: name, a non-empty command, image, any lifecycle, non-empty volumeDevices."""
    return bool(
        spec.get("name") or spec.get("command") or spec.get("image")
        or spec.get("lifecycle") is not None or spec.get("volumeDevices")
    )


# ----------------------------------------------------------------- strategic merge


def apply_custom(container: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
    """The container after merging ``spec`` (normalised) into it, kubectl-style.

    As kubectl does, the patch carries the container's own name (so the name
    cannot change) and the always-encoded ``resources: {}``.
    """
    patch = copy.deepcopy(spec)
    patch["name"] = container.get("name", "")
    patch.setdefault("resources", {})
    merged = _merge_struct(copy.deepcopy(container), patch, CONTAINER)
    return go_decode_onto(container, merged)


def go_decode_onto(old: Any, new: Any) -> Any:
    """What Go's ``json.Unmarshal(new, &old)`` leaves in ``old``.

    kubectl decodes the merged container back into the container it came
    from. Go's decoder reuses a slice's existing elements and only sets the
    fields present in the JSON, so when a keyed merge shifts list elements,
    fields of the old element at that index survive (a new port at index 0
    inherits the old port's ``name``). Observed with kubectl 1.35.
    """
    if isinstance(old, dict) and isinstance(new, dict):
        out = copy.deepcopy(old)
        for key, value in new.items():
            out[key] = go_decode_onto(old.get(key), value)
        return out
    if isinstance(old, list) and isinstance(new, list):
        return [go_decode_onto(old[i], item) if i < len(old) else copy.deepcopy(item)
                for i, item in enumerate(new)]
    return copy.deepcopy(new)


def _merge_struct(original: dict[str, Any], patch: dict[str, Any], spec: Struct | None) -> dict[str, Any]:
    for key, value in patch.items():
        field_spec = spec.fields.get(key) if spec is not None else None
        current = original.get(key)
        if isinstance(value, dict) and isinstance(current, dict):
            sub = field_spec if isinstance(field_spec, Struct) else None
            original[key] = _merge_struct(current, value, sub)
        elif (isinstance(field_spec, ListOf) and field_spec.merge_key
              and isinstance(value, list) and isinstance(current, list)):
            original[key] = merge_keyed_list(current, value, field_spec.merge_key, field_spec.item)
        else:
            original[key] = copy.deepcopy(value)
    return original


def merge_keyed_list(original: list[Any], patch: list[Any], key: str, item_spec: Any = None) -> list[Any]:
    """Strategic merge of a list of objects keyed by ``key`` (order as the library makes it)."""
    merged = [copy.deepcopy(item) for item in original]
    for item in patch:
        index = next((i for i, o in enumerate(merged) if o.get(key) == item.get(key)), None)
        if index is None:
            merged.append(copy.deepcopy(item))
        else:
            sub = item_spec if isinstance(item_spec, Struct) else None
            merged[index] = _merge_struct(merged[index], item, sub)
    patch_keys = [item.get(key) for item in patch]
    server_keys = [item.get(key) for item in original]
    in_patch = [m for m in merged if m.get(key) in patch_keys]
    server_only = [m for m in merged if m.get(key) not in patch_keys]
    in_patch.sort(key=lambda m: patch_keys.index(m.get(key)))
    return _merge_sorted(server_only, in_patch, server_keys, key)


def _merge_sorted(left: list[Any], right: list[Any], server_keys: list[Any], key: str) -> list[Any]:
    """Interleave server-only items (left) with patch items (right) like the Go library:
    a left item goes first only when both are known to the server and it came earlier."""
    out: list[Any] = []
    i = j = 0
    while i < len(left) or j < len(right):
        if j >= len(right):
            out.append(left[i])
            i += 1
        elif i >= len(left):
            out.append(right[j])
            j += 1
        else:
            lk, rk = left[i].get(key), right[j].get(key)
            if lk in server_keys and rk in server_keys and server_keys.index(lk) < server_keys.index(rk):
                out.append(left[i])
                i += 1
            else:
                out.append(right[j])
                j += 1
    return out
