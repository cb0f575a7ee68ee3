"""``Shell``: a shell in an ephemeral debug container, typed into from the notebook.

Like ``kubectl debug -i POD --image=IMAGE [--target=C] -- sh``: the engine attaches to
the container's stdin and keeps it open (``engine.StdinPipe``), each line typed here is
sent as it is entered, and what the shell prints streams back from the container's log,
colours (ANSI SGR) rendered and everything escaped. Stop ends the session (the
ephemeral container's command is ended like an interrupt); the exit code is shown.
There is no terminal (no ``-t``): the shell prints no prompt, so each sent line is
echoed above its answer.
"""

from __future__ import annotations

import shlex
import threading
import time
from collections.abc import Sequence
from typing import Any

import ipywidgets as w

from kdebug_nb import engine
from kdebug_nb.widgets.ansi import AnsiRenderer
from kdebug_nb.widgets.background import BackgroundRun
from kdebug_nb.widgets.errors import error_line
from kdebug_nb.widgets.tables import error_html, note, pre

#: seconds a stopped shell gets to exit on end of input before it is interrupted
STOP_GRACE = 3.0


class Shell(w.VBox):
    """An interactive session in an ephemeral debug container of ``pod``.

    Enter (or Send) sends the input line; ↑ and ↓ (the buttons, or the arrow keys in the
    input's list) walk this shell's own history of sent lines. ``close()`` ends the session and its thread.
    """

    def __init__(
        self,
        pod: str,
        *,
        image: str = "busybox",
        target: str | None = None,
        namespace: str | None = None,
        command: Sequence[str] = ("sh",),
        profile: str | None = None,
        session: engine.Session | None = None,
        connection: engine.Connection | None = None,
    ) -> None:
        self.session = session or engine.default_session()
        self.connection = connection
        self.history: list[str] = []
        self._cursor = 0
        self._renderer = AnsiRenderer()
        self._text: list[str] = []
        self._changed = threading.Condition()
        self._pipe = engine.StdinPipe()
        self._run: BackgroundRun | None = None
        self._force: threading.Timer | None = None
        self.result: engine.DebugResult | None = None

        self.title = w.HTML(note(f"{image} in pod/{pod}"
                                 + (f", sharing the processes of {target}" if target else "")))
        self.output = w.HTML()
        # a Combobox is a text box with a list of earlier lines: in the browser, the
        # arrow keys open it and walk the shell's history, newest first
        self.input = w.Combobox(placeholder="type a command; Enter sends it; ↓ for history",
                                options=[], ensure_option=False, layout=w.Layout(width="40em"))
        self.send_button = w.Button(description="Send", icon="paper-plane")
        self.up = w.Button(icon="arrow-up", tooltip="previous line", layout=w.Layout(width="3em"))
        self.down = w.Button(icon="arrow-down", tooltip="next line", layout=w.Layout(width="3em"))
        self.stop_button = w.Button(description="Stop", button_style="danger", icon="stop")
        self.state = w.HTML(note("starting…"))
        self.error = w.HTML()
        super().__init__([
            self.title,
            self.output,
            w.HBox([self.input, self.send_button, self.up, self.down, self.stop_button]),
            self.state,
            self.error,
        ])
        self.add_class("kdebug-shell")
        # the Text view sends {"event": "submit"} on Enter (ipywidgets' widget_string.py)
        self.input.on_msg(self._on_msg)
        self.send_button.on_click(lambda _b: self._guard(self.submit))
        self.up.on_click(lambda _b: self.history_up())
        self.down.on_click(lambda _b: self.history_down())
        self.stop_button.on_click(lambda _b: self.stop())

        words = [pod, f"--image={image}", "-i"]
        if namespace:
            words += ["-n", namespace]
        if target:
            words.append(f"--target={target}")
        if profile:
            words.append(f"--profile={profile}")
        #: the ``kubectl debug`` line this shell runs (as the history records it)
        self.line = shlex.join([*words, "--", *command])
        try:
            opts = engine.parse_args(self.line)
            engine.validate(opts)
        except Exception as exc:  # noqa: BLE001 - shown in the widget
            self._failed(exc)
            return
        self._run = BackgroundRun(
            lambda stop: self._session(opts, stop),
            on_error=self._failed,
            on_done=self._ended,
            name="kdebug-shell",
        ).start()

    # ---- typing ----------------------------------------------------------------

    def submit(self, line: str | None = None) -> None:
        """Send ``line`` (default: the input box's text) and a newline to the shell."""
        text = self.input.value if line is None else line
        if not self.running:
            raise engine.UsageError("the shell has ended: make a new Shell to start another")
        self._pipe.write(text + "\n")
        self._echo(text)
        if text.strip() and (not self.history or self.history[-1] != text):
            self.history.append(text)
            self.input.options = list(reversed(self.history))
        self._cursor = len(self.history)
        self.input.value = ""

    def send(self, line: str, *, expect: str | None = None, timeout: float = 30.0) -> str:
        """Send ``line``; with ``expect``, wait until that text appears in the answer.

        Returns what the shell printed after the line was sent (colour codes included).
        """
        with self._changed:
            start = len("".join(self._text))
        self.submit(line)
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                answer = "".join(self._text)[start:]
                if expect is None or expect in answer:
                    return answer
                left = deadline - time.monotonic()
                if left <= 0 or not (self._run is not None and self._run.alive):
                    raise engine.KDebugError(
                        f"{expect!r} did not appear within {timeout:g} s; the shell printed "
                        f"{answer[-200:]!r}"
                    )
                self._changed.wait(min(left, 0.5))

    def history_up(self) -> None:
        if self.history and self._cursor > 0:
            self._cursor -= 1
            self.input.value = self.history[self._cursor]

    def history_down(self) -> None:
        if self._cursor < len(self.history) - 1:
            self._cursor += 1
            self.input.value = self.history[self._cursor]
        else:
            self._cursor = len(self.history)
            self.input.value = ""

    def _on_msg(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if isinstance(content, dict) and content.get("event") == "submit":
            self._guard(self.submit)

    # ---- the session -------------------------------------------------------------

    def _session(self, opts: engine.DebugOptions, stop: Any) -> None:
        self.result = self.session.run(opts, line=self.line, connection=self.connection,
                                       stdin_stream=self._pipe, stop=stop, source="shell",
                                       observer=self._on_event)

    def _on_event(self, event: engine.RunEvent) -> None:
        if isinstance(event, engine.RunWaiting):
            self.state.value = note(f"{event.state}{': ' + event.reason if event.reason else ''}")
        elif isinstance(event, engine.RunOutput):
            self._renderer.feed(event.text)
            self.output.value = pre(self._renderer.html)
            with self._changed:
                self._text.append(event.text)
                self._changed.notify_all()
        elif isinstance(event, engine.RunFinished | engine.RunInterrupted):
            result = event.result
            self.state.value = note(result.status_line(), "#006400" if result.ok else "#b00020")
        elif isinstance(event, engine.RunFailed):
            self._failed(event.error)

    def _echo(self, line: str) -> None:
        self._renderer.feed(f"\x1b[1m$ {line}\x1b[0m\n")
        self.output.value = pre(self._renderer.html)

    @property
    def running(self) -> bool:
        return self._run is not None and self._run.alive and not self._pipe.closed

    @property
    def exit_code(self) -> int | None:
        return self.result.exit_code if self.result is not None else None

    def stop(self, grace: float = STOP_GRACE) -> None:
        """End the session: stdin is closed (a shell exits on EOF); whatever still runs
        after ``grace`` seconds is stopped like an interrupt."""
        self._pipe.close()
        if self._run is None or not self._run.alive:
            return
        if grace <= 0:
            self._run.stop()
        elif self._force is None:
            self._force = threading.Timer(grace, self._run.stop)
            self._force.name = "kdebug-shell-stop"
            self._force.daemon = True
            self._force.start()

    def wait(self, timeout: float | None = None) -> bool:
        return self._run.join(timeout) if self._run is not None else True

    def _ended(self) -> None:
        self._pipe.close()
        if self._force is not None:
            self._force.cancel()
        with self._changed:
            self._changed.notify_all()
        for control in (self.input, self.send_button, self.up, self.down, self.stop_button):
            control.disabled = True

    def _failed(self, exc: BaseException) -> None:
        self.error.value = error_html(error_line(exc))
        self.state.value = ""
        self._ended()

    def _guard(self, call: Any) -> None:
        try:
            call()
        except Exception as exc:  # noqa: BLE001 - shown in the widget
            self.error.value = error_html(error_line(exc))

    def close(self) -> None:
        """End the session now and wait for its thread."""
        if self._force is not None:
            self._force.cancel()
        self.stop(grace=0)
        if self._run is not None:
            self._run.join(30)
        for child in (self.title, self.output, self.input, self.send_button, self.up, self.down,
                      self.stop_button, self.state, self.error):
            child.close()
        super().close()

    def __repr__(self) -> str:
        return f"Shell(running={self.running}, exit_code={self.exit_code!r})"


