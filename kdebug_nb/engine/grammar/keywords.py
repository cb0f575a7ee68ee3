"""Python keywords → :class:`DebugOptions`: the grammar of ``kdebug_nb.debug(...)``.

Flag names with underscores (``copy_to="x"``), a few short spellings people
reach for (``i=True``, ``n="ns"``), dicts for map flags, and a command as a
list or a shell-like string; validated like a parsed command line.
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from dataclasses import fields
from typing import Any

from kdebug_nb import errors
from kdebug_nb.engine.debug_options import DebugOptions

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
