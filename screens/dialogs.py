"""Small modal questions: what Ctrl+C means while Azure works, plain 'quit?', 'create?', and the
device-code sign-in's code. The cancel and quit questions also show every generated password a
step applied (or may still apply) with a copy action: leaving must not lose one."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from screens.widgets.secrets import PasswordBox, copy_next
from wizard.passwords import PasswordNotice

COPY_BINDING = Binding("c", "copy_password", "Copy password", show=False)


def password_boxes(passwords: Sequence[PasswordNotice]) -> ComposeResult:
    for notice in passwords:
        yield PasswordBox(notice)


class InterruptDialog(ModalScreen[str | None]):
    """Ctrl+C during a run. Dismisses with "leave" (quit; Azure keeps going, a re-run resumes),
    "cancel" (start no new step, wait for running ones) or None (keep watching)."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Keep watching"), COPY_BINDING]

    def __init__(self, *, cancelling: bool = False, passwords: Sequence[PasswordNotice] = ()) -> None:
        """``passwords``: applied by a finished step, or by one still running (Azure finishes it)."""
        super().__init__(classes="dialog-screen")
        self.cancelling = cancelling
        self.passwords = passwords

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static("Azure is still working", classes="dialog-title")
            yield Static(
                "Leave it running and quit: the steps already started finish in Azure; "
                "run hpcshare again to resume.\n"
                "Cancel the run: no new step starts; hpcshare waits for the running ones.",
                classes="dialog-body", markup=False)
            yield from password_boxes(self.passwords)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Keep watching", id="keep", variant="primary", compact=True)
                yield Button("Leave running, quit", id="leave", compact=True)
                yield Button("Cancel the run", id="cancel", variant="error", compact=True,
                             disabled=self.cancelling)

    def on_mount(self) -> None:
        self.query_one("#keep", Button).focus()

    def action_copy_password(self) -> None:
        copy_next(self.query(PasswordBox))

    @on(Button.Pressed, ".dialog-buttons Button")
    def _chosen(self, event: Button.Pressed) -> None:
        self.dismiss(None if event.button.id == "keep" else event.button.id)


class ConfirmDialog(ModalScreen[bool]):
    """A yes/no question whose safe answer ("no") has the focus, unless ``focus_yes`` (the user
    asked for exactly this, e.g. Create after Review). Dismisses with True for yes. ``passwords``
    are shown between the question and the buttons, each with Copy (``c`` copies the next)."""

    BINDINGS = [Binding("escape", "dismiss(False)", "No"), COPY_BINDING]

    def __init__(self, title: str, body: str, *, yes: str, no: str, focus_yes: bool = False,
                 passwords: Sequence[PasswordNotice] = ()) -> None:
        super().__init__(classes="dialog-screen")
        self.title_text, self.body, self.yes, self.no = title, body, yes, no
        self.focus_yes = focus_yes
        self.passwords = passwords

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.title_text, classes="dialog-title", markup=False)
            yield Static(self.body, classes="dialog-body", markup=False)
            yield from password_boxes(self.passwords)
            with Horizontal(classes="dialog-buttons"):
                yield Button(self.no, id="no", variant="default" if self.focus_yes else "primary", compact=True)
                yield Button(self.yes, id="yes", variant="primary" if self.focus_yes else "error", compact=True)

    def on_mount(self) -> None:
        self.query_one("#yes" if self.focus_yes else "#no", Button).focus()

    def action_copy_password(self) -> None:
        copy_next(self.query(PasswordBox))

    @on(Button.Pressed, ".dialog-buttons Button")
    def _chosen(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")


class QuitDialog(ConfirmDialog):
    """Ctrl+C / Ctrl+Q when nothing runs; ``passwords``: generated ones a step applied, still
    known to this process only."""

    def __init__(self, *, after_failure: bool = False, passwords: Sequence[PasswordNotice] = ()) -> None:
        body = ("A step failed; run hpcshare again to resume from it." if after_failure
                else "Answers of the screens you finished are saved in the profile.")
        super().__init__("Quit hpcshare?", body, yes="Quit", no="Stay", passwords=passwords)


class DeviceCodeDialog(ModalScreen[None]):
    """Device-code sign-in (subscription.auth = device-code): azure-identity's prompt callback
    hands over the address and the code; the user opens it in any browser. Copy puts the code on
    the clipboard. Closing the dialog does not stop the sign-in: it completes when the code is entered."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Close"), Binding("c", "copy", "Copy code")]

    def __init__(self, verification_uri: str, user_code: str, expires_on: datetime) -> None:
        super().__init__(classes="dialog-screen")
        self.uri, self.code = verification_uri, user_code
        self.until = expires_on.astimezone().strftime("%H:%M")

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static("Sign in to Azure with a device code", classes="dialog-title")
            yield Static(f"In a browser, open {self.uri}\nand enter this code (valid until {self.until}):",
                         classes="dialog-body", markup=False)
            yield Static(self.code, id="device-code", classes="dialog-title", markup=False)
            yield Static("hpcshare goes on by itself once you have signed in.", classes="dialog-body", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Copy code", id="copy", variant="primary", compact=True)
                yield Button("Close", id="close", compact=True)

    def on_mount(self) -> None:
        self.query_one("#copy", Button).focus()

    def action_copy(self) -> None:
        self.app.copy_to_clipboard(self.code)
        self.notify("Device code copied to the clipboard.", timeout=3)

    @on(Button.Pressed)
    def _chosen(self, event: Button.Pressed) -> None:
        if event.button.id == "copy":
            self.action_copy()
        else:
            self.dismiss(None)
