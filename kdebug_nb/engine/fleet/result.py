"""What a fleet run returns: one row per pod, a summary, each pod's ``DebugResult``.

``FleetResult.frame`` has a fixed schema (``FRAME_COLUMNS``):

==========  ==================================================================
namespace   the target pod's namespace ("" for nodes)
pod         the target pod; for a node, the node-debugging pod that ran there
node        the node the debug container ran on
container   the debug container's name
image       the debug container's image
exit_code   the command's exit code (nullable integer: none when it never ran)
reason      ``Completed``, ``Error``, ``ErrImagePull``..., or why it did not run:
            the error's kind (``Forbidden``, ``NotFound``, ``StartTimeout``),
            ``RunTimeout``, ``Interrupted``, ``Abandoned``
duration    seconds, from reading the target to the end of the run
output      what the command printed, at most ``--max-output`` bytes
            (a cut is marked at the end: ``TRUNCATION_MARK``)
error       the one-line error, "" when the run itself went through
==========  ==================================================================

Container output is untrusted: the HTML display escapes every cell.
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kdebug_nb.engine.runs.result import DebugResult

if TYPE_CHECKING:
    import pandas as pd

FRAME_COLUMNS = (
    "namespace", "pod", "node", "container", "image", "exit_code", "reason", "duration",
    "output", "error",
)
TRUNCATION_MARK = "\n[kdebug: output cut at {kept} bytes; {dropped} more bytes not kept]\n"
#: reasons counted as "timed out" in the summary
TIMEOUT_REASONS = frozenset({"StartTimeout", "RunTimeout"})
#: rows the HTML display shows before saying how many more there are
HTML_ROWS = 100
HTML_OUTPUT_CHARS = 200


def cap_output(text: str, max_bytes: int) -> str:
    """``text`` cut to ``max_bytes`` of UTF-8 (never mid-character), the cut marked."""
    data = text.encode("utf-8", "surrogatepass")
    if len(data) <= max_bytes:
        return text
    kept = data[:max_bytes].decode("utf-8", "ignore")
    return kept + TRUNCATION_MARK.format(kept=max_bytes, dropped=len(data) - max_bytes)


@dataclass
class FleetEntry:
    """One target's outcome: always a ``DebugResult``, and the error if the run raised one."""

    target: str  # "pod/x" or "node/x"
    namespace: str
    result: DebugResult
    error: str = ""

    @property
    def status(self) -> str:
        """``ok``, ``failed``, ``timed out``, ``interrupted`` or ``not started``."""
        reason = self.result.reason
        if reason in TIMEOUT_REASONS:
            return "timed out"
        if reason == "NotStarted":
            return "not started"
        if reason in ("Interrupted", "Abandoned"):
            return "interrupted"
        if self.error or not self.result.ok:
            return "failed"
        return "ok"

    def row(self) -> dict[str, Any]:
        r = self.result
        kind, _, name = self.target.partition("/")
        return {
            "namespace": self.namespace,
            "pod": name if kind == "pod" else r.pod,
            "node": name if kind == "node" else r.node,
            "container": r.container or "",
            "image": r.image,
            "exit_code": r.exit_code,
            "reason": r.reason,
            "duration": r.duration,
            "output": r.output,
            "error": self.error,
        }


