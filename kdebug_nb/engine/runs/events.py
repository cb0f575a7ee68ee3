"""What a run tells its observers, in order: started, waiting..., output..., then one end.

Every entry point (the Python API, the magics, the CLI, panels, fleet runs)
runs through ``Session.run``, which emits these to the session's observers
(the history recorder, progress displays). Each run ends with exactly one of
``RunFinished``, ``RunInterrupted`` or ``RunFailed``.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kdebug_nb.engine.debug_options import DebugOptions
    from kdebug_nb.engine.runs.result import DebugResult
    from kdebug_nb.errors import KDebugError

#: the steps a run reports while it has no output yet, in the order they come
WAIT_STATES: tuple[str, ...] = (
    "reading",  # GET of the target pod or node
    "creating",  # the PATCH or POST
    "waiting",  # the debug container is not running yet (reason: ContainerCreating, ...)
    "running",  # it runs; output follows
    "terminated",  # it has ended
    "deleting",  # --rm: the copy or node pod is being deleted
)


@dataclass(frozen=True)
class RunEvent:
    run_id: str


@dataclass(frozen=True)
class RunStarted(RunEvent):
    """Emitted before anything is checked or sent."""

    options: DebugOptions
    #: the command line as typed (magic, CLI) or rendered from the options (Python)
    line: str
    #: who asked: "python", "%kdebug", "%%kdebug", "cli", "panel", "fleet"
    source: str
    #: UTC, ISO 8601 with milliseconds
    started_at: str
    #: what will be sent to the command's stdin (a %%kdebug cell's body)
    stdin: str = ""


@dataclass(frozen=True)
class RunWaiting(RunEvent):
    """A step before output: ``state`` is one of :data:`WAIT_STATES`."""

    state: str
    reason: str = ""
    message: str = ""
    #: seconds since the run started
    elapsed: float = 0.0


@dataclass(frozen=True)
class RunOutput(RunEvent):
    """A chunk of what the command printed (stdout and stderr, as its log has them).

    ``data`` is the chunk's bytes as the log sent them; ``text`` is their
    UTF-8 decoding (invalid bytes become U+FFFD). A character split across two
    chunks is in the text of the chunk that completes it, so ``text`` may be
    empty while ``data`` is not. Adapters that write to a byte stream (the
    CLI) write ``data``, so binary output survives unchanged.
    """

    text: str
    data: bytes = b""


@dataclass(frozen=True)
class RunNotice(RunEvent):
    """A line kubectl would print: ``notice`` on stdout (not with -q), ``warning`` on stderr."""

    text: str
    level: str = "notice"


@dataclass(frozen=True)
class RunFinished(RunEvent):
    result: DebugResult


@dataclass(frozen=True)
class RunInterrupted(RunEvent):
    """Stopped by a kernel interrupt or the ``stop`` event; ``result`` says what is left."""

    result: DebugResult


@dataclass(frozen=True)
class RunFailed(RunEvent):
    error: KDebugError
    #: where the run was aimed, when that was known before it failed
    context: str = ""
    namespace: str = ""


Observer = Callable[[RunEvent], None]


def new_run_id() -> str:
    return uuid.uuid4().hex[:12]


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
