"""DebugPanel headless: pickers from the cluster, Run streams, errors in one line, Stop, close()."""

from __future__ import annotations

import html
from collections.abc import Iterator

import pytest
from widget_support import eventually, widget_threads

from kdebug_nb import engine
from kdebug_nb.widgets import DebugPanel


@pytest.fixture
def panel(session: engine.Session, no_thread_left: None) -> Iterator[DebugPanel]:
    p = DebugPanel("default", session=session)
    try:
        yield p
    finally:
        p.close()


def _text(value: str) -> str:
    """The text a user reads in an HTML widget's value."""
    import re

    return html.unescape(re.sub(r"<[^>]+>", "", value))


def test_pickers_show_pods_with_phase_readiness_and_restarts(panel: DebugPanel) -> None:
    assert panel.error.value == ""
    assert {"default", "secure"} <= set(panel.namespace.options)
    assert panel.namespace.value == "default"
    labels = dict((name, label) for label, name in panel.pod.options)
    assert labels["neato"] == "neato · Running · ready 1/1 · restarts 0"
    assert "CrashLoopBackOff" not in labels["neato"]
    panel.pod.value = "web"
    assert list(panel.target.options) == ["(none)", "nginx", "log-shipper"]
    assert "general" in panel.profile.options and "sysadmin" in panel.profile.options
    assert "node-1" in panel.node.options
    assert "nginx:1.27" in _text(panel.status_table.value)
    assert "log-shipper" in _text(panel.status_table.value)


def test_choices_become_the_options_a_typed_line_would_give(panel: DebugPanel) -> None:
    panel.pod.value = "neato"
    panel.target.value = "neato"
    panel.image.value = "alpine"
    panel.profile.value = "sysadmin"
    panel.command.value = "ps x"
    line = "neato -n default --image=alpine --target=neato --profile=sysadmin -- ps x"
    assert panel.command_line() == line
    assert panel.options() == engine.parse_args(line)
    panel.mode.value = "copy"
    assert panel.target.disabled and not panel.copy_name.disabled
    assert panel.options().copy_to == "neato-debug" and panel.options().rm
    assert panel.options().target == ""
    panel.copy_name.value = "my-copy"
    panel.remove.value = False
    assert (panel.options().copy_to, panel.options().rm) == ("my-copy", False)
    panel.mode.value = "node"
    assert panel.options().targets == ("node/node-1",)


def test_run_click_streams_output_and_records_the_run(panel: DebugPanel, session: engine.Session) -> None:
    seen: list[str] = []
    panel.output.observe(lambda change: seen.append(_text(change["new"])), names="value")
    panel.pod.value = "neato"
    panel.command.value = "sh -c 'echo first; sleep 1; echo second'"
    panel.run_button.click()
    assert panel.run_button.disabled and panel.pod.disabled and not panel.stop_button.disabled
    assert panel.wait(60)
    assert any("first" in s and "second" not in s for s in seen), seen  # streamed, not at the end
    assert _text(panel.output.value).split() == ["first", "second"]
    assert "exit 0" in _text(panel.state.value)
    assert not panel.run_button.disabled and panel.stop_button.disabled
    assert not panel.target.disabled and not panel.pod.disabled and panel.copy_name.disabled
    runs = _text(panel.runs.value)
    assert "neato" in runs and "exit 0" in runs
    frame = session.history.to_frame()
    assert list(frame["target"]) == ["neato"] and list(frame["exit_code"]) == [0]


def test_copy_mode_runs_in_a_copy_and_removes_it(panel: DebugPanel, session: engine.Session) -> None:
    panel.pod.value = "neato"
    panel.mode.value = "copy"
    panel.copy_name.value = "neato-panel-copy"
    panel.command.value = "echo in-the-copy"
    panel.run_button.click()
    assert panel.wait(90)
    assert panel.error.value == ""
    assert "in-the-copy" in _text(panel.output.value)
    assert "neato-panel-copy" in _text(panel.state.value)
    assert "neato-panel-copy" not in set(session.pods("default")["name"])


def test_container_output_is_escaped(panel: DebugPanel) -> None:
    panel.pod.value = "neato"
    panel.command.value = "echo '<script>alert(1)</script><img src=x onerror=alert(2)>'"
    panel.start()
    assert panel.wait(60)
    assert "<script>" not in panel.output.value and "<img" not in panel.output.value
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in panel.output.value


def test_a_failing_run_shows_the_magics_one_line_error(panel: DebugPanel) -> None:
    panel.pod.value = "neato"
    panel.image.value = "no-such-image-anywhere"
    panel.command.value = "true"
    panel.run_button.click()
    assert panel.wait(90)
    line = _text(panel.error.value)
    assert line.startswith("error: ") and "no-such-image-anywhere" in line
    assert "\n" not in line.strip() and "Traceback" not in line
    assert "error" in _text(panel.runs.value)
    assert not panel.run_button.disabled


def test_bad_choices_are_refused_in_the_panel_before_anything_runs(
    panel: DebugPanel, session: engine.Session
) -> None:
    panel.pod.value = "neato"
    panel.image.value = "Not A Valid Image!"
    panel.run_button.click()
    line = _text(panel.error.value)
    assert line.startswith("error: ") and "image" in line.lower()
    assert not panel.running and not panel.run_button.disabled
    assert len(session.history.to_frame()) == 0


def test_stop_ends_a_long_run(panel: DebugPanel) -> None:
    panel.pod.value = "neato"
    panel.command.value = "sleep 60"
    panel.run_button.click()
    eventually(lambda: "running" in _text(panel.state.value), 60, "the command to run")
    panel.stop_button.click()
    assert panel.wait(20)
    assert "stopped" in _text(panel.runs.value)
    assert not panel.run_button.disabled


def test_close_stops_the_run_the_timer_and_the_observers(session: engine.Session) -> None:
    p = DebugPanel("default", session=session, auto_refresh=0.2)
    before = p.refreshes
    p.auto.value = True
    eventually(lambda: p.refreshes >= before + 2, 30, "the status table to refresh by itself")
    p.pod.value = "neato"
    p.command.value = "sleep 60"
    p.start()
    eventually(lambda: len(widget_threads()) == 2, 10, "a run thread and a refresh thread")
    p.close()
    assert widget_threads() == []
    assert p._unobserve == []  # noqa: SLF001 - what close() promised


def test_no_cluster_is_one_line_in_the_panel_not_a_traceback(tmp_path) -> None:  # type: ignore[no-untyped-def]
    missing = tmp_path / "nope.kubeconfig"
    p = DebugPanel(session=engine.Session(engine.Connection(str(missing))))
    try:
        line = _text(p.error.value)
        assert line.startswith("error: ") and str(missing) in line
    finally:
        p.close()
