"""Review: every answer in a table, the plan of steps, the equivalent az commands, and what it
costs per month, whether the quota has room and what caps the share's throughput.

The Run button has the focus, so Enter alone goes on (against Azure after a confirmation naming
the subscription, the resource group and what will be created, Create focused). The answers are
reached with Tab or the arrow keys; Enter on an answer (or ``e``) reopens its screen, which then
returns here with Run focused again. Dismisses with ``Nav.RUN``, ``Nav.BACK`` or ``Edit(section)``.
Passwords never appear: only how they will be obtained.

The cost, quota and throughput take Azure calls: the App works them out in its own worker and
hands the result to ``show_assessment`` (until then the tab says it is working on them).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.console import Group
from rich.table import Table
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
    from wizard.assessment import Assessment
    from wizard.plan import Plan
    from wizard.session import Session

LOADING = "Working out the monthly cost, the quota and the throughput (asking Azure)…"



def create_summary(plan: "Plan") -> str:
    """The confirmation before anything is made in Azure: where, and each step of the plan."""
    sub = plan.answers.subscription
    lines = [f"Subscription:   {sub.id}",
             f"Resource group: {sub.resource_group} ({sub.region})",
             "", "Creates or updates:"]
    lines += [f"  • {step.title}" for step in plan]
    return "\n".join(lines)


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
        # From the buttons, the arrow keys reach the answers (the table keeps its own arrows).
        Binding("up,down", "focus_answers", "Answers", show=False),
    ]

    def __init__(self, session: "Session", *, focus_section: str | None = None) -> None:
        super().__init__(id="screen-review")
        self.session = session
        self.focus_section = focus_section     # returning from that section: its rows in view
        self._assessment: Assessment | str | None = None    # None: still working; str: why there is none

    def compose(self) -> ComposeResult:
        resolution = self.session.resolution()
        self.problems = resolution.errors
        yield Header(icon="")
        yield StepBar("review", self.session.context())
        yield Purpose("Review", "Check every answer before anything is created. "
                                "Tab or ↑↓ to the answers; Enter on one reopens its screen.")
        with TabbedContent(id="review-tabs"):
            with TabPane("Answers", id="tab-answers"):
                yield DataTable(cursor_type="row", zebra_stripes=True, id="answers")
            with TabPane("Plan", id="tab-plan"):
                with VerticalScroll():
                    yield Static("", id="plan-text", markup=False)
            with TabPane("az commands", id="tab-az"):
                with VerticalScroll():
                    yield Static("", id="az-text")
            with TabPane("Cost & limits", id="tab-cost"):
                with VerticalScroll():
                    yield Static(LOADING, id="cost-text", markup=False)
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
        self._render_assessment()
        if self.focus_section:
            keys = [q.key for s in SECTIONS if s.key == self.focus_section for q in s.questions]
            if keys:
                # Past the section's last row first, so the whole section scrolls into view.
                table.move_cursor(row=table.get_row_index(keys[-1]), animate=False)
                self.call_after_refresh(table.move_cursor, row=table.get_row_index(keys[0]), animate=False)
        if self.problems:
            self._cursor_to(self.problems[0].key)
            table.focus()                              # Enter reopens the screen to fix
        else:
            self.query_one("#run", Button).focus()     # Enter alone goes on

    def _cursor_to(self, key: str) -> None:
        table = self.query_one("#answers", DataTable)
        try:
            table.move_cursor(row=table.get_row_index(key), animate=False, scroll=True)
        except Exception:  # a problem not tied to a row (e.g. the answers as a whole)
            pass

    def _render_plan(self) -> None:
        from wizard.plan import render_az, render_text

        try:
            plan = self.session.plan()
        except Exception as exc:  # AnswersInvalid: listed above already
            self.query_one("#plan-text", Static).update(f"No plan: {exc}")
            return
        # For a profile that has run before: what the next run redoes, and what it leaves behind
        # (the same lines as 'hpcshare plan'), on top of the steps.
        changes = self.session.change_preview(plan).lines()
        text = render_text(plan)
        self.query_one("#plan-text", Static).update("\n".join([*changes, "", text]) if changes else text)
        self.query_one("#az-text", Static).update(highlight(render_az(plan), language="bash"))

    def show_assessment(self, assessment: "Assessment | str") -> None:
        """The App's worker finished: the assessment, or a sentence saying why there is none."""
        self._assessment = assessment
        if self.is_mounted:
            self._render_assessment()

    def _render_assessment(self) -> None:
        target = self.query_one("#cost-text", Static)
        a = self._assessment
        if self.problems:
            target.update(Text("Fix the answers listed below first: the cost, quota and throughput "
                               "are worked out from complete answers."))
        elif a is None:
            target.update(Text(LOADING))
        elif isinstance(a, str):
            target.update(Text(a))
        else:
            target.update(assessment_renderable(a))

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

    def action_focus_answers(self) -> None:
        self.query_one("#review-tabs", TabbedContent).active = "tab-answers"
        self.query_one("#answers", DataTable).focus()

    def action_run(self) -> None:
        if self.problems:
            self.query_one("#answers", DataTable).focus()
            return
        if self.session.demo:
            self.dismiss(Nav.RUN)                       # the stand-in: nothing real is made
            return
        from screens.dialogs import ConfirmDialog

        try:
            body = create_summary(self.session.plan())
        except Exception as exc:  # AnswersInvalid: the problems are listed on this screen already
            self.notify(str(exc), title="Cannot run", severity="error")
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.dismiss(Nav.RUN)
            else:
                self.query_one("#run", Button).focus()

        self.app.push_screen(ConfirmDialog("Create in Azure?", body, yes="Create", no="Not yet",
                                           focus_yes=True), answered)


