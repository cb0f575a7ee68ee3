"""``%kdebug`` and ``%%kdebug``: kubectl debug in a cell.

A thin adapter: the line goes through the engine's own grammar, the engine
runs it, output chunks are written to the cell as they arrive, and the
``DebugResult`` is returned (its notebook display is a one-line status, never
the output a second time). Every run is recorded in the history.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from IPython.core.magic import Magics, line_cell_magic, magics_class

from kdebug_nb.errors import Interrupted, KDebugError
from kdebug_nb.magics.errors import guarded, one_line

if TYPE_CHECKING:
    from kdebug_nb.engine.options import DebugOptions
    from kdebug_nb.magics.settings import Settings
    from kdebug_nb.magics.state import KDebugState

USAGE = "%kdebug (POD | node/NAME) --image=IMAGE [flags] [-- COMMAND [ARG...]]  (help: %kdebug?)"

HELP = """Debug a pod or a node the way ``kubectl debug`` does, from a notebook cell.

Usage::

    %kdebug (POD | TYPE/NAME) [--image=IMAGE] [flags] [-- COMMAND [ARG...]]
    r = %kdebug ...                 # keep the DebugResult (output, exit_code, pod, ...)
    %%kdebug POD --image=IMAGE [flags] [-- COMMAND]
    <script sent to the command's stdin; the command defaults to sh>

Flags are kubectl debug's (see below) plus the notebook's own
(``--timeout``, ``--rm``, ``--detach``, ``--dry-run -o yaml|json``).
``{var}`` and ``$var`` are expanded from the notebook's variables.
Defaults for -n, --context, --kubeconfig, --image, --profile and --timeout
come from ``%config KDebug``; flags on the line win.

Examples::

    %kdebug neato --image=busybox -- ps x          # ephemeral container, output in the cell
    %kdebug neato --image=busybox --target=neato -- ls /proc/1/root
    %kdebug neato --image=busybox --copy-to=neato-copy --share-processes --rm -- ps x
    %kdebug node/worker-1 --image=busybox -- cat /host/etc/hostname
    %kdebug neato --image=busybox --profile=netadmin --dry-run -o yaml
    %kdebug {pod} -n {namespace} --image=busybox -- env
    fr = %kdebug -l app=web -A --image=busybox --max-concurrency=20 -- id   # a fleet run
    fr.frame                                          # one row per pod: exit_code, output...

    %%kdebug neato --image=busybox
    echo "running in $(hostname)"
    ls /

Output streams into the cell while the command runs; a kernel interrupt stops
waiting and streaming and says what was left running. Every run is kept by
``%khistory``.

