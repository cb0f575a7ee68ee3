"""History as a postmortem-ready Markdown transcript, or as JSON.

Markdown: one section per run with UTC times, the cluster context and
namespace, the command in a fenced block, its output in a fenced block and its
exit code. Fences are always longer than any backtick run they enclose, so no
container output can close a block early and inject Markdown.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from kdebug_nb.errors import HistoryError
from kdebug_nb.runbook.record import HistoryRecord

_BACKTICKS = re.compile(r"`+")


def fence_for(text: str) -> str:
    """A backtick fence longer than the longest backtick run in ``text`` (3 at least)."""
    longest = max((len(m) for m in _BACKTICKS.findall(text)), default=0)
    return "`" * max(3, longest + 1)


def fenced(text: str, info: str = "") -> str:
    fence = fence_for(text)
    body = text if text.endswith("\n") or not text else text + "\n"
    return f"{fence}{info}\n{body}{fence}"


def code_span(text: str) -> str:
    """Inline code that survives backticks inside ``text``."""
    if not text:
        return "``"
    ticks = "`" * (max((len(m) for m in _BACKTICKS.findall(text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def when(stamp: str) -> str:
    """A record's ISO time as ``YYYY-MM-DD HH:MM:SS UTC`` (whole seconds); "" for none,
    and text that is not an ISO time as it stands."""
    if not stamp:
        return ""
    try:
        moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return stamp
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _utc(stamp: str) -> str:
    return when(stamp) or "—"


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _size_note(kept: str, size: int | None) -> str:
    """Says how long the original was when the history kept only its head and tail."""
    if size is None or size <= len(kept):
        return ""
    return f" ({size:,} characters; head and tail kept)"


def record_markdown(index: int, r: HistoryRecord) -> str:
    parts = [f"## {index}. {code_span(_one_line(r.command_line))}", ""]
    ended = _utc(r.finished_at) if r.finished_at else "never seen to end"
    duration = f" ({r.duration:.2f} s)" if r.duration is not None else ""
    parts.append(f"- **Started:** {_utc(r.started_at)}; **ended:** {ended}{duration}")
    parts.append(
        f"- **Cluster context:** {code_span(r.context or '?')}; "
        f"**namespace:** {code_span(r.namespace or '?')}"
    )
    if r.target or r.pod:
        where = f"- **Target:** {code_span(r.target or r.pod)}"
        if r.mode:
            where += f" ({r.mode})"
        if r.pod and r.pod != r.target:
            where += f"; debug pod {code_span(r.pod)}"
        if r.container:
            where += f"; container {code_span(r.container)}"
        if r.image:
            where += f"; image {code_span(r.image)}"
        parts.append(where)
    exit_code = "—" if r.exit_code is None else str(r.exit_code)
    parts.append(f"- **Status:** {r.status}; **exit code:** {exit_code}")
    parts += ["", "Command:", "", fenced(r.command_line, "text")]
    if r.stdin:
        parts += ["", f"Input (stdin){_size_note(r.stdin, r.stdin_size)}:", "", fenced(r.stdin, "sh")]
    output_head = f"Output{_size_note(r.output, r.output_size)}:"
    parts += ["", output_head, "", fenced(r.output, "text") if r.output else "_(no output)_"]
    if r.error:
        parts += ["", "Error:", "", fenced(r.error, "text")]
    return "\n".join(parts)


def to_markdown(records: Iterable[HistoryRecord], *, title: str = "kdebug session history") -> str:
    """The transcript of ``records`` as Markdown (UTC times, fence-safe blocks)."""
    items = list(records)
    contexts = sorted({r.context for r in items if r.context})
    head = [
        f"# {title}",
        "",
        f"Exported {_utc(datetime.now(UTC).isoformat())} — {len(items)} run(s)"
        + (f" on cluster context(s) {', '.join(code_span(c) for c in contexts)}" if contexts else "")
        + ".",
        "",
    ]
    body = [record_markdown(i, r) + "\n" for i, r in enumerate(items, 1)]
    return "\n".join(head + body).rstrip() + "\n"


def to_json(records: Iterable[HistoryRecord]) -> str:
    """The records as a JSON document: ``{"exported_at": ..., "runs": [...]}``."""
    doc = {
        "exported_at": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "runs": [r.to_dict() for r in records],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def export(records: Iterable[HistoryRecord], path: str | Path) -> Path:
    """Write ``records`` to ``path``: ``.json`` as JSON, anything else as Markdown.

    The file is private (0600, like the history it comes from, even when it
    existed before); a path that cannot be written raises ``HistoryError``.
    """
    target = Path(path).expanduser()
    text = to_json(records) if target.suffix.lower() == ".json" else to_markdown(records)
    data = text.encode("utf-8", "replace")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.fchmod(fd, 0o600)
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
        finally:
            os.close(fd)
    except OSError as exc:
        raise HistoryError(
            f"cannot write the export to {target}: {exc.strerror or exc} — choose a writable path"
        ) from exc
    return target
