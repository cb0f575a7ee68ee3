"""A postmortem document from a run history, as Markdown.

The sections are the ones a blameless review asks for (summary, impact,
timeline, what was run and found, root cause, action items; see the example
postmortem in Google's SRE book, https://sre.google/sre-book/example-postmortem/).
The people write the prose; the history supplies the facts: when each command
ran, where, with which outcome, and its output in the appendix.

Everything that comes from a container (output, a command line typed during
the incident) is untrusted: table cells escape it as HTML entities and Markdown
table syntax, and the appendix keeps it in fence-safe code blocks
(``kdebug_nb.runbook.export``).
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from kdebug_nb.runbook.export import record_markdown, when
from kdebug_nb.runbook.record import HistoryRecord

if TYPE_CHECKING:
    import pandas as pd

#: columns of ``runs_frame``
RUN_COLUMNS = ("run", "time", "target", "command", "exit_code", "status", "finding")


@dataclass(frozen=True)
class Postmortem:
    """What the reviewers write, next to the records of what was run.

    ``findings`` maps a run number (1-based, the order of ``records``) to what
    that run showed; ``action_items`` are ``(action, owner)`` pairs or plain text.
    """

    title: str
    records: Sequence[HistoryRecord]
    summary: str = ""
    impact: str = ""
    root_cause: str = ""
    findings: Mapping[int, str] = field(default_factory=dict)
    action_items: Sequence[tuple[str, str] | str] = ()


def cell(text: object) -> str:
    """Text safe inside a Markdown table cell: HTML escaped, no pipes, one line."""
    one_line = " ".join(str(text).split())
    return html.escape(one_line, quote=False).replace("|", "&#124;").replace("`", "&#96;")


def runs_frame(records: Iterable[HistoryRecord], findings: Mapping[int, str] | None = None) -> pd.DataFrame:
    """One row per run: number, time (whole seconds, UTC), target, command, exit code,
    status and the finding written for it ("" when none)."""
    import pandas as pd

    notes = findings or {}
    rows = [
        {
            "run": i,
            "time": when(r.started_at),
            "target": r.target or r.pod,
            "command": r.command_line,
            "exit_code": r.exit_code,
            "status": r.status,
            "finding": notes.get(i, ""),
        }
        for i, r in enumerate(records, 1)
    ]
    frame = pd.DataFrame(rows, columns=list(RUN_COLUMNS))
    frame["exit_code"] = frame["exit_code"].astype("Int64")
    return frame.astype({c: object for c in ("time", "target", "command", "status", "finding")})


def _table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return lines


def _section(title: str, text: str) -> list[str]:
    return [f"## {title}", "", text.strip() or "_(to be written)_", ""]


def to_markdown(pm: Postmortem, *, figure: str | Path | None = None) -> str:
    """The postmortem as Markdown; ``figure`` is the timeline image's path, linked as is."""
    records = list(pm.records)
    started = [r.started_at for r in records if r.started_at]
    ended = [r.finished_at for r in records if r.finished_at]
    contexts = sorted({r.context for r in records if r.context})
    out = [f"# {pm.title}", ""]
    if records:
        out += [
            f"{len(records)} run(s) from {when(min(started))} to {when(max(ended or started))}"
            + (f" on {', '.join(cell(c) for c in contexts)}" if contexts else "")
            + ".",
            "",
        ]
    out += _section("Summary", pm.summary)
    out += _section("Impact", pm.impact)
    out += ["## Timeline", ""]
    if figure:
        out += [f"![Runs over time, coloured by outcome]({Path(figure).as_posix()})", ""]
    out += _table(
        ("#", "time", "target", "command", "exit", "status"),
        (
            (i, when(r.started_at), r.target or r.pod, r.command_line,
             "" if r.exit_code is None else r.exit_code, r.status)
            for i, r in enumerate(records, 1)
        ),
    )
    out += ["", "## Findings", ""]
    found = [(i, text) for i, text in sorted(pm.findings.items()) if text.strip()]
    out += _table(("run", "command", "finding"),
                  ((i, records[i - 1].command_line if 0 < i <= len(records) else "?", text)
                   for i, text in found)) if found else ["_(none recorded)_"]
    out += [""] + _section("Root cause", pm.root_cause)
    out += ["## Action items", ""]
    items = [(a, "") if isinstance(a, str) else a for a in pm.action_items]
    out += _table(("action", "owner"), items) if items else ["_(none yet)_"]
    out += ["", "## Appendix: every run and its output", ""]
    # one level down: each run is a subsection of the appendix
    out += ["#" + record_markdown(i, r) + "\n" for i, r in enumerate(records, 1)]
    return "\n".join(out).rstrip() + "\n"


def export(pm: Postmortem, path: str | Path, *, figure: str | Path | None = None) -> Path:
    """Write ``to_markdown(pm)`` to ``path`` (UTF-8) and return the path."""
    target = Path(path)
    target.write_text(to_markdown(pm, figure=figure), encoding="utf-8")
    return target


__all__ = ["RUN_COLUMNS", "Postmortem", "cell", "export", "runs_frame", "to_markdown", "when"]
