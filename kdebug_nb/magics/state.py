"""What the magics of one shell share: settings, history and the sandbox they started."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from kdebug_nb.magics.settings import KDebug, Settings

if TYPE_CHECKING:
    from kdebug_nb.engine.connection import Connection
    from kdebug_nb.magics.completion import Completer
    from kdebug_nb.runbook.store import HistoryStore
    from kdebug_nb.sandbox.server import Sandbox


class KDebugState:
    """One per shell: created by ``%load_ext kdebug_nb``, dropped on unload."""

    def __init__(self, shell: Any) -> None:
        self.shell = shell
        # parent=shell: values from ipython_config.py / `--KDebug.x=` apply at once
        self.config = KDebug(parent=shell)
        self._store: HistoryStore | None = None
        self.sandbox: Sandbox | None = None
        #: the default connection before %ksandbox start replaced it
        self.previous_connection: Connection | None = None
        self.completer: Completer | None = None
        #: the completer as registered with IPython's IPCompleter (removed on unload)
        self.matcher: Any = None

    def settings(self) -> Settings:
        return Settings.of(self.config)

    def connection(self, settings: Settings | None = None) -> Connection | None:
        """The connection for calls that take no kubectl flags (None: the default)."""
        s = settings or self.settings()
        if not (s.kubeconfig or s.context):
            return None
        from kdebug_nb.engine.connection import get_default_connection

        return get_default_connection().with_flags(s.kubeconfig, s.context, "")

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
        """The history, following changes of ``KDebug.history_path`` without losing records."""
        from kdebug_nb.runbook.store import HistoryStore

        path = self.history_path()
        if self._store is None:
            self._store = HistoryStore(path)
        elif self._store.path != path:
            self._store = self._store.moved_to(path)
        return self._store

    def close(self) -> None:
        """Stop a sandbox this shell started and give the process its old connection back."""
        if self.sandbox is not None:
            from kdebug_nb.engine.connection import set_default_connection

            sandbox, self.sandbox = self.sandbox, None
            try:
                sandbox.stop()
            finally:
                set_default_connection(self.previous_connection)
                self.previous_connection = None
