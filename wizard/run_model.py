"""A run as rows: one per step and sub-step, with its state, message, hint, elapsed time and log.

The one run model every front end draws: the Textual Run screen (kept by the App so it outlives
the screen) and the Rich live view of plain mode. Plain data, no UI library: events from
``wizard.provision`` go in through ``apply``; the state words and glyphs are defined here once.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from wizard.passwords import PasswordNotice
    from wizard.plan import Plan
    from wizard.runner import RunEvent

STATE_WORDS = {
    "pending": "pending", "running": "running", "done": "done", "failed": "failed",
    "skipped": "skipped", "warning": "warning",
}
STATE_GLYPHS = {"pending": "·", "running": "▶", "done": "✓", "failed": "✗", "skipped": "-", "warning": "!"}
# How a run ended before any step started because Azure would refuse the answers (preflight).
REFUSED_HINT = "Back to Review to change the answer, then Run again."


def _same(text: str) -> str:
    return text


@dataclass
class Row:
    key: str                      # "step" or "step/substep"
    step: str
    title: str
    substep: str | None = None
    state: str = "pending"
    message: str = ""
    hint: str = ""
    started: float | None = None  # monotonic, while running
    elapsed: float | None = None


@dataclass
class RunModel:
    """Everything the Run screen shows, kept by the App so it outlives the screen."""

    rows: dict[str, Row] = field(default_factory=dict)
    logs: dict[str, list[str]] = field(default_factory=dict)
    status: str = "idle"           # idle | preparing | running | succeeded | failed | cancelled
    refused: tuple[str, ...] = ()  # preflight problems: the run stopped before any step
    cancelling: bool = False
    crash_cause: str = ""
    crash_hint: str = ""
    attempt: int = 0
    started: float = 0.0
    finished: float | None = None
    # Generated passwords as their steps applied them (``Provision(on_password=...)``), kept
    # across attempts: one applied in an earlier attempt is still the one the server has.
    passwords: list["PasswordNotice"] = field(default_factory=list)

    def add_password(self, notice: "PasswordNotice") -> None:
        """One notice per password: a retry's "set in an earlier run" does not replace the value
        an earlier attempt of this process showed (it is still the one the server has)."""
        from wizard.passwords import one_per_password

        self.passwords = one_per_password([*self.passwords, notice])

    def start_attempt(self, plan: "Plan | None" = None) -> None:
        """A new run (or a retry): every row back to pending; ``plan`` announces the rows first."""
        self.attempt += 1
        if plan is not None:
            self.set_plan(plan)
        self.status, self.cancelling = "preparing", False
        self.crash_cause = self.crash_hint = ""
        self.refused = ()
        self.started, self.finished = time.monotonic(), None
        for row in self.rows.values():
            row.state, row.message, row.hint, row.started, row.elapsed = "pending", "", "", None, None
        if self.attempt > 1:
            for lines in self.logs.values():
                lines.append(f"-- attempt {self.attempt} --")

    def set_plan(self, plan: "Plan") -> None:
        old = self.rows
        self.rows = {}
        for step in plan.steps:
            self.rows[step.id] = old.get(step.id) or Row(step.id, step.id, step.title)
            self.rows[step.id].title = step.title
            for sub in step.substeps:
                key = f"{step.id}/{sub}"
                self.rows[key] = old.get(key) or Row(key, step.id, sub, substep=sub)
            self.logs.setdefault(step.id, [])

    def apply(self, event: "RunEvent", redact: Callable[[str], str] = _same) -> None:
        if self.status in ("idle", "preparing"):
            self.status = "running"      # the runner's first event: it is under way
        message, hint = redact(event.message or ""), redact(event.hint or "")
        key = f"{event.step}/{event.substep}" if event.substep else event.step
        log = self.logs.setdefault(event.step, [])
        where = f"{event.substep}: " if event.substep else ""
        if event.state == "log":
            log.append(f"{where}{message}")
            return
        row = self.rows.get(key)
        if row is None:                # a sub-step the plan did not announce
            row = Row(key, event.step, event.substep or event.step, substep=event.substep)
            self._insert_after_step(row)
        if event.state == "warning" and event.substep is None and row.state == "running":
            log.append(f"warning: {message}")      # a step's warning does not end it
            row.message = message
            return
        now = time.monotonic()
        if event.state == "running":
            row.started = now
            row.elapsed = None
        elif event.state in ("done", "failed", "skipped", "warning"):
            if event.substep is None and event.elapsed:
                row.elapsed = event.elapsed
            elif row.started is not None:
                row.elapsed = now - row.started
            row.started = None
        row.state = event.state
        if event.state != "pending":
            row.message, row.hint = message, hint
            text = f"{where}{event.state}" + (f": {message}" if message else "")
            log.append(text)
            if hint:
                log.append(f"{where}hint: {hint}")

    def _insert_after_step(self, row: Row) -> None:
        items = list(self.rows.items())
        last = max((i for i, (_, r) in enumerate(items) if r.step == row.step), default=len(items) - 1)
        items.insert(last + 1, (row.key, row))
        self.rows = dict(items)

    def finish(self, status: str) -> None:
        self.status = status
        self.cancelling = False
        self.finished = time.monotonic()
        for row in self.rows.values():       # nothing is still running once the runner returned
            if row.state == "running":
                row.state, row.started = "skipped", None

    def crash(self, cause: str, hint: str) -> None:
        self.finish("failed")
        self.crash_cause, self.crash_hint = cause, hint

    def refuse(self, heading: str, problems: tuple[str, ...]) -> None:
        """The preflight stopped the run: nothing was created, the cause names each answer."""
        self.crash(heading + "\n" + "\n".join(f"  - {p}" for p in problems), REFUSED_HINT)
        self.refused = problems

    @property
    def failed_rows(self) -> list[Row]:
        return [r for r in self.rows.values() if r.state == "failed" and r.substep is None] or \
               [r for r in self.rows.values() if r.state == "failed"]

    def counts(self) -> tuple[int, int]:
        steps = [r for r in self.rows.values() if r.substep is None]
        return sum(1 for r in steps if r.state in ("done", "skipped")), len(steps)

    def elapsed_total(self) -> float:
        if not self.started:
            return 0.0
        return (self.finished or time.monotonic()) - self.started
