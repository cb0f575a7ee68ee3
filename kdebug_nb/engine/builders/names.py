"""Generated names: ``debugger-<sfx>`` containers and ``node-debugger-<node>-<sfx>`` pods."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable
from typing import Any

from kdebug_nb.errors import KDebugError

#: kubectl's alphabet for random suffixes: no vowels, no 0, 1 or 3
ALPHABET = "bcdfghjklmnpqrstvwxz2456789"
SUFFIX_LENGTH = 5
#: a suffix generator that keeps colliding is a broken test double, not bad luck
_MAX_DRAWS = 10_000

SuffixFunc = Callable[[], str]


def random_suffix() -> str:
    """Five characters drawn uniformly from :data:`ALPHABET`."""
    return "".join(secrets.choice(ALPHABET) for _ in range(SUFFIX_LENGTH))


def counter_suffix(start: int = 1) -> SuffixFunc:
    """A deterministic generator (``1``, ``2``, ...) like kubectl's unit tests use."""
    state = {"next": start}

    def draw() -> str:
        value = state["next"]
        state["next"] = value + 1
        return str(value)

    return draw


def container_names(pod: dict[str, Any]) -> set[str]:
    """Every container name of the pod: regular, init and ephemeral."""
    spec = pod.get("spec") or {}
    return {
        c.get("name", "")
        for key in ("containers", "initContainers", "ephemeralContainers")
        for c in spec.get(key) or ()
    }


def unique_container_name(taken: Iterable[str], suffix: SuffixFunc) -> str:
    """``debugger-<sfx>``, redrawn until it differs from every name in ``taken``."""
    taken = set(taken)
    for _ in range(_MAX_DRAWS):
        name = f"debugger-{suffix()}"
        if name not in taken:
            return name
    raise KDebugError("could not generate a debug container name that is not already taken")


def node_pod_name(node_name: str, suffix: SuffixFunc) -> str:
    """kubectl checks neither collisions nor length here; neither do we."""
    return f"node-debugger-{node_name}-{suffix()}"
