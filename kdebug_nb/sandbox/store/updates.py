"""Updates of stored objects: preconditions, system fields, no-op writes.

Shared by every kind: pods (``store.pods``) and the simpler namespaces,
nodes and events (``update_object``).
"""

from __future__ import annotations

import copy

from kdebug_nb.sandbox.policy.validation import validate_metadata
from kdebug_nb.sandbox.store.cluster import Cluster, Obj
from kdebug_nb.sandbox.store.schema import decode
from kdebug_nb.sandbox.store.status import conflict, invalid


def check_resource_version(current: Obj, new: Obj, resource: str = "pods") -> None:
    """A write that names a resourceVersion is refused unless it is the current one."""
    wanted = (new.get("metadata") or {}).get("resourceVersion")
    if wanted and wanted != current["metadata"].get("resourceVersion"):
        raise conflict(
            resource,
            current["metadata"]["name"],
            "the object has been modified; please apply your changes to the latest version and try again",
        )


def carry_system_fields(current: Obj, new: Obj) -> Obj:
    """Keep what clients may not set on update: kind, uid, timestamps, namespace."""
    new["kind"], new["apiVersion"] = current["kind"], current.get("apiVersion", "v1")
    meta = new.get("metadata")
    if not isinstance(meta, dict):
        meta = new["metadata"] = {}
    old_meta = current["metadata"]
    for key in ("uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "namespace"):
        if key in old_meta:
            meta[key] = old_meta[key]
        else:
            meta.pop(key, None)
    meta["resourceVersion"] = old_meta.get("resourceVersion")
    return new


def replace_object(cluster: Cluster, current: Obj, new: Obj) -> Obj:
    """Write ``new`` over ``current``, if the store still holds the version read."""
    if new == current:
        return current  # the API server skips no-op writes; resourceVersion stays
    return cluster.update(new, current["metadata"].get("resourceVersion"))




def update_object(cluster: Cluster, current: Obj, new: Obj, *, dry_run: bool = False) -> Obj:
    """PUT/PATCH of a namespace, node or event: status stays the server's."""
    resource = {"Namespace": "namespaces", "Node": "nodes", "Event": "events"}[current["kind"]]
    new = decode(current["kind"], new)
    check_resource_version(current, new, resource)
    name = current["metadata"]["name"]
    if (new.get("metadata") or {}).get("name", name) != name:
        raise invalid(current["kind"], name, [("FieldValueInvalid", "metadata.name", "field is immutable")])
    new = carry_system_fields(current, copy.deepcopy(new))
    causes = validate_metadata(new["metadata"])
    if causes:
        raise invalid(current["kind"], name, causes)
    if "status" in current and current["kind"] != "Event":
        new["status"] = current["status"]
    if dry_run:
        return new
    return replace_object(cluster, current, new)
