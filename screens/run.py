"""Run: one row per step and sub-step with its state and elapsed time, an indeterminate progress
indicator, the log of the selected step, and for a failed step its cause, a hint and Retry.

The run itself belongs to the App (``HpcShareApp.start_run``, through ``wizard.provision``): this
screen only draws the ``RunModel`` it is given, which the App updates from the run's events, and
asks for a retry or a cancel with its own messages (``RetryRequested``, ``CancelRequested``).
Dismisses with ``Nav.FINISH``, ``Nav.REVIEW`` (fix an answer, then run again) or ``Nav.QUIT``.
"""
from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, DataTable, Footer, Header, ProgressBar, RichLog, Static

from screens.widgets.chrome import Purpose, StepBar
from screens.nav import Nav
from wizard.last_run import step_name
from wizard.passwords import compact_lines
from wizard.run_model import STATE_GLYPHS, STATE_WORDS, Row, RunModel


def fmt_elapsed(seconds: float | None) -> str:
    if seconds is None:
        return ""
    if seconds < 60:
        return f"{seconds:.1f}s"
    m, s = divmod(int(seconds), 60)
    return f"{m}:{s:02d}"


# The Step column's width: a third of a narrow table, at most 32; a name longer than that wraps
# onto a second (or third) line of its row instead of ending in "…" (issue 16).
STEP_MIN, STEP_MAX, STEP_LINES = 22, 32, 3


