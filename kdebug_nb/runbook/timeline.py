"""A history's runs over time, coloured by outcome, as a matplotlib figure.

``timeline(frame)`` takes the history DataFrame (``HistoryStore.to_frame``,
``%khistory``'s value, or a loaded history file); the same is reachable as
``frame.kdebug.timeline()`` once this module is imported (a pandas accessor,
https://pandas.pydata.org/docs/development/extending.html). One row per target,
one bar per run from its start for its duration.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

#: outcome -> colour (colour-blind-safe Okabe-Ito palette); order is the legend's
OUTCOME_COLOURS = {
    "exit 0": "#009E73",
    "exit non-zero": "#E69F00",
    "error": "#D55E00",
    "interrupted": "#999999",
    "unfinished": "#0072B2",
}
#: a bar never narrower than this share of the time axis, so instant runs stay visible
MIN_WIDTH_SHARE = 0.004


def outcome(status: str, exit_code: Any) -> str:
    """The legend name of a run: its status, split by exit code when it ran."""
    if status == "ok":
        return "exit 0" if exit_code == 0 else "exit non-zero"
    if status in ("error", "interrupted"):
        return status
    return "unfinished"


def timeline(frame: pd.DataFrame, *, title: str = "Runs over time") -> Figure:
    """The runs of ``frame`` (history schema: time, target, duration, status, exit_code)."""
    import matplotlib.pyplot as plt
    import pandas as pd
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter, date2num
    from matplotlib.patches import Patch

    missing = {"time", "target", "duration", "status", "exit_code"} - set(frame.columns)
    if missing:
        raise ValueError(f"not a history frame: columns {sorted(missing)} are missing")
    targets = list(dict.fromkeys(frame["target"].fillna("").astype(str)))
    # made through pyplot so a notebook's inline backend knows how to show it, then
    # closed so pyplot does not show it a second time at the end of the cell
    fig = plt.figure(figsize=(9, 1.2 + 0.45 * max(len(targets), 1)), layout="constrained")
    plt.close(fig)
    ax = fig.add_subplot()
    ax.set_title(title)
    if frame.empty:
        ax.text(0.5, 0.5, "no runs", ha="center", va="center", transform=ax.transAxes)
        ax.set_yticks([])
        return fig
    starts = pd.to_datetime(frame["time"], utc=True)
    seconds = frame["duration"].astype("float64").fillna(0.0).clip(lower=0.0)
    left = date2num(starts.dt.tz_convert(None).dt.to_pydatetime())
    span = max(float(left.max() - left.min()) + float(seconds.max()) / 86400, 1 / 86400)
    widths = [max(s / 86400, span * MIN_WIDTH_SHARE) for s in seconds]
    rows = [targets.index(str(t or "")) for t in frame["target"].fillna("")]
    colours = [
        OUTCOME_COLOURS[outcome(str(s), None if pd.isna(c) else int(c))]
        for s, c in zip(frame["status"], frame["exit_code"], strict=True)
    ]
    ax.barh(rows, widths, left=left, height=0.6, color=colours, edgecolor="black", linewidth=0.4)
    ax.set_yticks(range(len(targets)), targets)
    ax.invert_yaxis()
    locator = AutoDateLocator()
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(ConciseDateFormatter(locator))
    ax.set_xlabel("time (UTC)")
    seen = {outcome(str(s), None if pd.isna(c) else int(c))
            for s, c in zip(frame["status"], frame["exit_code"], strict=True)}
    ax.legend(
        handles=[Patch(color=c, label=o) for o, c in OUTCOME_COLOURS.items() if o in seen],
        loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False,
    )
    return fig


def _register_accessor() -> None:
    import pandas as pd

    if "kdebug" in getattr(pd.DataFrame, "_accessors", set()):
        return

    @pd.api.extensions.register_dataframe_accessor("kdebug")
    class HistoryAccessor:
        """``frame.kdebug.timeline()`` on a history DataFrame."""

        def __init__(self, frame: pd.DataFrame) -> None:
            self._frame = frame

        def timeline(self, **kwargs: Any) -> Figure:
            return timeline(self._frame, **kwargs)


_register_accessor()
