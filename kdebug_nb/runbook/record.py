"""One history record: what was run, where, and what came of it.

Stdin and output are kept bounded (head and tail) with their full sizes
beside them: a history is read back whole by every ``%khistory --all``, and a
5 MB cell body written on both of a run's lines would grow it by 10 MB.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import UTC, datetime
from typing import Any, Literal

from kdebug_nb.runbook.redact import Redactor

Status = Literal["started", "ok", "error", "interrupted"]
STATUSES: tuple[Status, ...] = ("started", "ok", "error", "interrupted")

#: characters of output kept per record; longer output keeps its head and tail
OUTPUT_LIMIT = 64_000
#: characters of stdin kept per record, likewise
STDIN_LIMIT = 64_000
PREVIEW_LIMIT = 80
#: how far a cut may move to land on a line break (so no secret is cut in two)
_ALIGN = 4096


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def new_id() -> str:
    return uuid.uuid4().hex[:12]


def bounded(text: str, limit: int, redactor: Redactor) -> str:
    """``text`` redacted, keeping at most about ``limit`` characters: head and tail.

    Only the kept parts are redacted (redacting 50 MB to keep 64 KB would cost
    seconds). The cuts move to a line break where one is near, so a secret on
    a line is either kept whole, and masked, or left out whole.
    """
    if len(text) <= limit:
        return redactor.text(text)
    half = limit // 2
    head_end = text.rfind("\n", half - _ALIGN, half)
    head_end = half if head_end < 0 else head_end + 1
    tail_start = text.find("\n", len(text) - half, len(text) - half + _ALIGN)
    tail_start = len(text) - half if tail_start < 0 else tail_start + 1
    cut = tail_start - head_end
    head = redactor.text(text[:head_end])
    tail = redactor.text(text[tail_start:])
    sep = "" if head.endswith("\n") else "\n"
    return f"{head}{sep}... [{cut} characters left out of {len(text)}] ...\n{tail}"


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
    #: stdin sent to the command (the body of a %%kdebug cell), head and tail if long
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
    #: characters of stdin and of output the run had (``stdin``/``output`` may keep less)
    stdin_size: int | None = None
    output_size: int | None = None

    @classmethod
    def begin(
        cls,
        *,
        line: str,
        magic: str = "%kdebug",
        stdin: str | None = "",
        redactor: Redactor | None = None,
        **known: Any,
    ) -> HistoryRecord:
        """A "started" record, redacting what the user typed.

        Pass the history's ``redactor`` so that the values masked here are also
        masked in the output that ``finish`` records.
        """
        r = redactor or Redactor()
        stdin = stdin or ""
        command = tuple(r.args(known.pop("command", ()) or ()))
        line = r.line(line)
        return cls(
            magic=magic,
            line=line,
            stdin=bounded(stdin, STDIN_LIMIT, r),
            stdin_size=len(stdin),
            command=command,
            **known,
        )

    def finish(self, *, redactor: Redactor | None = None, **changes: Any) -> HistoryRecord:
        """The same run, ended: redacts and bounds output/error and stamps the end time."""
        r = redactor or Redactor()
        if "command" in changes:
            changes["command"] = tuple(r.args(changes["command"] or ()))
        if "output" in changes:
            output = changes["output"] or ""
            changes["output"] = bounded(output, OUTPUT_LIMIT, r)
            changes.setdefault("output_size", len(output))
        if "error" in changes:
            changes["error"] = bounded(changes["error"] or "", OUTPUT_LIMIT, r)
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
        """A record from its ``to_dict`` form; ``ValueError`` names a field of the wrong type.

        A history file is edited, merged and truncated by hand and by tools:
        every field is checked here, so a bad line is refused as a whole
        instead of breaking whoever sorts, renders or exports the records.
        Keys this version does not know are ignored.
        """
        known: dict[str, Any] = {}
        for f in fields(cls):
            if f.name not in data:
                continue
            value = data[f.name]
            if f.name == "command":
                if not isinstance(value, list | tuple) or not all(isinstance(w, str) for w in value):
                    raise ValueError("command is not a list of strings")
                value = tuple(_clean(w) for w in value)
            elif f.name in ("exit_code", "stdin_size", "output_size"):
                if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
                    raise ValueError(f"{f.name} is not an integer")
            elif f.name == "duration":
                if value is not None and (not isinstance(value, int | float) or isinstance(value, bool)):
                    raise ValueError("duration is not a number")
                value = None if value is None else float(value)
            elif not isinstance(value, str):
                raise ValueError(f"{f.name} is not a string")
            else:
                value = _clean(value)
            known[f.name] = value
        if known.get("status", "started") not in STATUSES:
            raise ValueError(f"status {known['status']!r} is not one of {', '.join(STATUSES)}")
        return cls(**known)


_SURROGATE = re.compile("[\ud800-\udfff]")


def _clean(text: str) -> str:
    """Lone surrogates (a JSON ``\\udcff`` escape) become U+FFFD, as Go's decoder does."""
    return _SURROGATE.sub("\ufffd", text)
