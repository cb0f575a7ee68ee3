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


@pytest.fixture()
def shown(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """What the frontend is sent: each display or update's bundle, in order."""
    import IPython.display

    log: list[Any] = []

    def fake_display(bundle: dict[str, str], raw: bool = False, display_id: bool = False) -> _Handle:
        assert raw and display_id
        log.append(bundle)
        return _Handle(log)

    monkeypatch.setattr(IPython.display, "display", fake_display)
    return log


def test_rich_line_updates_then_gives_way_to_the_output(
    shown: list[Any], capsys: pytest.CaptureFixture[str]
) -> None:
    line = ProgressLine(enabled=True, rich=True)
    line(RunWaiting("r", "reading", message="pod/neato", elapsed=0.01))  # quick: not shown
    assert shown == []
    line(RunWaiting("r", "creating", message="pod/<b>neato</b>", elapsed=0.6))
    line(RunWaiting("r", "waiting", "ContainerCreating", elapsed=0.5))
    assert "creating" in shown[0]["text/plain"] and "&lt;b&gt;" in shown[0]["text/html"]
    assert "ContainerCreating (0.5 s)" in shown[1]["text/plain"]
    line(RunWaiting("r", "running", "Running", elapsed=0.7))
    line(RunOutput("r", "PID USER\n"))
    line(RunOutput("r", "  1 root <script>\n"))
    line(RunWaiting("r", "deleting", message="pod/copy", elapsed=0.9))  # --rm after the output
    line.clear()
    line.clear()  # idempotent
    # the display now holds the output, never an empty text; nothing went to stdout
    assert all(b["text/plain"] for b in shown)
    assert "⏳ deleting" in shown[-2]["text/plain"] and shown[-2]["text/plain"].startswith("PID USER\n")
    assert shown[-1] == {"text/plain": "PID USER\n  1 root <script>\n"}
    assert "&lt;script&gt;" in shown[-2]["text/html"]
    assert capsys.readouterr().out == ""


def test_a_run_that_printed_nothing_says_so(shown: list[Any]) -> None:
    line = ProgressLine(enabled=True, rich=True)
    line(RunWaiting("r", "waiting", "ContainerCreating", elapsed=0.5))
    line(RunWaiting("r", "running", "Running", elapsed=0.7))
    line.clear()
    assert shown[-1] == {"text/plain": "(no output)\n"}


def test_a_quick_run_streams_and_shows_nothing(shown: list[Any], capsys: pytest.CaptureFixture[str]) -> None:
    line = ProgressLine(enabled=True, rich=True)
    line(RunWaiting("r", "creating", message="pod/neato", elapsed=0.01))
    line(RunOutput("r", "hi\n"))
    line.clear()
    assert shown == [] and capsys.readouterr().out == "hi\n"


def test_output_beyond_the_display_limit_streams_below(
    shown: list[Any], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ProgressLine, "DISPLAY_LIMIT", 10)
    line = ProgressLine(enabled=True, rich=True)
    line(RunWaiting("r", "waiting", "ContainerCreating", elapsed=0.5))
    line(RunOutput("r", "0123456789abc"))
    line(RunOutput("r", "def\n"))
    line.clear()
    assert shown[-1] == {"text/plain": "0123456789"}
    assert capsys.readouterr().out == "abcdef\n"
