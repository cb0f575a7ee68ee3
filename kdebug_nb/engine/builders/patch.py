"""Two-way strategic merge patch, as kubectl computes it for mode E (§3.4).

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
    old_by_key = {item[merge_key]: item for item in old}
    new_keys = [item[merge_key] for item in new]
    changes: list[dict[str, Any]] = []
    for item in new:
        before = old_by_key.get(item[merge_key])
        if before is None:
            changes.append(copy.deepcopy(item))
        elif before != item:
            sub = _diff_maps(before, item)
            if sub:
                changes.append({merge_key: item[merge_key], **sub})
    deletions = [
        {"$patch": "delete", merge_key: item[merge_key]}
        for item in old
        if item[merge_key] not in new_keys
    ]
    changes.extend(deletions)
    same_order = [k for k in (i[merge_key] for i in old) if k in new_keys] == [
        k for k in new_keys if k in old_by_key
    ]
    if changes or not same_order:
        return changes, [{merge_key: key} for key in new_keys]
    return changes, None
