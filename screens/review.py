"""Review: every answer in a table, the plan of steps, and the equivalent az commands.

Enter on an answer (or the Edit button) reopens its screen, which then returns here. Dismisses
with ``Nav.RUN``, ``Nav.BACK`` or ``Edit(section)``. Passwords never appear: only how they will be obtained.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.highlight import highlight
from textual.screen import Screen
from textual.widgets import Button, DataTable, Footer, Header, Static, TabbedContent, TabPane

from screens.widgets.chrome import SHORT_NAMES, Purpose, StepBar
from screens.nav import Edit, Nav, PageResult
from wizard.questions import QUESTIONS, SECTIONS
from wizard.session import SECRET_ENV

if TYPE_CHECKING:
    from wizard.session import Session



def shown_value(session: "Session", key: str, value: Any, applies: bool) -> str:
    q = QUESTIONS[key]
    if q.secret:
        source = session.secret_source(key)
        if source == "typed":
            return "(typed; hidden)"
        if source == "environment":
            return f"(from {SECRET_ENV[key]})"
        return "(generated; shown once at the end)"
    if not applies:
        return "(not used)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value in ("", None):
        return "(none)"
    return str(value)


class ReviewScreen(Screen[PageResult]):
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("e", "edit", "Edit section"),
        Binding("ctrl+r", "run", "Run"),
    ]

    def __init__(self, session: "Session", *, focus_section: str | None = None) -> None:
        super().__init__(id="screen-review")
        self.session = session
        self.focus_section = focus_section     # returning from that section: its rows in view

    def compose(self) -> ComposeResult:
        resolution = self.session.resolution()
        self.problems = resolution.errors
        yield Header(icon="")
        yield StepBar("review")
        yield Purpose("Review", "Check every answer before anything is created. "
                                "Enter on an answer reopens its screen.")
        with TabbedContent(id="review-tabs"):
            with TabPane("Answers", id="tab-answers"):
                yield DataTable(cursor_type="row", zebra_stripes=True, id="answers")
            with TabPane("Plan", id="tab-plan"):
                with VerticalScroll():
                    yield Static("", id="plan-text", markup=False)
            with TabPane("az commands", id="tab-az"):
                with VerticalScroll():
                    yield Static("", id="az-text")
        yield Static("", id="review-problems", markup=False)
        with Horizontal(id="nav"):
            yield Button("‹ Back", id="back", compact=True)
            yield Button("Edit section", id="edit", compact=True)
            yield Button("Create in Azure ›" if not self.session.demo else "Run (demo) ›", id="run",
                         variant="primary", compact=True, disabled=bool(self.problems))
        yield Footer()

    def on_mount(self) -> None:
        self.title = "Review"
        resolution = self.session.resolution()
        values, ctx = resolution.values, dict(resolution.values)
        table = self.query_one("#answers", DataTable)
        table.add_column("Screen", key="section")
        table.add_column("Answer", key="question")
        table.add_column("Value", key="value")
        for s in SECTIONS:
            for i, q in enumerate(s.questions):
                value = values.get(q.key)
                table.add_row(
                    SHORT_NAMES.get(s.key, s.title) if i == 0 else "",
                    Text(q.label),
                    Text(shown_value(self.session, q.key, value, q.applies(ctx))),
                    key=q.key,
                )
        problems = self.query_one("#review-problems", Static)
        if self.problems:
            problems.update("Fix before running:\n" + "\n".join(f"✗ {p.message}" for p in self.problems))
            problems.add_class("-error")
        else:
            problems.display = False
            self._render_plan()
        if self.focus_section:
            keys = [q.key for s in SECTIONS if s.key == self.focus_section for q in s.questions]
            if keys:
                # Past the section's last row first, so the whole section scrolls into view.
                table.move_cursor(row=table.get_row_index(keys[-1]), animate=False)
                self.call_after_refresh(table.move_cursor, row=table.get_row_index(keys[0]), animate=False)
        table.focus()

    def _render_plan(self) -> None:
        from wizard.plan import render_az, render_text

        try:
            plan = self.session.plan()
        except Exception as exc:  # AnswersInvalid: listed above already
            self.query_one("#plan-text", Static).update(f"No plan: {exc}")
            return
        self.query_one("#plan-text", Static).update(render_text(plan))
        self.query_one("#az-text", Static).update(highlight(render_az(plan), language="bash"))

    def _section_of_cursor(self) -> str | None:
        table = self.query_one("#answers", DataTable)
        if table.row_count == 0:
            return None
        row_key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        key = str(row_key.value)
        return key.split(".", 1)[0]

    @on(DataTable.RowSelected, "#answers")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_edit()

    @on(Button.Pressed, "#edit")
    def _edit_pressed(self) -> None:
        self.action_edit()

    @on(Button.Pressed, "#back")
    def _back_pressed(self) -> None:
        self.action_back()

    @on(Button.Pressed, "#run")
    def _run_pressed(self) -> None:
        self.action_run()

    def action_edit(self) -> None:
        key = self._section_of_cursor()
        if key is not None:
            self.dismiss(Edit(key))

    def action_back(self) -> None:
        self.dismiss(Nav.BACK)

    def action_run(self) -> None:
        if self.problems:
            self.query_one("#answers", DataTable).focus()
            return
        self.dismiss(Nav.RUN)
