"""Welcome: start a new profile, or pick a saved one (with how its last run went).

The most recently used profile is selected (or the one named on the command line). For a profile
whose last run stopped early (failed, cancelled, interrupted), Resume is the primary action.
Dismisses with the chosen profile name, ``Resume(name)`` (straight to the Run screen), or None to quit.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.validation import ValidationResult, Validator
from textual.widgets import Button, Footer, Header, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from screens.nav import Resume
from screens.widgets.chrome import Purpose
from wizard.session import SavedProfile, saved_profiles
from wizard.validation import profile_name

if TYPE_CHECKING:
    from wizard.session import Session

NEW = "__new__"


class NewProfileName(Validator):
    def __init__(self, existing: set[str]) -> None:
        super().__init__()
        self.existing = existing

    def validate(self, value: str) -> ValidationResult:
        broken = profile_name(value, {})
        if broken:
            return self.failure(f"Profile name: {broken}")
        if value in self.existing:
            return self.failure(f"Profile name: '{value}' exists; pick it in the list above")
        return self.success()


class WelcomeScreen(Screen[str | Resume | None]):
    BINDINGS = [
        # Esc leaves too; the footer shows the App's ^q Quit once, not two "Quit" hints.
        Binding("escape", "quit", "Quit", show=False),
        # Worded as the buttons are ("r Resume" as on the Run screen); Resume only when offered.
        Binding("r", "resume", "Resume"),
        Binding("ctrl+n", "continue", "Continue"),
    ]

    def __init__(self, session: "Session", *, select: str | None = None) -> None:
        """``select``: the profile to select (named on the command line, or chosen before);
        otherwise the most recently used one."""
        super().__init__(id="screen-welcome")
        self.session = session
        self.entries: dict[str, SavedProfile] = {p.name: p for p in saved_profiles(session)}
        self.saved = list(self.entries)              # the most recently used first
        self.select = select

    def compose(self) -> ComposeResult:
        yield Header(icon="")
        yield Purpose("Welcome", "hpcshare stands up a Windows SMB file server on Azure and writes "
                                 "the files that make HPC Pack nodes use it.")
        if self.session.demo:
            yield Static("Demo mode: everything runs against the built-in Azure stand-in; "
                         "no account is needed and nothing is billed.", id="demo-note", markup=False)
        with Vertical(id="welcome-body"):
            yield Label("Start from a saved profile, or a new one:", classes="section-label")
            options = [Option("+ New profile", id=NEW)]
            width = max([len(n) for n in self.saved] + [12])
            for name in self.saved:
                options.append(Option(self._row(name, width), id=name))
            yield OptionList(*options, id="profiles")
            with Horizontal(id="new-row"):
                yield Label("New profile name", classes="field-label")
                yield Input(value="" if self.session.profile in self.saved else self.session.profile,
                            placeholder="e.g. lab-fileserver", compact=True, id="new-name",
                            validators=[NewProfileName(set(self.saved))])
            yield Static("", id="new-message", markup=False)
        with Horizontal(id="nav"):
            yield Button("Quit", id="quit", compact=True)
            yield Button("Continue ›", id="continue", variant="primary", compact=True)
            yield Button("Resume", id="resume", compact=True)
        yield Footer()

    def _row(self, name: str, width: int) -> Table:
        """Name, then how its last run went; a long status wraps in its own column."""
        row = Table.grid(padding=(0, 2))
        row.add_column(width=width, no_wrap=True)
        row.add_column(ratio=1)
        row.add_row(Text(name), Text(self.entries[name].line()))
        return row

    def on_mount(self) -> None:
        self.title = "Welcome"
        options = self.query_one("#profiles", OptionList)
        if self.select in self.saved:
            options.highlighted = options.get_option_index(self.select)
        elif self.saved:
            # The most recent saved profile rather than "+ New profile": Enter then goes on with
            # the user's own answers instead of starting a second profile by accident (usability
            # review, S6), or resumes the run that was just left (issue 22).
            options.highlighted = 1
        else:
            options.highlighted = 0
        self._sync_new_row()
        if not self.saved:
            self.query_one("#new-name", Input).focus()
        else:
            options.focus()

    @property
    def chosen(self) -> str | None:
        options = self.query_one("#profiles", OptionList)
        if options.highlighted is None:
            return None
        return options.get_option_at_index(options.highlighted).id

    @property
    def resumable(self) -> bool:
        """The selected profile's last run stopped early: Resume is offered (and primary)."""
        entry = self.entries.get(self.chosen or NEW)
        return entry is not None and entry.last_run is not None and entry.last_run.resumable

    def _sync_new_row(self) -> None:
        new = self.chosen == NEW
        self.query_one("#new-row").display = new
        self.query_one("#new-message").display = new
        resume = self.resumable
        self.query_one("#resume", Button).display = resume
        self.query_one("#resume", Button).variant = "primary" if resume else "default"
        self.query_one("#continue", Button).variant = "default" if resume else "primary"
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "resume":
            return self.resumable
        return True

    @on(OptionList.OptionHighlighted, "#profiles")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self._sync_new_row()

    @on(OptionList.OptionSelected, "#profiles")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id == NEW:
            self.query_one("#new-name", Input).focus()
        elif self.resumable:
            self.action_resume()                 # the primary action for a run that stopped early
        else:
            self.action_continue()

    @on(Input.Changed, "#new-name")
    def _name_changed(self, event: Input.Changed) -> None:
        result = event.validation_result
        msg = self.query_one("#new-message", Static)
        msg.update("" if result is None or result.is_valid else "✗ " + result.failure_descriptions[0])
        msg.set_class(bool(result and not result.is_valid), "-error")

    @on(Input.Submitted, "#new-name")
    def _name_submitted(self, event: Input.Submitted) -> None:
        self.action_continue()

    @on(Button.Pressed, "#continue")
    def _continue(self) -> None:
        self.action_continue()

    @on(Button.Pressed, "#resume")
    def _resume(self) -> None:
        self.action_resume()

    @on(Button.Pressed, "#quit")
    def _quit(self) -> None:
        self.action_quit()

    def action_continue(self) -> None:
        chosen = self.chosen
        if chosen is None:
            return
        if chosen != NEW:
            entry = self.entries[chosen]
            if entry.last_run is None:           # its answers file cannot be read: say why, stay
                self.notify(entry.problem, title=f"Profile {chosen}", severity="error")
                return
            self.dismiss(chosen)
            return
        name_input = self.query_one("#new-name", Input)
        result = name_input.validate(name_input.value)
        if result is not None and not result.is_valid:
            msg = self.query_one("#new-message", Static)
            msg.update("✗ " + result.failure_descriptions[0])
            msg.add_class("-error")
            name_input.focus()
            return
        self.dismiss(name_input.value.strip())

    def action_resume(self) -> None:
        chosen = self.chosen
        if chosen is not None and self.resumable:
            self.dismiss(Resume(chosen))

    def action_quit(self) -> None:
        self.dismiss(None)
