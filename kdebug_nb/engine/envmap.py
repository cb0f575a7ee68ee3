"""pflag's "string to string" map values, as ``--env`` and ``--set-image`` parse them.

One occurrence of the flag is parsed by :func:`parse_map`; repeated
occurrences are folded together by :func:`merge_pairs` (a later value for a
key wins, the key keeps its first position so the result follows the command
line). The rules, and why commas are *not* separators when a value holds a
single ``=``, are in the behaviour document §1.3.1.
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
    them; this small reader keeps Go's error cases so that a value kubectl
    rejects is rejected here too.
    """
    # Go's Reader stops at the first unquoted newline: only the first record counts.
    fields: list[str] = []
    i, n = 0, len(text)
    column = 1
    while True:
        if i < n and text[i] == '"':
            i += 1
            buf: list[str] = []
            while True:
                if i >= n:
                    raise MapSyntaxError(
                        f'parse error on line 1, column {column}: extraneous or missing " in quoted-field'
                    )
                ch = text[i]
                if ch == '"':
                    if i + 1 < n and text[i + 1] == '"':
                        buf.append('"')
                        i += 2
                        continue
                    i += 1
                    if i < n and text[i] not in ",\n\r":
                        raise MapSyntaxError(
                            f'parse error on line 1, column {i + 1}: extraneous or missing " in quoted-field'
                        )
                    break
                buf.append(ch)
                i += 1
            fields.append("".join(buf))
        else:
            start = i
            while i < n and text[i] not in ",\n\r":
                if text[i] == '"':
                    raise MapSyntaxError(
                        f'parse error on line 1, column {i + 1}: bare " in non-quoted-field'
                    )
                i += 1
            fields.append(text[start:i])
        if i < n and text[i] == ",":
            i += 1
            column = i + 1
            continue
        return fields