def headline(a: "Assessment") -> str:
    """One line on top, so the three verdicts show without scrolling at 80x24."""
    cost = (f"{a.cost.total_monthly:,.2f} {a.cost.currency} a month" if a.cost.available
            else "prices unavailable")
    quota = ("quota not checked" if not a.quota.known else "quota ok" if a.quota.ok else "quota EXCEEDED")
    t = a.throughput
    speed = t.headline() if t is not None else "throughput not judged"
    return f"{cost} · {quota} · {speed}"


def assessment_renderable(a: "Assessment") -> Group:
    """The cost as a table that fits the terminal's width (item, quantity, unit price, per month),
    then the quota, throughput and disk-offer lines as wrapping text."""
    cost = a.cost
    parts: list[Any] = [Text(headline(a), style="bold"), Text(""),
                        Text(f"Monthly cost ({cost.currency})", style="bold")]
    if cost.available:
        table = Table(box=None, pad_edge=False, show_edge=False, expand=False, padding=(0, 1))
        table.add_column("Item", overflow="fold", ratio=3)
        table.add_column("Quantity", justify="right", no_wrap=True)
        table.add_column("Unit price", justify="right", no_wrap=True)
        table.add_column("Per month", justify="right", no_wrap=True)
        for line in cost.lines:       # Text, not str: a "[" in a price list's text is not markup
            table.add_row(Text(line.item), Text(f"{line.quantity:,.0f} {line.unit}"),
                          Text(f"{line.unit_price:.6f}"), Text(f"{line.monthly:,.2f}"))
        table.add_row(Text("Total", style="bold"), "", "", Text(f"{cost.total_monthly:,.2f} {cost.currency}",
                                                               style="bold"))
        parts += [table, Text(f"Prices: {cost.source}, fetched {cost.fetched}.")]
        parts += [Text(note, style="dim") for note in cost.notes]
    else:
        parts.append(Text(f"Prices unavailable: {cost.problem}. The quota and throughput below do not need them."))
    parts.append(Text(""))
    parts += [Text(line) for line in a.check_lines()]
    return Group(*parts)
