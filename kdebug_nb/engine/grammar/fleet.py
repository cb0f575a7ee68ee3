"""The fleet flags' grammar: what makes a line a fleet run, and the rules its flags follow.

The selection grammar is ``kubectl get``'s (``staging/src/k8s.io/kubectl/pkg/cmd/get/get.go``):
``-l/--selector``, ``--field-selector``, ``-A/--all-namespaces``, several
names, and a bare resource type (``nodes -l role=worker``) to select nodes
instead of pods; its errors are worded as kubectl's. The fleet's own flags
(``--max-concurrency``, ``--max-output``, ``--on-interrupt``, ``--qps``,
``--burst``) are checked here too; ``grammar.validate`` calls
:func:`validate_fleet` first when a line :func:`needs_fleet`, and a fleet
run calls it for several names too.
"""

from __future__ import annotations

from kdebug_nb.engine.debug_options import MAX_CONCURRENCY_LIMIT, ON_INTERRUPT, DebugOptions
from kdebug_nb.engine.grammar.targets import target_kind
from kdebug_nb.errors import UsageError

POD_TYPES = frozenset({"pod", "pods", "po"})
NODE_TYPES = frozenset({"node", "nodes", "no"})


def needs_fleet(opts: DebugOptions) -> bool:
    """Whether ``opts`` uses flags only a fleet run understands (a selection, a concurrency)."""
    return bool(
        opts.selector
        or opts.field_selector
        or opts.all_namespaces
        or opts.max_concurrency
        or type_only(opts.targets)
    )


def is_fleet(opts: DebugOptions) -> bool:
    """Whether an adapter should run ``opts`` as a fleet.

    Several targets named on the line are a fleet (run at once, one row
    each) for ``%kdebug``, ``kdebug`` and ``kdebug_nb.debug()``; several
    objects from ``-f`` files, and ``Session.run_all``, keep kubectl's
    one-after-another.
    """
    return needs_fleet(opts) or len(opts.targets) > 1


def type_only(targets: tuple[str, ...]) -> str:
    """``nodes`` or ``pods`` given alone as the target: the kind a selector picks from."""
    if len(targets) == 1 and targets[0].lower() in POD_TYPES | NODE_TYPES:
        return "Node" if targets[0].lower() in NODE_TYPES else "Pod"
    return ""


def selected_kind(opts: DebugOptions) -> str:
    """``Node`` when the run selects or names nodes, else ``Pod``."""
    kind = type_only(opts.targets)
    if kind:
        return kind
    kinds = {target_kind(t) for t in opts.targets}
    return "Node" if kinds == {"Node"} else "Pod"


def by_selector(opts: DebugOptions) -> bool:
    return bool(opts.selector or opts.field_selector or opts.all_namespaces or type_only(opts.targets))


def validate_fleet(opts: DebugOptions) -> None:
    """The fleet flags' own rules (kubectl get's, for the selection ones).

    Called by ``grammar.validate`` before kubectl's checks, so the first
    error a user sees is about the part of the line that is new.
    """
    selecting = by_selector(opts)
    names = [] if type_only(opts.targets) else list(opts.targets)
    if opts.filenames:
        raise UsageError("fleet runs take pod names or selectors, not -f files; "
                         "debug the objects of a file without -l/-A/--max-concurrency")
    if selecting and names and (opts.selector or opts.field_selector):
        raise UsageError("name cannot be provided when a selector is specified")
    if opts.all_namespaces and names:
        raise UsageError("a resource cannot be retrieved by name across all namespaces")
    if not selecting and not names:
        raise UsageError("NAME, -l/--selector, --field-selector or -A is required for a fleet run")
    kinds = {target_kind(t) for t in names}
    if "" in kinds:
        bad = next(t for t in names if not target_kind(t))
        raise UsageError(f'"{bad.partition("/")[0]}" not supported by debug')
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


__all__ = [
    "NODE_TYPES",
    "POD_TYPES",
    "by_selector",
    "check_copy_template",
    "is_fleet",
    "needs_fleet",
    "selected_kind",
    "type_only",
    "validate_fleet",
]
