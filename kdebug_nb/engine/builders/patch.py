"""Two-way strategic merge patch, as kubectl computes it for mode E
(``staging/src/k8s.io/kubectl/pkg/cmd/debug/debug.go``, ``debugByEphemeralContainer``).

kubectl diffs the pod as read against the pod with the debug container
appended and sends the difference to ``pods/{name}/ephemeralcontainers``.
Lists of objects that the Pod schema merges by a key (containers by name,
volumeMounts by mountPath, ...) produce only their changed elements, plus a
``$setElementOrder/<field>`` directive naming every element in order; every
other list is sent whole when it changed. A list absent from the original is
sent whole, without a directive. Keys removed from the original become
``null``.
"""

from __future__ import annotations

import copy
from typing import Any

#: Pod schema fields merged by key (field name -> merge key). Field names are
#: unique enough across the Pod schema that the path is not needed.
MERGE_KEYS: dict[str, str] = {
    "containers": "name",
    "initContainers": "name",
    "ephemeralContainers": "name",
    "env": "name",
    "volumeMounts": "mountPath",
    "volumeDevices": "devicePath",
    "ports": "containerPort",
    "volumes": "name",
    "imagePullSecrets": "name",
    "hostAliases": "ip",
    "topologySpreadConstraints": "topologyKey",
    "resourceClaims": "name",
    "schedulingGates": "name",
    "ownerReferences": "uid",
}


def two_way_merge_patch(original: dict[str, Any], modified: dict[str, Any]) -> dict[str, Any]:
    """The strategic merge patch turning ``original`` into ``modified``."""
    return _diff_maps(original, modified)


def _diff_maps(original: dict[str, Any], modified: dict[str, Any]) -> dict[str, Any]:
    patch: dict[str, Any] = {}
    for key in original:
        if key not in modified:
            patch[key] = None
    for key, new in modified.items():
        if key not in original:
            patch[key] = copy.deepcopy(new)
            continue
        old = original[key]
        if old == new:
            continue
        if isinstance(old, dict) and isinstance(new, dict):
            sub = _diff_maps(old, new)
            if sub:
                patch[key] = sub
        elif _keyed(key, old, new):
            changes, order = _diff_keyed_lists(old, new, MERGE_KEYS[key])
            if changes:
                patch[key] = changes
            if order is not None:
                patch[f"$setElementOrder/{key}"] = order
        else:
            patch[key] = copy.deepcopy(new)
    return patch


def _keyed(key: str, old: Any, new: Any) -> bool:
    merge_key = MERGE_KEYS.get(key)
    return (
        merge_key is not None
        and isinstance(old, list)
        and isinstance(new, list)
        and all(isinstance(item, dict) and merge_key in item for item in (*old, *new))
    )


def _diff_keyed_lists(
    old: list[dict[str, Any]], new: list[dict[str, Any]], merge_key: str
) -> tuple[list[dict[str, Any]], list[dict[str, Any]] | None]:
    """The Go library's walk over both lists sorted by merge key.

    Written after the library rather than "naturally" so that duplicate keys
    (``-c`` naming an existing ephemeral container) give kubectl's patch.
    """
    old_sorted, new_sorted = _go_sort(old, merge_key), _go_sort(new, merge_key)
    changes: list[dict[str, Any]] = []
    deletions: list[dict[str, Any]] = []
    i = j = 0
    while i < len(old_sorted) or j < len(new_sorted):
        if i < len(old_sorted) and j < len(new_sorted):
            old_key = _key_string(old_sorted[i][merge_key])
            new_key = _key_string(new_sorted[j][merge_key])
        if i < len(old_sorted) and j < len(new_sorted) and old_key == new_key:
            sub = _diff_maps(old_sorted[i], new_sorted[j])
            if sub:
                sub[merge_key] = new_sorted[j][merge_key]
                changes.append(sub)
            i, j = i + 1, j + 1
        elif i >= len(old_sorted) or old_key > new_key:
            changes.append(copy.deepcopy(new_sorted[j]))
            j += 1
        else:
            deletions.append({"$patch": "delete", merge_key: old_sorted[i][merge_key]})
            i += 1
    new_keys = [item[merge_key] for item in new]
    changes.sort(key=lambda item: new_keys.index(item[merge_key]))  # stable, like SliceStable
    changes.extend(deletions)
    same_order = len(old) == len(new) and all(
        a[merge_key] == b[merge_key] for a, b in zip(old, new, strict=True))
    if changes or not same_order:
        return changes, [{merge_key: key} for key in new_keys]
    return changes, None


def _key_string(value: Any) -> str:
    """Go's ``fmt.Sprintf("%v")`` of a merge key decoded from JSON."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _go_sort(items: list[dict[str, Any]], merge_key: str) -> list[dict[str, Any]]:
    """The library sorts with "a <= b" as its less function; Go's insertion sort
    (used for short lists) therefore reverses elements with equal keys."""
    keys = [_key_string(item[merge_key]) for item in items]
    if len(set(keys)) == len(keys):
        # distinct keys sort the same whatever the algorithm; the insertion sort
        # below is quadratic (a pod with 300 ephemeral containers)
        return [item for _, item in sorted(zip(keys, items, strict=True), key=lambda pair: pair[0])]
    out = list(items)
    for i in range(1, len(out)):
        j = i
        while j > 0 and _key_string(out[j][merge_key]) <= _key_string(out[j - 1][merge_key]):
            out[j], out[j - 1] = out[j - 1], out[j]
            j -= 1
    return out
