"""DebugResult renderings: one status line, escaped HTML, output shown once.

The output appears where nothing streamed it (the Python API), and never
again where an adapter streamed it (a magic's cell, the CLI).
"""

from __future__ import annotations

import json

from kdebug_nb.engine.runs.result import DebugResult


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


def test_html_is_escaped_and_never_repeats_streamed_output() -> None:
    evil = "<script>alert(1)</script>"
    r = _result(output=evil, container=evil, image="busy<b>")
    html = r._repr_html_()
    assert "<script>" not in html
    assert "&lt;script&gt;" in html  # the container name, escaped
    assert html.count("alert(1)") == 2  # the name, and the output nothing streamed
    assert "busy&lt;b&gt;" in html
    r.streamed = True
    assert r._repr_html_().count("alert(1)") == 1  # the name once; the output not again


def test_long_output_is_collapsed_in_html() -> None:
    short = _result(output="one\ntwo\n")._repr_html_()
    assert "<details>" not in short and "one\ntwo" in short
    long = _result(output="".join(f"line {i}\n" for i in range(100)))._repr_html_()
    assert "<details><summary>output (100 lines)</summary>" in long and "line 99" in long


def test_huge_output_is_bounded_in_html_with_head_tail_and_what_was_left_out() -> None:
    output = "<b>first</b>\n" + "x" * 50_000_000 + "\nlast <i>line</i>\n"
    rendered = _result(output=output)._repr_html_()
    assert len(rendered) < 200_000
    assert "&lt;b&gt;first&lt;/b&gt;" in rendered and "last &lt;i&gt;line&lt;/i&gt;" in rendered
    assert "characters (0 lines) left out here" in rendered
    assert "the result&#x27;s .output holds all of it" in rendered


class _Printer:
    def __init__(self) -> None:
        self.parts: list[str] = []

    def text(self, value: str) -> None:
        self.parts.append(value)


def test_pretty_follows_the_same_rule() -> None:
    r = _result()
    p = _Printer()
    r._repr_pretty_(p, False)
    assert p.parts == [repr(r)] and p.parts[0].endswith("\nhi")
    r.streamed = True
    p = _Printer()
    r._repr_pretty_(p, False)
    assert p.parts == [r.status_line()]


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
