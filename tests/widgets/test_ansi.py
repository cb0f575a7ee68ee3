"""ANSI colours to HTML: colours become spans, the text is always escaped."""

from __future__ import annotations

from kdebug_nb.widgets.ansi import AnsiRenderer, ansi_to_html


def test_colours_become_spans_and_text_is_escaped() -> None:
    out = ansi_to_html("\x1b[1;31mred <script>alert(1)</script>\x1b[0m plain\n")
    assert out == (
        '<span style="color:#cd0000;font-weight:bold">red &lt;script&gt;alert(1)&lt;/script&gt;'
        "</span> plain\n"
    )


def test_256_and_truecolour_and_background() -> None:
    out = ansi_to_html("\x1b[38;5;208ma\x1b[48;2;1;2;3mb\x1b[39;49mc")
    assert out == (
        '<span style="color:#ff8700">a</span>'
        '<span style="color:#ff8700;background-color:#010203">b</span>c'
    )


def test_other_sequences_are_dropped_not_shown() -> None:
    assert ansi_to_html("\x1b]0;title\x07\x1b[2Kdone\x1b[1A!") == "done!"


def test_a_sequence_split_across_chunks_is_held_back() -> None:
    r = AnsiRenderer()
    r.feed("a\x1b[3")
    assert r.html == "a"
    r.feed("2mgreen")
    assert r.html == 'a<span style="color:#00cd00">green</span>'


def test_carriage_return_overwrites_the_line() -> None:
    assert ansi_to_html("10%\r50%\r100%\nnext") == "100%\nnext"


def test_style_attribute_cannot_be_broken_out_of() -> None:
    out = ansi_to_html('\x1b[31m" onmouseover="x\x1b[0m')
    assert 'onmouseover="' not in out and "&quot; onmouseover=&quot;x" in out
