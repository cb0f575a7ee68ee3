"""The engine's public Python API: what magics, widgets, the CLI and users call.

>>> import kdebug_nb as kd
>>> r = kd.debug("neato", image="busybox", command="ps x")   # doctest: +SKIP
>>> r.exit_code, r.output                                      # doctest: +SKIP

Nothing here imports IPython or ipywidgets; the kubernetes client and pandas
load on first use.
"""

from __future__ import annotations

import shlex
import threading
from collections.abc import Callable, Sequence
from dataclasses import fields
from typing import TYPE_CHECKING, Any

from kdebug_nb import errors
from kdebug_nb.engine.connection import (
    Connection,
    get_default_connection,
    set_default_connection,
)
from kdebug_nb.engine.fleet import (
    FleetEntry,
    FleetProgress,
    FleetResult,
    FleetTarget,
    is_fleet,
)
from kdebug_nb.engine.options import DebugOptions
from kdebug_nb.engine.result import DebugResult
from kdebug_nb.engine.runner import CREATED_PODS, Progress, build_only, run_many
from kdebug_nb.engine.runner import run as _run

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "Connection",
    "DebugResult",
    "Progress",
    "cleanup",
    "debug",
    "dry_run",
    "fleet",
    "get_default_connection",
    "options",
    "pods",
    "run",
    "run_many",
    "set_default_connection",
    "status",
]

_FIELDS = {f.name for f in fields(DebugOptions)}
#: keyword spellings people reach for, mapped to DebugOptions fields
_ALIASES = {
    "interactive": "stdin",
    "i": "stdin",
    "t": "tty",
    "c": "container",
    "n": "namespace",
    "target_container": "target",
}


def run(
    opts: DebugOptions,
    *,
    connection: Connection | None = None,
    on_output: Callable[[str], None] | None = None,
    on_progress: Callable[[Progress], None] | None = None,
    stdin_data: str | None = None,
) -> DebugResult:
    """Run one parsed ``kubectl debug`` invocation (see ``kdebug_nb.parse_args``)."""
    return _run(
        opts,
        connection=connection,
        on_output=on_output,
        on_progress=on_progress,
        stdin_data=stdin_data,
    )


def options(
    target: str | Sequence[str] = (),
    /,
    *,
    image: str | None = None,
    command: str | Sequence[str] | None = None,
    **flags: Any,
) -> DebugOptions:
    """``DebugOptions`` from Python keywords (flag names with underscores), validated."""
    from kdebug_nb.engine.grammar import validate

    values: dict[str, Any] = {}
    for key, value in flags.items():
        name = _ALIASES.get(key, key)
        if name not in _FIELDS or name in ("targets", "command"):
            raise errors.UsageError(f"unknown flag {key!r} for debug")
        if name in ("env", "set_image") and isinstance(value, dict):
            value = tuple((str(k), str(v)) for k, v in value.items())
        elif name == "filenames" and isinstance(value, str):
            value = (value,)
        elif isinstance(value, list):
            value = tuple(value)
        values[name] = value
    targets = (target,) if isinstance(target, str) else tuple(target)
    if isinstance(command, str):
        cmd: tuple[str, ...] = tuple(shlex.split(command))
    else:
        cmd = tuple(command or ())
    opts = DebugOptions(targets=targets, command=cmd, image=image or "", **values)
    validate(opts)
    return opts


def debug(
    target: str | Sequence[str] = (),
    /,
    *,
    image: str | None = None,
    command: str | Sequence[str] | None = None,
    connection: Connection | None = None,
    on_output: Callable[[str], None] | None = None,
    on_progress: Callable[[Any], None] | None = None,
    stdin_data: str | None = None,
    **flags: Any,
) -> Any:
    """``kubectl debug TARGET --image=IMAGE [flags] -- COMMAND`` from Python.

    Keywords mirror the flags: ``copy_to="web-dbg"``, ``profile="sysadmin"``,
    ``env={"A": "1"}``, ``set_image={"*": "busybox"}``, ``rm=True``,
    ``timeout=30``, ``target="app"`` (kubectl's ``--target``; the pod is the
    first, positional argument). ``command`` is a list or a shell-like string.

    Returns a ``DebugResult``; a fleet run (``selector="app=web"``,
    ``all_namespaces=True``, ``field_selector=...``, several targets, or
    ``max_concurrency=N``) returns a ``FleetResult`` instead, and
    ``on_progress`` then receives ``FleetProgress`` values.
    """
    opts = options(target, image=image, command=command, **flags)
    if is_fleet(opts):
        return fleet(opts, connection=connection, on_progress=on_progress)
    return run(
        opts,
        connection=connection,
        on_output=on_output,
        on_progress=on_progress,
        stdin_data=stdin_data,
    )


