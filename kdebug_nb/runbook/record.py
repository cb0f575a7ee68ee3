"""One history record: what was run, where, and what came of it."""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import UTC, datetime
from typing import Any, Literal

from kdebug_nb.runbook.redact import redact_args, redact_line, redact_text

Status = Literal["started", "ok", "error", "interrupted"]

#: output kept per record; longer output keeps its head and tail
OUTPUT_LIMIT = 64_000
PREVIEW_LIMIT = 80


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def new_id() -> str:
    return uuid.uuid4().hex[:12]


def _cap(text: str, limit: int = OUTPUT_LIMIT) -> str:
    if len(text) <= limit:
        return text
    half = limit // 2
    cut = len(text) - 2 * half
    return f"{text[:half]}\n... [{cut} characters cut] ...\n{text[-half:]}"


@dataclass(frozen=True)
class HistoryRecord:
    """A run as the history keeps it. Every text field is already redacted.

    ``status`` is "started" until the run ends; a record still "started" after
    its kernel died is a run whose end nobody saw.
    """

    id: str = field(default_factory=new_id)
    session: str = ""
    magic: str = "%kdebug"
    #: the line as typed (after variable expansion), credentials masked
    line: str = ""
    #: stdin sent to the command (the body of a %%kdebug cell)
    stdin: str = ""
    started_at: str = field(default_factory=utc_now)
    finished_at: str = ""
    context: str = ""
    namespace: str = ""
    target: str = ""
    mode: str = ""
    pod: str = ""
    container: str = ""
    image: str = ""
    command: tuple[str, ...] = ()
    exit_code: int | None = None
    duration: float | None = None
    output: str = ""
    status: Status = "started"
    error: str = ""

    @classmethod
    def begin(cls, *, line: str, magic: str = "%kdebug", stdin: str = "", **known: Any) -> HistoryRecord:
        """A "started" record, redacting what the user typed."""
        command = tuple(redact_args(known.pop("command", ()) or ()))
        return cls(
            magic=magic,
            line=redact_line(line),
            stdin=redact_text(stdin),
            command=command,
            **known,
        )

    def finish(self, **changes: Any) -> HistoryRecord:
        """The same run, ended: redacts output/error and stamps the end time."""
        if "output" in changes:
            changes["output"] = _cap(redact_text(changes["output"] or ""))
        if "error" in changes:
            changes["error"] = redact_text(changes["error"] or "")
        if "command" in changes:
            changes["command"] = tuple(redact_args(changes["command"] or ()))
        changes.setdefault("finished_at", utc_now())
        return replace(self, **changes)

    @property
    def preview(self) -> str:
        """First output line, shortened, for the DataFrame."""
        text = self.output.strip() or self.error
        first = text.splitlines()[0] if text else ""
        more = len(text.splitlines()) > 1
        if len(first) > PREVIEW_LIMIT:
            return first[: PREVIEW_LIMIT - 1] + "…"
        return first + (" …" if more else "")

    @property
    def command_line(self) -> str:
        return f"{self.magic} {self.line}".rstrip()

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["command"] = list(self.command)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> HistoryRecord:
        names = {f.name for f in fields(cls)}
        known = {k: v for k, v in data.items() if k in names}
        if "command" in known:
            known["command"] = tuple(known["command"] or ())
        return cls(**known)