def step_width(table_width: int) -> int:
    return max(STEP_MIN, min(STEP_MAX, table_width // 3))


def lines_needed(text: str, width: int) -> int:
    """How many lines ``text`` takes wrapped at ``width`` (word wrap, as the cell draws it)."""
    from rich.console import Console

    return max(1, min(STEP_LINES, len(Text(text).wrap(Console(width=width), width))))


class StepTable(DataTable[Any]):
    """The step rows; state colours come from the stylesheet (component classes). Remembers
    whether the user moved the cursor, so the screen stops following the running step."""

    COMPONENT_CLASSES = {f"state--{s}" for s in STATE_WORDS}
    user_moved = False

    class StepWidthChanged(Message):
        """The Step column changed width: the rows' heights must be measured again."""

    def fit_step(self) -> None:
        step = next((c for k, c in self.columns.items() if k.value == "step"), None)
        if step is None or not self.size.width:
            return
        width = step_width(self.size.width)
        if step.width != width:
            step.width = width
            self.post_message(self.StepWidthChanged())

    def on_key(self, event: Any) -> None:
        if event.key in ("up", "down", "pageup", "pagedown", "home", "end"):
            self.user_moved = True

    def on_resize(self, event: Any) -> None:
        self.fit_step()
        self.fit_detail()

    def fit_detail(self) -> None:
        """Give the Detail column whatever width the others leave (it would otherwise keep the
        width of its first, short contents and cut every later message to a few letters)."""
        detail = next((c for k, c in self.columns.items() if k.value == "detail"), None)
        if detail is None or not self.size.width:
            return
        others = sum(c.get_render_width(self) for k, c in self.columns.items() if k.value != "detail")
        width = max(10, self.scrollable_content_region.width - others - 2 * self.cell_padding)
        if detail.width != width or detail.auto_width:
            detail.width, detail.auto_width = width, False
            self._require_update_dimensions = True
            self.refresh()

    def on_click(self, event: Any) -> None:
        self.user_moved = True


class RunScreen(Screen[Nav]):
    BINDINGS = [
        # One key, worded as the button is: Retry after a failure, Resume after a cancel.
        Binding("r", "retry", "Retry"),
        Binding("r", "resume", "Resume"),
        Binding("b", "review", "Back to Review"),
        Binding("f", "finish", "Finish"),
    ]

    class RetryRequested(Message):
        """Retry (or resume) the run: the App starts a new attempt."""

    class CancelRequested(Message):
        """The user asked to cancel: the App asks how (leave Azure working, or cancel)."""

    def __init__(self, model: RunModel, ctx: Mapping[str, Any] | None = None) -> None:
        super().__init__()
        self.model = model
        self.ctx = ctx          # the answers: which pages the step bar shows

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        status = self.model.status
        if action == "retry":
            return status == "failed"
        if action == "resume":
            return status == "cancelled"
        if action == "review":
            return status in ("failed", "cancelled")
        if action == "finish":
            return status == "succeeded"
        return True

    def compose(self) -> ComposeResult:
        yield Header(icon="")
        yield StepBar("run", self.ctx)
        yield Purpose("Run", "Creating the file server. Each step checks first, so a re-run resumes.")
        with Horizontal(id="run-status"):
            yield ProgressBar(total=None, show_eta=False, show_percentage=False, id="run-progress")
            yield Static("", id="run-summary", markup=False)
        yield Static("", id="run-passwords", markup=False)
        yield StepTable(cursor_type="row", id="steps")
        with VerticalScroll(id="failure"):      # a long cause scrolls here; the buttons stay put
            yield Static("", id="failure-cause", markup=False)
            yield Static("", id="failure-hint", markup=False)
        yield RichLog(id="step-log", wrap=True, markup=False, highlight=False, auto_scroll=True)
        with Horizontal(id="nav"):
            yield Button("Cancel run…", id="cancel", compact=True)
            yield Button("Back to Review", id="review", compact=True)
            yield Button("Quit", id="quit", compact=True)
            yield Button("Retry", id="retry", variant="warning", compact=True)
            yield Button("Finish ›", id="finish", variant="primary", compact=True)
        yield Footer()

    def on_mount(self) -> None:
        self.title = "Run"
        self._log_step: str | None = None
        self._shown_status = ""
        self._log_count = 0
        self._row_keys: list[str] = []
        table = self.query_one(StepTable)
        table.add_column(" ", key="icon", width=1)
        table.add_column("Step", key="step", width=STEP_MAX)
        table.add_column("State", key="state", width=8)
        table.add_column("Time", key="time", width=6)
        table.add_column("Detail", key="detail")
        table.fit_detail()
        self.app.theme_changed_signal.subscribe(self, lambda _theme: self.rebuild())
        self.rebuild()
        self.set_interval(0.5, self._tick)
        table.focus()

    # ---- drawing --------------------------------------------------------------------------
    def _cells(self, row: Row) -> tuple[Any, ...]:
        table = self.query_one(StepTable)
        style = table.get_component_rich_style(f"state--{row.state}", partial=True)
        elapsed = row.elapsed
        if row.started is not None:
            elapsed = time.monotonic() - row.started
        detail = row.message.splitlines()[0] if row.message else ""
        return (
            Text(STATE_GLYPHS.get(row.state, "?"), style=style),
            Text(self._title(row), overflow="ellipsis"),          # wraps within the row's height
            Text(STATE_WORDS.get(row.state, row.state), style=style),
            fmt_elapsed(elapsed),
            Text(detail, overflow="ellipsis"),
        )

    @staticmethod
    def _title(row: Row) -> str:
        """The step's name without its trailing "(details)" (size, IP, SKU): those are on Review,
        in the Detail column while it runs, and in the log; the name itself stays whole."""
        title = step_name(row.title)
        return f"  └ {title}" if row.substep else title

    def _height(self, row: Row) -> int:
        step = next((c for k, c in self.query_one(StepTable).columns.items() if k.value == "step"), None)
        return lines_needed(self._title(row), step.width if step is not None else STEP_MAX)

    @on(StepTable.StepWidthChanged)
    def _step_width_changed(self) -> None:
        self.rebuild()

    def rebuild(self) -> None:
        table = self.query_one(StepTable)
        cursor = table.cursor_row
        table.clear()
        self._row_keys = list(self.model.rows)
        for key, row in self.model.rows.items():
            table.add_row(*self._cells(row), key=key, height=self._height(row))
        if self._row_keys:
            table.move_cursor(row=min(cursor, len(self._row_keys) - 1), animate=False)
        self._refresh_chrome()

    def refresh_from_model(self, event: Any = None) -> None:
        if not self.is_mounted:
            return
        if list(self.model.rows) != self._row_keys:
            self.rebuild()
        else:
            table = self.query_one(StepTable)
            keys = [f"{event.step}/{event.substep}" if event.substep else event.step] if event else list(self.model.rows)
            for key in keys:
                row = self.model.rows.get(key)
                if row is None:
                    continue
                for col, value in zip(("icon", "step", "state", "time", "detail"), self._cells(row)):
                    table.update_cell(key, col, value)
        if event is not None and event.state in ("running", "failed") and event.substep is None:
            self._follow_to(event.step)
        self._refresh_chrome()

    def _follow_to(self, key: str) -> None:
        table = self.query_one(StepTable)
        if table.user_moved or key not in self._row_keys:
            return
        table.move_cursor(row=self._row_keys.index(key), animate=False, scroll=True)

    def _tick(self) -> None:
        table = self.query_one(StepTable)
        for key, row in self.model.rows.items():
            if row.started is not None and key in self._row_keys:
                table.update_cell(key, "time", fmt_elapsed(time.monotonic() - row.started))
        self._refresh_summary()
        self._refresh_log()

    def _refresh_summary(self) -> None:
        m = self.model
        done, total = m.counts()
        words = {
            "idle": "Preparing…", "preparing": "Connecting to Azure…", "running": "Working",
            "succeeded": "Finished", "failed": "Stopped: a step failed", "cancelled": "Cancelled",
        }
        status = "Cancelling: waiting for running steps…" if m.cancelling else words.get(m.status, m.status)
        self.query_one("#run-summary", Static).update(
            f"{status} · {done}/{total} steps · {fmt_elapsed(m.elapsed_total())}")

    def _refresh_chrome(self) -> None:
        m = self.model
        # Generated passwords, the moment their step applied them (or why one cannot be shown).
        passwords = self.query_one("#run-passwords", Static)
        passwords.update("\n".join(compact_lines(m.passwords)))
        passwords.display = bool(m.passwords)
        active = m.status in ("idle", "preparing", "running")
        self.query_one("#run-progress", ProgressBar).display = active
        buttons = {
            "cancel": active and not m.cancelling,
            "review": m.status in ("failed", "cancelled"),
            "quit": not active and m.status != "succeeded",
            "retry": m.status in ("failed", "cancelled"),
            "finish": m.status == "succeeded",
        }
        focused = self.focused
        for bid, show in buttons.items():
            self.query_one(f"#{bid}", Button).display = show
        self.query_one("#retry", Button).label = "Resume" if m.status == "cancelled" else "Retry"
        failure = self.query_one("#failure")
        failed = m.failed_rows
        if m.status == "failed" and (failed or m.crash_cause):
            if m.crash_cause:
                cause, hint = m.crash_cause, m.crash_hint
            else:
                row = failed[0]
                step = row.step if row.substep is None else f"{row.step} / {row.substep}"
                cause = f"✗ {step} failed: {row.message or 'no reason given'}"
                hint = row.hint or "Retry resumes from this step; finished steps are not redone."
            self.query_one("#failure-cause", Static).update(cause)
            self.query_one("#failure-hint", Static).update(f"Hint: {hint}")
            failure.display = True
        else:
            failure.display = False
        if not active and (m.status != self._shown_status or focused is None or not focused.display):
            # The run just ended: the next action has focus (Enter continues or retries), and
            # the failed step is in view once the failure panel has taken its room.
            target = "#finish" if m.status == "succeeded" else "#retry"
            self.query_one(target, Button).focus()
            if failed and m.status != self._shown_status:
                self.call_after_refresh(self._follow_to, failed[0].key)
        self._shown_status = m.status
        self.refresh_bindings()
        self._refresh_summary()
        self._refresh_log()

    def _selected_step(self) -> str | None:
        table = self.query_one(StepTable)
        if not self._row_keys or table.cursor_row >= len(self._row_keys):
            return None
        row = self.model.rows.get(self._row_keys[table.cursor_row])
        return row.step if row else None

    def _refresh_log(self) -> None:
        step = self._selected_step()
        log = self.query_one("#step-log", RichLog)
        lines = self.model.logs.get(step or "", [])
        if step != self._log_step or len(lines) < self._log_count:
            log.clear()
            self._log_step, self._log_count = step, 0
        for line in lines[self._log_count:]:
            log.write(Text(line))
        self._log_count = len(lines)
        log.border_title = f"Log: {step}" if step else "Log"

    @on(DataTable.RowHighlighted, "#steps")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._refresh_log()

    # ---- actions --------------------------------------------------------------------------
    @on(Button.Pressed, "#retry")
    def action_retry(self) -> None:
        if self.model.status in ("failed", "cancelled"):
            self.query_one(StepTable).user_moved = False
            self.post_message(self.RetryRequested())
            self.query_one(StepTable).focus()

    def action_resume(self) -> None:
        self.action_retry()

    @on(Button.Pressed, "#finish")
    def action_finish(self) -> None:
        if self.model.status == "succeeded":
            self.dismiss(Nav.FINISH)

    @on(Button.Pressed, "#review")
    def action_review(self) -> None:
        if self.model.status in ("failed", "cancelled"):
            self.model.status = "idle"
            self.dismiss(Nav.REVIEW)

    @on(Button.Pressed, "#quit")
    def _quit(self) -> None:
        self.dismiss(Nav.QUIT)

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.post_message(self.CancelRequested())
