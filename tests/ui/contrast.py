"""WCAG 2.1 contrast of what the running app draws (issue 22): every cell of text on screen, its
colour against its background as the terminal gets them (after Textual has blended every alpha,
tint and theme variable), so nothing is measured from a hand-kept list of colours."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.color import Color as RichColor
from rich.segment import Segment
from textual.filter import dim_color

AA = 4.5       # WCAG 2.1 AA, normal-size text (1.4.3)

# Box drawing and block elements: borders, scrollbars, progress bars, the focus bar; not text.
_NOT_TEXT = range(0x2500, 0x25A0)


def luminance(color: RichColor) -> float:
    """Relative luminance, WCAG 2.1's definition (sRGB)."""
    def channel(v: int) -> float:
        c = v / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = color.get_truecolor()
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(fg: RichColor, bg: RichColor) -> float:
    hi, lo = sorted((luminance(fg), luminance(bg)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def is_text(text: str) -> bool:
    return any(not ch.isspace() and ord(ch) not in _NOT_TEXT for ch in text)


@dataclass(frozen=True)
class Pair:
    """One text colour on one background where the app draws it, with a sample of the text."""
    fg: str
    bg: str
    ratio: float
    widget: str
    sample: str

    def __str__(self) -> str:
        return f"{self.widget} {self.sample!r}: {self.fg} on {self.bg} = {self.ratio:.2f}:1"


def drawn_colours(segment: Segment) -> tuple[RichColor, RichColor] | None:
    """(text colour, background) as the terminal shows them: reverse swapped, dim blended half
    way to the background (Textual's DimFilter does the same)."""
    style = segment.style
    if style is None or style.color is None or style.bgcolor is None:
        return None
    fg, bg = style.color, style.bgcolor
    if style.reverse:
        fg, bg = bg, fg
    if style.dim:
        fg = dim_color(bg, fg, 0.5)
    return fg, bg


def low_pairs(app: Any) -> list[Pair]:
    """Every (text colour, background) on the current screen below 4.5:1, once per widget and pair. Text of a
    disabled widget is left out (WCAG exempts inactive controls), and so is the page dimmed
    behind a dialog (only the dialog is active)."""
    from textual.screen import ModalScreen

    screen = app.screen
    compositor = screen._compositor
    pairs: dict[tuple[str, str, str], Pair] = {}
    for y, strip in enumerate(compositor.render_strips()):
        x = 0
        for segment in strip:
            colours = drawn_colours(segment) if is_text(segment.text) else None
            ratio = contrast(*colours) if colours is not None else AA
            if colours is not None and ratio < AA:     # only these need their widget (slow)
                try:
                    widget, _ = compositor.get_widget_at(x, y)
                except Exception:       # a cell no widget covers
                    widget = None
                behind = isinstance(screen, ModalScreen) and widget is screen
                if widget is not None and not widget.disabled and not behind:
                    fg, bg = colours
                    name = type(widget).__name__ + (f"#{widget.id}" if widget.id else "")
                    key = (name, fg.get_truecolor().hex, bg.get_truecolor().hex)
                    pairs.setdefault(key, Pair(key[1], key[2], ratio, name, segment.text.strip()[:24]))
            x += segment.cell_length
    return list(pairs.values())
