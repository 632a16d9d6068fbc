"""The wizard's two themes: Textual's own dark and light ones, with the colours that fell short of
WCAG 2.1 AA (4.5:1 for text against its background) changed (issue 22). Everything else, and
every CSS variable Textual derives from these, stays Textual's.

tests/ui/test_contrast.py measures every text colour the running app draws against its
background, in both themes: a change here or in assets/app.tcss that drops below 4.5:1 fails it.
"""
from __future__ import annotations

from dataclasses import replace

from textual.theme import BUILTIN_THEMES, Theme

DARK, LIGHT = "hpcshare-dark", "hpcshare-light"

THEMES: tuple[Theme, ...] = (
    # Textual's #0178D4 under near-white labels (primary buttons, highlighted rows) is 3.8:1.
    # The same for #BA3C5B under the "Cancel the run" label (4.47:1).
    replace(BUILTIN_THEMES["textual-dark"], name=DARK, primary="#0163AE", error="#A8344F",
            variables={"text-error": "#D98A9C"}),       # derived from that: 4.4:1 on the panels
    replace(BUILTIN_THEMES["textual-light"], name=LIGHT, error="#A8344F", variables={
        **BUILTIN_THEMES["textual-light"].variables,
        "footer-key-foreground": "#004578",     # Textual's #0178D4 on the footer: 2.9:1
        # "auto 60%": 4.4:1 on the panels; and an "auto" colour in a table cell's style (the Run
        # steps' state colours) came out white. A plain colour, 5:1 or more on every light grey.
        "text-muted": "#4A4A4A",
        "text-success": "#1C5E30",               # the derived ones: 2.8 to 3.8:1 on the light greys
        "text-warning": "#6E4300",
        "text-accent": "#6E4300",
    }),
)


def other(theme: str) -> str:
    """Ctrl+T: the other one of the two."""
    return LIGHT if theme == DARK else DARK


__all__ = ["DARK", "LIGHT", "THEMES", "other"]
