"""Terminal text as safe HTML: SGR colour codes become styled spans, everything else is text.

Container output is untrusted: every character of it is HTML-escaped, and only the
styles this module writes itself reach the page. Recognised: ECMA-48 SGR sequences
(``ESC [ ... m``): reset, bold, faint, italic, underline, the 8 + 8 bright foreground
and background colours, 256-colour and 24-bit colours. Other control sequences
(cursor moves, erase line) are dropped; a carriage return starts the line again the
way a terminal overwrites it.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field, replace

_CSI = re.compile(r"\x1b\[([0-9;?]*)([A-Za-z])")
_OTHER_ESC = re.compile(r"\x1b[\]P^_].*?(?:\x07|\x1b\\)|\x1b[@-Z\\-_]")

#: xterm's default 16 colours (normal, then bright)
PALETTE = (
    "#000000", "#cd0000", "#00cd00", "#cdcd00", "#0000ee", "#cd00cd", "#00cdcd", "#e5e5e5",
    "#7f7f7f", "#ff0000", "#00ff00", "#ffff00", "#5c5cff", "#ff00ff", "#00ffff", "#ffffff",
)


def _colour_256(n: int) -> str:
    if n < 16:
        return PALETTE[n]
    if n < 232:
        n -= 16
        steps = (0, 95, 135, 175, 215, 255)
        return f"#{steps[n // 36]:02x}{steps[n // 6 % 6]:02x}{steps[n % 6]:02x}"
    grey = 8 + 10 * (n - 232)
    return f"#{grey:02x}{grey:02x}{grey:02x}"


@dataclass(frozen=True)
class Style:
    fg: str = ""
    bg: str = ""
    bold: bool = False
    faint: bool = False
    italic: bool = False
    underline: bool = False

    def css(self) -> str:
        parts = [f"color:{self.fg}" if self.fg else "", f"background-color:{self.bg}" if self.bg else "",
                 "font-weight:bold" if self.bold else "", "opacity:0.7" if self.faint else "",
                 "font-style:italic" if self.italic else "",
                 "text-decoration:underline" if self.underline else ""]
        return ";".join(p for p in parts if p)


def _extended(codes: list[int], i: int) -> tuple[str, int]:
    """``38;5;N`` or ``38;2;R;G;B`` starting at ``codes[i]`` (the 38/48): colour, next index."""
    if i + 2 < len(codes) and codes[i + 1] == 5:
        return _colour_256(codes[i + 2] % 256), i + 3
    if i + 4 < len(codes) and codes[i + 1] == 2:
        r, g, b = (min(c, 255) for c in codes[i + 2 : i + 5])
        return f"#{r:02x}{g:02x}{b:02x}", i + 5
    return "", len(codes)


def apply_sgr(style: Style, params: str) -> Style:
    """The style after one ``ESC [ params m``."""
    codes = [int(p) if p.isdigit() else 0 for p in params.split(";")] if params else [0]
    i = 0
    while i < len(codes):
        c = codes[i]
        i += 1
        if c == 0:
            style = Style()
        elif c == 1:
            style = replace(style, bold=True)
        elif c == 2:
            style = replace(style, faint=True)
        elif c == 3:
            style = replace(style, italic=True)
        elif c == 4:
            style = replace(style, underline=True)
        elif c == 22:
            style = replace(style, bold=False, faint=False)
        elif c == 23:
            style = replace(style, italic=False)
        elif c == 24:
            style = replace(style, underline=False)
        elif 30 <= c <= 37:
            style = replace(style, fg=PALETTE[c - 30])
        elif 90 <= c <= 97:
            style = replace(style, fg=PALETTE[c - 90 + 8])
        elif 40 <= c <= 47:
            style = replace(style, bg=PALETTE[c - 40])
        elif 100 <= c <= 107:
            style = replace(style, bg=PALETTE[c - 100 + 8])
        elif c == 39:
            style = replace(style, fg="")
        elif c == 49:
            style = replace(style, bg="")
        elif c in (38, 48):
            colour, i = _extended(codes, i - 1)
            style = replace(style, fg=colour) if c == 38 else replace(style, bg=colour)
    return style


@dataclass
class AnsiRenderer:
    """Incremental: feed chunks as they stream in, read ``html`` at any time.

    An escape sequence split across two chunks is held back until it is complete.
    """

    style: Style = field(default_factory=Style)
    _pieces: list[str] = field(default_factory=list)
    _line: list[str] = field(default_factory=list)
    _pending: str = ""

    def feed(self, text: str) -> None:
        text = self._pending + text
        self._pending = ""
        cut = text.rfind("\x1b")
        if cut != -1 and not (_CSI.match(text, cut) or _OTHER_ESC.match(text, cut)):
            text, self._pending = text[:cut], text[cut:]
        text = _OTHER_ESC.sub("", text)
        pos = 0
        for match in _CSI.finditer(text):
            self._text(text[pos : match.start()])
            if match.group(2) == "m":
                self.style = apply_sgr(self.style, match.group(1))
            pos = match.end()
        self._text(text[pos:])

    def _text(self, text: str) -> None:
        for part in re.split(r"(\r\n|\n|\r)", text):
            if part in ("\n", "\r\n"):
                self._pieces.extend(self._line)
                self._pieces.append("\n")
                self._line = []
            elif part == "\r":
                self._line = []
            elif part:
                safe = html.escape(part.replace("\x00", ""))
                css = self.style.css()
                self._line.append(f'<span style="{css}">{safe}</span>' if css else safe)

    @property
    def html(self) -> str:
        return "".join(self._pieces) + "".join(self._line)


def ansi_to_html(text: str) -> str:
    """``text`` with its SGR colours as spans, all of it escaped."""
    renderer = AnsiRenderer()
    renderer.feed(text)
    return renderer.html
