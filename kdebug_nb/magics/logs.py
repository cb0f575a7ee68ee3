"""``%klogs``: a container's log, the way ``kubectl logs`` reads it."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

from IPython.core.magic import Magics, line_magic, magics_class
from IPython.core.magic_arguments import argument, magic_arguments

from kdebug_nb.magics.args import parse_magic_args
from kdebug_nb.magics.errors import guarded

if TYPE_CHECKING:
    from kdebug_nb.magics.state import KDebugState

USAGE = "%klogs POD [-c CONTAINER] [-p|--previous] [--tail N] [--since DURATION] [-n NAMESPACE]"
#: the most characters a cell shows of a log; the object keeps all of it
DISPLAY_LIMIT = 1 << 20


class LogText:
    """A log as a cell shows it: escaped ``<pre>`` in a notebook, the text in a terminal.

    ``str(log)`` and ``log.text`` are the log itself. Logs are what a program
    wrote, so the HTML rendering escapes every character a browser would read
    as markup.
    """

    def __init__(self, text: str, title: str) -> None:
        self.text = text
        self.title = title

    def __str__(self) -> str:
        return self.text

    def _shown(self) -> tuple[str, str]:
        """The tail a cell shows, and a note when the start was left out."""
        if len(self.text) <= DISPLAY_LIMIT:
            return self.text, ""
        note = (f"(showing the last {DISPLAY_LIMIT:,} of {len(self.text):,} characters; "
                "str() of the result holds all of them)")
        return self.text[-DISPLAY_LIMIT:], note

    def __repr__(self) -> str:
        if not self.text:
            return f"({self.title}: empty log)"
        shown, note = self._shown()
        return (f"{note}\n" if note else "") + shown.rstrip("\n")

    def _repr_html_(self) -> str:
        title = html.escape(self.title)
        if not self.text:
            return f'<div class="kdebug-log"><em>{title}: empty log</em></div>'
        shown, note = self._shown()
        extra = f"<div><em>{html.escape(note)}</em></div>" if note else ""
        return (
            f'<div class="kdebug-log"><div><strong>{title}</strong></div>{extra}'
            f"<pre>{html.escape(shown)}</pre></div>"
        )


@magics_class
class LogsMagics(Magics):
    """``%klogs``."""

    def __init__(self, shell: Any, state: KDebugState) -> None:
        super().__init__(shell)
        self.state = state

    @magic_arguments()
    @argument("pod", help="The pod whose log to read.")
    @argument("-c", "--container", default="", help="Container (default: kubectl's choice, "
              "the kubectl.kubernetes.io/default-container annotation or the first container).")
    @argument("-p", "--previous", action="store_true",
              help="The log of the previous, terminated instance (why a crash-looping container died).")
    @argument("--tail", type=int, default=None, help="Only the last N lines.")
    @argument("--since", default="", help="Only lines newer than a duration (5m, 1h) or an RFC 3339 time.")
    @argument("-n", "--namespace", default="", help="Namespace (default: KDebug.namespace, then the context's).")
    @line_magic
    def klogs(self, line: str) -> Any:
        """Show a container's log (``kubectl logs``), escaped, as the cell's result.

        ``log = %klogs POD`` keeps it; ``str(log)`` is the text. Examples::

            %klogs web -c log-shipper
            %klogs crasher --previous        # what the last crash printed
            %klogs api --tail 20 --since 10m
        """
        settings = self.state.settings()
        return guarded(settings.short_errors, USAGE, lambda: self._klogs(line), self.shell)

    def _klogs(self, line: str) -> LogText:
        args = parse_magic_args(self.klogs, line, USAGE)
        settings = self.state.settings()
        from kdebug_nb.engine import default_session

        text = default_session().logs(
            args.pod,
            container=args.container or None,
            previous=args.previous,
            tail=args.tail,
            since=args.since or None,
            namespace=args.namespace or settings.namespace or None,
            connection=self.state.connection(settings),
        )
        title = f"pod/{args.pod}" + (f" -c {args.container}" if args.container else "")
        return LogText(text, title + (" (previous)" if args.previous else ""))
