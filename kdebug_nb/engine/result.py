"""The record of one debug run, with text and HTML renderings.

Container output is untrusted: the HTML rendering escapes every value. In a
notebook the output has usually been streamed into the cell already, so the
HTML form is a compact status line and never repeats the output.
"""

from __future__ import annotations

import html
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class DebugResult:
    """What a run did: where, with what, what it printed and how it ended.

    ``created`` lists every object the run created (``pod/x``,
    ``pod/x ephemeral container c``) so that it can be cleaned up or
    reported. ``still_running`` is True when the run stopped watching a
    container that was still running (``--detach``, an interrupt).
    ``events`` holds the pod's recent events when the command exited
    non-zero (a successful run spends no request on them).
    """

    pod: str
    namespace: str
    container: str | None
    mode: str
    image: str = ""
    node: str = ""
    command: tuple[str, ...] = ()
    output: str = ""
    exit_code: int | None = None
    reason: str = ""
    started_at: str | None = None
    finished_at: str | None = None
    duration: float | None = None
    created: tuple[str, ...] = ()
    events: tuple[dict[str, Any], ...] = ()
    interrupted: bool = False
    still_running: bool = False
    context: str = ""
    notices: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    deleted: tuple[str, ...] = ()
    #: the object sent (PATCH body or Pod), kept for dry runs and history
    sent: dict[str, Any] | None = field(default=None, repr=False)

    @property
    def ok(self) -> bool:
        """True when the command exited 0 (or a no-command run got its container going)."""
        if self.interrupted:
            return False
        if self.exit_code is None:
            return self.reason in ("Running", "Created", "DryRun", "")
        return self.exit_code == 0

    @property
    def logs_command(self) -> str:
        """How to read the debug container's log later with kubectl."""
        c = f" -c {self.container}" if self.container else ""
        return f"kubectl logs {self.pod}{c} -n {self.namespace}"

    def status_line(self) -> str:
        """One line: state, where, how long."""
        where = f"pod/{self.pod}" + (f" container {self.container}" if self.container else "")
        if self.reason == "DryRun":
            state = "dry run (nothing sent)"
        elif self.interrupted:
            state = "interrupted"
        elif self.exit_code is not None:
            state = f"exit {self.exit_code}" + (f" ({self.reason})" if self.reason else "")
        elif self.still_running:
            state = "running"
        else:
            state = self.reason or "created"
        parts = [state, where, f"ns {self.namespace}", f"{self.mode} mode"]
        if self.image:
            parts.append(f"image {self.image}")
        if self.duration is not None:
            parts.append(f"{self.duration:.2f}s")
        line = " · ".join(parts)
        if self.still_running:
            line += f" — still running; read its log with: {self.logs_command}"
        return line

    def __repr__(self) -> str:
        lines = [f"DebugResult({self.status_line()})"]
        if self.output:
            out = self.output if len(self.output) <= 2000 else self.output[:2000] + "…"
            lines.append(out.rstrip("\n"))
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        colour = "#2e7d32" if self.ok else ("#b26a00" if self.still_running else "#c62828")
        created = ""
        if self.created:
            created = (
                ' <span style="color:#666">created: '
                + html.escape(", ".join(self.created))
                + "</span>"
            )
        return (
            '<div class="kdebug-result" style="font-family:monospace">'
            f'<span style="color:{colour};font-weight:bold">●</span> '
            f"{html.escape(self.status_line())}{created}</div>"
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-serialisable data (history, transcripts)."""
        data = asdict(self)
        data["command"] = list(self.command)
        data["created"] = list(self.created)
        data["deleted"] = list(self.deleted)
        data["events"] = list(self.events)
        data["notices"] = list(self.notices)
        data["warnings"] = list(self.warnings)
        data["ok"] = self.ok
        return data
