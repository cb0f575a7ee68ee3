"""Lazy public names for a package's ``__init__`` (PEP 562 module ``__getattr__``).

``kdebug_nb`` and ``kdebug_nb.sandbox`` both keep their imports cheap by naming
each public attribute's home module and importing it on first access; this is
that mechanism, once.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_getattr(
    package: str, homes: Mapping[str, str], namespace: dict[str, Any]
) -> Callable[[str], Any]:
    """A module ``__getattr__`` for ``package``: ``homes`` maps a public name to
    the module defining it; the value found is cached in ``namespace`` (the
    package's ``globals()``) so later accesses skip this function."""

    def __getattr__(name: str) -> Any:
        module = homes.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        namespace[name] = value
        return value

    return __getattr__
