"""IPython magics: ``%kdebug``/``%%kdebug``, ``%kstatus``, ``%klogs``, ``%kevents``,
``%khistory``, ``%ksandbox``.

``%load_ext kdebug_nb`` registers them with the ``KDebug`` configurable and
the tab completer. Loading is cheap: the kubernetes client, pandas and the
sandbox are imported only when a magic first needs them.
"""

from __future__ import annotations

from typing import Any

from kdebug_nb.magics.settings import KDebug, Settings

__all__ = ["KDebug", "Settings", "load_ipython_extension", "unload_ipython_extension"]

_STATES: dict[int, Any] = {}
_COMPLETED = ("%kdebug", "%%kdebug", "%kstatus", "%klogs", "%kevents", "%khistory", "%ksandbox")


def load_ipython_extension(ipython: Any) -> None:
    """Register the magics, the ``KDebug`` settings and completion with ``ipython``."""
    if id(ipython) in _STATES:
        return
    from kdebug_nb.magics.completion import Completer
    from kdebug_nb.magics.debug import DebugMagics
    from kdebug_nb.magics.events import EventsMagics
    from kdebug_nb.magics.history import HistoryMagics
    from kdebug_nb.magics.logs import LogsMagics
    from kdebug_nb.magics.sandbox import SandboxMagics
    from kdebug_nb.magics.state import KDebugState
    from kdebug_nb.magics.status import StatusMagics

    state = KDebugState(ipython)
    ipython.configurables.append(state.config)
    for cls in (DebugMagics, StatusMagics, LogsMagics, EventsMagics, HistoryMagics, SandboxMagics):
        ipython.register_magics(cls(ipython, state))
    completer = Completer(state)
    state.completer = completer
    for name in _COMPLETED:
        ipython.set_hook("complete_command", completer, str_key=name)
    _STATES[id(ipython)] = state


def unload_ipython_extension(ipython: Any) -> None:
    """Remove the magics, stop a sandbox started here and restore the old connection."""
    state = _STATES.pop(id(ipython), None)
    if state is None:
        return
    try:
        state.close()
    finally:
        manager = ipython.magics_manager
        for kind, names in (
            ("line", ("kdebug", "kstatus", "klogs", "kevents", "khistory", "ksandbox")),
            ("cell", ("kdebug",)),
        ):
            for name in names:
                manager.magics[kind].pop(name, None)
        if state.config in ipython.configurables:
            ipython.configurables.remove(state.config)
        dispatchers = ipython.strdispatchers.get("complete_command")
        if dispatchers is not None:
            for name in _COMPLETED:
                chain = dispatchers.strs.get(name)
                if chain is not None:
                    chain.chain = [(p, f) for p, f in chain.chain
                                   if getattr(f, "__func__", f) is not state.completer]
                    if not chain.chain:
                        dispatchers.strs.pop(name, None)
        state.completer.cache.close()


def state_of(ipython: Any) -> Any:
    """The ``KDebugState`` of a shell that loaded the extension (tests, notebooks)."""
    return _STATES.get(id(ipython))
