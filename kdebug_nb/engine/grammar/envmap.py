"""pflag's "string to string" map values, as ``--env`` and ``--set-image`` parse them.

One occurrence of the flag is parsed by :func:`parse_map`; repeated
occurrences are folded together by :func:`merge_pairs` (a later value for a
key wins, the key keeps its first position so the result follows the command
line). The rules, and why commas are *not* separators when a value holds a
single ``=``, follow pflag's ``stringToString`` (``github.com/spf13/pflag``,
``string_to_string.go``).
"""

from __future__ import annotations

from collections.abc import Iterable

from kdebug_nb.errors import UsageError


class MapSyntaxError(UsageError):
    """A map flag value pflag would refuse (message without the flag prefix)."""


def parse_map(value: str) -> list[tuple[str, str]]:
    """Parse one ``KEY=VALUE[,KEY=VALUE...]`` flag value into ordered pairs.

    Raises :class:`MapSyntaxError` with pflag's wording; the grammar wraps it
    into ``invalid argument "<v>" for "--env" flag: ...``.
    """
    equals = value.count("=")
    if equals == 0:
        raise MapSyntaxError(f"{value} must be formatted as key=value")
    fields = [value.strip('"')] if equals == 1 else read_csv_record(value)
    pairs: list[tuple[str, str]] = []
    for item in fields:
        key, sep, val = item.partition("=")
        if not sep:
            raise MapSyntaxError(f"{item} must be formatted as key=value")
        pairs.append((key, val))
    return pairs


def merge_pairs(*groups: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """Fold pairs so that a later value wins and a key keeps its first position."""
    merged: dict[str, str] = {}
    for group in groups:
        for key, val in group:
            merged[key] = val
    return tuple(merged.items())


def read_csv_record(text: str) -> list[str]:
    """Read one record the way Go's ``encoding/csv`` Reader does (strict quotes).

    Python's ``csv`` module is lenient about stray quotes, where Go refuses
    them; this small reader keeps Go's error cases and positions (lines and
    1-based byte columns) so that a value kubectl rejects is rejected here
    with the same message. Only the first record counts, as in pflag.
    """
    fields: list[str] = []
    pos, end = 0, len(text)
    line, line_start = 1, 0

    def column(index: int) -> int:
        return len(text[line_start:index].encode()) + 1

    def fail(at_line: int, at_column: int, problem: str) -> MapSyntaxError:
        where = f"parse error on line {at_line}, column {at_column}"
        if at_line != 1:
            where = f"record on line 1; {where}"
        return MapSyntaxError(f"{where}: {problem}")

    while True:
        if pos < end and text[pos] == '"':
            pos += 1
            buf: list[str] = []
            while True:
                if pos >= end:
                    raise fail(line, column(end), _QUOTE_ERROR)
                char = text[pos]
                if char == '"':
                    if pos + 1 < end and text[pos + 1] == '"':
                        buf.append('"')
                        pos += 2
                        continue
                    if pos + 1 < end and text[pos + 1] not in ",\n\r":
                        raise fail(line, column(pos), _QUOTE_ERROR)
                    pos += 1
                    break
                if char == "\n":
                    line, line_start = line + 1, pos + 1
                buf.append(char)
                pos += 1
            fields.append("".join(buf))
        else:
            start = pos
            while pos < end and text[pos] not in ",\n\r":
                if text[pos] == '"':
                    raise fail(line, column(pos), 'bare " in non-quoted-field')
                pos += 1
            fields.append(text[start:pos])
        if pos < end and text[pos] == ",":
            pos += 1
            continue
        return fields


_QUOTE_ERROR = 'extraneous or missing " in quoted-field'
