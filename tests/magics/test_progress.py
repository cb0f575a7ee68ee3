"""The waiting line: kubectl's notices and warnings pass through, the rest is transient."""

from __future__ import annotations

from typing import Any

import pytest

from kdebug_nb.engine import RunNotice, RunOutput, RunWaiting
from kdebug_nb.magics.progress import ProgressLine, describe


def test_describe() -> None:
    p = RunWaiting("r", "waiting", "ContainerCreating", "pulling  image\nbusybox", 2.04)
    assert describe(p) == "waiting: ContainerCreating — pulling image busybox (2.0 s)"


def test_notices_to_stdout_warnings_to_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    line = ProgressLine(enabled=True, rich=False)
    line(RunNotice("r", "Defaulting debug container name to debugger-x."))
    line(RunNotice("r", "--profile=legacy is deprecated", "warning"))
    line(RunWaiting("r", "waiting", "ContainerCreating"))  # not a terminal: nothing shown
    line(RunOutput("r", "hello\n"))
    out, err = capsys.readouterr()
    assert out == "Defaulting debug container name to debugger-x.\nhello\n"
    assert err == "--profile=legacy is deprecated\n"


class _Handle:
    def __init__(self, log: list[Any]) -> None:
        self.log = log

    def update(self, bundle: dict[str, str], raw: bool = False) -> None:
        self.log.append(bundle)


def test_rich_line_updates_then_disappears(monkeypatch: pytest.MonkeyPatch) -> None:
    import IPython.display

    log: list[Any] = []

    def fake_display(bundle: dict[str, str], raw: bool = False, display_id: bool = False) -> _Handle:
        assert raw and display_id
        log.append(bundle)
        return _Handle(log)

    monkeypatch.setattr(IPython.display, "display", fake_display)
    line = ProgressLine(enabled=True, rich=True)
    line(RunWaiting("r", "reading", message="pod/neato", elapsed=0.01))  # quick: not shown
    assert log == []
    line(RunWaiting("r", "creating", message="pod/<b>neato</b>", elapsed=0.6))
    line(RunWaiting("r", "waiting", "ContainerCreating", elapsed=0.5))
    line(RunWaiting("r", "running", "Running", elapsed=0.7))  # output begins: the line goes
    assert "creating" in log[0]["text/plain"] and "&lt;b&gt;" in log[0]["text/html"]
    assert "ContainerCreating (0.5 s)" in log[1]["text/plain"]
    assert log[-1] == {"text/plain": ""}
    line.clear()  # idempotent
    assert len(log) == 3
