"""The DAG runner with fake synchronous actions: concurrency, failure, resume, change, cancel, state."""
from __future__ import annotations

import asyncio
import json
import stat
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest

from wizard import profiles
from wizard import state as state_module
from wizard.answers import Answers, Secrets, build_answers, resolve
from wizard.plan import Plan, build_plan
from wizard.runner import Cancelled, RunEvent, Runner, StepContext, StepFailed
from wizard.state import RunState

EXAMPLE_FILE = Path(__file__).resolve().parents[1] / "examples" / "myfileserver.toml"
EXAMPLE: dict[str, Any] = profiles.load(EXAMPLE_FILE).values

ADMIN_SECRET = "Adm1n-Runner-Secret!"
SHARE_SECRET = "Share-Runner-Secret!"
SECRETS = Secrets(ADMIN_SECRET, SHARE_SECRET)
REMOTE_LIKE = frozenset({"configure-server", "self-test", "artifacts"})


def answers(**changes: Any) -> Answers:
    res = resolve(saved={**EXAMPLE, **{k.replace("__", ".", 1): v for k, v in changes.items()}}, require=True)
    assert res.ok, res.errors
    return build_answers("myfileserver", res.values)


class Fake:
    """Actions that record when they ran; behaviour per step is configurable."""

    def __init__(self, plan: Plan, *, delay: dict[str, float] | None = None,
                 fail: dict[str, BaseException] | None = None, changed: bool | dict[str, bool] = True,
                 hooks: dict[str, Callable[[StepContext], None]] | None = None) -> None:
        self.plan = plan
        self.delay = delay or {}
        self.fail = fail or {}
        self.changed = changed
        self.hooks = hooks or {}
        self.calls: list[str] = []
        self.times: dict[str, tuple[float, float]] = {}
        self.previous: dict[str, dict[str, Any]] = {}
        self.secrets_seen: list[Secrets] = []
        self._lock = threading.Lock()

    def actions(self) -> dict[str, Callable[[StepContext], dict[str, Any]]]:
        return {sid: self._action(sid) for sid in self.plan.ids}

    def _action(self, sid: str) -> Callable[[StepContext], dict[str, Any]]:
        def act(ctx: StepContext) -> dict[str, Any]:
            start = time.monotonic()
            with self._lock:
                self.calls.append(sid)
                self.previous[sid] = dict(ctx.previous)
                self.secrets_seen.append(ctx.secrets)
            assert ctx.step.id == sid
            if sid in self.hooks:
                self.hooks[sid](ctx)
            time.sleep(self.delay.get(sid, 0.0))
            end = time.monotonic()
            with self._lock:
                self.times[sid] = (start, end)
            if sid in self.fail:
                raise self.fail[sid]
            changed = self.changed if isinstance(self.changed, bool) else self.changed.get(sid, True)
            return {"id": f"/subscriptions/x/resourceGroups/rg/{sid}", "changed": changed}
        return act


def make_runner(plan: Plan, fake: Fake, state: RunState, **kw: Any) -> Runner:
    return Runner(plan, fake.actions(), state, SECRETS, **kw)


async def run(runner: Runner) -> tuple[Any, list[RunEvent]]:
    events: list[RunEvent] = []
    result = await asyncio.wait_for(runner.run(events.append), timeout=30)
    return result, events


def final(events: Iterable[RunEvent]) -> dict[str, RunEvent]:
    """The last step-level event of each step (substep and log events left out)."""
    out: dict[str, RunEvent] = {}
    for e in events:
        if e.substep is None and e.state not in ("log", "warning", "pending"):
            out[e.step] = e
    return out


@pytest.fixture
def state(hpcshare_home: Path) -> RunState:
    return RunState.for_profile("myfileserver")


def reload(state: RunState) -> RunState:
    assert state.path is not None
    return RunState.load(state.path)


# ---- the basics --------------------------------------------------------------------------------
def test_every_step_needs_an_action(state: RunState) -> None:
    plan = build_plan(answers())
    actions = Fake(plan).actions()
    del actions["vm"], actions["nsg"]
    with pytest.raises(ValueError, match="nsg, vm"):
        Runner(plan, actions, state, SECRETS)


