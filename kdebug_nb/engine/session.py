"""A session: the connection, the runs' observers, the pods runs created, the history.

What used to be process-wide state lives here. ``default_session()`` is the
one ``kdebug_nb.debug()/run()/status()/pods()/cleanup()`` and the magics
share, so runs from Python and from ``%kdebug`` land in one history; the
``kdebug`` command makes its own.

>>> import kdebug_nb as kd
>>> r = kd.debug("neato", image="busybox", command="ps x")   # doctest: +SKIP
>>> r = kd.run("neato --image=busybox -- ps x")               # doctest: +SKIP
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from kdebug_nb import errors
from kdebug_nb.engine.client.connection import Connection
from kdebug_nb.engine.debug_options import DebugOptions
from kdebug_nb.engine.runs.apply import CreatedPods
from kdebug_nb.engine.runs.events import Observer, RunEvent
from kdebug_nb.engine.runs.result import DebugResult
from kdebug_nb.engine.runs.stdin import StdinPipe

if TYPE_CHECKING:
    import pandas as pd

    from kdebug_nb.engine.client.tty import TerminalInput
    from kdebug_nb.engine.fleet import FleetEntry, FleetProgress, FleetResult, FleetTarget
    from kdebug_nb.runbook.store import HistoryStore

class Session:
    """Where runs go and who hears about them.

    ``connection`` is the cluster runs use unless a call names another
    (``None``: kubectl's own lookup: ``$KUBECONFIG``, ``~/.kube/config``,
    in-cluster). ``history`` is the store the history recorder writes to
    (in memory unless given one with a path); ``record=False`` records nothing.
    """

    def __init__(
        self,
        connection: Connection | None = None,
        *,
        history: HistoryStore | None = None,
        record: bool = True,
    ) -> None:
        self.connection: Connection = connection or Connection()
        self.created = CreatedPods()
        self._lock = threading.Lock()
        self._observers: list[Observer] = []
        self._history = history
        self.recorder: Observer | None = None
        if record:
            from kdebug_nb.runbook.recorder import HistoryRecorder

            self.recorder = HistoryRecorder(lambda: self.history, lambda: self.connection)
            self.subscribe(self.recorder)

    # ---- observers ---------------------------------------------------------

    def subscribe(self, observer: Observer) -> Callable[[], None]:
        """Call ``observer`` with every event of every run; returns the unsubscribe function."""
        with self._lock:
            self._observers.append(observer)

        def unsubscribe() -> None:
            with self._lock:
                if observer in self._observers:
                    self._observers.remove(observer)

        return unsubscribe

    @property
    def history(self) -> HistoryStore:
        """The history the recorder keeps (created in memory on first use)."""
        if self._history is None:
            from kdebug_nb.runbook.store import HistoryStore

            self._history = HistoryStore(None)
        return self._history

    @history.setter
    def history(self, store: HistoryStore) -> None:
        self._history = store

    def _dispatcher(self, extra: Observer | None) -> Callable[[RunEvent], None]:
        def emit(event: RunEvent) -> None:
            with self._lock:
                observers = list(self._observers)
            if extra is not None:
                observers.append(extra)
            for observer in observers:
                observer(event)

        return emit

    # ---- runs --------------------------------------------------------------

    def run(
        self,
        opts_or_line: DebugOptions | str,
        *,
        stdin_data: str | None = None,
        stdin_stream: StdinPipe | None = None,
        stop: threading.Event | None = None,
        source: str = "python",
        observer: Observer | None = None,
        connection: Connection | None = None,
        line: str | None = None,
        terminal: TerminalInput | None = None,
    ) -> DebugResult:
        """Run one ``kubectl debug`` invocation against one target.

        ``opts_or_line`` is a ``DebugOptions`` or a command line as kubectl
        takes it (``"mypod --image=busybox -- ps x"``). ``observer`` hears
        this run's events only (besides the session's observers). Setting
        ``stop`` ends the run like an interrupt (``--rm`` still cleans up).
        ``stdin_stream`` is stdin still being written (a shell widget's lines):
        the run attaches and forwards each write until the pipe is closed or
        the command ends.
        ``terminal`` (with ``-it``) makes it an interactive session: keys and
        window size from it, the output as ``RunOutput`` events.
        """
        return self._invocation(
            opts_or_line, stdin_data, stop, source, observer, connection, line, "run",
            stdin_stream=stdin_stream,
            terminal=terminal,
        ).run(single=True)[0]

    def run_all(
        self,
        opts_or_line: DebugOptions | str,
        *,
        stdin_data: str | None = None,
        stop: threading.Event | None = None,
        source: str = "python",
        observer: Observer | None = None,
        connection: Connection | None = None,
        line: str | None = None,
        terminal: TerminalInput | None = None,
    ) -> list[DebugResult]:
        """Every target of the invocation in turn, as kubectl does; the first error stops the rest."""
        return self._invocation(
            opts_or_line, stdin_data, stop, source, observer, connection, line, "run_all",
            terminal=terminal,
        ).run(single=False)

    def debug(
        self,
        target: str | Sequence[str] = (),
        /,
        *,
        image: str | None = None,
        command: str | Sequence[str] | None = None,
        stdin_data: str | None = None,
        stop: threading.Event | None = None,
        observer: Observer | None = None,
        connection: Connection | None = None,
        **flags: Any,
    ) -> DebugResult:
        """``kubectl debug TARGET --image=IMAGE [flags] -- COMMAND`` from Python.

        Keywords mirror the flags: ``copy_to="web-dbg"``, ``profile="sysadmin"``,
        ``env={"A": "1"}``, ``set_image={"*": "busybox"}``, ``rm=True``,
        ``timeout=30``, ``run_timeout=10``, ``target="app"`` (kubectl's
        ``--target``; the pod is the first, positional argument). ``command``
        is a list or a shell-like string.

        A fleet run (``selector="app=web"``, ``all_namespaces=True``,
        ``field_selector=...``, several targets, ``max_concurrency=N``)
        returns a ``FleetResult`` instead: see :meth:`fleet`.
        """
        from kdebug_nb.engine.fleet import is_fleet
        from kdebug_nb.engine.grammar.keywords import options

        opts = options(target, image=image, command=command, **flags)
        if is_fleet(opts):
            if stdin_data is not None:
                raise errors.UsageError("stdin_data goes to one container; a fleet run has many")
            return self.fleet(  # type: ignore[return-value]
                opts, stop=stop, observer=observer, connection=connection
            )
        return self.run(
            opts, stdin_data=stdin_data, stop=stop, observer=observer, connection=connection
        )

    def fleet(
        self,
        opts_or_line: DebugOptions | str,
        *,
        on_progress: Callable[[FleetProgress], None] | None = None,
        on_entry: Callable[[FleetEntry], None] | None = None,
        stop: threading.Event | None = None,
        source: str = "python",
        observer: Observer | None = None,
        connection: Connection | None = None,
    ) -> FleetResult:
        """A fleet run (``-l``, ``-A``, ``--field-selector``, several targets): one row per pod.

        Each pod's run is an ordinary run of this session, with its own events
        (so the history records every pod) and its own stop, which ``stop``
        and the fleet's ``--on-interrupt`` set. ``on_progress`` hears the
        counts, ``on_entry`` each pod's row as soon as it is known.
        """
        from kdebug_nb.engine import fleet as fleet_runs
        from kdebug_nb.engine.client import ClusterClient
        from kdebug_nb.engine.grammar import parse_args
        from kdebug_nb.engine.grammar.render import to_line
        from kdebug_nb.engine.runs.runner import Invocation

        opts = parse_args(opts_or_line) if isinstance(opts_or_line, str) else opts_or_line
        conn = connection or self.connection
        emit = self._dispatcher(observer)

        def run_one(pod_opts: DebugOptions, target: FleetTarget, pod_stop: threading.Event) -> DebugResult:
            invocation = Invocation(
                pod_opts,
                connection=conn,
                emit=emit,
                registry=self.created,
                line=to_line(pod_opts),
                source=source,
                stop=pod_stop,
            )
            return invocation.run_ref(target)

        client = ClusterClient(conn.with_flags(opts.kubeconfig, opts.context, opts.namespace))
        return fleet_runs.run(
            opts, run_one, client=client, on_progress=on_progress, on_entry=on_entry, stop=stop
        )

    def dry_run(self, opts: DebugOptions, *, connection: Connection | None = None) -> list[dict[str, Any]]:
        """The objects ``opts`` would send (PATCH bodies or Pods), reading but never writing."""
        from kdebug_nb.engine.runs.runner import Invocation

        invocation = Invocation(
            opts,
            connection=connection or self.connection,
            emit=lambda _event: None,
            registry=self.created,
        )
        return [plan.body for plan in invocation.plans()]

    def _invocation(
        self,
        opts_or_line: DebugOptions | str,
        stdin_data: str | None,
        stop: threading.Event | None,
        source: str,
        observer: Observer | None,
        connection: Connection | None,
        line: str | None,
        caller: str,
        stdin_stream: StdinPipe | None = None,
        *,
        terminal: TerminalInput | None = None,
    ) -> Any:
        from kdebug_nb.engine.grammar import parse_args
        from kdebug_nb.engine.grammar.render import to_line
        from kdebug_nb.engine.runs.runner import Invocation

        if isinstance(opts_or_line, str):
            opts = parse_args(opts_or_line)
            line = opts_or_line if line is None else line
        elif isinstance(opts_or_line, DebugOptions):
            opts = opts_or_line
            line = to_line(opts) if line is None else line
        else:
            raise TypeError(
                f"{caller}() takes DebugOptions or a kubectl-style string such as "
                f"\"mypod --image=busybox -- ps x\", not {type(opts_or_line).__name__}"
            )
        return Invocation(
            opts,
            connection=connection or self.connection,
            emit=self._dispatcher(observer),
            registry=self.created,
            line=line,
            source=source,
            stdin_data=stdin_data,
            stdin_stream=stdin_stream,
            stop=stop,
            terminal=terminal,
        )

    # ---- cluster state -----------------------------------------------------

    def status(
        self,
        pod: str | None = None,
        namespace: str | None = None,
        selector: str | None = None,
        all_namespaces: bool = False,
        *,
        connection: Connection | None = None,
    ) -> pd.DataFrame:
        """Container status of one pod, or of every pod selected, one row per container."""
        from kdebug_nb.engine.frames.status import status_frame

        return status_frame(
            self._pods_json(pod, namespace, selector, all_namespaces, connection)
        )

    def pods(
        self,
        namespace: str | None = None,
        selector: str | None = None,
        all_namespaces: bool = False,
        *,
        connection: Connection | None = None,
    ) -> pd.DataFrame:
        """One row per pod, like ``kubectl get pods -o wide``."""
        from kdebug_nb.engine.frames.status import pods_frame

        return pods_frame(self._pods_json(None, namespace, selector, all_namespaces, connection))

    def events(
        self,
        pod: str | None = None,
        namespace: str | None = None,
        selector: str | None = None,
        *,
        connection: Connection | None = None,
    ) -> pd.DataFrame:
        """Events of a pod, of the pods ``selector`` matches, or of the namespace, newest last.

        Columns ``last_seen``, ``type``, ``reason``, ``object``, ``count``,
        ``message``, as ``kubectl events`` shows them (schema in
        ``kdebug_nb.engine.frames.events``).
        """
        from kdebug_nb.engine.frames.events import events_frame
        from kdebug_nb.engine.reads import events_json

        return events_frame(events_json(self.client(connection), pod, namespace, selector))

    def logs(
        self,
        pod: str,
        container: str | None = None,
        previous: bool = False,
        tail: int | None = None,
        since: float | str | timedelta | datetime | None = None,
        *,
        namespace: str | None = None,
        connection: Connection | None = None,
    ) -> str:
        """A container's log as text, like ``kubectl logs POD [-c C] [-p] [--tail N] [--since D]``.

        ``previous=True`` reads the last terminated instance (why a crash-looping
        container died); ``since`` is seconds, a duration such as ``"5m"``, or a
        time (an aware ``datetime`` or RFC 3339 text, kubectl's ``--since-time``).
        """
        from kdebug_nb.engine.reads import log_text

        return log_text(
            self.client(connection), pod, namespace,
            container=container, previous=previous, tail=tail, since=since,
        )

    def cleanup(self, *, connection: Connection | None = None) -> list[str]:
        """Delete the copy and node pods this session's runs created; return what was deleted.

        Ephemeral containers cannot be removed from a pod (the API forbids it);
        they stop with their command.
        """
        from kdebug_nb.engine.client import ClusterClient

        deleted: list[str] = []
        clients: dict[Connection, ClusterClient] = {}
        for conn, namespace, name in self.created.items():
            if connection is not None and (conn.kubeconfig, conn.context) != (
                connection.kubeconfig,
                connection.context,
            ):
                continue
            client = clients.get(conn) or clients.setdefault(conn, ClusterClient(conn))
            try:
                client.delete_pod(namespace, name, grace_period=0)
                deleted.append(f"pod/{name} -n {namespace}")
            except errors.NotFound:
                pass
            self.created.discard(conn, namespace, name)
        return deleted

    def client(self, connection: Connection | None = None) -> Any:
        """A ``ClusterClient`` on this session's connection (or ``connection``)."""
        from kdebug_nb.engine.client import ClusterClient

        return ClusterClient(connection or self.connection)

    def _pods_json(
        self,
        pod: str | None,
        namespace: str | None,
        selector: str | None,
        all_namespaces: bool,
        connection: Connection | None,
    ) -> list[dict[str, Any]]:
        client = self.client(connection)
        ns = namespace or client.namespace
        if pod:
            return [client.read_pod(ns, pod)]
        listed = client.list_pods(ns, selector=selector or "", all_namespaces=all_namespaces)
        items: list[dict[str, Any]] = listed.get("items") or []
        return items


_DEFAULT: Session | None = None
_DEFAULT_LOCK = threading.Lock()


def default_session() -> Session:
    """The session ``kdebug_nb.debug()`` and the magics use (created on first use)."""
    global _DEFAULT
    with _DEFAULT_LOCK:
        if _DEFAULT is None:
            _DEFAULT = Session()
        return _DEFAULT


def set_default_session(session: Session) -> None:
    """Make ``session`` the one the Python API and the magics use from now on."""
    global _DEFAULT
    with _DEFAULT_LOCK:
        _DEFAULT = session


# ---- the Python API on the default session (kdebug_nb.debug(), ...) -------------


def run(
    opts_or_line: DebugOptions | str,
    *,
    stdin_data: str | None = None,
    stop: threading.Event | None = None,
    observer: Observer | None = None,
    connection: Connection | None = None,
) -> DebugResult:
    """Run a ``kubectl debug`` command line or ``DebugOptions`` on the default session."""
    return default_session().run(
        opts_or_line, stdin_data=stdin_data, stop=stop, observer=observer, connection=connection
    )


def debug(
    target: str | Sequence[str] = (),
    /,
    *,
    image: str | None = None,
    command: str | Sequence[str] | None = None,
    **flags: Any,
) -> DebugResult:
    """``kubectl debug TARGET --image=IMAGE [flags] -- COMMAND`` on the default session.

    Keywords as ``Session.debug``: flags with underscores (``copy_to="x"``,
    ``rm=True``, ``run_timeout=10``), plus ``stdin_data``, ``stop``,
    ``observer`` and ``connection``. ``selector="app=web"`` (or
    ``all_namespaces``, ``field_selector``, several targets) makes it a fleet
    run returning a ``FleetResult``.
    """
    return default_session().debug(target, image=image, command=command, **flags)


def run_fleet(
    opts_or_line: DebugOptions | str,
    *,
    on_progress: Callable[[FleetProgress], None] | None = None,
    on_entry: Callable[[FleetEntry], None] | None = None,
    stop: threading.Event | None = None,
    observer: Observer | None = None,
    connection: Connection | None = None,
) -> FleetResult:
    """A fleet run on the default session (see ``Session.fleet``)."""
    return default_session().fleet(
        opts_or_line, on_progress=on_progress, on_entry=on_entry, stop=stop, observer=observer,
        connection=connection,
    )


def status(
    pod: str | None = None,
    namespace: str | None = None,
    selector: str | None = None,
    all_namespaces: bool = False,
    *,
    connection: Connection | None = None,
) -> pd.DataFrame:
    """Container status of one pod, or of every pod selected, one row per container."""
    return default_session().status(
        pod, namespace, selector, all_namespaces, connection=connection
    )


def pods(
    namespace: str | None = None,
    selector: str | None = None,
    all_namespaces: bool = False,
    *,
    connection: Connection | None = None,
) -> pd.DataFrame:
    """One row per pod, like ``kubectl get pods -o wide``."""
    return default_session().pods(namespace, selector, all_namespaces, connection=connection)


def cleanup(*, connection: Connection | None = None) -> list[str]:
    """Delete the copy and node pods the default session's runs created."""
    return default_session().cleanup(connection=connection)


def events(
    pod: str | None = None,
    namespace: str | None = None,
    selector: str | None = None,
    *,
    connection: Connection | None = None,
) -> pd.DataFrame:
    """Events of a pod, of the pods ``selector`` matches, or of the namespace, newest last."""
    return default_session().events(pod, namespace, selector, connection=connection)


def logs(
    pod: str,
    container: str | None = None,
    previous: bool = False,
    tail: int | None = None,
    since: float | str | timedelta | datetime | None = None,
    *,
    namespace: str | None = None,
    connection: Connection | None = None,
) -> str:
    """A container's log as text (``previous=True``: its last crashed instance's)."""
    return default_session().logs(
        pod, container, previous, tail, since, namespace=namespace, connection=connection
    )