def fleet(
    opts: DebugOptions,
    *,
    connection: Connection | None = None,
    on_progress: Callable[[FleetProgress], None] | None = None,
    on_entry: Callable[[FleetEntry], None] | None = None,
    stop: threading.Event | None = None,
) -> FleetResult:
    """A fleet run (``-l``, ``-A``, ``--field-selector`` or several targets): one row per pod."""
    from kdebug_nb.engine import fleet as fleet_runs
    from kdebug_nb.engine.cluster_io import ClusterClient
    from kdebug_nb.engine.runner import run_ref
    from kdebug_nb.engine.targets import TargetRef

    conn = (connection or get_default_connection()).with_flags(
        opts.kubeconfig, opts.context, opts.namespace
    )

    def run_one(pod_opts: DebugOptions, target: FleetTarget, stop: threading.Event) -> DebugResult:
        ref = TargetRef(target.kind, target.name, target.namespace, target.obj)
        return run_ref(pod_opts, ref, connection=conn)

    return fleet_runs.run(
        opts,
        run_one,
        client=ClusterClient(conn),
        on_progress=on_progress,
        on_entry=on_entry,
        stop=stop,
    )


def dry_run(opts: DebugOptions, *, connection: Connection | None = None) -> dict[str, Any]:
    """The object ``opts`` would send (PATCH body or Pod), reading but never writing."""
    plans = build_only(opts, connection=connection)
    return plans[0].body


def status(
    pod: str | None = None,
    namespace: str | None = None,
    selector: str | None = None,
    all_namespaces: bool = False,
    *,
    connection: Connection | None = None,
) -> pd.DataFrame:
    """Container status of one pod, or of every pod selected, one row per container."""
    from kdebug_nb.engine.status import status_frame

    return status_frame(_pods_json(pod, namespace, selector, all_namespaces, connection))


def pods(
    namespace: str | None = None,
    selector: str | None = None,
    all_namespaces: bool = False,
    *,
    connection: Connection | None = None,
) -> pd.DataFrame:
    """One row per pod, like ``kubectl get pods -o wide``."""
    from kdebug_nb.engine.status import pods_frame

    return pods_frame(_pods_json(None, namespace, selector, all_namespaces, connection))


def cleanup(*, connection: Connection | None = None) -> list[str]:
    """Delete the copy and node pods this process created; return what was deleted.

    Ephemeral containers cannot be removed from a pod (the API forbids it);
    they stop with their command.
    """
    from kdebug_nb.engine.cluster_io import ClusterClient

    deleted: list[str] = []
    clients: dict[Connection, ClusterClient] = {}
    for conn, namespace, name in list(CREATED_PODS):
        if connection is not None and (conn.kubeconfig, conn.context) != (
            connection.kubeconfig,
            connection.context,
        ):
            continue
        client = clients.get(conn) or clients.setdefault(conn, ClusterClient(conn))
        try:
            client.delete_pod(namespace, name, grace_period=0)
            deleted.append(f"pod/{name} -n {namespace}")
        except errors.NotFound:
            pass
        CREATED_PODS.remove((conn, namespace, name))
    return deleted


def _pods_json(
    pod: str | None,
    namespace: str | None,
    selector: str | None,
    all_namespaces: bool,
    connection: Connection | None,
) -> list[dict[str, Any]]:
    from kdebug_nb.engine.cluster_io import ClusterClient

    client = ClusterClient(connection or get_default_connection())
    ns = namespace or client.namespace
    if pod:
        return [client.read_pod(ns, pod)]
    listed = client.list_pods(ns, selector=selector or "", all_namespaces=all_namespaces)
    items: list[dict[str, Any]] = listed.get("items") or []
    return items
