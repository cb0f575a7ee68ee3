"""The HTML a panel shows: every value escaped, since pod names, messages and output
come from the cluster and its containers (untrusted; the frontend does not sanitise
output the kernel has just produced)."""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from typing import Any

TABLE_STYLE = "border-collapse:collapse;font-size:12px"
CELL_STYLE = "padding:2px 8px;border-bottom:1px solid #ddd;text-align:left;vertical-align:top"


def frame_html(frame: Any, columns: Sequence[str] | None = None, *, empty: str = "nothing") -> str:
    """A DataFrame as an HTML table (escaped), or a one-line note when it has no rows."""
    if frame is None or len(frame) == 0:
        return note(empty)
    cols = [c for c in (columns or list(frame.columns)) if c in frame.columns]
    rows = frame[cols].itertuples(index=False, name=None)
    return table(cols, rows)


def table(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    head = "".join(f'<th style="{CELL_STYLE}">{html.escape(str(h))}</th>' for h in header)
    body = "".join(
        "<tr>" + "".join(f'<td style="{CELL_STYLE}">{html.escape(_text(v))}</td>' for v in row)
        + "</tr>"
        for row in rows
    )
    return f'<table style="{TABLE_STYLE}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def note(text: str, colour: str = "#666") -> str:
    return f'<span style="color:{colour}">{html.escape(text)}</span>'


def error_html(line: str) -> str:
    return f'<div style="color:#b00020;font-family:monospace">{html.escape(line)}</div>'


def pre(inner_html: str) -> str:
    """Already-escaped text (e.g. from ``ansi.AnsiRenderer``) in a scrolling block."""
    return (
        '<pre style="max-height:24em;overflow:auto;margin:0;padding:4px;'
        f'background:#f8f8f8;white-space:pre-wrap">{inner_html}</pre>'
    )


def _text(value: Any) -> str:
    if value is None:
        return ""
    try:
        import pandas as pd

        if value is pd.NA or value is pd.NaT:
            return ""
        if isinstance(value, pd.Timestamp):
            return value.strftime("%Y-%m-%d %H:%M:%S")
        if isinstance(value, pd.Timedelta):
            return _age(value.total_seconds())
    except ImportError:
        pass
    if isinstance(value, float) and value != value:
        return ""
    return str(value)


def _age(seconds: float) -> str:
    """kubectl's short ages (``duration.HumanDuration``): 45s, 5m, 2h, 3d."""
    s = int(seconds)
    if s < 120:
        return f"{s}s"
    if s < 3600 * 2:
        return f"{s // 60}m"
    if s < 86400 * 2:
        return f"{s // 3600}h"
    return f"{s // 86400}d"