async def test_a_clean_run_does_every_step_in_dependency_order(state: RunState) -> None:
    plan = build_plan(answers())
    fake = Fake(plan)
    result, events = await run(make_runner(plan, fake, state))
    assert result.status == "succeeded"
    assert result.failed == ()
    assert sorted(fake.calls) == sorted(plan.ids)
    assert result.changed == plan.ids
    for step in plan.steps:
        for need in step.needs:
            assert fake.times[need][1] <= fake.times[step.id][0], f"{step.id} started before {need} ended"
    # each step: pending, then running, then done
    for sid in plan.ids:
        states = [e.state for e in events if e.step == sid]
        assert states == ["pending", "running", "done"], (sid, states)
    assert set(result.outputs) == set(plan.ids)
    assert "changed" not in result.outputs["vm"]
    assert all(s is SECRETS for s in fake.secrets_seen)
    saved = reload(state)
    assert saved.last_status == "succeeded"
    assert all(saved.is_done(sid, plan.fingerprints[sid]) for sid in plan.ids)


async def test_independent_steps_overlap_in_time(state: RunState) -> None:
    plan = build_plan(answers())
    parallel = ("network", "nsg", "data-disk")
    fake = Fake(plan, delay={sid: 0.4 for sid in parallel})
    result, _ = await run(make_runner(plan, fake, state))
    assert result.status == "succeeded"
    starts = [fake.times[s][0] for s in parallel]
    ends = [fake.times[s][1] for s in parallel]
    assert max(starts) < min(ends), "network, nsg and data-disk should run at the same time"


async def test_max_parallel_one_runs_steps_one_at_a_time(state: RunState) -> None:
    plan = build_plan(answers())
    parallel = ("network", "nsg", "data-disk")
    fake = Fake(plan, delay={sid: 0.1 for sid in parallel})
    result, _ = await run(make_runner(plan, fake, state, max_parallel=1))
    assert result.status == "succeeded"
    spans = sorted(fake.times[s] for s in parallel)
    for (_, end), (start, _) in zip(spans, spans[1:]):
        assert end <= start


async def test_events_reach_the_listener_on_the_loop_thread(state: RunState) -> None:
    plan = build_plan(answers())

    def chatty(ctx: StepContext) -> None:
        ctx.log("formatting the disk")
        ctx.substep("disk", "done", "F: ready")
        ctx.warn("slow")

    fake = Fake(plan, hooks={"configure-server": chatty})
    loop_thread = threading.get_ident()
    threads: set[int] = set()
    events: list[RunEvent] = []

    def listener(e: RunEvent) -> None:
        threads.add(threading.get_ident())
        events.append(e)

    result = await make_runner(plan, fake, state).run(listener)
    assert result.status == "succeeded"
    assert threads == {loop_thread}
    mine = [(e.state, e.substep, e.message) for e in events if e.step == "configure-server"]
    assert ("log", None, "formatting the disk") in mine
    assert ("done", "disk", "F: ready") in mine
    assert ("warning", None, "slow") in mine
    # worker-thread events arrive before the step's own final "done"
    assert mine[-1][0] == "done" and mine[-1][1] is None


# ---- failure -----------------------------------------------------------------------------------
async def test_a_failing_step_skips_its_downstream_and_finishes_the_rest(state: RunState) -> None:
    plan = build_plan(answers())
    fake = Fake(plan, delay={"data-disk": 0.3, "network": 0.1},
                fail={"nsg": StepFailed("NSG quota reached", "raise the quota, then re-run")})
    result, events = await run(make_runner(plan, fake, state))
    assert result.status == "failed"
    assert result.failed == ("nsg",)
    assert set(fake.calls) == {"resource-group", "network", "nsg", "data-disk"}
    last = final(events)
    assert last["nsg"].state == "failed"
    assert last["nsg"].message == "NSG quota reached" and last["nsg"].hint == "raise the quota, then re-run"
    for sid in ("resource-group", "network", "data-disk"):
        assert last[sid].state == "done", sid
    for sid in ("nic", "vm", "configure-server", "self-test", "artifacts"):
        assert last[sid].state == "skipped", sid
    assert "nsg" in last["nic"].message
    assert set(result.changed) == {"resource-group", "network", "data-disk"}
    saved = reload(state)
    assert saved.last_status == "failed" and saved.last_failure == "nsg"
    assert set(saved.steps) == {"resource-group", "network", "data-disk"}


