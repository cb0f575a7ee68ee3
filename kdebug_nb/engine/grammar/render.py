"""``DebugOptions`` back to a command line, for the history of runs started from Python."""

from __future__ import annotations

import shlex
from dataclasses import fields
from typing import Any

from kdebug_nb.engine.debug_options import DebugOptions
from kdebug_nb.engine.grammar.flags import FLAGS

_DEFAULTS = {f.name: f.default for f in fields(DebugOptions)}


def to_argv(opts: DebugOptions) -> list[str]:
    """Words that ``parse_args`` turns back into ``opts`` (``custom_spec`` aside)."""
    words = list(opts.targets)
    seen: set[str] = set()
    for flag in FLAGS:
        if flag.dest in seen or flag.dest in ("help",):
            continue
        seen.add(flag.dest)
        value: Any = getattr(opts, flag.dest)
        if value == _DEFAULTS.get(flag.dest):
            continue
        if flag.kind == "map":
            words += [f"--{flag.name}={k}={v}" for k, v in value]
        elif flag.kind == "list":
            words += [f"--{flag.name}={v}" for v in value]
        elif isinstance(value, bool):
            words.append(f"--{flag.name}" if value else f"--{flag.name}=false")
        elif isinstance(value, float):
            unit = "s" if flag.kind == "duration" else ""
            words.append(f"--{flag.name}={value:g}{unit}")
        elif flag.kind == "dryrun":
            words.append(f"--{flag.name}")
        else:
            words.append(f"--{flag.name}={value}")
    if opts.command:
        words += ["--", *opts.command]
    return words


def to_line(opts: DebugOptions) -> str:
    return shlex.join(to_argv(opts))
