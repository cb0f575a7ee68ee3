"""Run history and transcripts: records, JSON Lines persistence, exports.

Free of IPython (and of pandas until a DataFrame is asked for), so the CLI and
the widgets can keep the same history as the magics.
"""

from __future__ import annotations

from kdebug_nb.runbook.export import export, fence_for, to_json, to_markdown
from kdebug_nb.runbook.record import HistoryRecord
from kdebug_nb.runbook.redact import Redactor, redact_args, redact_line, redact_text
from kdebug_nb.runbook.store import (
    COLUMNS,
    DEFAULT_FILENAME,
    HistoryFile,
    HistoryStore,
    default_history_path,
    read_history,
    read_history_file,
    to_frame,
)

__all__ = [
    "COLUMNS",
    "DEFAULT_FILENAME",
    "HistoryFile",
    "HistoryRecord",
    "HistoryStore",
    "Redactor",
    "default_history_path",
    "export",
    "fence_for",
    "read_history",
    "read_history_file",
    "redact_args",
    "redact_line",
    "redact_text",
    "to_frame",
    "to_json",
    "to_markdown",
]
