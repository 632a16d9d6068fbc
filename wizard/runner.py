"""Runs a Plan's DAG with asyncio and reports every state change as a plain RunEvent.

Independent steps run at the same time; each step's action is synchronous (SDK calls block) and
runs in a worker thread. The runner knows nothing of Azure or of any UI: actions come in as a
mapping from step id to a function, events go out through one callback.

Resume: a finished step is recorded in RunState with its input fingerprint. On the next run a
step whose fingerprint is unchanged still runs its convergence check (cheap GETs) unless it is
marked ``remote``/``artifacts``-like (``skip_when_unchanged``), which is skipped outright unless
a step it depends on changed something in this run.
"""
from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from wizard.answers import Secrets
from wizard.plan import Plan, Step
from wizard.questions import refer
from wizard.state import RunState

EventState = Literal["pending", "running", "done", "failed", "skipped", "warning", "log"]
RunStatus = Literal["succeeded", "failed", "cancelled"]


@dataclass(frozen=True)
class RunEvent:
    step: str
    state: EventState
    message: str = ""
    hint: str = ""
    substep: str | None = None
    elapsed: float = 0.0


class StepFailed(Exception):
    """A step's failure as users should read it: one-line cause and a hint for what to do."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class Cancelled(Exception):
    pass


@dataclass
class StepContext:
    step: Step
    plan: Plan
    secrets: Secrets
    outputs: dict[str, dict[str, Any]]        # outputs of every finished step (this run or before)
    previous: dict[str, Any]                  # this step's own outputs from an earlier run, if any
    _emit: Callable[[RunEvent], None]
    _cancel: threading.Event
    _started: float = field(default_factory=time.monotonic)
    # Secrets steps read from Azure this run (step id -> value, e.g. the storage account key):
    # memory only, never in outputs, events, state or the log. Shared with the runner.
    revealed: dict[str, str] = field(default_factory=dict)

    def reveal(self, secret: str) -> None:
        """Hand a secret this step read to the run (shown once by the front end, masked in errors)."""
        self.revealed[self.step.id] = secret

    def log(self, message: str) -> None:
        self._emit(RunEvent(self.step.id, "log", message, elapsed=self.elapsed))

    def warn(self, message: str) -> None:
        self._emit(RunEvent(self.step.id, "warning", message, elapsed=self.elapsed))

    def substep(self, name: str, state: EventState, message: str = "", hint: str = "") -> None:
        self._emit(RunEvent(self.step.id, state, message, hint, substep=name, elapsed=self.elapsed))

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self._started

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def check_cancelled(self) -> None:
        if self._cancel.is_set():
            raise Cancelled()


# An action returns the step's outputs; the key "changed" (bool) says whether it changed anything.
StepAction = Callable[[StepContext], dict[str, Any]]
ErrorExplainer = Callable[[BaseException], StepFailed]


def _default_explain(exc: BaseException) -> StepFailed:
    return StepFailed(f"{type(exc).__name__}: {exc}".splitlines()[0][:300],
                      "Re-run to resume from this step; see the log for details.")


@dataclass(frozen=True)
class RunResult:
    status: RunStatus
    failed: tuple[str, ...]
    outputs: dict[str, dict[str, Any]]
    changed: tuple[str, ...]
    elapsed: float


class Runner:
    def __init__(
        self,
        plan: Plan,
        actions: Mapping[str, StepAction],
        state: RunState,
        secrets: Secrets,
        *,
        skip_when_unchanged: frozenset[str] = frozenset(),
        max_parallel: int = 4,
        explain: ErrorExplainer = _default_explain,
    ) -> None:
        missing = [s.id for s in plan.steps if s.id not in actions]
        if missing:
            raise ValueError(f"no action for steps: {', '.join(missing)}")
        self.plan = plan
        self.actions = actions
        self.state = state
        self.secrets = secrets
        self.skip_when_unchanged = skip_when_unchanged
        self.max_parallel = max_parallel
        self.explain = explain
        self._cancel = threading.Event()
        # Steps whose action began: after an interrupt these may have applied a generated password.
        self.started: set[str] = set()
        self.revealed: dict[str, str] = {}        # StepContext.reveal: step id -> secret read from Azure

    def cancel(self) -> None:
        """Start no new step; steps already running finish (Azure would finish them anyway)."""
        self._cancel.set()

    @property
    def cancelling(self) -> bool:
        return self._cancel.is_set()

    async def run(self, on_event: Callable[[RunEvent], None]) -> RunResult:
        loop = asyncio.get_running_loop()
        started = time.monotonic()

        def emit(event: RunEvent) -> None:
            # Worker threads report through the loop so listeners only ever run on it.
            if _on_loop(loop):
                on_event(event)
            else:
                loop.call_soon_threadsafe(on_event, event)

        for s in self.plan.steps:
            emit(RunEvent(s.id, "pending", s.title))
        self.state.set_status("running")
        outputs = self.state.all_outputs()
        results: dict[str, str] = {}          # step id -> done | failed | skipped | cancelled
        changed: set[str] = set()
        failed: list[str] = []
        semaphore = asyncio.Semaphore(self.max_parallel)
        tasks: dict[str, asyncio.Task[None]] = {}

        async def run_step(step: Step) -> None:
            await asyncio.gather(*(tasks[n] for n in step.needs))
            blocked = [n for n in step.needs if results.get(n) != "done"]
            if blocked:
                results[step.id] = "skipped"
                emit(RunEvent(step.id, "skipped", f"not run: {', '.join(blocked)} did not finish"))
                return
            if self._cancel.is_set():
                results[step.id] = "cancelled"
                emit(RunEvent(step.id, "skipped", "not run: cancelled"))
                return
            fingerprint = self.plan.fingerprints[step.id]
            upstream_changed = any(n in changed for n in step.needs)
            if (step.id in self.skip_when_unchanged and self.state.is_done(step.id, fingerprint)
                    and not upstream_changed):
                results[step.id] = "done"
                self.state.note_inputs(step.id, dict(step.inputs))
                emit(RunEvent(step.id, "done", "unchanged since the last run: nothing to do"))
                return
            async with semaphore:
                t0 = time.monotonic()
                self.started.add(step.id)
                emit(RunEvent(step.id, "running", step.title))
                ctx = StepContext(step, self.plan, self.secrets, outputs, self.state.outputs(step.id),
                                  emit, self._cancel, revealed=self.revealed)
                try:
                    out = await _in_daemon_thread(self.actions[step.id], ctx, name=f"hpcshare-{step.id}")
                except Cancelled:
                    results[step.id] = "cancelled"
                    emit(RunEvent(step.id, "skipped", "cancelled", elapsed=time.monotonic() - t0))
                    return
                except StepFailed as exc:
                    self._fail(step, exc, t0, results, failed, emit)
                    return
                except Exception as exc:  # an action bug or an SDK error nobody mapped
                    self._fail(step, self.explain(exc), t0, results, failed, emit)
                    return
            out = dict(out or {})
            did_change = bool(out.pop("changed", True))
            if did_change:
                changed.add(step.id)
            outputs[step.id] = out
            self.state.record(step.id, fingerprint, out, dict(step.inputs))
            results[step.id] = "done"
            note = out.get("summary") or ("done" if did_change else "already in place: no change")
            emit(RunEvent(step.id, "done", str(note), elapsed=time.monotonic() - t0))

        for step in self.plan.steps:   # plan order is a topological order
            tasks[step.id] = asyncio.create_task(run_step(step), name=f"step:{step.id}")
        try:
            await asyncio.gather(*tasks.values())
        except asyncio.CancelledError:
            self._cancel.set()
            for t in tasks.values():
                t.cancel()
            self.state.set_status("cancelled")
            raise
        if failed:
            status: RunStatus = "failed"
        elif self._cancel.is_set() and any(r == "cancelled" for r in results.values()):
            status = "cancelled"
        else:
            status = "succeeded"
        self.state.set_status(status, failed[0] if failed else "")
        return RunResult(status, tuple(failed), outputs, tuple(s for s in self.plan.ids if s in changed),
                         time.monotonic() - started)

    def _fail(self, step: Step, exc: StepFailed, t0: float, results: dict[str, str], failed: list[str],
              emit: Callable[[RunEvent], None]) -> None:
        results[step.id] = "failed"
        failed.append(step.id)
        self.state.forget(step.id)
        # An SDK error can quote a request body: never let a password through to a screen or log.
        # Hints name answers as {key}: the screen and label people know, and the answers-file key.
        message, hint = exc.message, refer(exc.hint, with_key=True)
        for secret in (*self.secrets.values(), *self.revealed.values()):
            if secret:
                message, hint = message.replace(secret, "***"), hint.replace(secret, "***")
        emit(RunEvent(step.id, "failed", message, hint, elapsed=time.monotonic() - t0))


async def _in_daemon_thread(fn: Callable[[StepContext], dict[str, Any]], ctx: StepContext, *, name: str) -> Any:
    """Run a blocking step in a daemon thread. Unlike asyncio.to_thread's pool, a daemon thread
    does not hold the process open: "leave Azure running and quit" quits at once, while Azure
    finishes the operation on its side and the next run resumes."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[Any] = loop.create_future()

    def settle(result: Any = None, error: BaseException | None = None) -> None:
        if future.done():          # the run was cancelled meanwhile: nobody waits any more
            return
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(result)

    def work() -> None:
        try:
            outcome: tuple[Any, BaseException | None] = (fn(ctx), None)
        except BaseException as exc:  # handed to the awaiting coroutine, which sorts it out
            outcome = (None, exc)
        try:
            loop.call_soon_threadsafe(settle, *outcome)
        except RuntimeError:          # the loop is gone: the user left while this step ran
            pass

    threading.Thread(target=work, name=name, daemon=True).start()
    return await future


def _on_loop(loop: asyncio.AbstractEventLoop) -> bool:
    try:
        return asyncio.get_running_loop() is loop
    except RuntimeError:
        return False
