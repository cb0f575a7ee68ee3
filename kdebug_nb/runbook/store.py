"""The history of one kernel, persisted as JSON Lines as it happens.

Each run is written twice: once when it starts (status "started") and once
when it ends. A kernel that crashes mid-run therefore still leaves the run in
the file, and a restarted kernel can read everything back. The file is append
only; when one id appears several times the last line wins.
"""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from kdebug_nb.runbook.record import HistoryRecord, new_id

if TYPE_CHECKING:
    import pandas as pd

DEFAULT_FILENAME = "kdebug-history.jsonl"

#: the DataFrame schema of ``HistoryStore.to_frame`` (documented, fixed order)
COLUMNS = (
    "time",
    "context",
    "namespace",
    "target",
    "mode",
    "image",
    "command",
    "exit_code",
    "duration",
    "output",
    "status",
    "id",
)


def default_history_path() -> Path:
    """Beside the notebook: a kernel's working directory is the notebook's folder."""
    return Path.cwd() / DEFAULT_FILENAME


def read_history(path: str | Path) -> list[HistoryRecord]:
    """Every record in a JSON Lines history file, last version of each id, in order.

    Lines that are not valid JSON (a write cut short by a crash) are skipped.
    """
    latest: dict[str, HistoryRecord] = {}
    try:
        with open(path, encoding="utf-8") as fh:
            for raw in fh:
                raw = raw.strip()
                if not raw:
                    continue
                try:
                    record = HistoryRecord.from_dict(json.loads(raw))
                except (ValueError, TypeError):
                    continue
                latest.pop(record.id, None)
                latest[record.id] = record
    except FileNotFoundError:
        return []
    return sorted(latest.values(), key=lambda r: r.started_at)


class HistoryStore:
    """Runs of this kernel, in memory and appended to ``path`` (None: memory only)."""

    def __init__(self, path: str | Path | None = None, *, session: str | None = None) -> None:
        self.path: Path | None = Path(path) if path else None
        self.session = session or new_id()
        self._records: dict[str, HistoryRecord] = {}
        self._warned = False

    @property
    def records(self) -> list[HistoryRecord]:
        return list(self._records.values())

    def start(self, record: HistoryRecord) -> HistoryRecord:
        """Keep a new "started" record and write it out before the run begins."""
        if not record.session:
            record = replace(record, session=self.session)
        self._records[record.id] = record
        self._append(record)
        return record

    def finish(self, record: HistoryRecord) -> HistoryRecord:
        """Replace a record by its ended version and write that out too."""
        self._records[record.id] = record
        self._append(record)
        return record

    def moved_to(self, path: str | Path | None) -> HistoryStore:
        """The same session and records, written to ``path`` from now on."""
        store = HistoryStore(path, session=self.session)
        store._records.update(self._records)
        return store

    def clear(self) -> int:
        """Forget this kernel's records (the file keeps them); returns how many."""
        n = len(self._records)
        self._records.clear()
        return n

    def load(self) -> list[HistoryRecord]:
        """Every record of the history file, from every kernel that wrote it."""
        if self.path is None:
            return self.records
        on_disk = {r.id: r for r in read_history(self.path)}
        # records not (yet) on disk, e.g. when the file could not be written
        for rid, record in self._records.items():
            on_disk.setdefault(rid, record)
        return sorted(on_disk.values(), key=lambda r: r.started_at)

    def _append(self, record: HistoryRecord) -> None:
        if self.path is None:
            return
        line = json.dumps(record.to_dict(), ensure_ascii=False, separators=(",", ":"))
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # one write per line with O_APPEND: concurrent kernels don't interleave
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(fd, (line + "\n").encode("utf-8"))
            finally:
                os.close(fd)
        except OSError as exc:
            if not self._warned:
                self._warned = True
                warnings.warn(
                    f"kdebug history not written to {self.path}: {exc}; "
                    "set %config KDebug.history_path to a writable file",
                    stacklevel=2,
                )

    def to_frame(self, records: Iterable[HistoryRecord] | None = None) -> pd.DataFrame:
        return to_frame(self.records if records is None else records)


def to_frame(records: Iterable[HistoryRecord]) -> pd.DataFrame:
    """Records as a DataFrame with the ``COLUMNS`` schema (output as a preview).

    ``frame.kdebug.timeline()`` draws it (``kdebug_nb.runbook.timeline``).
    """
    import pandas as pd

    import kdebug_nb.runbook.timeline  # noqa: F401  (registers the frame.kdebug accessor)

    rows = [
        {
            "time": pd.Timestamp(r.started_at),
            "context": r.context,
            "namespace": r.namespace,
            "target": r.target,
            "mode": r.mode,
            "image": r.image,
            "command": " ".join(r.command) if r.command else r.command_line,
            "exit_code": r.exit_code,
            "duration": r.duration,
            "output": r.preview,
            "status": r.status,
            "id": r.id,
        }
        for r in records
    ]
    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    frame["exit_code"] = frame["exit_code"].astype("Int64")
    frame["duration"] = frame["duration"].astype("float64")
    return frame
