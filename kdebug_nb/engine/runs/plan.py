"""Targets to plans: read each target, build what to send, check what kubectl leaves to the server.

An addition over kubectl: in ephemeral mode a ``-c`` naming a container the
pod already has (init, regular or ephemeral) fails before the PATCH with
``errors.AlreadyExists`` and a line saying what to do, with ``--detach``
too. kubectl (``staging/src/k8s.io/kubectl/pkg/cmd/debug/debug.go``,
``debugByEphemeralContainer``) sends the PATCH and shows the server's
refusal; we send nothing, since nothing could come of it. The object a
successful run sends is unchanged, and ``--dry-run`` still shows kubectl's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from kdebug_nb import errors
from kdebug_nb.engine.builders import build_plan
from kdebug_nb.engine.client import ClusterClient
from kdebug_nb.engine.debug_options import DebugOptions, Plan
from kdebug_nb.engine.grammar import TargetRef, Validated
from kdebug_nb.engine.grammar.targets import file_targets


def resolve_targets(
    checked: Validated, namespace: str, explicit_namespace: bool
) -> list[TargetRef]:
    """The named targets, or the objects of ``-f`` files read with the run's namespace."""
    opts = checked.options
    if opts.filenames:
        return file_targets(opts.filenames, namespace, explicit_namespace)
    return list(checked.targets)


def read_target(client: ClusterClient, opts: DebugOptions, ref: TargetRef) -> dict[str, Any]:
    if ref.obj is not None:
        return ref.obj
    if ref.kind == "Node":
        return client.read_node(ref.name)
    return client.read_pod(opts.namespace, ref.name)


def plan_for(
    target: dict[str, Any],
    ref: TargetRef,
    opts: DebugOptions,
    suffix: Callable[[], str] | None,
) -> Plan:
    """The builders' plan for one target (``opts.namespace`` is already resolved)."""
    target.setdefault("kind", ref.kind)
    namespace = ref.namespace or opts.namespace
    if namespace != opts.namespace:
        opts = replace(opts, namespace=namespace)
    kwargs: dict[str, Any] = {"namespace": namespace}
    if suffix is not None:
        kwargs["suffix"] = suffix
    return build_plan(target, opts, **kwargs)


#: where a pod keeps each kind of container, and how a message names it
_CONTAINER_KINDS = (
    ("initContainers", "init container"),
    ("containers", "container"),
    ("ephemeralContainers", "ephemeral container"),
)


def check_name_free(pod: dict[str, Any], name: str, pod_name: str) -> None:
    """Refuse a ``-c`` name the pod already uses, before anything is sent.

    ``AlreadyExists`` (a name taken, like a ``--copy-to`` clash) rather than
    ``Invalid``: the request is not malformed, the name is just in use. It is
    raised by us, so ``status`` is 0.
    """
    spec = pod.get("spec") or {}
    for key, label in _CONTAINER_KINDS:
        if any(c.get("name") == name for c in spec.get(key) or []):
            raise errors.AlreadyExists(
                f'container name "{name}" is already used in pod "{pod_name}" ({label}) — '
                "choose another name with -c, or leave -c out to have one generated",
                reason="AlreadyExists",
            )


def stdin_once(plan: Plan) -> None:
    """Mark the debug container ``stdinOnce`` so the stdin we send ends with EOF.

    kubectl debug never sets it (its interactive session never ends stdin);
    a notebook run sends a finite input and needs the process to see its end.
    These (``stdinOnce``, and ``stdin`` when data comes without ``-i``) are
    the only fields a non-detached run adds to kubectl's object; ``--detach``
    sends kubectl's object exactly.
    """
    spec = plan.body.get("spec") or {}
    for key in ("ephemeralContainers", "containers", "initContainers"):
        for container in spec.get(key) or []:
            if container.get("name") == plan.container:
                # stdin_data without -i (the Python API) still needs a stdin to send to
                container["stdin"] = True
                container["stdinOnce"] = True
                return