async def test_an_unexpected_exception_is_explained_as_a_failed_step(state: RunState) -> None:
    plan = build_plan(answers())
    fake = Fake(plan, fail={"vm": RuntimeError("boom\nsecond line")})
    result, events = await run(make_runner(plan, fake, state))
    assert result.status == "failed" and result.failed == ("vm",)
    failed = final(events)["vm"]
    assert failed.state == "failed"
    assert failed.message == "RuntimeError: boom"
    assert failed.hint


async def test_two_independent_failures_are_both_reported(state: RunState) -> None:
    plan = build_plan(answers())
    fake = Fake(plan, fail={"network": StepFailed("no vnet"), "data-disk": StepFailed("no disk")})
    result, _ = await run(make_runner(plan, fake, state))
    assert result.status == "failed"
    assert set(result.failed) == {"network", "data-disk"}
    assert "nsg" in fake.calls


# ---- resume ------------------------------------------------------------------------------------
async def test_rerun_after_failure_resumes_at_the_failed_step(state: RunState) -> None:
    plan = build_plan(answers())
    first = Fake(plan, fail={"configure-server": StepFailed("share user exists with another SID")})
    result, _ = await run(make_runner(plan, first, state, skip_when_unchanged=frozenset(plan.ids)))
    assert result.status == "failed"

    second = Fake(plan)
    again = reload(state)
    assert again.last_status == "failed"
    result, events = await run(make_runner(plan, second, again, skip_when_unchanged=frozenset(plan.ids)))
    assert result.status == "succeeded"
    assert second.calls == ["configure-server", "self-test", "artifacts"]
    last = final(events)
    for sid in ("resource-group", "network", "nsg", "nic", "data-disk", "vm"):
        assert last[sid].state == "done" and "unchanged" in last[sid].message, sid
    # outputs of the steps not re-run are still handed to later steps and to the result
    assert result.outputs["vm"] == {"id": "/subscriptions/x/resourceGroups/rg/vm"}


async def test_rerun_after_success_checks_azure_steps_and_skips_remote_ones(state: RunState) -> None:
    plan = build_plan(answers())
    await run(make_runner(plan, Fake(plan), state, skip_when_unchanged=REMOTE_LIKE))

    second = Fake(plan, changed=False)
    result, events = await run(make_runner(plan, second, reload(state), skip_when_unchanged=REMOTE_LIKE))
    assert result.status == "succeeded"
    assert result.changed == ()
    # convergence checks run for Azure steps and see their earlier outputs
    assert set(second.calls) == set(plan.ids) - REMOTE_LIKE
    assert second.previous["vm"] == {"id": "/subscriptions/x/resourceGroups/rg/vm"}
    last = final(events)
    for sid in REMOTE_LIKE:
        assert last[sid].state == "done"
        assert last[sid].message == "unchanged since the last run: nothing to do"
    assert last["vm"].message == "already in place: no change"


async def test_changed_answer_reruns_only_the_affected_steps(state: RunState) -> None:
    plan = build_plan(answers())
    every = frozenset(plan.ids)
    await run(make_runner(plan, Fake(plan), state, skip_when_unchanged=every))

    changed_plan = build_plan(answers(share__name="Data"))
    fake = Fake(changed_plan)
    result, _ = await run(make_runner(changed_plan, fake, reload(state), skip_when_unchanged=every))
    assert result.status == "succeeded"
    assert fake.calls == ["configure-server", "self-test", "artifacts"]
    assert result.changed == ("configure-server", "self-test", "artifacts")

    bigger = build_plan(answers(share__name="Data", disk__size_gb=2048))
    fake = Fake(bigger)
    await run(make_runner(bigger, fake, reload(state), skip_when_unchanged=every))
    assert sorted(fake.calls) == sorted(["data-disk", "vm", "configure-server", "self-test", "artifacts"])


