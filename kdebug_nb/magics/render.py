"""Rich displays the magics build: highlighted manifests, capped output streams.

Everything that came from a cluster or a container is escaped before it is
put into HTML: a notebook frontend trusts the HTML a kernel has just sent and
would run a ``<script>`` in it.
"""

from __future__ import annotations

import html
import json
from collections import deque
from collections.abc import Callable
from typing import Any


class Manifest:
    """An object shown as YAML (or JSON): highlighted HTML in notebooks, text elsewhere."""

    def __init__(self, obj: Any, fmt: str = "yaml") -> None:
        self.obj = obj
        self.format = "json" if fmt == "json" else "yaml"
        self.text = dump(obj, self.format)

    def __repr__(self) -> str:
        return self.text.rstrip("\n")

    def __str__(self) -> str:
        return self.text

    def _repr_html_(self) -> str:
        return highlight_html(self.text, self.format)


def dump(obj: Any, fmt: str = "yaml") -> str:
    if fmt == "json":
        return json.dumps(obj, indent=2, sort_keys=False) + "\n"
    import yaml

    return yaml.safe_dump(obj, sort_keys=False, default_flow_style=False)


def highlight_html(text: str, language: str = "yaml") -> str:
    """Pygments HTML (which escapes its input), or an escaped <pre> without pygments."""
    try:
        from pygments import highlight
        from pygments.formatters import HtmlFormatter
        from pygments.lexers import JsonLexer, YamlLexer
    except ImportError:
        return f'<pre class="kdebug-manifest">{html.escape(text)}</pre>'
    lexer = JsonLexer() if language == "json" else YamlLexer()
    formatter = HtmlFormatter(noclasses=True, nowrap=False, cssclass="kdebug-manifest")
    return highlight(text, lexer, formatter)


class CappedOutput:
    """A run's output written to the cell as it streams, at most about ``limit`` characters.

    The first half of the budget is written as it arrives; after that only the
    last half is kept, and ``close()`` writes a line saying how much was left
    out, then that tail. A notebook frontend slows to a crawl (and the saved
    notebook balloons) with tens of megabytes in one cell; the ``DebugResult``
    still holds every character. ``limit`` 0 writes everything.
    """

    def __init__(self, write: Callable[[str], object], limit: int) -> None:
        self._write = write
        self.limit = limit
        self._head_left = limit - limit // 2 if limit > 0 else -1
        self._tail_limit = limit // 2
        self._tail: deque[str] = deque()
        self._tail_len = 0
        #: characters and line breaks dropped from the middle so far
        self.left_out = 0
        self._left_out_lines = 0

    def write(self, chunk: str) -> None:
        if not chunk:
            return
        if self._head_left < 0:
            self._write(chunk)
            return
        if self._head_left:
            shown, chunk = chunk[: self._head_left], chunk[self._head_left :]
            self._head_left -= len(shown)
            self._write(shown)
            if not chunk:
                return
        self._tail.append(chunk)
        self._tail_len += len(chunk)
        while self._tail_len > self._tail_limit:
            first = self._tail[0]
            extra = self._tail_len - self._tail_limit
            dropped = first if len(first) <= extra else first[:extra]
            if dropped is first:
                self._tail.popleft()
            else:
                self._tail[0] = first[extra:]
            self._tail_len -= len(dropped)
            self.left_out += len(dropped)
            self._left_out_lines += dropped.count("\n")

    def close(self) -> None:
        """Write what was left out, then the kept tail (once; later calls write nothing)."""
        tail = "".join(self._tail)
        self._tail.clear()
        self._tail_len = 0
        if self.left_out:
            # start the tail on a line of its own where a line break is near
            cut = tail.find("\n", 0, 200)
            if 0 <= cut < len(tail) - 1:
                self.left_out += cut + 1
                self._left_out_lines += 1
                tail = tail[cut + 1 :]
            self._write(self.note())
            self.left_out = 0
        if tail:
            self._write(tail)

    def note(self) -> str:
        return (
            f"\n[... {self.left_out:,} characters ({self._left_out_lines:,} lines) of "
            "output not shown; the result's .output holds all of it "
            "(r = %kdebug ...; r.output). Shown: head and tail, "
            f"{self.limit:,} characters (%config KDebug.max_output) ...]\n"
        )
