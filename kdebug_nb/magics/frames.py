"""DataFrames that display with state colouring, and stay DataFrames.

``%kstatus``, ``%kevents`` and ``%khistory`` return the engine's/runbook's raw frames; to
colour them without showing a table twice (a displayed Styler plus the
returned frame) they return a DataFrame subclass whose only difference is its
notebook HTML: an escaped pandas Styler. Any operation on it gives back a
plain DataFrame. Imported only when a frame is shown (it imports pandas).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any, ClassVar

import pandas as pd

#: the most rows rendered through the Styler; larger frames show the head
STYLE_ROWS = 200

_GOOD = re.compile(r"(?i)^(running|ok|true|ready|succeeded|completed|active)\b")
_WARN = re.compile(r"(?i)^(waiting|pending|started|containercreating|podinitializing|terminating|interrupted|unknown)\b")
_BAD = re.compile(
    r"(?i)(error|fail|backoff|crashloop|oomkilled|evicted|invalid|notready)"
)

GOOD = "color:#2e7d32;font-weight:bold"
WARN = "color:#b26a00;font-weight:bold"
BAD = "color:#c62828;font-weight:bold"


def state_style(value: Any) -> str:
    """CSS for a state-like cell value (ok/Running green, waiting amber, errors red)."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    text = str(value)
    if _BAD.search(text):
        return BAD
    if _GOOD.match(text):
        return GOOD
    if _WARN.match(text):
        return WARN
    return ""


def container_styles(row: pd.Series) -> list[str]:
    """CSS for one status-frame row: its state judged with its reason and exit code.

    A container that terminated with 0 (an init container that completed) is
    fine; one waiting in CrashLoopBackOff or ErrImagePull is not.
    """
    state, reason = str(row.get("state", "")), str(row.get("reason", "") or "")
    code = row.get("exit_code")
    if reason and _BAD.search(reason):
        verdict = BAD
    elif state == "running":
        verdict = GOOD
    elif state == "terminated":
        verdict = GOOD if (code is not None and not pd.isna(code) and int(code) == 0) else BAD
    elif state == "waiting":
        verdict = WARN
    else:
        verdict = ""
    styles = {"state": verdict, "reason": verdict if verdict != GOOD else ""}
    if "ready" in row.index:
        styles["ready"] = GOOD if bool(row["ready"]) else ""
    restarts = row.get("restarts")
    if restarts is not None and not pd.isna(restarts) and int(restarts) > 0:
        styles["restarts"] = WARN
    # the previous instance's end: why a crash-looping container died
    last_code = row.get("last_exit_code")
    if last_code is not None and not pd.isna(last_code):
        styles["last_exit_code"] = exit_style(last_code)
        styles["last_reason"] = exit_style(last_code)
    return [styles.get(str(col), "") for col in row.index]


def exit_style(value: Any) -> str:
    if value is None or pd.isna(value):
        return ""
    return GOOD if int(value) == 0 else BAD


def styled_html(
    frame: pd.DataFrame,
    state_columns: tuple[str, ...] = (),
    row_styles: Callable[[pd.Series], list[str]] | None = None,
) -> str:
    """Escaped, coloured HTML for ``frame`` (plain escaped HTML without jinja2)."""
    head = frame.head(STYLE_ROWS)
    more = len(frame) - len(head)
    try:
        styler = head.style
    except (AttributeError, ImportError):  # the Styler needs jinja2
        return pd.DataFrame(frame).to_html(escape=True, max_rows=STYLE_ROWS)
    styler = (
        styler.format(escape="html", na_rep="")
        .format_index(escape="html", axis=0)
        .format_index(escape="html", axis=1)
    )
    if row_styles is not None:
        styler = styler.apply(row_styles, axis=1)
    cols: list[Any] = [c for c in state_columns if c in head.columns]
    if cols:
        styler = styler.map(state_style, subset=cols)
    if "exit_code" in head.columns:
        exit_cols: list[Any] = ["exit_code"]
        styler = styler.map(exit_style, subset=exit_cols)
    styler = styler.set_table_attributes('class="kdebug-frame dataframe"')
    text = styler.to_html()
    if more:
        text += f"<p>… {more} more row(s) ({html.escape(str(len(frame)))} in all)</p>"
    return text


class _StyledFrame(pd.DataFrame):
    _state_columns: ClassVar[tuple[str, ...]] = ()

    @property
    def _constructor(self) -> type[pd.DataFrame]:
        return pd.DataFrame

    def _repr_html_(self) -> str | None:
        return styled_html(pd.DataFrame(self), self._state_columns)


class StatusFrame(_StyledFrame):
    """A pod status frame from the engine, coloured by container state."""

    def _repr_html_(self) -> str | None:
        frame = pd.DataFrame(self)
        if {"state", "reason"} <= set(frame.columns):
            return styled_html(frame, row_styles=container_styles)
        return styled_html(frame, ("state", "phase", "status"))


class EventsFrame(_StyledFrame):
    """Events from the engine, warnings in red."""

    def _repr_html_(self) -> str | None:
        return styled_html(pd.DataFrame(self), row_styles=event_styles)


def event_styles(row: pd.Series) -> list[str]:
    """CSS for one events-frame row: a Warning's type and reason are red."""
    warn = str(row.get("type", "")) == "Warning"
    return [BAD if warn and str(col) in ("type", "reason") else "" for col in row.index]


class HistoryFrame(_StyledFrame):
    """The run history, coloured by status and exit code."""

    _state_columns = ("status",)


def as_status_frame(frame: pd.DataFrame) -> pd.DataFrame:
    return StatusFrame(frame)


def as_events_frame(frame: pd.DataFrame) -> pd.DataFrame:
    return EventsFrame(frame)


def as_history_frame(frame: pd.DataFrame) -> pd.DataFrame:
    return HistoryFrame(frame)
