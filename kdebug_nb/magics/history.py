"""``%khistory``: every run of this kernel, as a DataFrame or an exported transcript."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from IPython.core.magic import Magics, line_magic, magics_class
from IPython.core.magic_arguments import argument, magic_arguments

from kdebug_nb.errors import UsageError
from kdebug_nb.magics.args import parse_magic_args
from kdebug_nb.magics.errors import guarded

if TYPE_CHECKING:
    from kdebug_nb.magics.state import KDebugState

USAGE = "%khistory [--all] [--export PATH.md|PATH.json] [--clear]"


@magics_class
class HistoryMagics(Magics):
    """``%khistory``."""

    def __init__(self, shell: Any, state: KDebugState) -> None:
        super().__init__(shell)
        self.state = state

    @magic_arguments()
    @argument("--export", metavar="PATH", default="", help="Write the history to PATH: .md Markdown (postmortem transcript) or .json.")
    @argument("--all", action="store_true", help="Include runs of earlier kernels, read back from the history file.")
    @argument("--clear", action="store_true", help="Forget this kernel's runs (the history file keeps them).")
    @line_magic
    def khistory(self, line: str) -> Any:
        """The runs of this kernel as a DataFrame (one row per run).

        Columns: time (UTC), context, namespace, target, mode, image, command,
        exit_code, duration (s), output (first line), status
        (ok / error / interrupted / started), id. Every run is also appended to
        a JSON Lines file (``%config KDebug.history_path``; default
        ``kdebug-history.jsonl`` beside the notebook) when it starts and when it
        ends, so a crashed kernel loses nothing: ``%khistory --all`` reads it back.
        Tokens, passwords and certificates are masked before anything is kept;
        stdin and output are kept up to 64,000 characters each (head and tail),
        with their full sizes. Lines of the file that hold no usable record
        are skipped, and ``--all`` says how many. Exports are private (0600).

        Examples::

            %khistory
            %khistory --export postmortem.md     # Markdown transcript, UTC times
            %khistory --all --export runs.json
            %khistory --clear
        """
        settings = self.state.settings()
        return guarded(settings.short_errors, USAGE, lambda: self._khistory(line), self.shell)

    def _khistory(self, line: str) -> Any:
        args = parse_magic_args(self.khistory, line, USAGE)
        store = self.state.store
        if args.all:
            found = store.read()
            records = found.records
            if found.skipped:
                print(f"warning: {found.skipped_note()}", file=sys.stderr)
        else:
            records = store.records
        if args.export:
            from kdebug_nb.runbook.export import export

            suffix = args.export.lower().rsplit(".", 1)[-1] if "." in args.export else ""
            if suffix not in ("md", "markdown", "json"):
                raise UsageError(f"--export wants a .md or .json path, not {args.export}")
            path = export(records, args.export)
            print(f"exported {len(records)} run(s) to {path}")
            if not args.clear:
                return None
        if args.clear:
            n = store.clear()
            print(f"cleared {n} run(s) from this kernel's history (still in {store.path or 'memory'})")
            return None
        from kdebug_nb.magics.frames import as_history_frame
        from kdebug_nb.runbook.store import to_frame

        return as_history_frame(to_frame(records))
