"""DebugResult renderings: one status line, escaped HTML, output never twice."""

from __future__ import annotations

import json

from kdebug_nb.engine.result import DebugResult


def _result(**kw: object) -> DebugResult:
    base: dict[str, object] = {
        "pod": "web",
        "namespace": "default",
        "container": "debugger-abcde",
        "mode": "ephemeral",
        "image": "busybox",
        "command": ("sh", "-c", "echo hi"),
        "output": "hi\n",
        "exit_code": 0,
        "reason": "Completed",
        "duration": 0.42,
        "created": ("pod/web ephemeral container debugger-abcde",),
    }
    base.update(kw)
    return DebugResult(**base)  # type: ignore[arg-type]


def test_repr_has_status_line_and_output() -> None:
    text = repr(_result())
    first, rest = text.split("\n", 1)
    assert first.startswith("DebugResult(exit 0 (Completed)")
    assert "pod/web container debugger-abcde" in first
    assert rest == "hi"


def test_html_is_escaped_and_never_repeats_output() -> None:
    evil = "<script>alert(1)</script>"
    r = _result(output=evil, container=evil, image="busy<b>")
    html = r._repr_html_()
    assert "<script>" not in html
    assert "&lt;script&gt;" in html  # the container name, escaped
    assert html.count("alert(1)") == 1  # the name once; the output not at all
    assert "busy&lt;b&gt;" in html


def test_still_running_tells_how_to_read_the_log() -> None:
    r = _result(exit_code=None, reason="Running", still_running=True, output="")
    line = r.status_line()
    assert "still running" in line
    assert "kubectl logs web -c debugger-abcde -n default" in line


def test_to_dict_is_json_serialisable() -> None:
    data = _result(events=({"reason": "Pulled"},)).to_dict()
    again = json.loads(json.dumps(data))
    assert again["command"] == ["sh", "-c", "echo hi"] and again["ok"] is True
    assert again["exit_code"] == 0 and again["created"]
