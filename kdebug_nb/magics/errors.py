"""How a magic reports a failure: one line on stderr, or the full exception.

With ``KDebug.short_errors`` on (the default) a ``KDebugError`` becomes one
line saying what went wrong and what to do; usage errors add the magic's
usage line on the same line. With it off, the error is re-raised untouched.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar

from kdebug_nb.errors import KDebugError, UsageError

T = TypeVar("T")

#: the magics' own hint where the engine says no cluster is configured or reachable
CLUSTER_HINT = "start a local cluster with %ksandbox start"


def one_line(text: str) -> str:
    return " ".join(str(text).split())


def error_line(exc: BaseException, usage: str = "") -> str:
    """The line shown for ``exc``: kubectl's ``error: ...`` form, plus hints."""
    if isinstance(exc, KDebugError):
        message = exc.one_line()
    else:
        message = one_line(str(exc))
    line = f"error: {message or type(exc).__name__}"
    if getattr(exc, "suggest_cluster", False):
        line += f" — {CLUSTER_HINT}"
    if isinstance(exc, UsageError) and usage:
        line += f" — usage: {one_line(usage)}"
    return line


def guarded(short_errors: bool, usage: str, call: Callable[[], T], shell: Any = None) -> T | None:
    """Run ``call``; with short errors, print a KDebugError as one line and return None.

    Otherwise (``short_errors`` off, or ``-v`` on the line, which marks the
    error ``verbose``) the error is re-raised and shows its full traceback:
    ``KDebugError._render_traceback_`` would make IPython print one line again.
    """
    try:
        return call()
    except KDebugError as exc:
        if short_errors and not getattr(exc, "verbose", False):
            print(error_line(exc, usage), file=sys.stderr)
            return None
        if shell is not None:
            exc._render_traceback_ = partial(_full_traceback, shell, exc)  # type: ignore[method-assign]
        raise


def _full_traceback(shell: Any, exc: BaseException) -> list[str]:
    tb: list[str] = shell.InteractiveTB.structured_traceback(type(exc), exc, exc.__traceback__)
    return tb
