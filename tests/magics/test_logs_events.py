"""%klogs and %kevents against the session sandbox, and kubeconfig errors in magics."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from ipython_shell import make_shell
from kubectl_bin import wait_until

from kdebug_nb.engine.client.connection import clear_cache
from kdebug_nb.magics.frames import BAD, as_events_frame

FATAL = "fatal: /etc/crasher/config.yaml not found"


def _err_lines(capsys: pytest.CaptureFixture[str]) -> list[str]:
    return [x for x in capsys.readouterr().err.splitlines() if x.strip()]


def test_klogs_previous_shows_the_crash(ip: Any) -> None:
    def crashed() -> str:
        ip.run_cell("st = %kstatus crasher")
        return str(ip.user_ns["st"].iloc[0]["last_reason"])

    wait_until(crashed, timeout=30, what="the crasher's first crash")
    ip.run_cell("log = %klogs crasher --previous")
    log = ip.user_ns["log"]
    assert FATAL in str(log) and "starting" in str(log)
    assert "pod/crasher (previous)" in log._repr_html_()
    ip.run_cell("last = %klogs crasher -p --tail 1")
    assert str(ip.user_ns["last"]) == FATAL + "\n"
    assert repr(ip.user_ns["last"]) == FATAL


def test_klogs_escapes_container_output(ip: Any, core_v1: Any, fresh_namespace: str) -> None:
    name = "loud"
    core_v1.create_namespaced_pod(fresh_namespace, {
        "apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
        "spec": {"containers": [{"name": "app", "image": "busybox", "command": [
            "sh", "-c", "echo '<script>alert(1)</script> & <b>bold</b>'; sleep 3600"]}]},
    })

    def logged() -> str:
        ip.run_cell(f"log = %klogs {name} -n {fresh_namespace} -c app")
        log = ip.user_ns["log"]  # None while the container starts (one line on stderr)
        return log.text if log is not None else ""

    wait_until(logged, timeout=30, what="the pod's line")
    page = ip.user_ns["log"]._repr_html_()
    assert "<script>" not in page and "<b>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in page


def test_long_logs_show_their_tail() -> None:
    from kdebug_nb.magics.logs import DISPLAY_LIMIT, LogText

    text = "".join(f"line {i}\n" for i in range(200_000))
    assert len(text) > DISPLAY_LIMIT
    log = LogText(text, "pod/big")
    assert str(log) == text
    page = log._repr_html_()
    assert "line 199999" in page and "line 0\n" not in page and "showing the last" in page
    assert len(page) < DISPLAY_LIMIT + 1000
    assert repr(log).startswith("(showing the last") and repr(log).endswith("line 199999")


def test_klogs_errors_are_one_line(ip: Any, capsys: pytest.CaptureFixture[str]) -> None:
    ip.run_cell("x = %klogs no-such-pod")
    lines = _err_lines(capsys)
    assert len(lines) == 1 and 'pods "no-such-pod" not found' in lines[0]
    ip.run_cell("x = %klogs neato --previous")
    lines = _err_lines(capsys)
    assert lines == ['error: previous terminated container "neato" in pod "neato" not found']
    ip.run_cell("x = %klogs")
    lines = _err_lines(capsys)
    assert len(lines) == 1 and "usage: %klogs POD" in lines[0]
    ip.run_cell("x = %klogs neato --since soon")
    lines = _err_lines(capsys)
    assert len(lines) == 1 and 'invalid duration "soon"' in lines[0]


def test_kevents_of_the_crasher(ip: Any) -> None:
    def backoff() -> bool:
        ip.run_cell("ev = %kevents crasher")
        return bool((ip.user_ns["ev"]["reason"] == "BackOff").any())

    wait_until(backoff, timeout=30, what="a BackOff event")
    ev = ip.user_ns["ev"]
    assert isinstance(ev, pd.DataFrame)
    assert list(ev.columns) == ["last_seen", "type", "reason", "object", "count", "message"]
    ip.run_cell("two = %kevents -l app=crasher --tail 2")
    two = ip.user_ns["two"]
    # the crasher keeps adding events: the newest two now are at least as new
    # as the third newest a moment ago (last-seen times only grow)
    assert len(two) == 2 and len(ev) >= 3
    assert two["last_seen"].min() >= ev["last_seen"].iloc[-3]
    ip.run_cell("sec = %kevents -n secure")
    assert set(ip.user_ns["sec"]["object"]) >= {"pod/audited"}


def test_kevents_html_is_escaped_and_warnings_coloured(ip: Any, capsys: pytest.CaptureFixture[str]) -> None:
    frame = as_events_frame(pd.DataFrame({
        "last_seen": pd.to_datetime(["2026-01-01T00:00:00Z", "2026-01-01T00:00:01Z"], utc=True),
        "type": ["Normal", "Warning"], "reason": ["Pulled", "BackOff"],
        "object": ["pod/x", "pod/x"], "count": [1, 3],
        "message": ["<img src=x onerror=alert(1)>", "Back-off restarting"],
    }))
    page = frame._repr_html_()
    assert "<img" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    try:
        import jinja2  # noqa: F401  (the Styler needs it)
    except ImportError:
        return
    assert "#c62828" in page and BAD.startswith("color:#c62828")
    ip.run_cell("x = %kevents crasher -l app=crasher")
    lines = _err_lines(capsys)
    assert len(lines) == 1 and "not both" in lines[0]


def test_corrupt_kubeconfig_is_one_line_in_magics(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    corrupt = tmp_path / "corrupt.yaml"
    corrupt.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    monkeypatch.setenv("KUBECONFIG", f"{tmp_path / 'empty.yaml'}:{corrupt}")
    (tmp_path / "empty.yaml").write_text("")
    clear_cache()
    shell = make_shell(tmp_path / "ipython")
    shell.run_line_magic("load_ext", "kdebug_nb")
    shell.run_cell("%config KDebug.persist_history = False")
    try:
        for cell in ("%kstatus", "x = %klogs crasher", "x = %kevents", "%kdebug neato --image=busybox -- true"):
            shell.run_cell(cell)
            captured = capsys.readouterr()
            lines = [x for x in captured.err.splitlines() if x.strip()]
            assert len(lines) == 1, (cell, captured.err)
            assert lines[0].startswith(f'error: error loading config file "{corrupt}": not UTF-8 text')
            assert "Traceback" not in captured.out + captured.err
        started = time.monotonic()
        shell.run_cell("%ksandbox start")
        assert "sandbox running at" in capsys.readouterr().out
        # the sandbox is the connection now (its containers may still be starting,
        # so ask for what exists from the start: the pod and its events)
        shell.run_cell("st = %kstatus neato\nev = %kevents neato")
        assert list(shell.user_ns["st"]["pod"]) == ["neato"]
        assert shell.user_ns["ev"] is not None and _err_lines(capsys) == []
        assert time.monotonic() - started < 60
        shell.run_cell("%ksandbox stop")
        shell.run_cell("%kstatus")
        assert len(_err_lines(capsys)) == 1  # back to the broken kubeconfig, one line again
    finally:
        shell.run_line_magic("unload_ext", "kdebug_nb")
        clear_cache()
