"""Panels over the engine (ipywidgets 8): ``DebugPanel``, ``Shell`` and ``panel()``.

Adapters like the magics: they import the engine's public surface only
(``kdebug_nb.engine``), run through its session, and build no pod spec.
"""

from __future__ import annotations

from typing import Any

from kdebug_nb._lazy import lazy_getattr

_LAZY = {
    "DebugPanel": "kdebug_nb.widgets.panel",
    "panel": "kdebug_nb.widgets.panel",
    "Shell": "kdebug_nb.widgets.shell",
}

__all__ = sorted(_LAZY)

__getattr__: Any = lazy_getattr(__name__, _LAZY, globals())
