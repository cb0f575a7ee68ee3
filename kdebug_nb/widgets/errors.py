"""The one line a panel shows for a failure: the same words ``%kdebug`` prints."""

from __future__ import annotations

from kdebug_nb import engine


def error_line(exc: BaseException) -> str:
    """kubectl's ``error: ...`` form; a bug (not a KDebugError) still gets one line."""
    if isinstance(exc, engine.KDebugError):
        message = exc.one_line()
    elif isinstance(exc, KeyboardInterrupt):
        message = "interrupted"
    else:
        message = " ".join(str(exc).split())
        if not isinstance(exc, TypeError | ValueError):
            message = f"{type(exc).__name__}: {message}" if message else type(exc).__name__
    return f"error: {message or type(exc).__name__}"
