"""``--custom``: a partial container spec merged into the debug container (§7).

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
import json
import re
from typing import Any

from kdebug_nb.engine.builders.typed import (
    CONTAINER,
    DecodeError,
    ListOf,
    Struct,
    decode_container,
    json_type,
)
from kdebug_nb.engine.options import DebugOptions
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


def load_custom_file(path: str) -> dict[str, Any] | None:
    """Read a ``--custom`` file like kubectl: strict JSON first, then the YAML decoder.

    A file that fails as JSON, for its syntax *or* for a type mismatch, is read
    again as YAML (JSON is YAML), whose decoder is lenient about scalars in
    string fields. Error texts are kubectl's: the YAML decoder's error is the
    one reported.
    """
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
    except OSError as exc:
        reason = (exc.strerror or str(exc))
        reason = reason[:1].lower() + reason[1:]  # Go's syscall errors are lower case
        raise UsageError(
            f"must pass a container spec json file for custom profile: open {path}: {reason}"
        ) from None
    try:
        return normalize_container_spec(json.loads(raw), path)
    except (ValueError, UsageError):
        pass
    data = _load_yaml(raw, path)
    try:
        return normalize_container_spec(data, path, lenient=True)
    except UsageError as exc:
        head = f"{path} does not contain a valid container spec: "
        raise UsageError(head + "error unmarshaling JSON: while decoding JSON: "
                         + str(exc)[len(head):]) from None


def _load_yaml(raw: bytes, path: str) -> Any:
    import yaml  # only files that are not JSON pay for it

    class Loader(yaml.SafeLoader):
        """YAML 1.1 as Go's yaml.v2 reads it: ``y``/``n`` are booleans too, and
        ``1e3`` is a float (PyYAML wants a dot in floats)."""

    def construct_bool(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> bool:
        text = str(loader.construct_scalar(node)).lower()
        return text in ("y", "yes", "true", "on")

    Loader.add_implicit_resolver(
        "tag:yaml.org,2002:bool", re.compile(r"^(?:y|Y|n|N)$"), list("yYnN"))
    Loader.add_constructor("tag:yaml.org,2002:bool", construct_bool)
    Loader.add_implicit_resolver(  # after the int resolver, so 123 stays an int
        "tag:yaml.org,2002:float",
        re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$"),
        list("-+.0123456789"))
    try:
        return yaml.load(raw, Loader=Loader)  # a SafeLoader subclass: no arbitrary objects
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise UsageError(f"{path} does not contain a valid container spec: error converting "
                         f"YAML to JSON: yaml: {where}{problem}") from None


def resolve_custom_spec(opts: DebugOptions) -> dict[str, Any] | None:
    """The normalised custom spec of a run: ``opts.custom_spec`` or the ``--custom`` file."""
    if opts.custom_spec is not None:
        if opts.custom:
            raise UsageError("give either --custom (a file) or custom_spec, not both")
        return normalize_container_spec(opts.custom_spec)
    if opts.custom:
        return load_custom_file(opts.custom)
    return None


def has_forbidden_fields(spec: dict[str, Any]) -> bool:
    """§1.5 #9: name, a non-empty command, image, any lifecycle, non-empty volumeDevices."""
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
