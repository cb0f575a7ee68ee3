"""Pure builders: (target object as API JSON, options) -> :class:`Plan`.

No network, no printing. ``build_plan`` dispatches on the target's kind the
way kubectl does: a Pod gives mode E (ephemeral container) or, with
``--copy-to``, mode C (a copy); a Node gives mode N; anything else is refused
with kubectl's message. The random suffix generator is injectable so every
worked example in the builder tests is deterministic.
"""

from __future__ import annotations

from typing import Any

from kdebug_nb.engine.builders.copy import build_copy
from kdebug_nb.engine.builders.ephemeral import build_ephemeral
from kdebug_nb.engine.builders.names import SuffixFunc, counter_suffix, random_suffix
from kdebug_nb.engine.builders.node import build_node
from kdebug_nb.engine.debug_options import DebugOptions, Plan
from kdebug_nb.errors import UsageError

__all__ = [
    "build_copy",
    "build_ephemeral",
    "build_node",
    "build_plan",
    "counter_suffix",
    "random_suffix",
    "unsupported_kind_message",
]


def unsupported_kind_message(api_version: str, kind: str) -> str:
    """kubectl's error for a target of another kind (Go prints the GVK like this)."""
    group, _, version = api_version.rpartition("/")
    return f'"{group}/{version}, Kind={kind}" not supported by debug'


def build_plan(
    target_obj: dict[str, Any],
    opts: DebugOptions,
    *,
    namespace: str,
    suffix: SuffixFunc = random_suffix,
) -> Plan:
    """Build what to send for one target; ``namespace`` is the current namespace.

    A pod without ``metadata.namespace`` (e.g. from a manifest file) is given
    ``namespace``.
    """
    kind = target_obj.get("kind", "")
    if kind == "Pod":
        meta = target_obj.get("metadata") or {}
        if not meta.get("namespace"):
            target_obj = {**target_obj, "metadata": {**meta, "namespace": namespace}}
        if opts.copy_to:
            return build_copy(target_obj, opts, suffix=suffix)
        return build_ephemeral(target_obj, opts, suffix=suffix)
    if kind == "Node":
        return build_node(target_obj, opts, namespace=namespace, suffix=suffix)
    raise UsageError(unsupported_kind_message(target_obj.get("apiVersion", ""), kind))
