"""``%kdebug`` and ``%%kdebug``: kubectl debug in a cell.

A thin adapter: the line goes through the engine's own grammar, the engine
runs it, output chunks are written to the cell as they arrive, and the
``DebugResult`` is returned (its notebook display is a one-line status, never
the output a second time). Every run is recorded in the history.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from IPython.core.magic import Magics, line_cell_magic, magics_class

from kdebug_nb.errors import KDebugError
from kdebug_nb.magics.errors import guarded

if TYPE_CHECKING:
    from kdebug_nb.engine import DebugOptions
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

    %kdebug --panel                                 # a panel: pick the pod, image, mode; Run
    %kdebug neato -n default --image=busybox --panel -- ps x   # the panel, filled in

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
    from kdebug_nb.engine import usage

    return f"{HELP}\n{usage('%kdebug')}"


def _flag_part(argv: list[str]) -> list[str]:
    """The words before ``--`` (after it, everything is the command's)."""
    return argv[: argv.index("--")] if "--" in argv else argv


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
        from kdebug_nb.engine import parse_args, split_words

        argv = split_words(line)
        if argv[:2] == ["kubectl", "debug"]:  # a command pasted from a terminal
            argv = argv[2:]
        if cell is None and "--panel" in _flag_part(argv):
            argv.remove("--panel")
            return self._panel(parse_args([*settings.default_flags(argv), *argv]))
        if cell is not None:
            argv = cell_argv(argv)
        opts = parse_args([*settings.default_flags(argv), *argv])
        if opts.help:
            print(full_help())
            return None
        try:
            from kdebug_nb.engine import is_fleet

            if is_fleet(opts) and cell is None:
                from kdebug_nb.magics.fleet import run_fleet

                self.state.store  # noqa: B018 - points the session's history at KDebug.history_path
                return run_fleet(opts, progress=settings.progress)
            if opts.dry_run:
                return self._dry_run(opts)
            return self._run(opts, line, cell, settings)
        except KDebugError as exc:
            exc.verbose = opts.verbose  # type: ignore[attr-defined]
            raise

    def _panel(self, opts: DebugOptions) -> Any:
        """A ``DebugPanel`` on the magics' cluster, filled in from the rest of the line."""
        import shlex

        from kdebug_nb.engine import Connection, default_session
        from kdebug_nb.widgets import DebugPanel

        connection = None
        if opts.kubeconfig or opts.context:
            connection = Connection(opts.kubeconfig or None, opts.context or None)
        panel = DebugPanel(opts.namespace or None, session=default_session(),
                           connection=connection)
        pods = [value for _label, value in panel.pod.options]
        if opts.targets and opts.targets[0] in pods:
            panel.pod.value = opts.targets[0]
        if opts.target and opts.target in panel.target.options:
            panel.target.value = opts.target
        if opts.image:
            panel.image.value = opts.image
        if opts.profile:
            panel.profile.value = opts.profile
        if opts.command:
            panel.command.value = shlex.join(opts.command)
        return panel

    def _dry_run(self, opts: DebugOptions) -> Any:
        from kdebug_nb.engine import default_session
        from kdebug_nb.magics.render import Manifest

        return Manifest(default_session().dry_run(opts)[0], opts.output or "yaml")

    def _run(self, opts: DebugOptions, line: str, cell: str | None, settings: Settings) -> Any:
        from kdebug_nb.engine import default_session
        from kdebug_nb.magics.progress import ProgressLine

        self.state.store  # noqa: B018 - points the session's history at KDebug.history_path
        progress = ProgressLine(enabled=settings.progress, max_output=settings.max_output)
        try:
            result = default_session().run(
                opts,
                stdin_data=cell,
                source="%%kdebug" if cell is not None else "%kdebug",
                line=line,
                observer=progress,
            )
        finally:
            progress.finish()
        result.streamed = True  # its output is in the cell already
        return result
