"""``%kdebug -l ...``: a fleet run in a cell, with a progress bar, returning a ``FleetResult``.

The engine runs the fleet and reports ``FleetProgress``; this adapter draws
it: an ipywidgets progress bar with done / failed / running counts and the
elapsed time in a notebook frontend, a redrawn line on a terminal's stderr,
nothing elsewhere. The bar stays after the run with the final counts; the
result's own display (summary + escaped table) follows it.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from kdebug_nb.magics.progress import _in_frontend

if TYPE_CHECKING:
    from kdebug_nb.engine import DebugOptions, FleetProgress, FleetResult


class FleetProgressBar:
    """``on_progress`` for fleet runs: a widget bar in notebooks, a text line in terminals."""

    def __init__(self, *, enabled: bool = True, rich: bool | None = None) -> None:
        self.enabled = enabled
        self.rich = _in_frontend() if rich is None else rich
        self.bar: Any = None
        self.label: Any = None
        self._tty_shown = False
        self.last = ""

    def __call__(self, progress: FleetProgress) -> None:
        self.last = progress.line
        if not self.enabled:
            return
        if self.rich:
            self._widget(progress)
        elif sys.stderr.isatty():
            sys.stderr.write("\r\x1b[K" + progress.line)
            sys.stderr.flush()
            self._tty_shown = True

    def _widget(self, progress: FleetProgress) -> None:
        if self.bar is None:
            try:
                import ipywidgets as w
                from IPython.display import display
            except ImportError:  # the notebook extra is not installed: a text line will do
                self.rich = False
                return
            self.bar = w.IntProgress(value=0, min=0, max=1, description="kdebug",
                                     bar_style="info")
            self.label = w.Label("")
            display(w.HBox([self.bar, self.label]))
        total = progress.total if progress.total is not None else progress.done + progress.running
        self.bar.max = max(total, 1)
        self.bar.value = progress.done
        if progress.failed:
            self.bar.bar_style = "warning"
        self.label.value = progress.line

    def finish(self, result: FleetResult) -> None:
        if self.bar is not None:
            self.bar.max = max(len(result), 1)
            self.bar.value = len(result)
            self.bar.bar_style = "success" if result.ok else "danger"
            self.label.value = result.summary()
        if self._tty_shown:
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()
            self._tty_shown = False


def run_fleet(opts: DebugOptions, *, progress: bool = True) -> FleetResult:
    """The fleet on the default session, so every pod's run lands in ``%khistory``."""
    from kdebug_nb.engine import default_session

    bar = FleetProgressBar(enabled=progress)
    result = default_session().fleet(opts, on_progress=bar, source="%kdebug")
    bar.finish(result)
    return result
