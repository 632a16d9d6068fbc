"""A generated password as every page and dialog shows it (``wizard.passwords.PasswordNotice``):
its label and user, the value with Copy (and Hide where the page stays), or, for one an earlier
run applied, that it cannot be shown again and the command that sets a new one."""
from __future__ import annotations

from collections.abc import Iterable

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Static

from wizard.passwords import PasswordNotice


class PasswordBox(Vertical):
    """One notice. ``copied``: the user copied the value (Finish then quits without asking)."""

    def __init__(self, notice: PasswordNotice, *, hide: bool = False) -> None:
        super().__init__(classes="secret-box", id=f"secret-{notice.who}")
        self.notice = notice
        self.hide = hide
        self.copied = False

    @property
    def shows_value(self) -> bool:
        return self.notice.password is not None

    def compose(self) -> ComposeResult:
        n = self.notice
        if n.password is None:
            yield Static("\n".join(n.lines()), classes="secret-title", markup=False)
            return
        yield Static(f"{n.label} ({n.user}): shown once, saved nowhere",
                     classes="secret-title", markup=False)
        with Horizontal(classes="secret-line"):
            yield Static(n.password, classes="secret-value", markup=False)
            yield Button("Copy", id=f"copy-{n.who}", classes="secret-copy", compact=True)
            if self.hide:
                yield Button("Hide", id=f"hide-{n.who}", classes="secret-hide", compact=True)

    def copy(self) -> None:
        if self.notice.password is None:
            return
        self.app.copy_to_clipboard(self.notice.password)
        self.copied = True
        # The label, never the value: notifications may be logged or read out.
        self.notify(f"{self.notice.label} ({self.notice.user}) copied to the clipboard.", timeout=3)

    @on(Button.Pressed, ".secret-copy")
    def _copy_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.copy()

    @on(Button.Pressed, ".secret-hide")
    async def _hide_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        screen = self.screen
        await self.remove()
        screen.refresh_bindings()         # e.g. Finish's "Copy password" leaves the footer


def copy_next(boxes: Iterable[PasswordBox]) -> None:
    """The ``c`` key: copy the first shown password not copied yet (the first again once all are)."""
    shown = [b for b in boxes if b.shows_value]
    target = next((b for b in shown if not b.copied), shown[0] if shown else None)
    if target is not None:
        target.copy()
