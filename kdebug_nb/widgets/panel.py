"""``DebugPanel``: ``kubectl debug`` as a form: pick a pod, an image, a mode, Run.

An adapter over the engine's session like the magics: it gathers the choices into
``engine.options(...)`` and calls ``Session.run(..., source="panel")`` on a thread of
its own, listening to that run's events (``engine.RunOutput``...). So a panel's runs
land in the kernel's history with every other run, and the panel builds no pod spec.
"""

from __future__ import annotations

import shlex
import threading
from collections.abc import Callable, Sequence
from typing import Any

import ipywidgets as w

from kdebug_nb import engine
from kdebug_nb.widgets import pickers
from kdebug_nb.widgets.ansi import AnsiRenderer
from kdebug_nb.widgets.background import BackgroundRun, Repeater
from kdebug_nb.widgets.errors import error_line
from kdebug_nb.widgets.tables import error_html, frame_html, note, pre, table

STATUS_COLUMNS = ("container", "kind", "image", "state", "reason", "exit_code", "ready",
                  "restarts", "last_reason", "last_exit_code", "message", "target")
MODES = (("ephemeral", "ephemeral"), ("copy", "copy"), ("node", "node"))
MODE_TIPS = ("an ephemeral container in the running pod (nothing restarts)",
             "a copy of the pod with a debug container (--copy-to NAME)",
             "a pod on a node with the host's namespaces, its filesystem at /host")
WIDE = w.Layout(width="32em")