@pytest.mark.parametrize(("vm_changed", "expected"), [
    (True, ["vm", "configure-server", "self-test", "artifacts"]),
    (False, ["vm"]),
])
async def test_a_change_upstream_redoes_unchanged_skip_steps(state: RunState, vm_changed: bool,
                                                             expected: list[str]) -> None:
    plan = build_plan(answers())
    await run(make_runner(plan, Fake(plan), state, skip_when_unchanged=REMOTE_LIKE | {"vm"}))
    again = reload(state)
    again.forget("vm")                  # e.g. someone deleted the VM: its record is gone
    # everything reports a change except, in the second case, the VM itself
    fake = Fake(plan, changed={sid: vm_changed if sid == "vm" else True for sid in plan.ids})
    result, _ = await run(make_runner(plan, fake, again, skip_when_unchanged=REMOTE_LIKE | {"vm"}))
    assert result.status == "succeeded"
    assert [c for c in fake.calls if c in REMOTE_LIKE | {"vm"}] == expected


# ---- cancel ------------------------------------------------------------------------------------
async def test_cancel_starts_no_new_step(state: RunState) -> None:
    plan = build_plan(answers())
    holder: list[Runner] = []
    fake = Fake(plan, hooks={"resource-group": lambda ctx: holder[0].cancel()})
    runner = make_runner(plan, fake, state)
    holder.append(runner)
    result, events = await run(runner)
    assert runner.cancelling
    assert result.status == "cancelled"
    assert fake.calls == ["resource-group"]
    last = final(events)
    assert last["resource-group"].state == "done"
    for sid in plan.ids[1:]:
        assert last[sid].state == "skipped", sid
    assert "cancelled" in last["network"].message
    assert reload(state).last_status == "cancelled"
    assert set(reload(state).steps) == {"resource-group"}


async def test_cancel_lets_running_steps_finish_or_stop_at_a_check(state: RunState) -> None:
    plan = build_plan(answers())
    holder: list[Runner] = []
    running = {"nsg": threading.Event(), "data-disk": threading.Event()}

    def cancel_once_the_others_run(ctx: StepContext) -> None:
        assert all(e.wait(10) for e in running.values())
        holder[0].cancel()

    def cooperative(ctx: StepContext) -> None:
        running["data-disk"].set()
        for _ in range(1000):
            ctx.check_cancelled()
            time.sleep(0.01)

    fake = Fake(plan, delay={"nsg": 0.2}, hooks={"network": cancel_once_the_others_run,
                                                 "nsg": lambda ctx: running["nsg"].set(),
                                                 "data-disk": cooperative})
    runner = make_runner(plan, fake, state)
    holder.append(runner)
    result, events = await run(runner)
    assert result.status == "cancelled"
    assert set(fake.calls) == {"resource-group", "network", "nsg", "data-disk"}
    last = final(events)
    assert last["network"].state == "done" and last["nsg"].state == "done"   # already running: finished
    assert last["data-disk"].state == "skipped" and last["data-disk"].message == "cancelled"
    for sid in ("nic", "vm", "configure-server", "self-test", "artifacts"):
        assert last[sid].state == "skipped"
    assert "data-disk" not in reload(state).steps


async def test_cancelling_the_task_records_cancelled(state: RunState) -> None:
    plan = build_plan(answers())
    fake = Fake(plan, delay={"network": 0.3, "nsg": 0.3, "data-disk": 0.3})
    runner = make_runner(plan, fake, state)
    task = asyncio.create_task(runner.run(lambda e: None))
    await asyncio.sleep(0.1)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert runner.cancelling
    assert reload(state).last_status == "cancelled"
    await asyncio.sleep(0.4)                   # the worker threads finish on their own
    assert "vm" not in fake.calls


def test_check_cancelled_raises() -> None:
    plan = build_plan(answers())
    flag = threading.Event()
    ctx = StepContext(plan.step("vm"), plan, SECRETS, {}, {}, lambda e: None, flag)
    ctx.check_cancelled()
    flag.set()
    assert ctx.cancelled
    with pytest.raises(Cancelled):
        ctx.check_cancelled()