With ``-l``, ``-A``, ``--field-selector`` or several pods the line is a fleet
run: a progress bar while it runs, then a ``FleetResult`` whose ``.frame``
has one row per pod (see ``--max-concurrency``, ``--max-output``,
``--run-timeout``, ``--on-interrupt``).
"""


def full_help() -> str:
    """The magic's help followed by the engine's usage and flag reference."""
    from kdebug_nb.engine.grammar import USAGE as ENGINE_USAGE

    return f"{HELP}\n{ENGINE_USAGE}"


def cell_argv(argv: list[str]) -> list[str]:
    """The cell form: stdin is implied, and the command defaults to ``sh``."""
    words = ["--stdin=true", *argv]
    if "--" not in words or words[-1] == "--":
        words = [w for w in words if w != "--"] + ["--", "sh"]
    return words


@magics_class
class DebugMagics(Magics):
    """``%kdebug`` / ``%%kdebug``."""

    def __init__(self, shell: Any, state: KDebugState) -> None:
        super().__init__(shell)
        self.state = state

    @line_cell_magic
    def kdebug(self, line: str, cell: str | None = None) -> Any:
        settings = self.state.settings()
        return guarded(
            settings.short_errors, USAGE, lambda: self._kdebug(line, cell, settings), self.shell
        )

    kdebug.__doc__ = HELP
    # IPython's ``?`` asks ``getdoc()`` first: the engine's flag reference is
    # appended on demand, keeping the grammar's import out of %load_ext
    setattr(kdebug, "getdoc", full_help)  # noqa: B010

    def _kdebug(self, line: str, cell: str | None, settings: Settings) -> Any:
        from kdebug_nb.engine.grammar import parse_args, split_words

        argv = split_words(line)
        if argv[:2] == ["kubectl", "debug"]:  # a command pasted from a terminal
            argv = argv[2:]
        if cell is not None:
            argv = cell_argv(argv)
        opts = parse_args([*settings.default_flags(argv), *argv])
        if opts.help:
            print(full_help())
            return None
        try:
            from kdebug_nb.engine.fleet import is_fleet

            if is_fleet(opts) and cell is None:
                from kdebug_nb.magics.fleet import run_fleet

                return run_fleet(opts, progress=settings.progress)
            if opts.dry_run:
                return self._dry_run(opts)
            return self._run(opts, line, cell, settings)
        except KDebugError as exc:
            exc.verbose = opts.verbose  # type: ignore[attr-defined]
            raise

    def _dry_run(self, opts: DebugOptions) -> Any:
        from kdebug_nb.engine import api
        from kdebug_nb.magics.render import Manifest

        return Manifest(api.dry_run(opts), opts.output or "yaml")

    def _run(self, opts: DebugOptions, line: str, cell: str | None, settings: Settings) -> Any:
        from kdebug_nb.engine import api
        from kdebug_nb.magics.progress import ProgressLine
        from kdebug_nb.runbook.record import HistoryRecord

        store = self.state.store
        record = store.start(
            HistoryRecord.begin(
                magic="%%kdebug" if cell is not None else "%kdebug",
                line=line,
                stdin=cell or "",
                target=" ".join(opts.targets),
                mode=_mode_of(opts),
                namespace=opts.namespace,
                context=opts.context,
                image=opts.image,
                command=opts.command,
            )
        )
        progress = ProgressLine(enabled=settings.progress)

        def on_output(chunk: str) -> None:
            progress.clear()
            sys.stdout.write(chunk)
            sys.stdout.flush()

        try:
            result = api.run(opts, on_output=on_output, on_progress=progress, stdin_data=cell)
        except KDebugError as exc:
            status = "interrupted" if isinstance(exc, Interrupted) else "error"
            store.finish(
                record.finish(status=status, error=one_line(str(exc)), **_aimed_at(opts))
            )
            raise
        except KeyboardInterrupt:
            store.finish(
                record.finish(status="interrupted", error="interrupted by the user", **_aimed_at(opts))
            )
            print("error: interrupted", file=sys.stderr)
            return None
        finally:
            progress.clear()
        store.finish(record.finish(**_from_result(result)))
        return result


def _from_result(result: Any) -> dict[str, Any]:
    if getattr(result, "interrupted", False):
        status = "interrupted"
    elif getattr(result, "ok", True):
        status = "ok"
    else:
        status = "error"
    return {
        "status": status,
        "context": result.context,
        "namespace": result.namespace,
        "mode": result.mode,
        "pod": result.pod,
        "container": result.container or "",
        "image": result.image,
        "command": tuple(result.command),
        "exit_code": result.exit_code,
        "duration": result.duration,
        "output": result.output,
        "error": "" if status == "ok" else result.reason,
    }


def _mode_of(opts: DebugOptions) -> str:
    """The mode a run will take, known from its flags before anything is sent."""
    if opts.targets and all(t.split("/", 1)[0] in ("node", "nodes", "no") and "/" in t
                            for t in opts.targets):
        return "node"
    return "copy" if opts.copy_to else "ephemeral"


def _aimed_at(opts: DebugOptions) -> dict[str, str]:
    """Context and namespace a run that failed was aimed at (empty when unknowable)."""
    where = {"context": opts.context, "namespace": opts.namespace}
    if opts.context and opts.namespace:
        return where
    try:
        from kdebug_nb.engine.connection import get_default_connection

        conn = get_default_connection().with_flags(opts.kubeconfig, opts.context, opts.namespace)
        resolved = conn.resolve()
    except Exception:  # a missing or broken config has no context to record
        return where
    return {"context": resolved.context, "namespace": resolved.namespace}
