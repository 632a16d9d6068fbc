"""wizard.last_run: one line on a profile's last run, counted against its plan (issue 22)."""
from __future__ import annotations

from pathlib import Path

from wizard.last_run import last_run, step_name
from wizard.session import Session
from wizard.state import RunState, StepRecord


def _state(status: str, *done: str, failure: str = "") -> RunState:
    return RunState(None, {s: StepRecord("fp") for s in done}, status, failure)


def test_words_and_counts_from_the_plan(home: Path) -> None:
    plan = Session("lab", demo=True).plan()
    first = plan.ids[:6]
    assert last_run(plan, _state("new")).line() == "Never run"
    assert last_run(plan, _state("cancelled", *first)).line() == "Cancelled · 6 of 9 steps done"
    assert last_run(plan, _state("running", *first)).line() == "Interrupted · 6 of 9 steps done"
    assert last_run(plan, _state("failed", *first, failure="vm")).line() == \
        "Failed at Virtual machine myfileserver · 6 of 9 steps done"
    assert last_run(plan, _state("succeeded", *plan.ids)).line() == "Finished · 9 of 9 steps"
    # A step the plan no longer has (an answer changed since) is not counted.
    assert last_run(plan, _state("cancelled", "public-ip", *first)).done == 6
    assert [last_run(plan, _state(s)).resumable for s in ("new", "succeeded", "failed", "cancelled", "running")] == \
        [False, False, True, True, True]


def test_without_a_plan_the_recorded_steps_are_counted(home: Path) -> None:
    assert last_run(None, _state("cancelled", "resource-group", "network")).line() == "Cancelled · 2 steps done"
    session = Session("half")                     # not a demo, nothing answered: no subscription, no plan
    state = session.run_state()
    state.record("resource-group", "fp", {})
    state.set_status("cancelled")
    assert session.last_run().line() == "Cancelled · 1 step done"
    assert step_name("Network interface fs-nic (10.0.0.4)") == "Network interface fs-nic"
    assert step_name("Configure the file server") == "Configure the file server"