# ---- the state file ----------------------------------------------------------------------------
def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def test_state_file_mode_0600_no_secret(state: RunState, hpcshare_home: Path) -> None:
    plan = build_plan(answers())
    fake = Fake(plan, fail={"self-test": RuntimeError(f"logon failed for MyUser with {SHARE_SECRET}")})
    result, events = await run(make_runner(plan, fake, state))
    assert result.status == "failed"
    path = hpcshare_home / "state" / "myfileserver.json"
    assert state.path == path
    assert mode(path) == 0o600
    text = path.read_text(encoding="utf-8")
    assert ADMIN_SECRET not in text and SHARE_SECRET not in text
    body = json.loads(text)
    assert body["schema"] == 1 and body["last_status"] == "failed" and body["last_failure"] == "self-test"
    assert body["steps"]["vm"]["fingerprint"] == plan.fingerprints["vm"]
    assert sorted(p.name for p in path.parent.iterdir()) == ["myfileserver.json"]


async def test_state_writes_are_atomic(state: RunState, monkeypatch: pytest.MonkeyPatch) -> None:
    plan = build_plan(answers())
    real_replace = state_module.os.replace
    replaced: list[tuple[Path, Path, int, Any]] = []

    def spy(src: Any, dst: Any) -> None:
        src, dst = Path(src), Path(dst)
        replaced.append((src, dst, mode(src), json.loads(src.read_text(encoding="utf-8"))))
        real_replace(src, dst)

    monkeypatch.setattr(state_module.os, "replace", spy)
    result, _ = await run(make_runner(plan, Fake(plan), state))
    assert result.status == "succeeded"
    # "running" + one write per finished step + the final status
    assert len(replaced) == len(plan.ids) + 2
    for src, dst, src_mode, body in replaced:
        assert dst == state.path
        assert src.parent == dst.parent and src.name.startswith(".") and src != dst
        assert src_mode == 0o600
        assert body["schema"] == 1
    # the file grows one step at a time: a crash at any point leaves a usable file
    counts = [len(body["steps"]) for *_, body in replaced]
    assert counts == sorted(counts) and counts[-1] == len(plan.ids)


def test_a_crash_while_writing_keeps_the_previous_state(state: RunState, monkeypatch: pytest.MonkeyPatch) -> None:
    state.record("vm", "abc", {"id": "vm-1"})
    before = state.path.read_bytes()

    def broken_dump(*args: Any, **kwargs: Any) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(state_module.json, "dump", broken_dump)
    with pytest.raises(OSError):
        state.record("nic", "def", {"id": "nic-1"})
    assert state.path.read_bytes() == before
    monkeypatch.undo()
    assert RunState.load(state.path).outputs("vm") == {"id": "vm-1"}


def test_a_failed_state_write_leaves_no_temp_file(state: RunState, monkeypatch: pytest.MonkeyPatch) -> None:
    """profiles.save removes its temporary file when a write fails; state.save should too."""
    state.record("vm", "abc", {"id": "vm-1"})
    monkeypatch.setattr(state_module.json, "dump", lambda *a, **k: (_ for _ in ()).throw(OSError("disk full")))
    with pytest.raises(OSError):
        state.record("nic", "def", {"id": "nic-1"})
    assert sorted(p.name for p in state.path.parent.iterdir()) == [state.path.name]


def test_a_damaged_state_file_is_kept_aside_and_ignored(hpcshare_home: Path) -> None:
    path = hpcshare_home / "state" / "p.json"
    path.parent.mkdir()
    path.write_text("{not json", encoding="utf-8")
    loaded = RunState.load(path)
    assert loaded.steps == {} and loaded.last_status == "new"
    assert path.with_suffix(".json.bak").read_text(encoding="utf-8") == "{not json"
    assert not path.exists()


def test_a_failed_steps_hint_names_the_screen_field_and_key() -> None:
    """Issue 22: people read the screen and the field, the answers file needs the key; a hint writes
    {key} and the runner renders both, leaving anything else in braces alone."""
    from wizard.questions import refer

    hint = "Set {disk.size_gb} to 4095 or less; {not.a_key} and {\"code\": 1} stay as they are."
    assert refer(hint, with_key=True) == ("Set Data disk › Size (GiB) (disk.size_gb) to 4095 or less; "
                                          "{not.a_key} and {\"code\": 1} stay as they are.")
    assert refer(hint) == "Set Data disk › Size (GiB) to 4095 or less; {not.a_key} and {\"code\": 1} stay as they are."
