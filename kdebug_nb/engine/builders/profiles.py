"""The six ``--profile`` values, as compositions of kubectl's primitives
(``staging/src/k8s.io/kubectl/pkg/cmd/debug/profiles.go``).

Every primitive works on "the debug container": the *first* container whose
name matches, visiting init, then regular, then ephemeral containers. That
rule is kubectl's, and it matters when ``-c`` names an existing container
(ephemeral mode): the change lands on that container, not on the new one. Lists are
appended to without de-duplication, also as kubectl does.

Profiles mutate the pod dict they are given; callers pass their own copy.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from kdebug_nb.engine.debug_options import DebugOptions
from kdebug_nb.errors import UsageError

Style = Literal["ephemeral", "copy", "node"]
Pod = dict[str, Any]

_ALL_KINDS = ("initContainers", "containers", "ephemeralContainers")

HOST_ROOT_VOLUME = {"name": "host-root", "hostPath": {"path": "/"}}
HOST_ROOT_MOUNT = {"name": "host-root", "mountPath": "/host"}


def find_container(pod: Pod, name: str, kinds: tuple[str, ...] = _ALL_KINDS) -> dict[str, Any] | None:
    """The first container called ``name`` in the order of ``kinds``."""
    spec = pod.get("spec") or {}
    for kind in kinds:
        for container in spec.get(kind) or ():
            if container.get("name") == name:
                return container
    return None


def _security_context(container: dict[str, Any]) -> dict[str, Any]:
    sc = container.get("securityContext")
    if not isinstance(sc, dict):
        sc = container["securityContext"] = {}
    return sc


def _capabilities(container: dict[str, Any]) -> dict[str, Any]:
    sc = _security_context(container)
    caps = sc.get("capabilities")
    if not isinstance(caps, dict):
        caps = sc["capabilities"] = {}
    return caps


# ------------------------------------------------------------------ primitives


def clear_security_context(pod: Pod, name: str) -> None:
    container = find_container(pod, name)
    if container is not None:
        container.pop("securityContext", None)


def add_capability(pod: Pod, name: str, capability: str) -> None:
    container = find_container(pod, name)
    if container is not None:
        caps = _capabilities(container)
        caps["add"] = [*(caps.get("add") or ()), capability]


def set_privileged(pod: Pod, name: str) -> None:
    container = find_container(pod, name)
    if container is not None:
        _security_context(container)["privileged"] = True


def set_restricted(pod: Pod, name: str) -> None:
    """runAsNonRoot, drop ALL (and no add), no privilege escalation, RuntimeDefault seccomp."""
    container = find_container(pod, name)
    if container is None:
        return
    sc = _security_context(container)
    sc["runAsNonRoot"] = True
    caps = _capabilities(container)
    caps["drop"] = ["ALL"]
    caps.pop("add", None)
    sc["allowPrivilegeEscalation"] = False
    sc["seccompProfile"] = {"type": "RuntimeDefault"}


def use_host_namespaces(pod: Pod) -> None:
    spec = pod.setdefault("spec", {})
    spec["hostNetwork"] = True
    spec["hostPID"] = True
    spec["hostIPC"] = True


def mount_root(pod: Pod, name: str) -> None:
    """Volume ``host-root`` (hostPath /) mounted at /host; only regular containers are searched."""
    spec = pod.setdefault("spec", {})
    spec["volumes"] = [*(spec.get("volumes") or ()), dict(HOST_ROOT_VOLUME, hostPath={"path": "/"})]
    container = find_container(pod, name, ("containers",))
    if container is not None:
        container["volumeMounts"] = [*(container.get("volumeMounts") or ()), dict(HOST_ROOT_MOUNT)]


def share_process_namespace(pod: Pod) -> None:
    """Only when unset: an explicit ``false`` in the original stays ``false`` (``profiles.go``)."""
    spec = pod.setdefault("spec", {})
    if spec.get("shareProcessNamespace") is None:
        spec["shareProcessNamespace"] = True


def strip(pod: Pod, opts: DebugOptions) -> None:
    """Drop labels, annotations, probes of every regular container, init containers (keep flags)."""
    meta = pod.setdefault("metadata", {})
    if not opts.keep_labels:
        meta.pop("labels", None)
    if not opts.keep_annotations:
        meta.pop("annotations", None)
    spec = pod.setdefault("spec", {})
    for container in spec.get("containers") or ():
        for keep, probe in (
            (opts.keep_liveness, "livenessProbe"),
            (opts.keep_readiness, "readinessProbe"),
            (opts.keep_startup, "startupProbe"),
        ):
            if not keep:
                container.pop(probe, None)
    if not opts.keep_init_containers:
        spec.pop("initContainers", None)


# ------------------------------------------------------------------ profiles


def _copy_defaults(pod: Pod, opts: DebugOptions) -> None:
    """What every profile but legacy does to a copy: drop what the --keep-* flags
    do not keep, and share the process namespace so the debugger sees the app."""
    strip(pod, opts)
    share_process_namespace(pod)


def _legacy(pod: Pod, name: str, style: Style, opts: DebugOptions) -> None:
    if style == "copy":
        pod.setdefault("metadata", {}).pop("labels", None)  # whatever --keep-labels says
    elif style == "node":
        use_host_namespaces(pod)
        mount_root(pod, name)


def _general(pod: Pod, name: str, style: Style, opts: DebugOptions) -> None:
    if style == "node":
        mount_root(pod, name)
        clear_security_context(pod, name)
        use_host_namespaces(pod)
        return
    add_capability(pod, name, "SYS_PTRACE")
    if style == "copy":
        _copy_defaults(pod, opts)


def _baseline(pod: Pod, name: str, style: Style, opts: DebugOptions) -> None:
    clear_security_context(pod, name)
    if style == "copy":
        _copy_defaults(pod, opts)


def _restricted(pod: Pod, name: str, style: Style, opts: DebugOptions) -> None:
    clear_security_context(pod, name)
    set_restricted(pod, name)
    if style == "copy":
        _copy_defaults(pod, opts)


def _netadmin(pod: Pod, name: str, style: Style, opts: DebugOptions) -> None:
    add_capability(pod, name, "NET_ADMIN")
    add_capability(pod, name, "NET_RAW")
    if style == "copy":
        _copy_defaults(pod, opts)
    elif style == "node":
        use_host_namespaces(pod)


def _sysadmin(pod: Pod, name: str, style: Style, opts: DebugOptions) -> None:
    set_privileged(pod, name)
    if style == "copy":
        _copy_defaults(pod, opts)
    elif style == "node":
        use_host_namespaces(pod)
        mount_root(pod, name)


PROFILE_APPLIERS: dict[str, Callable[[Pod, str, Style, DebugOptions], None]] = {
    "legacy": _legacy,
    "general": _general,
    "baseline": _baseline,
    "restricted": _restricted,
    "netadmin": _netadmin,
    "sysadmin": _sysadmin,
}


def apply_profile(pod: Pod, container_name: str, style: Style, opts: DebugOptions) -> None:
    """Apply ``opts.profile`` to ``pod`` (mutated) for the debug container ``container_name``."""
    applier = PROFILE_APPLIERS.get(opts.profile)
    if applier is None:
        raise UsageError(f"unknown profile: {opts.profile}")
    applier(pod, container_name, style, opts)
