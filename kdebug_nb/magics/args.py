"""Argument parsing for the magics that have their own small grammar."""

from __future__ import annotations

import argparse
import shlex
from collections.abc import Callable
from typing import Any

from IPython.core.error import UsageError as IPythonUsageError
from IPython.core.magic_arguments import parse_argstring

from kdebug_nb.errors import UsageError


def parse_magic_args(magic: Callable[..., Any], line: str, usage: str) -> argparse.Namespace:
    """``parse_argstring`` with its errors turned into kdebug's one-line UsageError."""
    try:
        shlex.split(line)
        return parse_argstring(magic, line)
    except ValueError as exc:
        raise UsageError(f"cannot split the line: {exc}") from None
    except IPythonUsageError as exc:
        raise UsageError(" ".join(str(exc).split())) from None
