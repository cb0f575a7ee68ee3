"""The history of one kernel, persisted as JSON Lines as it happens.

Each run is written twice: once when it starts (status "started") and once
when it ends. A kernel that crashes mid-run therefore still leaves the run in
the file, and a restarted kernel can read everything back. The file is append
only; when one id appears several times the last line wins. Reading skips
every line it cannot use (bad bytes, not a JSON object, a field of the wrong
type) and counts them, so one damaged line never hides the rest.
"""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kdebug_nb.errors import HistoryError
from kdebug_nb.runbook.record import HistoryRecord, new_id
from kdebug_nb.runbook.redact import Redactor

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


@dataclass(frozen=True)
class HistoryFile:
    """What reading a history file gave: its records and the lines it had to skip."""

    path: Path
    records: list[HistoryRecord]
    #: 1-based numbers of the lines that held no usable record
    skipped_lines: tuple[int, ...] = field(default=())

    @property
    def skipped(self) -> int:
        return len(self.skipped_lines)

    def skipped_note(self) -> str:
        """One line saying what was skipped ("" when nothing was)."""
        if not self.skipped_lines:
            return ""
        shown = ", ".join(map(str, self.skipped_lines[:5]))
        more = ", ..." if self.skipped > 5 else ""
        return (
            f"skipped {self.skipped} unreadable line(s) of {self.path} "
            f"(line {shown}{more}): not a JSON object of a kdebug run"
        )


def read_history_file(path: str | Path) -> HistoryFile:
    """Every usable record of a JSON Lines history file (last version of each id, in order).

    A missing file has no records; one that cannot be opened raises ``HistoryError``.
    """
    path = Path(path)
    latest: dict[str, HistoryRecord] = {}
    skipped: list[int] = []
    try:
        with open(path, "rb") as fh:
            for number, raw in enumerate(fh, 1):
                if not raw.strip():
                    continue
                try:
                    data = json.loads(raw.decode("utf-8"))
                    if not isinstance(data, dict):
                        raise ValueError("not a JSON object")
                    record = HistoryRecord.from_dict(data)
                except ValueError:  # UnicodeDecodeError and JSONDecodeError included
                    skipped.append(number)
                    continue
                latest.pop(record.id, None)
                latest[record.id] = record
    except FileNotFoundError:
        return HistoryFile(path, [])
    except OSError as exc:
        raise HistoryError(
            f"cannot read the history file {path}: {exc.strerror or exc} — "
            "check its permissions, or point %config KDebug.history_path elsewhere"
        ) from exc
    records = sorted(latest.values(), key=lambda r: r.started_at)
    return HistoryFile(path, records, tuple(skipped))


def read_history(path: str | Path) -> list[HistoryRecord]:
    """The usable records of a history file (see ``read_history_file``)."""
    return read_history_file(path).records


class HistoryStore:
    """Runs of this kernel, in memory and appended to ``path`` (None: memory only)."""

    def __init__(
        self,
        path: str | Path | None = None,
        *,
        session: str | None = None,
        redactor: Redactor | None = None,
    ) -> None:
        self.path: Path | None = Path(path) if path else None
        self.session = session or new_id()
        #: what this history has masked; records built with it mask those values again
        self.redactor = redactor or Redactor()
        self._records: dict[str, HistoryRecord] = {}
        self._warned = False

    @property
    def records(self) -> list[HistoryRecord]:
        return list(self._records.values())

    def begin(self, *, line: str, **known: Any) -> HistoryRecord:
        """Record a run that starts now (``HistoryRecord.begin``'s arguments), redacted
        with this history's redactor; returns the record to pass to ``end``."""
        return self.start(HistoryRecord.begin(line=line, redactor=self.redactor, **known))

    def end(self, record: HistoryRecord, **changes: Any) -> HistoryRecord:
        """Record how ``record``'s run ended (``HistoryRecord.finish``'s arguments)."""
        return self.finish(record.finish(redactor=self.redactor, **changes))

    def start(self, record: HistoryRecord) -> HistoryRecord:
        """Keep a new "started" record and write it out before the run begins."""
        if not record.session:
            record = replace(record, session=self.session)
        record = self._mask_known(record)
        self._records[record.id] = record
        self._append(record)
        return record

    def finish(self, record: HistoryRecord) -> HistoryRecord:
        """Replace a record by its ended version and write that out too."""
        record = self._mask_known(record)
        self._records[record.id] = record
        self._append(record)
        return record

    def moved_to(self, path: str | Path | None) -> HistoryStore:
        """The same session and records, written to ``path`` from now on."""
        store = HistoryStore(path, session=self.session, redactor=self.redactor)
        store._records.update(self._records)
        return store

    def _mask_known(self, record: HistoryRecord) -> HistoryRecord:
        """Mask what this history has learnt to mask (kubeconfig credentials, earlier
        secrets), even in a record built without its redactor."""
        mask = self.redactor.mask_known
        return replace(
            record,
            line=mask(record.line),
            stdin=mask(record.stdin),
            output=mask(record.output),
            error=mask(record.error),
            command=tuple(mask(w) for w in record.command),
        )

    def clear(self) -> int:
        """Forget this kernel's records (the file keeps them); returns how many."""
        n = len(self._records)
        self._records.clear()
        return n

    def load(self) -> list[HistoryRecord]:
        """Every record of the history file, from every kernel that wrote it."""
        return self.read().records

    def read(self) -> HistoryFile:
        """The history file read back (with what it skipped), plus records not on disk."""
        if self.path is None:
            return HistoryFile(Path(), self.records)
        found = read_history_file(self.path)
        on_disk = {r.id: r for r in found.records}
        # records not (yet) on disk, e.g. when the file could not be written
        for rid, record in self._records.items():
            on_disk.setdefault(rid, record)
        records = sorted(on_disk.values(), key=lambda r: r.started_at)
        return HistoryFile(found.path, records, found.skipped_lines)

    def _append(self, record: HistoryRecord) -> None:
        if self.path is None:
            return
        line = json.dumps(record.to_dict(), ensure_ascii=False, separators=(",", ":"))
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # one write per line with O_APPEND: concurrent kernels don't interleave
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                # a lone surrogate from undecodable output must not lose the line
                os.write(fd, (line + "\n").encode("utf-8", "replace"))
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
