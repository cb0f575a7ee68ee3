"""What the panel's pickers offer, read through the engine's session (no pod specs here)."""

from __future__ import annotations

from typing import Any

from kdebug_nb import engine

#: images offered in the image box; any other name can be typed
DEFAULT_IMAGES: tuple[str, ...] = ("busybox", "alpine", "nicolaka/netshoot", "ubuntu")
NO_TARGET = "(none)"


def profiles() -> tuple[str, ...]:
    """The ``--profile`` values the grammar accepts, in its order."""
    flag = next(f for f in engine.FLAGS if f.name == "profile")
    return tuple(flag.choices)


def namespaces(session: engine.Session, connection: engine.Connection | None) -> list[str]:
    listed = session.client(connection).list_namespaces()
    return sorted(str(item["metadata"]["name"]) for item in listed.get("items") or [])


def current_namespace(session: engine.Session, connection: engine.Connection | None) -> str:
    """The kubeconfig context's namespace, as kubectl would use it."""
    return str(session.client(connection).namespace)


def nodes(session: engine.Session, connection: engine.Connection | None) -> list[str]:
    listed = session.client(connection).list_nodes()
    return sorted(str(item["metadata"]["name"]) for item in listed.get("items") or [])


def pod_choices(
    session: engine.Session, connection: engine.Connection | None, namespace: str
) -> list[tuple[str, str]]:
    """``(label, name)`` per pod: the label shows phase, readiness and restarts."""
    frame = session.pods(namespace, connection=connection)
    return [
        (f"{row.name} · {row.phase} · ready {row.ready} · restarts {row.restarts}", str(row.name))
        for row in frame.itertuples(index=False)
    ]


def container_choices(status: Any) -> list[str]:
    """Targets for ``--target``: the pod's regular containers (not init, not ephemeral)."""
    if status is None or len(status) == 0:
        return []
    regular = status[status["kind"] == "app"]
    return [str(name) for name in regular["container"]]


def node_of(status: Any) -> str:
    if status is None or len(status) == 0:
        return ""
    return str(status["node"].iloc[0] or "")
