"""Pieces every page shares: the step bar ("where am I") and the one-line purpose.

Both are single widgets whose parts are styled through component classes, so the colours stay in
assets/app.tcss (and follow the theme) while each page mounts a few widgets less.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.text import Text
from textual.widgets import Static

from wizard.questions import SECTION_KEYS, SECTIONS, section

SHORT_NAMES = {
    "subscription": "Subscription", "vm": "VM", "disk": "Disk", "account": "Account",
    "share": "Share", "endpoints": "Network", "files": "Files", "remote": "Remote",
    "cluster": "Cluster",
}
PAGES: tuple[tuple[str, str], ...] = (
    *((s.key, SHORT_NAMES.get(s.key, s.title)) for s in SECTIONS),
    ("review", "Review"), ("run", "Run"), ("finish", "Finish"),
)


class StepBar(Static):
    """Subscription  VM  Disk … Review  Run  Finish, with the current page marked."""

    COMPONENT_CLASSES = {"stepbar--done", "stepbar--current", "stepbar--todo"}

    def __init__(self, current: str, ctx: Mapping[str, Any] | None = None) -> None:
        """``ctx``: the answers so far; a section with nothing to ask for them (the other share
        backend's) is left out, as the wizard passes it over."""
        super().__init__(id="stepbar")
        self.current = current
        self.pages = self._pages(ctx)

    @staticmethod
    def _pages(ctx: Mapping[str, Any] | None) -> tuple[tuple[str, str], ...]:
        return tuple((k, name) for k, name in PAGES
                     if ctx is None or k not in SECTION_KEYS or section(k).asks(ctx))

    def follow(self, ctx: Mapping[str, Any]) -> None:
        """The answers on screen changed (e.g. the share backend was just picked): show the
        sections those answers ask."""
        pages = self._pages(ctx)
        if pages != self.pages:
            self.pages = pages
            self.refresh()

    def render(self) -> Text:
        keys = [k for k, _ in self.pages]
        here = keys.index(self.current) if self.current in keys else -1
        text = Text(no_wrap=True, overflow="ellipsis")
        # Two spaces between pages when they fit, else one (all eleven pages fit 80 columns).
        wide = sum(len(name) + 2 for _, name in self.pages) + 2 <= (self.size.width or 80)
        gap = "  " if wide else " "
        for i, (_key, name) in enumerate(self.pages):
            part = "current" if i == here else "done" if i < here else "todo"
            if i:
                text.append(gap)
            text.append(f" {name} " if part == "current" else name,
                        style=self.get_component_rich_style(f"stepbar--{part}"))
        return text


class Purpose(Static):
    """What this page is for, in one line: the page's title, then its purpose."""

    COMPONENT_CLASSES = {"purpose--title"}

    def __init__(self, title: str, purpose: str) -> None:
        super().__init__(classes="purpose")
        self.title_text = title
        self.purpose_text = purpose

    def render(self) -> Text:
        return Text.assemble((self.title_text, self.get_component_rich_style("purpose--title")),
                             "  ", self.purpose_text)


__all__ = ["PAGES", "SHORT_NAMES", "StepBar", "Purpose"]
