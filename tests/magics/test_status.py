"""%kstatus against the session sandbox."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from kdebug_nb.magics.frames import as_status_frame


def test_status_of_the_namespace(ip: Any) -> None:
    ip.run_cell("df = %kstatus")
    df = ip.user_ns["df"]
    assert isinstance(df, pd.DataFrame) and len(df) > 0
    assert {"neato", "web", "crasher"} <= set(df["pod"])
    page = df._repr_html_()
    assert "neato" in page
    try:
        import jinja2  # noqa: F401  (the Styler needs it)
    except ImportError:
        return
    assert "color:" in page  # state colouring


def test_status_of_one_pod_selector_and_all_namespaces(ip: Any) -> None:
    ip.run_cell("one = %kstatus neato\nsel = %kstatus -l app=neato\nall_ = %kstatus -A")
    assert set(ip.user_ns["one"]["pod"]) == {"neato"}
    assert set(ip.user_ns["sel"]["pod"]) == {"neato"}
    assert "secure" in set(ip.user_ns["all_"]["namespace"])


def test_status_namespace_flag_and_setting(ip: Any) -> None:
    ip.run_cell("sec = %kstatus -n secure")
    assert set(ip.user_ns["sec"]["namespace"]) == {"secure"}
    ip.run_cell("%config KDebug.namespace = 'secure'\nsec2 = %kstatus")
    assert set(ip.user_ns["sec2"]["pod"]) == set(ip.user_ns["sec"]["pod"])


def test_unknown_pod_is_one_line(ip: Any, capsys: pytest.CaptureFixture[str]) -> None:
    ip.run_cell("%kstatus no-such-pod")
    lines = [x for x in capsys.readouterr().err.splitlines() if x.strip()]
    assert len(lines) == 1 and "no-such-pod" in lines[0]


def test_styler_html_escapes_values() -> None:
    frame = as_status_frame(
        pd.DataFrame(
            {"pod": ["<script>alert(1)</script>"], "state": ["<b>Running</b>"],
             "<i>col</i>": ["x"]},
            index=["<img src=x onerror=alert(1)>"],
        )
    )
    page = frame._repr_html_()
    assert "<script>" not in page and "<img" not in page and "<b>" not in page
    assert "<i>" not in page
    assert "&lt;script&gt;" in page
    # still a DataFrame, and operations give plain frames back
    assert isinstance(frame, pd.DataFrame) and type(frame.head()) is pd.DataFrame


def test_container_states_are_judged_with_reason_and_exit_code() -> None:
    from kdebug_nb.magics.frames import BAD, GOOD, WARN, container_styles

    frame = pd.DataFrame(
        {
            "container": ["app", "init", "crasher", "pull", "failed"],
            "state": ["running", "terminated", "waiting", "waiting", "terminated"],
            "reason": ["", "Completed", "CrashLoopBackOff", "ContainerCreating", "Error"],
            "exit_code": pd.array([None, 0, None, None, 2], dtype="Int64"),
            "ready": [True, False, False, False, False],
            "restarts": [0, 0, 4, 0, 0],
            "last_reason": ["Completed", "", "Error", "", ""],
            "last_exit_code": pd.array([0, None, 1, None, None], dtype="Int64"),
        }
    )
    styles = [dict(zip(frame.columns, container_styles(row), strict=True)) for _, row in frame.iterrows()]
    assert [s["state"] for s in styles] == [GOOD, GOOD, BAD, WARN, BAD]
    assert styles[2]["last_reason"] == BAD and styles[2]["last_exit_code"] == BAD
    assert styles[0]["last_reason"] == GOOD and styles[1]["last_reason"] == ""
    assert styles[0]["ready"] == GOOD and styles[2]["restarts"] == WARN
    html_page = as_status_frame(frame)._repr_html_()
    assert "#c62828" in html_page and "#2e7d32" in html_page  # red and green cells