class DebugPanel(w.VBox):
    """Pick a pod, a debug image, a profile and a mode; Run streams the output here.

    ``namespace`` defaults to the kubeconfig context's; ``connection`` names another
    cluster than the session's (``%kdebug --panel`` passes its settings'); ``images`` are the image box's
    suggestions (any name can be typed); ``auto_refresh`` is the status table's refresh
    period when its auto-refresh box is ticked. ``close()`` stops the run, the timer
    and the observers.
    """

    def __init__(
        self,
        namespace: str | None = None,
        *,
        session: engine.Session | None = None,
        connection: engine.Connection | None = None,
        images: Sequence[str] = pickers.DEFAULT_IMAGES,
        auto_refresh: float = 5.0,
    ) -> None:
        self.session = session or engine.default_session()
        #: the cluster (None: the session's own), as ``%kdebug``'s settings may name it
        self.connection = connection
        self.auto_refresh_seconds = auto_refresh
        self._lock = threading.Lock()
        self._run: BackgroundRun | None = None
        self._busy = False
        #: how many times the status and events were reloaded (Refresh, auto-refresh, runs)
        self.refreshes = 0
        self._repeater: Repeater | None = None
        self._renderer = AnsiRenderer()
        self._runs: list[dict[str, Any]] = []
        self._unobserve: list[Callable[[], None]] = []

        self.namespace = w.Dropdown(description="namespace", layout=WIDE)
        self.pod = w.Dropdown(description="pod", layout=WIDE)
        self.reload = w.Button(icon="refresh", tooltip="reload the pods", layout=w.Layout(width="3em"))
        self.target = w.Dropdown(description="target", options=[pickers.NO_TARGET], layout=WIDE)
        self.image = w.Combobox(description="image", options=list(images),
                                value=images[0] if images else "", ensure_option=False,
                                layout=WIDE)
        self.profile = w.Dropdown(description="profile", options=pickers.profiles(),
                                  value="general", layout=WIDE)
        self.mode = w.ToggleButtons(description="mode", options=MODES, value="ephemeral",
                                    tooltips=MODE_TIPS)
        self.copy_name = w.Text(description="copy name", layout=WIDE)
        self.node = w.Dropdown(description="node", layout=WIDE)
        self.remove = w.Checkbox(description="delete the copy or node pod afterwards (--rm)",
                                 value=True, indent=True)
        self.command = w.Text(description="command", value="ps x", layout=WIDE,
                              placeholder="e.g. ps x (empty: the image's own command)")
        self.run_button = w.Button(description="Run", button_style="primary", icon="play")
        self.stop_button = w.Button(description="Stop", button_style="danger", icon="stop",
                                    disabled=True)
        self.state = w.HTML()
        self.error = w.HTML()
        self.output = w.HTML()
        self.status_table = w.HTML()
        self.refresh = w.Button(description="Refresh", icon="refresh")
        self.auto = w.Checkbox(description=f"auto-refresh every {auto_refresh:g} s", value=False)
        self.events = w.HTML()
        self.runs = w.HTML(note("no runs from this panel yet"))
        self.tabs = w.Tab(children=[
            w.VBox([self.state, self.output]),
            w.VBox([w.HBox([self.refresh, self.auto]), self.status_table]),
            self.events,
            self.runs,
        ])
        self.tabs.titles = ("Output", "Status", "Events", "Runs")
        self._copy_row = w.HBox([self.copy_name])
        self._node_row = w.HBox([self.node])
        super().__init__([
            w.HBox([self.namespace]),
            w.HBox([self.pod, self.reload]),
            self.target,
            self.image,
            self.profile,
            self.mode,
            self._copy_row,
            self._node_row,
            self.remove,
            self.command,
            w.HBox([self.run_button, self.stop_button]),
            self.error,
            self.tabs,
        ])
        self.add_class("kdebug-panel")
        self._controls = (self.namespace, self.pod, self.reload, self.target, self.image,
                          self.profile, self.mode, self.copy_name, self.node, self.remove,
                          self.command, self.run_button)

        self._watch(self.namespace, self._namespace_changed)
        self._watch(self.pod, self._pod_changed)
        self._watch(self.mode, self._mode_changed)
        self._watch(self.auto, self._auto_changed)
        self.reload.on_click(self._guarded(lambda _b: self._load_pods()))
        self.refresh.on_click(self._guarded(lambda _b: self.refresh_views()))
        self.run_button.on_click(self._guarded(lambda _b: self.start()))
        self.stop_button.on_click(self._guarded(lambda _b: self.stop()))
        self._mode_changed()
        self._guarded(lambda: self._load_namespaces(namespace))()

    # ---- what the panel would run -----------------------------------------------

    def argv(self) -> list[str]:
        """The choices as the words of a ``kubectl debug`` line (what the history records)."""
        mode = self.mode.value
        pod = self.pod.value
        if mode in ("ephemeral", "copy") and not pod:
            raise engine.UsageError("choose a pod first (no pod in this namespace?)")
        if mode == "node" and not self.node.value:
            raise engine.UsageError("choose a node first")
        words = [f"node/{self.node.value}" if mode == "node" else pod]
        if self.namespace.value:
            words += ["-n", self.namespace.value]
        image = self.image.value.strip()
        if image:
            words.append(f"--image={image}")
        if mode == "ephemeral" and self.target.value not in ("", pickers.NO_TARGET):
            words.append(f"--target={self.target.value}")
        if mode == "copy":
            words.append(f"--copy-to={self.copy_name.value.strip() or pod + '-debug'}")
        if self.profile.value:
            words.append(f"--profile={self.profile.value}")
        if mode in ("copy", "node") and self.remove.value:
            words.append("--rm")
        try:
            command = shlex.split(self.command.value)
        except ValueError as exc:
            raise engine.UsageError(f"cannot split the command: {exc}") from exc
        return words + (["--", *command] if command else [])

    def command_line(self) -> str:
        """The choices as one ``kubectl debug`` line, quoted as a shell would need it."""
        return shlex.join(self.argv())

    def options(self) -> engine.DebugOptions:
        """The choices parsed and validated by the engine, exactly as the typed line would be."""
        opts = engine.parse_args(self.argv())
        engine.validate(opts)
        return opts

    # ---- running -----------------------------------------------------------------

    def start(self) -> None:
        """Run the current choices (what the Run button does)."""
        with self._lock:
            if self._busy:
                raise engine.UsageError("a run is already going: Stop it first")
            line = self.command_line()
            self.options()  # refuse bad choices here, before a thread starts
            self.error.value = ""
            self.state.value = note("starting…")
            self._renderer = AnsiRenderer()
            self.output.value = ""
            self.tabs.selected_index = 0
            self._set_running(True)
            self._run = BackgroundRun(
                lambda stop: self.session.run(line, stop=stop, source="panel",
                                              connection=self.connection,
                                              observer=self._on_event),
                on_error=self._show_error,
                on_done=self._run_done,
            ).start()

    def stop(self) -> None:
        """End the current run like an interrupt (``--rm`` still cleans up)."""
        if self._run is not None:
            self._run.stop()
            self.state.value = note("stopping…")

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the current run has ended (tests, scripts); True when it has."""
        return self._run.join(timeout) if self._run is not None else True

    @property
    def running(self) -> bool:
        """A run is going (from Run until its last event has been shown)."""
        return self._busy

    def _on_event(self, event: engine.RunEvent) -> None:
        if isinstance(event, engine.RunStarted):
            self._runs.append({"id": event.run_id, "time": event.started_at[:19].replace("T", " "),
                               "line": event.line, "outcome": "running"})
            self._show_runs()
        elif isinstance(event, engine.RunWaiting):
            detail = " ".join(p for p in (event.reason, event.message) if p)
            self.state.value = note(f"{event.state}{': ' + detail if detail else ''}")
        elif isinstance(event, engine.RunOutput):
            self._renderer.feed(event.text)
            self.output.value = pre(self._renderer.html)
        elif isinstance(event, engine.RunNotice):
            colour = "#b36b00" if event.level == "warning" else "#666"
            self.state.value = note(event.text, colour)
        elif isinstance(event, engine.RunFinished | engine.RunInterrupted):
            result = event.result
            self.state.value = note(result.status_line(), "#006400" if result.ok else "#b00020")
            if not self._renderer.html and result.output:
                self._renderer.feed(result.output)
                self.output.value = pre(self._renderer.html)
            self._end_run(event.run_id, "stopped" if isinstance(event, engine.RunInterrupted)
                          else f"exit {result.exit_code}")
        elif isinstance(event, engine.RunFailed):
            self.error.value = error_html(error_line(event.error))
            self.state.value = ""
            self._end_run(event.run_id, "error")

    def _end_run(self, run_id: str, outcome: str) -> None:
        for run in self._runs:
            if run["id"] == run_id:
                run["outcome"] = outcome
        self._show_runs()

    def _run_done(self) -> None:
        self._set_running(False)
        try:
            self.refresh_views()
        except Exception as exc:  # noqa: BLE001 - shown in the panel
            self._show_error(exc)

    def _set_running(self, running: bool) -> None:
        self._busy = running
        for control in self._controls:
            control.disabled = running
        self.stop_button.disabled = not running
        if not running:
            self._mode_changed()

    # ---- what the panel shows ------------------------------------------------------

    def refresh_views(self) -> None:
        """Reload the pod's status table and its events (what Refresh does)."""
        self.refreshes += 1
        ns, pod = self.namespace.value, self.pod.value
        if not ns or not pod:
            self.status_table.value = note("no pod chosen")
            self.events.value = note("no pod chosen")
            return
        status = self.session.status(pod, ns, connection=self.connection)
        self.status_table.value = frame_html(status, STATUS_COLUMNS, empty="no containers")
        self.events.value = frame_html(self._events(ns, pod), empty="no events for this pod")

    def _events(self, namespace: str, pod: str) -> Any:
        import pandas as pd

        raw = self.session.client(self.connection).events_for(namespace, pod)[-20:]
        rows = [
            {
                "last seen": e.get("lastTimestamp") or e.get("eventTime") or "",
                "type": e.get("type", ""),
                "reason": e.get("reason", ""),
                "count": e.get("count", ""),
                "message": e.get("message", ""),
            }
            for e in raw
        ]
        return pd.DataFrame(rows, columns=["last seen", "type", "reason", "count", "message"])

    def _show_runs(self) -> None:
        self.runs.value = table(("time (UTC)", "command", "outcome"),
                                [(r["time"], r["line"], r["outcome"]) for r in self._runs])

    def _show_error(self, exc: BaseException) -> None:
        self.error.value = error_html(error_line(exc))

    # ---- pickers -----------------------------------------------------------------

    def _load_namespaces(self, wanted: str | None) -> None:
        names = pickers.namespaces(self.session, self.connection)
        current = wanted or pickers.current_namespace(self.session, self.connection)
        if current not in names:
            names.append(current)
        self.namespace.options = names
        self.namespace.value = current
        self.node.options = pickers.nodes(self.session, self.connection)
        self._load_pods()

    def _load_pods(self) -> None:
        previous = self.pod.value
        choices = pickers.pod_choices(self.session, self.connection, self.namespace.value)
        names = [name for _label, name in choices]
        with self.pod.hold_sync():
            self.pod.options = choices
            if previous in names:
                self.pod.value = previous
        if not names:
            self._pod_changed()

    def _namespace_changed(self, _change: Any = None) -> None:
        if self.namespace.value:
            self._load_pods()

    def _pod_changed(self, _change: Any = None) -> None:
        ns, pod = self.namespace.value, self.pod.value
        status = self.session.status(pod, ns, connection=self.connection) if ns and pod else None
        # one message for the new choices and the reset: sent apart, a choice made
        # between the two (the same position in the old list) would be undone
        with self.target.hold_sync():
            self.target.options = [pickers.NO_TARGET, *pickers.container_choices(status)]
            self.target.value = pickers.NO_TARGET
        self.copy_name.placeholder = f"{pod}-debug" if pod else ""
        node = pickers.node_of(status)
        if node and node in self.node.options:
            self.node.value = node
        self.refresh_views()

    def _mode_changed(self, _change: Any = None) -> None:
        mode = self.mode.value
        running = self.running
        self.target.disabled = running or mode != "ephemeral"
        self.copy_name.disabled = running or mode != "copy"
        self.node.disabled = running or mode != "node"
        self.remove.disabled = running or mode == "ephemeral"
        self._copy_row.layout.display = "" if mode == "copy" else "none"
        self._node_row.layout.display = "" if mode == "node" else "none"
        self.remove.layout.display = "none" if mode == "ephemeral" else ""

    def _auto_changed(self, _change: Any = None) -> None:
        if self.auto.value and self._repeater is None:
            self._repeater = Repeater(self.auto_refresh_seconds, self.refresh_views,
                                      on_error=self._show_error)
        elif not self.auto.value and self._repeater is not None:
            self._repeater.cancel()
            self._repeater = None

    # ---- plumbing ----------------------------------------------------------------

    def _watch(self, widget: w.Widget, handler: Callable[..., None]) -> None:
        guarded = self._guarded(handler)
        widget.observe(guarded, names="value")
        self._unobserve.append(lambda: widget.unobserve(guarded, names="value"))

    def _guarded(self, handler: Callable[..., None]) -> Callable[..., None]:
        """Errors in a callback appear in the panel as one line, never lost in the log."""

        def call(*args: Any) -> None:
            try:
                handler(*args)
            except Exception as exc:  # noqa: BLE001 - shown in the panel
                self._show_error(exc)

        return call

    def close(self) -> None:
        """Stop the run (``--rm`` still cleans up), the auto-refresh and the observers."""
        for unobserve in self._unobserve:
            unobserve()
        self._unobserve.clear()
        if self._repeater is not None:
            self._repeater.cancel()
            self._repeater = None
        if self._run is not None:
            self._run.stop()
            self._run.join(30)
        for child in (*self._controls, self.stop_button, self.state, self.error, self.output,
                      self.status_table, self.refresh, self.auto, self.events, self.runs):
            child.close()
        super().close()

    def __repr__(self) -> str:
        return f"DebugPanel(namespace={self.namespace.value!r}, pod={self.pod.value!r})"


def panel(namespace: str | None = None, **kwargs: Any) -> DebugPanel:
    """A ``DebugPanel`` on the default session (``kdebug_nb.panel()``, ``%kdebug --panel``)."""
    return DebugPanel(namespace, **kwargs)


