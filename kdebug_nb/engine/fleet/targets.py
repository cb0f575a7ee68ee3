"""What a fleet run debugs: pods (or nodes) by selector, across namespaces, or by name.

The grammar is ``kubectl get``'s: ``-l/--selector``, ``--field-selector``
(``status.phase=Running``), ``-A/--all-namespaces``, several names, and a
bare resource type (``nodes -l role=worker``) to select nodes instead of
pods. Selections are read in pages (``kdebug_nb.engine.paging``) and handed
out one target at a time, so the run never holds the whole list.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kdebug_nb.engine.options import MAX_CONCURRENCY_LIMIT, ON_INTERRUPT, DebugOptions
from kdebug_nb.engine.paging import PAGE_SIZE, iter_items
from kdebug_nb.errors import UsageError

if TYPE_CHECKING:
    from kdebug_nb.engine.cluster_io import ClusterClient

POD_TYPES = frozenset({"pod", "pods", "po"})
NODE_TYPES = frozenset({"node", "nodes", "no"})
#: the placeholders a ``--copy-to`` template may use
TEMPLATE_KEYS = ("pod", "namespace")


@dataclass(frozen=True)
class FleetTarget:
    """One pod or node of a fleet run; ``obj`` is its JSON when it came from a list."""

    kind: str  # "Pod" | "Node"
    name: str
    namespace: str = ""
    obj: dict[str, Any] | None = None

    @property
    def label(self) -> str:
        return f"{self.kind.lower()}/{self.name}"


def is_fleet(opts: DebugOptions) -> bool:
    """Whether ``opts`` asks for a fleet run rather than one target.

    Several targets named on the line are a fleet (run at once, one row
    each); several objects from ``-f`` files keep kubectl's one-after-another.
    """
    return bool(
        opts.selector
        or opts.field_selector
        or opts.all_namespaces
        or opts.max_concurrency
        or len(opts.targets) > 1
        or _type_only(opts.targets)
    )


def _type_only(targets: tuple[str, ...]) -> str:
    """``nodes`` or ``pods`` given alone as the target: the kind a selector picks from."""
    if len(targets) == 1 and targets[0].lower() in POD_TYPES | NODE_TYPES:
        return "Node" if targets[0].lower() in NODE_TYPES else "Pod"
    return ""


def selected_kind(opts: DebugOptions) -> str:
    """``Node`` when the run selects or names nodes, else ``Pod``."""
    from kdebug_nb.engine.grammar import parse_target

    kind = _type_only(opts.targets)
    if kind:
        return kind
    kinds = {parse_target(t).kind for t in opts.targets}
    return "Node" if kinds == {"Node"} else "Pod"


def by_selector(opts: DebugOptions) -> bool:
    return bool(opts.selector or opts.field_selector or opts.all_namespaces or _type_only(opts.targets))


def validate_fleet(opts: DebugOptions) -> None:
    """The fleet flags' own rules (kubectl get's, for the selection ones).

    Called by ``grammar.validate`` before kubectl's checks, so the first
    error a user sees is about the part of the line that is new.
    """
    from kdebug_nb.engine.grammar import parse_target

    selecting = by_selector(opts)
    names = [] if _type_only(opts.targets) else list(opts.targets)
    if opts.filenames:
        raise UsageError("fleet runs take pod names or selectors, not -f files; "
                         "debug the objects of a file without -l/-A/--max-concurrency")
    if selecting and names and (opts.selector or opts.field_selector):
        raise UsageError("name cannot be provided when a selector is specified")
    if opts.all_namespaces and names:
        raise UsageError("a resource cannot be retrieved by name across all namespaces")
    if not selecting and not names:
        raise UsageError("NAME, -l/--selector, --field-selector or -A is required for a fleet run")
    kinds = {parse_target(t).kind for t in names}
    if "" in kinds:
        bad = next(t for t in names if not parse_target(t).kind)
        raise UsageError(f'"{parse_target(bad).resource}" not supported by debug')
    if len(kinds) > 1:
        raise UsageError("a fleet run debugs pods or nodes, not both: run them separately")
    if selected_kind(opts) == "Node":
        if opts.all_namespaces:
            raise UsageError("nodes have no namespace: drop -A")
        if opts.copy_to:
            raise UsageError("--copy-to copies pods; a node is debugged with a new pod already")
    if not 0 <= opts.max_concurrency <= MAX_CONCURRENCY_LIMIT:
        raise UsageError(f"--max-concurrency must be between 1 and {MAX_CONCURRENCY_LIMIT}, "
                         f"not {opts.max_concurrency}")
    if opts.max_output < 0:
        raise UsageError("--max-output must be 0 or more bytes")
    if opts.run_timeout < 0 or opts.run_timeout != opts.run_timeout:
        raise UsageError(f"--run-timeout must be 0 (no bound) or a positive number of seconds, "
                         f"not {opts.run_timeout:g}")
    if opts.on_interrupt not in ON_INTERRUPT:
        raise UsageError(f"--on-interrupt must be one of {', '.join(ON_INTERRUPT)}, "
                         f"not {opts.on_interrupt!r}")
    if opts.qps < 0 or opts.burst < 1:
        raise UsageError("--qps must be 0 (no limit) or more, and --burst at least 1")
    if opts.stdin or opts.tty:
        raise UsageError("-i/-t attach to one container; a fleet run cannot share a terminal "
                         "between pods")
    if opts.dry_run:
        raise UsageError("--dry-run shows one object; dry-run one pod of the fleet instead")
    if opts.detach:
        raise UsageError("--detach returns at once; a fleet run collects every pod's result")
    if opts.copy_to:
        check_copy_template(opts.copy_to, several=selecting or len(names) > 1)


def check_copy_template(template: str, *, several: bool) -> None:
    """``{pod}-debug``: each copy needs a name of its own."""
    try:
        template.format(pod="p", namespace="n")
    except (KeyError, IndexError, ValueError) as exc:
        raise UsageError(f"--copy-to {template!r}: only {{pod}} and {{namespace}} may be used "
                         f"in a fleet run's copy name ({exc})") from None
    if several and "{pod}" not in template:
        raise UsageError(f"--copy-to {template!r} would give every copy the same name: "
                         "use a template such as {pod}-debug")


def copy_name(template: str, target: FleetTarget) -> str:
    return template.format(pod=target.name, namespace=target.namespace)


def iter_targets(
    opts: DebugOptions, client: ClusterClient, namespace: str
) -> Iterator[FleetTarget]:
    """The run's targets in order, listed in pages when selected.

    ``namespace`` is the run's (ignored with ``-A``).
    """
    from kdebug_nb.engine.grammar import parse_target

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
