"""Mode E: an ephemeral debug container added to the pod itself.

kubectl: ``staging/src/k8s.io/kubectl/pkg/cmd/debug/debug.go``, ``debugByEphemeralContainer`` and ``generateDebugContainer``.
"""

from __future__ import annotations

import json
from typing import Any

from kdebug_nb.engine.builders.common import (
    RM_EPHEMERAL,
    defaulting_notice,
    merge_custom,
    new_container,
    non_root_warnings,
)
from kdebug_nb.engine.builders.names import (
    SuffixFunc,
    container_names,
    random_suffix,
    unique_container_name,
)
from kdebug_nb.engine.builders.patch import two_way_merge_patch
from kdebug_nb.engine.builders.profiles import apply_profile
from kdebug_nb.engine.debug_options import DebugOptions, Plan
from kdebug_nb.errors import UsageError


def build_ephemeral(
    pod: dict[str, Any], opts: DebugOptions, *, suffix: SuffixFunc = random_suffix
) -> Plan:
    """The PATCH body adding the debug container to ``pod`` (as read from the server).

    ``-c`` is used verbatim even when it clashes with an existing container,
    as kubectl does; the server then refuses the patch.
    """
    if opts.rm:
        raise UsageError(RM_EPHEMERAL)
    meta = pod.get("metadata") or {}
    pod_name = meta.get("name", "")
    notices: list[str] = []
    name = opts.container
    if not name:
        name = unique_container_name(container_names(pod), suffix)
        if not opts.quiet:
            notices.append(defaulting_notice(name))

    container = new_container(opts, name, ephemeral=True)
    if opts.target:
        container["targetContainerName"] = opts.target

    # a JSON round trip copies wire data several times faster than deepcopy
    # (a pod with hundreds of ephemeral containers)
    modified = json.loads(json.dumps(pod))
    spec = modified.setdefault("spec", {})
    spec["ephemeralContainers"] = [*(spec.get("ephemeralContainers") or ()), container]
    apply_profile(modified, name, "ephemeral", opts)
    merge_custom(modified, name, "ephemeralContainers", opts, pod_name=pod_name)
    final = modified["spec"]["ephemeralContainers"][-1]

    return Plan(
        mode="ephemeral",
        namespace=meta.get("namespace", ""),
        pod_name=pod_name,
        container=name,
        body=two_way_merge_patch(pod, modified),
        notices=tuple(notices),
        warnings=non_root_warnings(pod, final),
        image=final.get("image", opts.image),
    )

