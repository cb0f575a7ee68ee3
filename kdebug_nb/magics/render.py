"""Rich displays the magics build: highlighted manifests, output blocks.

Everything that came from a cluster or a container is escaped before it is
put into HTML: a notebook frontend trusts the HTML a kernel has just sent and
would run a ``<script>`` in it.
"""

from __future__ import annotations

import html
import json
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
