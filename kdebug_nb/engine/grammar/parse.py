"""Words → :class:`DebugOptions`, following the Go ``pflag`` rules kubectl uses.

Flags and targets interleave before ``--``; ``--flag=value`` or ``--flag
value``; booleans take a value only with ``=``; short booleans combine
(``-it``); short string flags take their value attached (``-cfoo``) or as the
next word (``github.com/spf13/pflag``, ``flag.go``: ``parseLongArg``,
``parseSingleShortArg``). Only syntax is checked here, with pflag's wording;
``grammar.validate`` applies kubectl's semantic checks.
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from typing import Any

from kdebug_nb.engine.debug_options import DebugOptions
from kdebug_nb.engine.grammar.envmap import (
    MapSyntaxError,
    merge_pairs,
    parse_map,
    read_csv_record,
)
from kdebug_nb.engine.grammar.flags import (
    BY_NAME,
    BY_SHORT,
    Flag,
    FlagSyntax,
    go_quote,
    to_bool,
    to_bytes,
    to_dry_run,
    to_duration,
    to_float,
    to_int,
    to_verbosity,
)
from kdebug_nb.errors import UsageError


class _State:
    """Values collected while scanning; turned into DebugOptions at the end."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}
        self.maps: dict[str, list[tuple[str, str]]] = {"env": [], "set_image": []}
        self.lists: dict[str, list[str]] = {"filenames": []}

    def set(self, flag: Flag, value: str, label: str) -> None:
        try:
            if flag.kind == "bool":
                self.values[flag.dest] = to_bool(value)
            elif flag.kind == "float":
                self.values[flag.dest] = to_float(value)
            elif flag.kind == "duration":
                self.values[flag.dest] = to_duration(value)
            elif flag.kind == "int":
                self.values[flag.dest] = to_int(value)
            elif flag.kind == "bytes":
                self.values[flag.dest] = to_bytes(value)
            elif flag.kind == "verbosity":
                self.values[flag.dest] = to_verbosity(value)
            elif flag.kind == "dryrun":
                self.values[flag.dest] = to_dry_run(value)
            elif flag.kind == "map":
                self.maps[flag.dest].extend(parse_map(value))
            elif flag.kind == "list":
                self.lists[flag.dest].extend(read_csv_record(value) if value else [])
            else:
                self.values[flag.dest] = value
        except (FlagSyntax, MapSyntaxError) as exc:
            raise UsageError(
                f"invalid argument {go_quote(value)} for {go_quote(label)} flag: {exc}"
            ) from None


def _label(flag: Flag) -> str:
    return f"-{flag.short}, --{flag.name}" if flag.short else f"--{flag.name}"


def split_words(argv: str | Sequence[str]) -> list[str]:
    """Split a magic's line like a POSIX shell would (quotes, backslashes)."""
    if not isinstance(argv, str):
        return list(argv)
    try:
        return shlex.split(argv)
    except ValueError as exc:
        raise UsageError(f"cannot split arguments: {exc}") from None


def parse_args(argv: str | Sequence[str]) -> DebugOptions:
    """Parse kubectl debug's command line (a string is split with shlex).

    A leading ``kubectl debug`` is dropped, so a command copied from a terminal
    works unchanged. Only syntax is checked here; call :func:`validate` for
    kubectl's semantic checks.
    """
    words = split_words(argv)
    if words[:2] == ["kubectl", "debug"]:
        words = words[2:]
    state = _State()
    targets: list[str] = []
    command: list[str] = []
    i = 0
    while i < len(words):
        word = words[i]
        i += 1
        if word == "--":
            command = words[i:]
            break
        if len(word) < 2 or not word.startswith("-"):
            targets.append(word)
        elif word.startswith("--"):
            i = _parse_long(word, words, i, state)
        else:
            i = _parse_short(word, words, i, state)
    values = state.values
    values["env"] = merge_pairs(state.maps["env"])
    values["set_image"] = merge_pairs(state.maps["set_image"])
    values["filenames"] = tuple(state.lists["filenames"])
    if values.get("dry_run") and not values.get("output"):
        values["output"] = "yaml"
    return DebugOptions(targets=tuple(targets), command=tuple(command), **values)


def _parse_long(word: str, words: list[str], i: int, state: _State) -> int:
    body = word[2:]
    if body[0] in "-=":
        raise UsageError(f"bad flag syntax: {word}")
    name, has_value, value = body.partition("=")
    flag = BY_NAME.get(name.replace("_", "-"))  # kubectl normalises _ to -
    if flag is None:
        raise UsageError(f"unknown flag: --{name}")
    if not has_value:
        if not flag.takes_value:
            value = "unchanged" if flag.kind == "dryrun" else "true"
        elif i < len(words):
            value, i = words[i], i + 1
        else:
            raise UsageError(f"flag needs an argument: {word}")
    state.set(flag, value, _label(flag))
    return i


def _parse_short(word: str, words: list[str], i: int, state: _State) -> int:
    shorts = word[1:]
    while shorts:
        char = shorts[0]
        flag = BY_SHORT.get(char)
        if flag is None:
            raise UsageError(f"unknown shorthand flag: '{char}' in -{shorts}")
        if len(shorts) > 2 and shorts[1] == "=":
            value, rest = shorts[2:], ""
        elif not flag.takes_value:
            value, rest = "true", shorts[1:]
        elif len(shorts) > 1:
            value, rest = shorts[1:], ""
        elif i < len(words):
            value, rest, i = words[i], "", i + 1
        else:
            raise UsageError(f"flag needs an argument: '{char}' in -{shorts}")
        state.set(flag, value, _label(flag))
        shorts = rest
    return i
