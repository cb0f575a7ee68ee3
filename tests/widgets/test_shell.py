"""Shell headless: lines in through a streaming stdin, answers out, colours, history, exit code."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

import pytest
from widget_support import eventually, widget_threads

from kdebug_nb import engine
from kdebug_nb.widgets import Shell


def _text(value: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", value))


@pytest.fixture
def shell(session: engine.Session, no_thread_left: None) -> Iterator[Shell]:
    s = Shell("neato", image="busybox", target="neato", namespace="default", session=session)
    try:
        yield s
    finally:
        s.close()


def test_lines_typed_get_their_answers_and_exit_shows_the_code(
    shell: Shell, session: engine.Session
) -> None:
    assert "answer=42" in shell.send("echo answer=$((6 * 7))", expect="answer=42")
    # Enter in the browser: the Text view sends a "submit" message
    shell.input.value = "echo second=$((1 + 1))"
    shell.input._handle_custom_msg({"event": "submit"}, [])  # noqa: SLF001 - the frontend's path
    eventually(lambda: "second=2" in _text(shell.output.value), 30, "the submitted line's answer")
    assert shell.input.value == ""
    assert "$ echo second=$((1 + 1))" in _text(shell.output.value)  # the line is echoed
    # the target's processes are visible: it shares neato's process namespace
    assert "/neato" in shell.send("ps", expect="/neato")
    shell.submit("exit 3")
    assert shell.wait(30)
    assert shell.exit_code == 3
    assert "exit 3" in _text(shell.state.value)
    assert shell.input.disabled and shell.stop_button.disabled
    frame = session.history.to_frame()
    assert list(frame["target"]) == ["neato"] and list(frame["exit_code"]) == [3]


def test_colours_are_rendered_and_markup_stays_text(shell: Shell) -> None:
    shell.send(r"printf '\033[31mred\033[0m <b>bold?</b>\n'", expect="bold?")
    assert '<span style="color:#cd0000">red</span>' in shell.output.value
    assert "&lt;b&gt;bold?&lt;/b&gt;" in shell.output.value and "<b>" not in shell.output.value


def test_up_and_down_walk_the_shells_own_history(shell: Shell) -> None:
    for line in ("echo one", "echo two", "echo two", ""):
        shell.submit(line)
    assert shell.history == ["echo one", "echo two"]
    assert list(shell.input.options) == ["echo two", "echo one"]  # the arrow keys' list
    shell.up.click()
    assert shell.input.value == "echo two"
    shell.up.click()
    shell.up.click()
    assert shell.input.value == "echo one"
    shell.down.click()
    assert shell.input.value == "echo two"
    shell.down.click()
    assert shell.input.value == ""


def test_stop_ends_the_session_with_its_exit_code(shell: Shell) -> None:
    shell.send("echo ready", expect="ready")
    shell.stop_button.click()
    assert shell.wait(30)
    assert shell.exit_code == 0  # sh read end of input and exited
    assert not shell.running
    with pytest.raises(engine.UsageError, match="the shell has ended"):
        shell.submit("echo too late")
    shell.input.value = "echo too late"
    shell.send_button.click()  # a click's error shows in the widget
    assert "error: the shell has ended" in _text(shell.error.value)


def test_stop_interrupts_what_ignores_end_of_input(session: engine.Session) -> None:
    s = Shell("neato", image="busybox", session=session)
    try:
        s.send("echo go", expect="go")
        s.submit("sleep 60")
        s.stop(grace=0.5)
        assert s.wait(30)
        assert s.result is not None and s.result.interrupted
        assert widget_threads() == []
    finally:
        s.close()


def test_a_pod_that_does_not_exist_is_one_line(session: engine.Session) -> None:
    s = Shell("no-such-pod", image="busybox", session=session)
    try:
        assert s.wait(30)
        line = _text(s.error.value)
        assert line.startswith("error: ") and "no-such-pod" in line and "\n" not in line.strip()
        assert s.input.disabled
    finally:
        s.close()
