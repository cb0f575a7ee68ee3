"""Go durations as kubectl's flags take them (``--since=5m``, ``--request-timeout=1m30s``)."""

from __future__ import annotations

import re

from kdebug_nb.errors import UsageError

_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "μs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)")


def parse_duration(text: str) -> float:
    """Seconds in a Go duration, as Go's ``time.ParseDuration`` reads it ("300ms", "1h30m", "0")."""
    raw = text.strip()
    sign = -1.0 if raw.startswith("-") else 1.0
    body = raw[1:] if raw[:1] in "+-" and raw else raw
    if body == "0":
        return 0.0
    pos, total = 0, 0.0
    for match in _PART.finditer(body):
        if match.start() != pos:
            break
        total += float(match.group(1)) * _UNITS[match.group(2)]
        pos = match.end()
    if not body or pos != len(body):
        raise UsageError(f'invalid duration "{text}": use a number with a unit, e.g. 90s, 5m or 1h30m')
    return sign * total


__all__ = ["parse_duration"]
