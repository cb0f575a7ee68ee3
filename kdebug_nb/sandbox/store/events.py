"""Events written over the API (the kubelet's own go through ``Cluster.record_event``)."""

from __future__ import annotations

import copy
import uuid
from typing import Any

from kdebug_nb.sandbox.policy.validation import required, validate_metadata, validate_name
from kdebug_nb.sandbox.store.cluster import Cluster, Obj, now_rfc3339
from kdebug_nb.sandbox.store.schema import decode
from kdebug_nb.sandbox.store.status import already_exists, invalid


def create_event(cluster: Cluster, namespace: str, body: dict[str, Any], *, dry_run: bool = False) -> Obj:
    event = decode("Event", copy.deepcopy(body))
    event["kind"], event["apiVersion"] = "Event", "v1"
    meta = event.setdefault("metadata", {})
    meta["namespace"] = namespace
    name = meta.get("name") or ""
    if not name and meta.get("generateName"):
        name = meta["name"] = f"{meta['generateName']}{uuid.uuid4().hex[:16]}"
    causes = validate_name(name) + validate_metadata(meta)
    if not event.get("involvedObject"):
        causes.append(required("involvedObject"))
    if causes:
        raise invalid("Event", name, causes)
    if cluster.get("Event", namespace, name) is not None:
        raise already_exists("events", name)
    ts = now_rfc3339()
    event.setdefault("firstTimestamp", ts)
    event.setdefault("lastTimestamp", ts)
    event.setdefault("count", 1)
    event.setdefault("type", "Normal")
    if dry_run:
        return event
    return cluster.put(event)
