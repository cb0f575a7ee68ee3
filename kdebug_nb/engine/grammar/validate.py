"""kubectl's semantic checks, in kubectl's order, then kdebug_nb's own.

Mirrors ``staging/src/k8s.io/kubectl/pkg/cmd/debug/debug.go``,
``(*DebugOptions).Complete`` and ``Validate``. :func:`validate` resolves
everything once into a frozen :class:`Validated`: the options with the
``--custom`` file decoded into ``custom_spec``, the targets as values, and the
lines kubectl would print. The builders take that as data and read no files.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from kdebug_nb.engine.builders.common import RM_EPHEMERAL
from kdebug_nb.engine.builders.custom import FORBIDDEN_MESSAGE, has_forbidden_fields
from kdebug_nb.engine.debug_options import PROFILES, DebugOptions
from kdebug_nb.engine.grammar.custom_file import resolve_custom_spec
from kdebug_nb.engine.grammar.flags import (
    LEGACY_DEPRECATION,
    OUTPUT_FORMATS,
    PULL_POLICIES,
    go_quote,
)
from kdebug_nb.engine.grammar.fleet import by_selector, needs_fleet, validate_fleet
from kdebug_nb.engine.grammar.imageref import is_valid_image
from kdebug_nb.engine.grammar.targets import TargetRef, parse_target, target_kind
from kdebug_nb.errors import UsageError


@dataclass(frozen=True)
class Validated:
    """Options that passed every check, resolved once for the rest of the pipeline.

    ``options`` carries the decoded ``--custom`` spec in ``custom_spec`` (the
    path is dropped: nothing downstream reads files). ``targets`` are the
    named targets as values (empty with ``-f``: those are read with the
    namespace the connection gives). ``notices`` are the informational lines
    kubectl prints (none with ``-q``); ``warnings`` it prints whatever ``-q`` says.
    """

    options: DebugOptions
    targets: tuple[TargetRef, ...] = ()
    notices: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()


def validate(opts: DebugOptions) -> Validated:
    """kubectl's checks in kubectl's order, then kdebug_nb's own; raises the first failure.

    Idempotent: validating ``Validated.options`` again gives the same value.
    """
    notices: list[str] = []
    warnings: list[str] = []
    fleet = needs_fleet(opts)
    if fleet:
        validate_fleet(opts)  # first: the new part of the line is the likelier mistake
    if opts.profile not in PROFILES:
        raise UsageError(f"unknown profile: {opts.profile}")
    custom = resolve_custom_spec(opts)
    image, container, copy_to, command = opts.image, opts.container, opts.copy_to, opts.command

    if opts.attach is True and not image and not container:
        raise UsageError("you must specify --container or create a new container using --image "
                         "in order to attach.")
    if copy_to:
        if not image and not opts.set_image and not command:
            raise UsageError("you must specify --image, --set-image or command arguments.")
        if command and not container and not image:
            raise UsageError("you must specify an existing container or a new image when "
                             "specifying args.")
    elif opts.replace:
        raise UsageError("--replace may only be used with --copy-to.")
    elif opts.same_node:
        raise UsageError("--same-node may only be used with --copy-to.")
    elif opts.set_image:
        raise UsageError("--set-image may only be used with --copy-to.")
    elif not image:
        raise UsageError("you must specify --image when not using --copy-to.")
    if image and not is_valid_image(image):
        raise UsageError(f"invalid image name {go_quote(image)}: invalid reference format")
    if not opts.targets and not opts.filenames and not fleet:
        raise UsageError("NAME or filename is required for debug")
    if opts.image_pull_policy not in (*PULL_POLICIES, ""):
        raise UsageError(f"invalid image pull policy: {opts.image_pull_policy}")
    for key, value in opts.set_image:
        if not is_valid_image(value):
            raise UsageError(f"invalid image name {go_quote(value)} for container "
                             f"{go_quote(key)}: invalid reference format")
    if opts.target:
        if copy_to:
            raise UsageError("--target is incompatible with --copy-to. Use --share-processes "
                             "instead.")
        if not opts.quiet:
            notices.append(
                f"Targeting container {go_quote(opts.target)}. If you don't see processes from "
                "this container it may be because the container runtime doesn't support this "
                "feature."
            )
    if opts.tty and not opts.stdin:
        raise UsageError("-i/--stdin is required for containers with -t/--tty=true")
    if custom is not None and has_forbidden_fields(custom):
        raise UsageError(FORBIDDEN_MESSAGE)
    if opts.targets and opts.filenames:
        raise UsageError("resource/name arguments cannot be provided when a path is specified")
    _validate_own(opts)
    if opts.profile == "legacy":
        warnings.append(LEGACY_DEPRECATION)
    # a fleet's targets are listed when it runs (kdebug_nb.engine.fleet.targets)
    targets = () if by_selector(opts) else tuple(parse_target(t) for t in opts.targets)
    resolved = opts if opts.custom_spec is custom and not opts.custom else replace(
        opts, custom="", custom_spec=custom
    )
    return Validated(resolved, targets, tuple(notices), tuple(warnings))


def _validate_own(opts: DebugOptions) -> None:
    """kdebug_nb's additions, checked after everything kubectl checks.

    * ``--timeout`` is a finite number of seconds above 0;
    * ``-o`` is ``yaml`` or ``json`` and only goes with ``--dry-run``;
    * ``--detach`` (return without waiting) contradicts an explicit ``--attach=true``;
    * ``--rm`` deletes what the run created once the command ends, so it needs
      something deletable (a copy or a node pod: an ephemeral container cannot
      be removed from its pod), something to wait for (not ``--detach``, not a
      ``--set-image``-only copy, which has no debug container). With ``-f`` the
      target kinds are unknown here; the ephemeral builder refuses it then.
    """
    if not (math.isfinite(opts.timeout) and opts.timeout > 0):
        raise UsageError(f"--timeout must be a positive number of seconds, not {opts.timeout:g}")
    if not (math.isfinite(opts.run_timeout) and opts.run_timeout >= 0):
        raise UsageError(f"--run-timeout must be a positive duration, not {opts.run_timeout:g}")
    if opts.run_timeout and opts.detach:
        raise UsageError("--run-timeout cannot be combined with --detach: nothing follows the "
                         "command")
    if opts.output and opts.output not in OUTPUT_FORMATS:
        raise UsageError(f'unable to match a printer suitable for the output format '
                         f'"{opts.output}", allowed formats are: json,yaml')
    if opts.output and not opts.dry_run:
        raise UsageError("-o/--output is only used with --dry-run")
    if opts.detach and opts.attach is True:
        raise UsageError("--detach and --attach=true contradict each other")
    if not opts.rm:
        return
    if opts.detach:
        raise UsageError("--rm cannot be combined with --detach: nothing would wait for the "
                         "command to end")
    node_only = bool(opts.targets) and all(
        target_kind(t) == "Node" or t.lower() in ("node", "nodes", "no") for t in opts.targets
    )
    if not opts.copy_to and not node_only and not opts.filenames:
        raise UsageError(RM_EPHEMERAL)
    if opts.copy_to and not opts.image and opts.set_image and not opts.container:
        raise UsageError("--rm needs a debug container to wait for: a --set-image-only copy "
                         "has none")
