"""The record of one debug run, with text and HTML renderings.

Container output is untrusted: the HTML rendering escapes every value.
Where the output was streamed already (a magic's cell, the CLI), a result
shows only its status line; otherwise (the Python API) it shows the output
too, collapsed when long. Notebooks (``_repr_html_``) and IPython's terminal
(``_repr_pretty_``) follow the same rule.
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
    #: the output's bytes as the container's log holds them (``output`` is
    #: their UTF-8 decoding, with U+FFFD for invalid bytes)
    output_bytes: bytes = field(default=b"", repr=False)
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
    #: the --run-timeout that ended following (reason "RunTimeout"), in seconds
    run_timeout: float | None = None
    #: the object sent (PATCH body or Pod), kept for dry runs and history
    sent: dict[str, Any] | None = field(default=None, repr=False)
    #: the output was shown while it ran (set by the adapter that streamed it)
    streamed: bool = field(default=False, repr=False, compare=False)

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
        elif self.reason == "RunTimeout":
            state = f"stopped following after --run-timeout {self.run_timeout or 0:g}s"
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
        elif self.reason == "RunTimeout" and self.deleted:
            line += f" — {', '.join(self.deleted)} deleted (--rm)"
        return line

    def __repr__(self) -> str:
        lines = [f"DebugResult({self.status_line()})"]
        if self.output and not self.streamed:
            lines.append(_clip(self.output).rstrip("\n"))
        return "\n".join(lines)

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:
        p.text(self.status_line() if self.streamed or not self.output else repr(self))

    def _repr_html_(self) -> str:
        colour = "#2e7d32" if self.ok else ("#b26a00" if self.still_running else "#c62828")
        created = ""
        if self.created:
            created = (
                ' <span style="color:#666">created: '
                + html.escape(", ".join(self.created))
                + "</span>"
            )
        output = ""
        if self.output and not self.streamed:
            pre = f'<pre style="margin:0.3em 0">{_html_clip(self.output)}</pre>'
            lines = self.output.count("\n")
            if lines > _OPEN_LINES:
                pre = f"<details><summary>output ({lines} lines)</summary>{pre}</details>"
            output = pre
        return (
            '<div class="kdebug-result" style="font-family:monospace">'
            f'<span style="color:{colour};font-weight:bold">●</span> '
            f"{html.escape(self.status_line())}{created}{output}</div>"
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
        data.pop("streamed", None)
        data.pop("output_bytes", None)  # not JSON; ``output`` is its decoding
        return data


#: output longer than this many lines is shown collapsed in HTML
_OPEN_LINES = 20
#: characters of output a text repr shows
_TEXT_CHARS = 2000


def _clip(text: str) -> str:
    return text if len(text) <= _TEXT_CHARS else text[:_TEXT_CHARS] + "…"


#: characters of output an HTML display embeds (head and tail): a notebook
#: saves every display, so 50 MB of output must not become 50 MB of HTML
_HTML_CHARS = 100_000


def _html_clip(text: str) -> str:
    """Escaped head and tail of ``text`` within ``_HTML_CHARS``, saying what was left out."""
    if len(text) <= _HTML_CHARS:
        return html.escape(text)
    half = _HTML_CHARS // 2
    head, tail = text[:half], text[-half:]
    left_out = len(text) - len(head) - len(tail)
    lines = text.count("\n", half, len(text) - half)
    note = (
        f"\n… {left_out:,} characters ({lines:,} lines) left out here;"
        " the result's .output holds all of it …\n"
    )
    return (
        html.escape(head)
        + f'<span style="color:#666;font-style:italic">{html.escape(note)}</span>'
        + html.escape(tail)
    )
