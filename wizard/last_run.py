"""How a profile's last run went, as one line: what Welcome lists beside each saved profile.

The counts come from the profile's plan (the steps a run of its answers executes) and its run
state (the steps recorded as finished), so "6 of 9 steps done" counts what the Run screen lists.
Plain data, no UI.
"""
from __future__ import annotations

from dataclasses import dataclass

from wizard.plan import Plan
from wizard.state import RunState

# A run that stopped before its end: a new run resumes at the first unfinished step.
# "running": the process ended while the run was under way (left running, or killed).
RESUMABLE = ("failed", "cancelled", "running")


def step_name(title: str) -> str:
    """A step's title without its trailing "(details)" (size, IP, SKU), to fit a list row."""
    return title[:title.rindex(" (")] if title.endswith(")") and " (" in title else title


@dataclass(frozen=True)
class LastRun:
    status: str             # RunState.last_status: new | running | succeeded | failed | cancelled
    done: int               # the plan's steps recorded as finished
    total: int | None       # the plan's steps; None when the answers are incomplete (no plan)
    failed_step: str = ""   # the failed step's name (its title, else its id)

    @property
    def resumable(self) -> bool:
        return self.status in RESUMABLE

    @property
    def ran(self) -> bool:
        return self.status != "new" or self.done > 0

    def _count(self, suffix: str) -> str:
        of = f" of {self.total}" if self.total is not None else ""
        noun = "step" if (self.total if self.total is not None else self.done) == 1 else "steps"
        return f"{self.done}{of} {noun}{suffix}"

    def line(self) -> str:
        if not self.ran:
            return "Never run"
        if self.status == "succeeded":
            return f"Finished · {self._count('')}"
        head = {"cancelled": "Cancelled", "running": "Interrupted",
                "failed": f"Failed at {self.failed_step}" if self.failed_step else "Failed"}
        return f"{head.get(self.status, self.status.capitalize() or 'Stopped')} · {self._count(' done')}"


def last_run(plan: Plan | None, state: RunState) -> LastRun:
    """``plan``: the profile's plan, or None when its answers cannot make one."""
    if plan is None:
        return LastRun(state.last_status, len(state.steps), None, state.last_failure)
    done = sum(1 for step_id in plan.ids if step_id in state.steps)
    failed = state.last_failure
    if failed in plan.ids:
        failed = step_name(plan.step(failed).title)
    return LastRun(state.last_status, done, len(plan.ids), failed)
