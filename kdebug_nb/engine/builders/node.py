"""Mode N: a pod on the node, in its host namespaces per the profile.

kubectl: ``staging/src/k8s.io/kubectl/pkg/cmd/debug/debug.go``, ``debugByCreatingNode`` and ``generateNodeDebugPod``.
"""

from __future__ import annotations

from typing import Any

from kdebug_nb.engine.builders.common import merge_custom, new_container
from kdebug_nb.engine.builders.names import SuffixFunc, node_pod_name, random_suffix
from kdebug_nb.engine.builders.profiles import apply_profile
from kdebug_nb.engine.debug_options import DebugOptions, Plan

MANAGED_BY_LABEL = {"app.kubernetes.io/managed-by": "kubectl-debug"}


def build_node(
    node: dict[str, Any], opts: DebugOptions, *, namespace: str, suffix: SuffixFunc = random_suffix
) -> Plan:
    """The Pod to POST in ``namespace`` (the current one, not one derived from the node).

    ``--copy-to``, ``--target``, ``--share-processes`` and the keep flags are
    accepted and ignored here, as kubectl does.
    """
    node_name = (node.get("metadata") or {}).get("name", "")
    container_name = opts.container or "debugger"
    pod_name = node_pod_name(node_name, suffix)
    pod: dict[str, Any] = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": pod_name, "labels": dict(MANAGED_BY_LABEL)},
        "spec": {
            "containers": [new_container(opts, container_name)],
            "nodeName": node_name,
            "restartPolicy": "Never",
            "tolerations": [{"operator": "Exists"}],
        },
    }
    apply_profile(pod, container_name, "node", opts)
    merge_custom(pod, container_name, "containers", opts, pod_name=pod_name)
    notices = () if opts.quiet else (
        f"Creating debugging pod {pod_name} with container {container_name} on node {node_name}.",
    )
    return Plan(
        mode="node",
        namespace=namespace,
        pod_name=pod_name,
        container=container_name,
        body=pod,
        notices=notices,
        image=opts.image,
    )
