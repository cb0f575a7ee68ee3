"""``%kevents``: a pod's or a namespace's events as a DataFrame, newest last."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from IPython.core.magic import Magics, line_magic, magics_class
from IPython.core.magic_arguments import argument, magic_arguments

from kdebug_nb.errors import UsageError
from kdebug_nb.magics.args import parse_magic_args
from kdebug_nb.magics.errors import guarded

if TYPE_CHECKING:
    from kdebug_nb.magics.state import KDebugState

USAGE = "%kevents [POD | -l SELECTOR] [-n NAMESPACE] [--tail N]"


@magics_class
class EventsMagics(Magics):
    """``%kevents``."""

    def __init__(self, shell: Any, state: KDebugState) -> None:
        super().__init__(shell)
        self.state = state

    @magic_arguments()
    @argument("pod", nargs="?", help="A pod (default: every event of the namespace).")
    @argument("-l", "--selector", default="", help="Events of the pods this label selector matches.")
    @argument("-n", "--namespace", default="", help="Namespace (default: KDebug.namespace, then the context's).")
    @argument("--tail", type=int, default=None, help="Only the newest N events.")
    @line_magic
    def kevents(self, line: str) -> Any:
        """Show events (last seen, type, reason, object, count, message), newest last.

        Warnings are coloured; ``df = %kevents POD`` keeps the DataFrame. Examples::

            %kevents crasher             # BackOff, Pulled, Started... of one pod
            %kevents -l app=web --tail 5
            %kevents -n kube-system
        """
        settings = self.state.settings()
        return guarded(settings.short_errors, USAGE, lambda: self._kevents(line), self.shell)

    def _kevents(self, line: str) -> Any:
        args = parse_magic_args(self.kevents, line, USAGE)
        if args.pod and args.selector:
            raise UsageError("give a POD or -l SELECTOR, not both")
        if args.tail is not None and args.tail < 0:
            raise UsageError(f"--tail must be 0 or more, not {args.tail}")
        settings = self.state.settings()
        from kdebug_nb.engine import default_session
        from kdebug_nb.magics.frames import as_events_frame

        frame = default_session().events(
            args.pod or None,
            namespace=args.namespace or settings.namespace or None,
            selector=args.selector or None,
            connection=self.state.connection(settings),
        )
        if args.tail is not None:
            frame = frame.tail(args.tail).reset_index(drop=True) if args.tail else frame.head(0)
        return as_events_frame(frame)