@dataclass
class FleetResult:
    """The outcome of a fleet run, pod by pod, in the order the targets were listed."""

    entries: list[FleetEntry] = field(default_factory=list)
    elapsed: float = 0.0
    concurrency: int = 0
    #: the run was interrupted: some targets did not start or were abandoned
    interrupted: bool = False
    #: API requests the run made (from the connection's rate limiter), and how many got a 429
    requests: int = 0
    throttled: int = 0
    #: the listing of targets failed part way (the pods listed before it did run)
    list_error: str = ""
    _frame: Any = field(default=None, repr=False, compare=False)

    # ---- the pods -------------------------------------------------------

    @property
    def results(self) -> list[DebugResult]:
        return [e.result for e in self.entries]

    def __len__(self) -> int:
        return len(self.entries)

    def __iter__(self) -> Iterator[DebugResult]:
        return iter(self.results)

    def __getitem__(self, key: int | str) -> DebugResult:
        """By position, or by target name (``"web-1"``, ``"pod/web-1"``, ``"ns/web-1"``)."""
        if isinstance(key, int):
            return self.entries[key].result
        for e in self.entries:
            name = e.target.partition("/")[2]
            if key in (name, e.target, f"{e.namespace}/{name}"):
                return e.result
        raise KeyError(key)

    def counts(self) -> dict[str, int]:
        out = {"ok": 0, "failed": 0, "timed out": 0, "interrupted": 0, "not started": 0}
        for e in self.entries:
            out[e.status] += 1
        return out

    @property
    def ok(self) -> bool:
        """Every pod's command ran and exited 0, and nothing was interrupted."""
        return not self.interrupted and all(e.status == "ok" for e in self.entries)

    @property
    def failed(self) -> list[FleetEntry]:
        return [e for e in self.entries if e.status != "ok"]

    # ---- renderings -----------------------------------------------------

    @property
    def frame(self) -> pd.DataFrame:
        """One row per target (``FRAME_COLUMNS``), built once."""
        if self._frame is None:
            import pandas as pd

            frame = pd.DataFrame([e.row() for e in self.entries], columns=list(FRAME_COLUMNS))
            frame["exit_code"] = frame["exit_code"].astype("Int64")
            frame["duration"] = frame["duration"].astype("float64")
            self._frame = frame
        return self._frame

    def summary(self) -> str:
        """``50 pods: 45 ok, 3 failed, 2 timed out · 4.21s · concurrency 10``."""
        counts = self.counts()
        kinds = {e.target.partition("/")[0] for e in self.entries} or {"pod"}
        noun = "node" if kinds == {"node"} else "pod"
        n = len(self.entries)
        parts = [f"{counts['ok']} ok", f"{counts['failed']} failed", f"{counts['timed out']} timed out"]
        parts += [f"{counts[k]} {k}" for k in ("interrupted", "not started") if counts[k]]
        line = f"{n} {noun}{'s' if n != 1 else ''}: " + ", ".join(parts)
        line += f" · {self.elapsed:.2f}s · concurrency {self.concurrency}"
        if self.throttled:
            line += f" · {self.throttled} throttled requests retried"
        if self.list_error:
            line += f" · listing stopped: {self.list_error}"
        elif self.interrupted:
            line += " · interrupted"
        return line

    def __repr__(self) -> str:
        lines = [f"FleetResult({self.summary()})"]
        for e in self.entries:
            r = e.result
            state = e.error or (f"exit {r.exit_code}" if r.exit_code is not None else r.reason)
            where = f"{e.namespace}/" if e.namespace else ""
            lines.append(f"  {where}{e.target.partition('/')[2]}: {e.status} ({state})")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        shown = self.frame.head(HTML_ROWS).copy()
        shown["output"] = [
            o if len(o) <= HTML_OUTPUT_CHARS else o[:HTML_OUTPUT_CHARS] + "…" for o in shown["output"]
        ]
        colour = "#2e7d32" if self.ok else "#c62828"
        more = ""
        if len(self.frame) > HTML_ROWS:
            more = f"<div>… {len(self.frame) - HTML_ROWS} more rows in .frame</div>"
        table = shown.to_html(index=False, escape=True, na_rep="", classes="kdebug-fleet")
        return (
            '<div class="kdebug-fleet-result">'
            f'<div style="font-family:monospace"><span style="color:{colour};font-weight:bold">●'
            f"</span> {html.escape(self.summary())}</div>{table}{more}</div>"
        )


__all__ = ["FRAME_COLUMNS", "TRUNCATION_MARK", "FleetEntry", "FleetResult", "cap_output"]
