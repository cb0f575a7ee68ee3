"""The ``kdebug`` command's fleet runs: each pod's output prefixed by its name.

Lines look like ``kubectl logs --prefix``'s (``[pod/NAME/CONTAINER] line``,
``staging/src/k8s.io/kubectl/pkg/cmd/logs/logs.go``, ``addPrefixIfNeeded``),
printed as each pod finishes so two pods' lines never interleave. Errors go
to stderr with the same prefix; a progress line (done / failed / running,
elapsed) is redrawn on stderr when it is a terminal; the summary ends the
run. The exit code is 0 when every pod's command exited 0, 1 when any
failed, 130 when interrupted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from kdebug_nb.engine import DebugOptions, FleetEntry, FleetProgress, Session


def prefix(entry: FleetEntry) -> str:
    r = entry.result
    kind, _, name = entry.target.partition("/")
    container = f"/{r.container}" if r.container else ""
    return f"[{kind}/{name}{container}]"


class _StatusLine:
    """One line on a terminal, redrawn in place; nothing when not a terminal."""

    def __init__(self, err: TextIO) -> None:
        self.err = err
        self.enabled = bool(getattr(err, "isatty", lambda: False)())
        self.shown = False

    def show(self, text: str) -> None:
        if self.enabled:
            self.err.write(f"\r\x1b[K{text}")
            self.err.flush()
            self.shown = True

    def clear(self) -> None:
        if self.shown:
            self.err.write("\r\x1b[K")
            self.err.flush()
            self.shown = False


def run_fleet(session: Session, opts: DebugOptions, out: TextIO, err: TextIO) -> int:
    """Run the fleet on ``session`` (the command's: history only with --history)."""
    status = _StatusLine(err)

    def on_entry(entry: FleetEntry) -> None:
        status.clear()
        head = prefix(entry)
        for line in entry.result.output.splitlines():
            out.write(f"{head} {line}\n")
        out.flush()
        if entry.error:
            err.write(f"{head} error: {entry.error}\n")
            err.flush()
        elif entry.status != "ok":
            code = entry.result.exit_code
            what = f"exit {code}" if code is not None else entry.result.reason
            err.write(f"{head} {what}" + (f" ({entry.result.reason})" if code is not None else "")
                      + "\n")
            err.flush()

    def on_progress(p: FleetProgress) -> None:
        status.show(p.line)

    result = session.fleet(opts, on_progress=on_progress, on_entry=on_entry, source="cli")
    status.clear()
    err.write(result.summary() + "\n")
    err.flush()
    if result.interrupted:
        return 130
    return 0 if result.ok else 1
