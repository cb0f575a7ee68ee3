"""Mode C: a copy of the pod with a debug container added or one changed.

kubectl: ``staging/src/k8s.io/kubectl/pkg/cmd/debug/debug.go``, ``debugByCopy`` and ``generatePodCopyWithDebugContainer``.
"""

from __future__ import annotations

import copy
from typing import Any

from kdebug_nb.engine.builders.common import (
    defaulting_notice,
    env_list,
    merge_custom,
    non_root_warnings,
)
from kdebug_nb.engine.builders.names import (
    SuffixFunc,
    container_names,
    random_suffix,
    unique_container_name,
)
from kdebug_nb.engine.builders.profiles import apply_profile, find_container
from kdebug_nb.engine.debug_options import DebugOptions, Plan
from kdebug_nb.errors import UsageError


def copy_pod(pod: dict[str, Any], opts: DebugOptions) -> dict[str, Any]:
    """A new Pod object, not a mutated copy of the one read (``generatePodCopyWithDebugContainer``)."""
    meta = pod.get("metadata") or {}
    new_meta: dict[str, Any] = {"name": opts.copy_to, "namespace": meta.get("namespace", "")}
    for key in ("labels", "annotations"):
        if meta.get(key):
            new_meta[key] = copy.deepcopy(meta[key])
    spec = copy.deepcopy(pod.get("spec") or {})
    spec.pop("ephemeralContainers", None)
    if opts.share_processes is not None:
        spec["shareProcessNamespace"] = opts.share_processes
    if not opts.same_node:
        spec.pop("nodeName", None)
    return {"apiVersion": "v1", "kind": "Pod", "metadata": new_meta, "spec": spec}


def _set_images(spec: dict[str, Any], opts: DebugOptions) -> None:
    """--set-image: regular containers only; an explicit name beats ``*``."""
    images = dict(opts.set_image)
    for container in spec.get("containers") or ():
        image = images.get(container.get("name", ""), images.get("*", ""))
        if image:
            container["image"] = image


def build_copy(pod: dict[str, Any], opts: DebugOptions, *, suffix: SuffixFunc = random_suffix) -> Plan:
    """The Pod to POST for ``--copy-to`` (and the original to delete with ``--replace``)."""
    copied = copy_pod(pod, opts)
    spec = copied["spec"]
    namespace = copied["metadata"]["namespace"]
    plan_args: dict[str, Any] = {
        "mode": "copy",
        "namespace": namespace,
        "pod_name": opts.copy_to,
        "delete_original": (pod.get("metadata") or {}).get("name") if opts.replace else None,
    }
    _set_images(spec, opts)

    notices: list[str] = []
    name = opts.container
    container = find_container(copied, name, ("containers", "initContainers")) if name else None
    if container is None:
        if not opts.image:
            if opts.set_image:  # a set-image-only run: no debug container at all
                return Plan(container=None, body=copied, **plan_args)
            raise UsageError("you must specify image when creating new container")
        if not name:
            name = unique_container_name(container_names(copied), suffix)
            if not opts.quiet:
                notices.append(defaulting_notice(name))
        container = {"name": name, "terminationMessagePolicy": "File"}
        spec["containers"] = [*(spec.get("containers") or ()), container]

    if opts.command:
        if opts.arguments_only:
            container["args"] = list(opts.command)
        else:
            container["command"] = list(opts.command)
            container.pop("args", None)
    if opts.env:
        container["env"] = env_list(opts)
    if opts.image:
        container["image"] = opts.image
    if opts.image_pull_policy:
        container["imagePullPolicy"] = opts.image_pull_policy
    _set_flag(container, "stdin", opts.stdin)
    _set_flag(container, "tty", opts.tty)

    apply_profile(copied, name, "copy", opts)
    merge_custom(copied, name, "containers", opts, pod_name=opts.copy_to)
    # the check looks at regular containers only: an init debug container is never warned about
    final = find_container(copied, name, ("containers",))
    return Plan(
        container=name,
        body=copied,
        notices=tuple(notices),
        warnings=non_root_warnings(copied, final),
        image=container.get("image", ""),  # --custom may not change the image
        **plan_args,
    )


def _set_flag(container: dict[str, Any], key: str, value: bool) -> None:
    """Always assigned (an existing ``stdin: true`` is lost without -i); false is omitted."""
    if value:
        container[key] = True
    else:
        container.pop(key, None)
