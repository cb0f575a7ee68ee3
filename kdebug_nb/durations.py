"""Ages as ``kubectl get`` prints them, for the engine's frames and the sandbox's tables alike.

A top-level module so that neither side imports the other.
"""

from __future__ import annotations


def human_duration(seconds: float) -> str:
    """An age as ``kubectl get`` prints it ("45s", "5m3s", "2h", "3d4h"): Go's
    ``HumanDuration`` in k8s.io/apimachinery ``pkg/util/duration/duration.go``.

    Up to 2 s in the future counts as now (clock skew); further is ``<invalid>``.
    """
    s = int(seconds)
    if s < -1:
        return "<invalid>"
    if s < 0:
        return "0s"
    if s < 120:
        return f"{s}s"
    minutes = s // 60
    if minutes < 10:
        return f"{minutes}m" if s % 60 == 0 else f"{minutes}m{s % 60}s"
    if minutes < 180:
        return f"{minutes}m"
    hours = s // 3600
    if hours < 8:
        return f"{hours}h" if minutes % 60 == 0 else f"{hours}h{minutes % 60}m"
    if hours < 48:
        return f"{hours}h"
    days = hours // 24
    if hours < 24 * 8:
        return f"{days}d" if hours % 24 == 0 else f"{days}d{hours % 24}h"
    if hours < 24 * 365 * 2:
        return f"{days}d"
    years = days // 365
    if hours < 24 * 365 * 8:
        return f"{years}y" if days % 365 == 0 else f"{years}y{days % 365}d"
    return f"{years}y"


__all__ = ["human_duration"]
