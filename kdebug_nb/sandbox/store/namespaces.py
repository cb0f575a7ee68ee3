"""Namespaces as the API server stores them: defaulted, validated, unique.

``create_namespace`` is the one way a namespace enters the sandbox: the REST
handler and the scenario loader both call it.
"""

from __future__ import annotations

import copy
from typing import Any

from kdebug_nb.sandbox.policy.validation import (
    DNS1123_LABEL,
    LABEL_MSG,
    invalid_value,
    required,
    validate_metadata,
)
from kdebug_nb.sandbox.store.cluster import Cluster, Obj
from kdebug_nb.sandbox.store.schema import decode
from kdebug_nb.sandbox.store.status import already_exists, invalid


def create_namespace(cluster: Cluster, body: dict[str, Any], *, dry_run: bool = False) -> Obj:
    """Default (name label, finalizer, Active), validate and store a namespace."""
    ns = decode("Namespace", copy.deepcopy(body))
    ns["kind"], ns["apiVersion"] = "Namespace", "v1"
    meta = ns.get("metadata")
    if not isinstance(meta, dict):
        meta = ns["metadata"] = {}
    meta.pop("namespace", None)
    name = meta.get("name") or ""
    if not name:
        raise invalid("Namespace", "", [required("metadata.name", "name or generateName is required")])
    if not isinstance(name, str) or len(name) > 63 or not DNS1123_LABEL.match(name):
        raise invalid("Namespace", str(name), [invalid_value("metadata.name", name, LABEL_MSG)])
    causes = validate_metadata(meta)
    if causes:
        raise invalid("Namespace", name, causes)
    if cluster.get("Namespace", "", name) is not None:
        raise already_exists("namespaces", name)
    labels = meta.get("labels")
    meta["labels"] = {**(labels if isinstance(labels, dict) else {}), "kubernetes.io/metadata.name": name}
    ns["spec"] = {"finalizers": ["kubernetes"]}
    ns["status"] = {"phase": "Active"}
    if dry_run:
        return ns
    return cluster.put(ns)
