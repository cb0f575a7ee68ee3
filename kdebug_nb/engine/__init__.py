"""The engine's public surface: the one module adapters (magics, CLI, widgets, fleet) import.

The pipeline behind it, one package per stage (``fleet`` runs many of them at once)::

    grammar  (flags, parse, validate, targets)   words -> DebugOptions -> Validated
    builders (ephemeral, copy, node, profiles)    (target JSON, options) -> Plan, pure
    client   (connection, rest, streams, wire)    the only code that talks to the API server
    runs     (runner, plan, apply, follow)         one invocation's runs, as events
    frames   (status, events)                      pod and event JSON -> DataFrames
    reads                                          a pod's events and a container's log
    session                                        connection, observers, created pods, history

Names load on first use (PEP 562), so importing this module costs nothing:
the kubernetes client and pandas load when a run or a frame needs them.
Nothing here imports IPython, ipywidgets or the sandbox.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kdebug_nb._lazy import lazy_getattr

if TYPE_CHECKING:
    from kdebug_nb.engine.client import Cancel, ClusterClient
    from kdebug_nb.engine.client.connection import Connection
    from kdebug_nb.engine.client.tty import TerminalInput
    from kdebug_nb.engine.debug_options import DebugOptions
    from kdebug_nb.engine.fleet import (
        FRAME_COLUMNS,
        FleetEntry,
        FleetProgress,
        FleetResult,
        is_fleet,
    )
    from kdebug_nb.engine.frames.events import EVENT_COLUMNS, events_frame
    from kdebug_nb.engine.frames.status import STATUS_COLUMNS, pods_frame, status_frame
    from kdebug_nb.engine.grammar import (
        FLAGS,
        USAGE,
        Flag,
        Validated,
        parse_args,
        split_words,
        target_kind,
        usage,
        validate,
    )
    from kdebug_nb.engine.grammar.keywords import options
    from kdebug_nb.engine.grammar.render import to_line
    from kdebug_nb.engine.runs.events import (
        WAIT_STATES,
        Observer,
        RunEvent,
        RunFailed,
        RunFinished,
        RunInterrupted,
        RunNotice,
        RunOutput,
        RunStarted,
        RunWaiting,
    )
    from kdebug_nb.engine.runs.result import DebugResult
    from kdebug_nb.engine.runs.stdin import StdinPipe
    from kdebug_nb.engine.session import (
        Session,
        cleanup,
        debug,
        default_session,
        pods,
        run,
        run_fleet,
        set_default_session,
        status,
    )
    from kdebug_nb.errors import (
        AlreadyExists,
        ApiError,
        ConfigError,
        ConnectionFailed,
        DebugError,
        EphemeralContainersDisabled,
        Forbidden,
        ImageError,
        Interrupted,
        Invalid,
        KDebugError,
        NotFound,
        PodGone,
        StartFailed,
        StartTimeout,
        UsageError,
    )

_HOMES = {
    "Session": "kdebug_nb.engine.session",
    "default_session": "kdebug_nb.engine.session",
    "set_default_session": "kdebug_nb.engine.session",
    "options": "kdebug_nb.engine.grammar.keywords",
    "run": "kdebug_nb.engine.session",
    "debug": "kdebug_nb.engine.session",
    "run_fleet": "kdebug_nb.engine.session",
    "FleetResult": "kdebug_nb.engine.fleet",
    "FleetEntry": "kdebug_nb.engine.fleet",
    "FleetProgress": "kdebug_nb.engine.fleet",
    "FRAME_COLUMNS": "kdebug_nb.engine.fleet",
    "is_fleet": "kdebug_nb.engine.fleet",
    "status": "kdebug_nb.engine.session",
    "pods": "kdebug_nb.engine.session",
    "cleanup": "kdebug_nb.engine.session",
    "events": "kdebug_nb.engine.session",
    "logs": "kdebug_nb.engine.session",
    "Connection": "kdebug_nb.engine.client.connection",
    "StdinPipe": "kdebug_nb.engine.runs.stdin",
    "ClusterClient": "kdebug_nb.engine.client",
    "Cancel": "kdebug_nb.engine.client",
    "TerminalInput": "kdebug_nb.engine.client.tty",
    "DebugOptions": "kdebug_nb.engine.debug_options",
    "DebugResult": "kdebug_nb.engine.runs.result",
    "parse_args": "kdebug_nb.engine.grammar",
    "split_words": "kdebug_nb.engine.grammar",
    "validate": "kdebug_nb.engine.grammar",
    "target_kind": "kdebug_nb.engine.grammar",
    "Validated": "kdebug_nb.engine.grammar",
    "FLAGS": "kdebug_nb.engine.grammar",
    "Flag": "kdebug_nb.engine.grammar",
    "USAGE": "kdebug_nb.engine.grammar",
    "usage": "kdebug_nb.engine.grammar",
    "to_line": "kdebug_nb.engine.grammar.render",
    "status_frame": "kdebug_nb.engine.frames.status",
    "STATUS_COLUMNS": "kdebug_nb.engine.frames.status",
    "events_frame": "kdebug_nb.engine.frames.events",
    "EVENT_COLUMNS": "kdebug_nb.engine.frames.events",
    "pods_frame": "kdebug_nb.engine.frames.status",
    **{
        name: "kdebug_nb.engine.runs.events"
        for name in (
            "WAIT_STATES",
            "Observer",
            "RunEvent",
            "RunStarted",
            "RunWaiting",
            "RunOutput",
            "RunNotice",
            "RunFinished",
            "RunInterrupted",
            "RunFailed",
        )
    },
    **{
        name: "kdebug_nb.errors"
        for name in (
            "DebugError",
            "KDebugError",
            "UsageError",
            "ConfigError",
            "ConnectionFailed",
            "ApiError",
            "NotFound",
            "AlreadyExists",
            "Forbidden",
            "Invalid",
            "EphemeralContainersDisabled",
            "ImageError",
            "StartFailed",
            "StartTimeout",
            "PodGone",
            "Interrupted",
        )
    },
}

__all__ = [
    "AlreadyExists",
    "ApiError",
    "Cancel",
    "ClusterClient",
    "ConfigError",
    "Connection",
    "ConnectionFailed",
    "DebugError",
    "EVENT_COLUMNS",
    "DebugOptions",
    "DebugResult",
    "EphemeralContainersDisabled",
    "FLAGS",
    "FRAME_COLUMNS",
    "Flag",
    "FleetEntry",
    "FleetProgress",
    "FleetResult",
    "Forbidden",
    "ImageError",
    "Interrupted",
    "Invalid",
    "KDebugError",
    "NotFound",
    "Observer",
    "PodGone",
    "RunEvent",
    "RunFailed",
    "RunFinished",
    "RunInterrupted",
    "RunNotice",
    "RunOutput",
    "RunStarted",
    "RunWaiting",
    "STATUS_COLUMNS",
    "Session",
    "StartFailed",
    "StartTimeout",
    "StdinPipe",
    "TerminalInput",
    "USAGE",
    "UsageError",
    "Validated",
    "WAIT_STATES",
    "cleanup",
    "debug",
    "default_session",
    "events",
    "events_frame",
    "logs",
    "is_fleet",
    "options",
    "parse_args",
    "pods",
    "pods_frame",
    "run",
    "run_fleet",
    "set_default_session",
    "split_words",
    "status",
    "status_frame",
    "target_kind",
    "to_line",
    "usage",
    "validate",
]

__getattr__ = lazy_getattr(__name__, _HOMES, globals())


def __dir__() -> list[str]:
    return __all__

