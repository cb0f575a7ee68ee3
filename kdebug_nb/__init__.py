"""kdebug_nb: ``kubectl debug`` (KEP-1441) made native to Jupyter.

The public API is imported lazily so that ``import kdebug_nb`` and
``%load_ext kdebug_nb`` stay cheap: the kubernetes client, pandas and IPython
load on first use.
"""

from __future__ import annotations

from typing import Any

from kdebug_nb._lazy import lazy_getattr

__version__ = "0.1.0"

#: the Python API comes from the engine's public surface
_LAZY = {
    name: "kdebug_nb.engine"
    for name in (
        "debug",
        "run",
        "status",
        "pods",
        "events",
        "logs",
        "cleanup",
        "options",
        "DebugResult",
        "DebugOptions",
        "parse_args",
        "Session",
        "default_session",
        "run_fleet",
        "FleetResult",
    )
}
#: the panels (ipywidgets, from the notebook extra), adapters over the same engine
_LAZY.update({name: "kdebug_nb.widgets" for name in ("panel", "DebugPanel", "Shell")})

__all__ = ["__version__", "load_ipython_extension", "unload_ipython_extension", *_LAZY]


__getattr__ = lazy_getattr(__name__, _LAZY, globals())


def load_ipython_extension(ipython: Any) -> None:
    from kdebug_nb.magics import load_ipython_extension as load

    load(ipython)


def unload_ipython_extension(ipython: Any) -> None:
    from kdebug_nb.magics import unload_ipython_extension as unload

    unload(ipython)
