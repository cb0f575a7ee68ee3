"""What the magics of one shell share: settings, history and the sandbox they started."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from kdebug_nb.magics.settings import KDebug, Settings

if TYPE_CHECKING:
    from kdebug_nb.engine import Connection
    from kdebug_nb.magics.completion import Completer
    from kdebug_nb.runbook.store import HistoryStore
    from kdebug_nb.sandbox.server import Sandbox


class KDebugState:
    """One per shell: created by ``%load_ext kdebug_nb``, dropped on unload."""

    def __init__(self, shell: Any) -> None:
        self.shell = shell
        # parent=shell: values from ipython_config.py / `--KDebug.x=` apply at once
        self.config = KDebug(parent=shell)
        self.sandbox: Sandbox | None = None
        #: the default connection before %ksandbox start replaced it
        self.previous_connection: Connection | None = None
        self.completer: Completer | None = None

    def settings(self) -> Settings:
        return Settings.of(self.config)

    def connection(self, settings: Settings | None = None) -> Connection | None:
        """The connection for calls that take no kubectl flags (None: the default)."""
        s = settings or self.settings()
        if not (s.kubeconfig or s.context):
            return None
        from kdebug_nb.engine import default_session

        return default_session().connection.with_flags(s.kubeconfig, s.context, "")

    def history_path(self, settings: Settings | None = None) -> Path | None:
        s = settings or self.settings()
        if not s.persist_history:
            return None
        if s.history_path:
            return Path(s.history_path).expanduser()
        from kdebug_nb.runbook.store import default_history_path

        return default_history_path()

    @property
    def store(self) -> HistoryStore:
        """The default session's history (runs from Python and from magics alike),
        following changes of ``KDebug.history_path`` without losing records."""
        from kdebug_nb.engine import default_session

        session = default_session()
        path = self.history_path()
        if session.history.path != path:
            session.history = session.history.moved_to(path)
        return session.history

    def close(self) -> None:
        """Stop a sandbox this shell started and give the process its old connection back."""
        if self.sandbox is not None:
            from kdebug_nb.engine import Connection, default_session

            sandbox, self.sandbox = self.sandbox, None
            try:
                sandbox.stop()
            finally:
                default_session().connection = self.previous_connection or Connection()
                self.previous_connection = None
