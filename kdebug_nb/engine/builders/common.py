"""Pieces every mode shares: the debug container's fields, custom merge, the non-root check."""

from __future__ import annotations

from typing import Any

from kdebug_nb.engine.builders.custom import apply_custom
from kdebug_nb.engine.debug_options import DebugOptions
from kdebug_nb.errors import UsageError

NON_ROOT_WARNING = (
    "Warning: Non-root user is configured for the entire target Pod, and some capabilities "
    'granted by debug profile may not work. Please consider using "--custom" with a custom '
    'profile that specifies "securityContext.runAsUser: 0".'
)

RM_EPHEMERAL = (
    "--rm needs --copy-to or a node target: ephemeral containers cannot be removed from a pod"
)


def env_list(opts: DebugOptions) -> list[dict[str, str]]:
    """``--env`` as EnvVar objects in command-line order (an empty value is omitted, as Go does).

    kubectl's order comes from a Go map and varies run to run; command-line
    order is the deterministic choice. Duplicate keys (possible from the
    Python API) collapse, the later value winning.
    """
    return [{"name": k, "value": v} if v else {"name": k} for k, v in dict(opts.env).items()]


def new_container(opts: DebugOptions, name: str, *, ephemeral: bool = False) -> dict[str, Any]:
    """The debug container kubectl builds in modes E and N, keys in Go's field order.

    An ephemeral container is sent as JSON, where kubectl's encoder always
    writes the (empty) ``resources``; node pods travel as protobuf, where
    nothing marks an empty struct, so they carry none.
    """
    container: dict[str, Any] = {"name": name}
    if opts.image:
        container["image"] = opts.image
    if opts.command:
        container["args" if opts.arguments_only else "command"] = list(opts.command)
    if opts.env:
        container["env"] = env_list(opts)
    if ephemeral:
        container["resources"] = {}
    container["terminationMessagePolicy"] = "File"
    if opts.image_pull_policy:
        container["imagePullPolicy"] = opts.image_pull_policy
    if opts.stdin:
        container["stdin"] = True
    if opts.tty:
        container["tty"] = True
    return container


def merge_custom(
    pod: dict[str, Any], name: str, list_key: str, opts: DebugOptions, *, pod_name: str
) -> None:
    """Merge the custom spec (if any) into the first ``list_key`` container called ``name``."""
    spec = opts.custom_spec
    if spec is None:
        if opts.custom:
            # builders read no files: grammar.validate decodes --custom into custom_spec
            raise ValueError("options with --custom must go through grammar.validate first")
        return
    containers = (pod.get("spec") or {}).get(list_key) or []
    for index, container in enumerate(containers):
        if container.get("name") == name:
            containers[index] = apply_custom(container, spec)
            return
    what = "ephemeral container" if list_key == "ephemeralContainers" else "container"
    raise UsageError(f"unable to find the {name} {what} in the pod {pod_name}")


def non_root_warnings(pod: dict[str, Any], container: dict[str, Any] | None) -> tuple[str, ...]:
    """Capabilities may not work when the whole pod runs as a non-root user: kubectl's
    warning (``staging/src/k8s.io/kubectl/pkg/cmd/debug/debug.go``)."""
    if container is None:
        return ()
    pod_sc = (pod.get("spec") or {}).get("securityContext") or {}
    sc = container.get("securityContext")
    if not pod_sc.get("runAsUser") or not isinstance(sc, dict):
        return ()
    if sc.get("runAsUser") == 0:
        return ()
    if sc.get("privileged") is True or (sc.get("capabilities") or {}).get("add"):
        return (NON_ROOT_WARNING,)
    return ()


def defaulting_notice(name: str) -> str:
    return f"Defaulting debug container name to {name}."
