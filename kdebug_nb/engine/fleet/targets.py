"""What a fleet run debugs: pods (or nodes) by selector, across namespaces, or by name.

The flags' rules are the grammar's (``kdebug_nb.engine.grammar.fleet``).
Selections are read in pages (``kdebug_nb.engine.paging``) and handed out
one target at a time, so the run never holds the whole list.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from kdebug_nb.engine.debug_options import DebugOptions
from kdebug_nb.engine.grammar.fleet import (
    by_selector,
    check_copy_template,
    is_fleet,
    selected_kind,
    validate_fleet,
)
from kdebug_nb.engine.grammar.targets import TargetRef
from kdebug_nb.engine.paging import PAGE_SIZE, iter_items

if TYPE_CHECKING:
    from kdebug_nb.engine.client import ClusterClient



#: one pod or node of a fleet run; ``obj`` is its JSON when it came from a list
FleetTarget = TargetRef


def copy_name(template: str, target: FleetTarget) -> str:
    return template.format(pod=target.name, namespace=target.namespace)


def iter_targets(
    opts: DebugOptions, client: ClusterClient, namespace: str
) -> Iterator[FleetTarget]:
    """The run's targets in order, listed in pages when selected.

    ``namespace`` is the run's (ignored with ``-A``).
    """
    from kdebug_nb.engine.grammar.targets import parse_target

    kind = selected_kind(opts)
    if not by_selector(opts):
        for word in opts.targets:
            name = parse_target(word).name
            yield FleetTarget(kind, name, "" if kind == "Node" else namespace)
        return
    if kind == "Node":
        def fetch_nodes(limit: int, token: str) -> dict[str, Any]:
            return client.list_nodes(
                selector=opts.selector, field_selector=opts.field_selector,
                limit=limit, continue_token=token,
            )

        for node in iter_items(fetch_nodes, PAGE_SIZE):
            yield FleetTarget("Node", str(node["metadata"]["name"]), "", node)
        return

    def fetch_pods(limit: int, token: str) -> dict[str, Any]:
        return client.list_pods(
            namespace, selector=opts.selector, field_selector=opts.field_selector,
            all_namespaces=opts.all_namespaces, limit=limit, continue_token=token,
        )

    for pod in iter_items(fetch_pods, PAGE_SIZE):
        meta = pod.get("metadata") or {}
        if meta.get("deletionTimestamp"):
            continue  # going away: nothing to debug, and kubectl get would show it Terminating
        pod.setdefault("kind", "Pod")
        pod.setdefault("apiVersion", "v1")
        yield FleetTarget("Pod", str(meta["name"]), str(meta.get("namespace") or namespace), pod)


__all__ = [
    "FleetTarget",
    "by_selector",
    "check_copy_template",
    "copy_name",
    "is_fleet",
    "iter_targets",
    "selected_kind",
    "validate_fleet",
]
