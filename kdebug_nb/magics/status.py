"""``%kstatus``: container status of pods as a coloured DataFrame."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from IPython.core.magic import Magics, line_magic, magics_class
from IPython.core.magic_arguments import argument, magic_arguments

from kdebug_nb.errors import UsageError
from kdebug_nb.magics.args import parse_magic_args
from kdebug_nb.magics.errors import guarded

if TYPE_CHECKING:
    from kdebug_nb.magics.state import KDebugState

USAGE = "%kstatus [POD | -l SELECTOR | -A] [-n NAMESPACE]"


@magics_class
class StatusMagics(Magics):
    """``%kstatus``."""

    def __init__(self, shell: Any, state: KDebugState) -> None:
        super().__init__(shell)
        self.state = state

    @magic_arguments()
    @argument("pod", nargs="?", help="A pod name (default: every pod of the namespace).")
    @argument("-n", "--namespace", default="", help="Namespace (default: KDebug.namespace, then the context's).")
    @argument("-l", "--selector", default="", help="Label selector, e.g. app=web.")
    @argument("-A", "--all-namespaces", action="store_true", help="Pods of every namespace.")
    @line_magic
    def kstatus(self, line: str) -> Any:
        """Show the containers of pods with their state, one row per container.

        Returns the engine's status DataFrame (coloured by state in a notebook;
        ``df = %kstatus`` keeps it). Examples::

            %kstatus                     # every pod of the default namespace
            %kstatus neato               # one pod, with its ephemeral containers
            %kstatus -l app=web -n shop  # by label
            %kstatus -A                  # every namespace
        """
        settings = self.state.settings()
        return guarded(settings.short_errors, USAGE, lambda: self._kstatus(line), self.shell)

    def _kstatus(self, line: str) -> Any:
        args = parse_magic_args(self.kstatus, line, USAGE)
        if args.pod and (args.selector or args.all_namespaces):
            raise UsageError("give a POD or -l/-A, not both")
        settings = self.state.settings()
        from kdebug_nb.engine import default_session
        from kdebug_nb.magics.frames import as_status_frame

        frame = default_session().status(
            pod=args.pod or None,
            namespace=args.namespace or settings.namespace or None,
            selector=args.selector or None,
            all_namespaces=args.all_namespaces,
            connection=self.state.connection(settings),
        )
        return as_status_frame(frame)
