"""How long the things that take time on a real node take in the sandbox.

A real cluster spends most of a debug run waiting: pulling the debug image,
creating the container, the network between client and API server. The
sandbox does all of that in microseconds, which hides what a fleet run's
concurrency is for. These knobs put the waits back, so a benchmark on the
sandbox measures what it would measure on a cluster:

* ``imagePull``: how long a pull takes (the kubelet pulls when the image is
  absent from the node or the pull policy is ``Always``, as for ``busybox``
  without a tag);
* ``containerStart``: between the kubelet's ``Created`` and ``Started``;
* ``apiLatency``: added to every API request before it is handled (the
  round trip to a remote API server).

All default to 0: the sandbox stays as fast as it is without them. They are
set in a scenario (``timing: {imagePull: 300ms}``), by
``kdebug-sandbox serve --timing imagePull=300ms,containerStart=50ms`` or by
``Sandbox(timing=...)``; the spelling of durations is Go's
(``time.ParseDuration``: ``300ms``, ``1.5s``, ``1m30s``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

#: the knobs as scenarios and the command line spell them, and the field each sets
KNOBS: dict[str, str] = {
    "imagePull": "image_pull",
    "containerStart": "container_start",
    "apiLatency": "api_latency",
}
#: a duration longer than this is a typo, not a simulation
MAX_SECONDS = 600.0

_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)")


class TimingError(ValueError):
    """A timing setting that cannot be read; the message is one line."""


@dataclass
class Timing:
    """Seconds each simulated step takes (0: as fast as the machine goes)."""

    image_pull: float = 0.0
    container_start: float = 0.0
    api_latency: float = 0.0

    def as_knobs(self) -> dict[str, float]:
        return {knob: getattr(self, attr) for knob, attr in KNOBS.items()}

    def update(self, values: Mapping[str, float]) -> None:
        """Set knobs by their scenario spelling (``imagePull``...)."""
        for knob, seconds in values.items():
            setattr(self, KNOBS[knob], seconds)


def parse_duration(text: Any, where: str = "duration") -> float:
    """Go's ``time.ParseDuration`` spelling (``300ms``, ``1m30s``; ``0`` alone), in seconds.

    A bare number is refused except 0, as Go refuses it: ``300`` could mean
    seconds or milliseconds, and a wrong guess makes a benchmark lie.
    """
    if isinstance(text, bool):
        raise TimingError(f"{where}: expected a duration such as 300ms, not {text!r}")
    if isinstance(text, (int, float)) and text == 0:
        return 0.0
    value = str(text).strip()
    if value == "0":
        return 0.0
    pos, total = 0, 0.0
    for match in _PART.finditer(value):
        if match.start() != pos:
            break
        total += float(match.group(1)) * _UNITS[match.group(2)]
        pos = match.end()
    if not value or pos != len(value):
        raise TimingError(f"{where}: invalid duration {value!r} (use e.g. 300ms, 1.5s, 1m30s)")
    if total > MAX_SECONDS:
        raise TimingError(f"{where}: {value} is longer than the {MAX_SECONDS:g}s the sandbox allows")
    return total


def parse_timing(mapping: Any, where: str = "timing") -> dict[str, float]:
    """Knob → seconds from a scenario mapping; unknown knobs are errors."""
    if not isinstance(mapping, Mapping):
        raise TimingError(f"{where} must be a mapping such as {{imagePull: 300ms}}")
    out: dict[str, float] = {}
    for knob, value in mapping.items():
        if knob not in KNOBS:
            raise TimingError(f"{where}: unknown knob {knob!r} (known: {', '.join(KNOBS)})")
        out[str(knob)] = parse_duration(value, f"{where}.{knob}")
    return out


def parse_timing_flag(text: str) -> dict[str, float]:
    """``imagePull=300ms,containerStart=50ms`` (the ``--timing`` flag) → knob → seconds."""
    pairs: dict[str, str] = {}
    for item in filter(None, (p.strip() for p in text.split(","))):
        knob, eq, value = item.partition("=")
        if not eq:
            raise TimingError(f"--timing: expected KNOB=DURATION, got {item!r}")
        pairs[knob.strip()] = value.strip()
    return parse_timing(pairs, "--timing")


def timing_of(cluster: Any) -> Timing:
    """The cluster's timing (kept with its other per-module state)."""
    timing: Timing = cluster.extensions.setdefault("timing", Timing())
    return timing


__all__ = [
    "KNOBS",
    "Timing",
    "TimingError",
    "parse_duration",
    "parse_timing",
    "parse_timing_flag",
    "timing_of",
]
