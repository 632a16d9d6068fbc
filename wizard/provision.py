"""One run of a session's plan, whatever draws it: the pipeline every front end calls.

``Provision(session).run(on_event)`` does, in this order:

0. opens the run log ``HPCSHARE_HOME/logs/PROFILE.log`` (``wizard.runlog``), which also takes the
   Azure SDK's own log lines (azure-identity's "AzureCliCredential.get_token failed ..."): they
   never reach the terminal (``wizard.environment`` gives the ``azure`` loggers a null handler);
1. the sign-in check: a token for the chosen method and a read of the subscription
   (``Catalog.check_sign_in``); a failure raises ``SignInFailed`` naming the method and the fix;
2. the preflight: what already exists in the way (``wizard.conflicts``: a VNet in another group
   that is not there, an address another NIC holds, another profile's server), and what Azure
   would refuse only after the network and disk were made (the VM size rule, ``wizard.catalog.size_problems``; the compute quota, ``wizard.quota``; the disk type on
   offer, ``wizard.diskoffer``) stops the run with ``PreflightFailed``, nothing created. The quota
   and disk offer come from one ``wizard.assessment.assess`` (with the cost and throughput): the run
   keeps it (``Provision.assessment``) for SUMMARY.md, so the run reads the prices once (and from
   the price cache when Review or ``plan`` read them in the last week);
3. makes the runner (``Session.make_runner`` or an injected factory) and runs it, passing every
   event to the log and then to ``on_event``;
4. logs the result and returns it.

No step starts before 1 and 2 have passed.

The Rich live view and the log-friendly lines (``wizard.plain.live``) and the Textual Run screen
(``screens.app``) only draw the events. No UI library here.
"""
from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from wizard import conflicts
from wizard.catalog import Catalog, NicInfo, SignInFailed, VnetInfo, size_problems
from wizard.passwords import PasswordNotice, applied_notice, earlier_notices, key_notice, started_notices
from wizard.questions import QUESTIONS, place
from wizard.runlog import RunLog, azure_logs_to
from wizard.runner import RunEvent, RunResult

if TYPE_CHECKING:
    from wizard.answers import Answers
    from wizard.assessment import Assessment
    from wizard.environment import Environment
    from wizard.runner import Runner
    from wizard.session import Session

__all__ = ["PREFLIGHT_HEADING", "PreflightFailed", "Provision", "RunnerFactory", "SignInFailed", "on_screen", "preflight"]

RunnerFactory = Callable[["Session"], "Runner"]
EventSink = Callable[[RunEvent], None]
PasswordSink = Callable[[PasswordNotice], None]

PREFLIGHT_HEADING = "Azure would refuse these answers; nothing was created:"


class PreflightFailed(Exception):
    """The answers break a rule Azure enforces; each problem starts with the answer key to change."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join([PREFLIGHT_HEADING, *(f"  - {p}" for p in problems)]))
        self.problems = tuple(problems)


def preflight(catalog: Catalog, answers: "Answers", env: "Environment | None" = None) -> list[str]:
    """The VM size rule from the catalogue; with ``env``, also the compute quota (usages: the
    size's family and the region's cores) and whether the disk type is offered there. Anything
    that cannot be read is not a problem here: the steps then report Azure's own error."""
    return assessed_preflight(catalog, answers, env)[0]


def assessed_preflight(catalog: Catalog, answers: "Answers",
                       env: "Environment | None" = None) -> tuple[list[str], "Assessment | None"]:
    """``preflight``, and the assessment its quota and disk-offer checks came from (None without
    ``env`` or when the VM size rule already fails)."""
    sub = answers.subscription
    clashes = conflict_problems(catalog, answers)
    if answers.azure_files:
        # No VM and no disk: besides the conflicts, what Azure could refuse up front is the
        # account's name, or one storage account more than the region's quota.
        if env is None:
            return clashes, None
        from wizard.assessment import assess
        from wizard.azure.files import account_name_problems

        share = assess(env, answers)
        return clashes + account_name_problems(env, answers) + share.quota.problems(), share
    if clashes:
        return clashes, None
    try:
        sizes = catalog.vm_sizes(sub.id, sub.region)
    except Exception:
        sizes = None
    problems: list[str] = []
    if sizes is not None:
        ctx = {"vm.size": answers.vm.size, "disk.sku": answers.disk.sku, "subscription.region": sub.region}
        problems += [f"[{key}] {message}" for key, message in size_problems(ctx, sizes).items()]
    assessment = None
    if env is not None and not problems:
        from wizard.assessment import assess

        assessment = assess(env, answers)
        problems += assessment.quota.problems()
        problems += assessment.disk_problems
    return problems, assessment


def conflict_problems(catalog: Catalog, answers: "Answers") -> list[str]:
    """What already exists in the way (``wizard.conflicts``): a VNet in another group that is
    not there, a subnet it lacks, an address another NIC holds, another profile that has run
    with the same server. A list that cannot be read judges nothing (the steps still check)."""
    sub = answers.subscription
    ctx = answers.flat()
    try:
        vnets: list[VnetInfo] | None = catalog.vnets(sub.id, sub.region)
        nics: list[NicInfo] | None = catalog.nics(sub.id, sub.region)
    except Exception:
        vnets = nics = None
    return conflicts.for_preflight(conflicts.blocking(ctx, vnets, nics, conflicts.other_profiles(answers.profile)))


_KEYED = re.compile(r"^\[([a-z_]+\.[a-z_0-9]+)\] (.*)$", re.S)


def on_screen(problem: str) -> str:
    """A preflight line as the TUI shows it: the screen and field label instead of the
    answers-file key ("[vm.size] VM size: ..." -> "File server VM › VM size: ...")."""
    m = _KEYED.match(problem)
    if m is None or m.group(1) not in QUESTIONS:
        return problem
    key, rest = m.groups()
    where, label = place(key), QUESTIONS[key].label
    if rest.startswith(where):
        return rest
    if rest.startswith(label + ":"):
        return where + rest[len(label):]
    return f"{where}: {rest}"


def result_line(result: RunResult) -> str:
    return f"result: {result.status}" + (f" at {', '.join(result.failed)}" if result.failed else "")


class Provision:
    """One run. ``catalog`` (for the preflight) and ``runner_factory`` default to the session's;
    the TUI passes its live lists' catalog, tests pass fakes. ``cancel()`` may be called from any
    thread, also before the runner exists."""

    def __init__(self, session: "Session", *, catalog: Catalog | None = None,
                 runner_factory: RunnerFactory | None = None, on_password: PasswordSink | None = None) -> None:
        self.session = session
        self.catalog = catalog
        # The default runner writes this run's assessment into SUMMARY.md; an injected one (tests) does not.
        self.runner_factory: RunnerFactory = runner_factory or (lambda s: s.make_runner(assessment=self.assessment))
        self.assessment: Assessment | None = None       # set by the preflight
        self.runner: Runner | None = None
        self._cancelled = False
        # Every generated password is handed to ``on_password`` once: as soon as the step that
        # applies it is done (or, on a resume, as gone). ``passwords`` keeps what was handed out.
        self.on_password = on_password
        self.passwords: list[PasswordNotice] = []
        self._finished: set[str] = set()

    @property
    def started(self) -> tuple[str, ...]:
        """Steps that began (a cancelled run may still have applied a generated password)."""
        return tuple(self.runner.started) if self.runner is not None else ()

    def unshown_passwords(self) -> list[PasswordNotice]:
        """Leaving now: generated passwords a step that started (and may still finish on Azure)
        applies, and that were not handed out yet. Show them now or they are lost."""
        if self.runner is None:
            return []
        session = self.session
        shown = {n.who for n in self.passwords}
        return [n for n in started_notices(self.started, self._finished, session.answers(), session.secrets(),
                                           session.command_line) if n.who not in shown]

    def _hand_out(self, notice: PasswordNotice, run_log: RunLog) -> None:
        self.passwords.append(notice)
        # The log keeps the fact, never the value.
        run_log.line(notice.fact())
        if self.on_password is not None:
            self.on_password(notice)

    def cancel(self) -> None:
        self._cancelled = True
        if self.runner is not None:
            self.runner.cancel()

    async def run(self, on_event: EventSink) -> RunResult:
        """Sign-in, preflight, run, all in the run log. Raises ``SignInFailed`` or ``PreflightFailed``
        (nothing created) or ``AnswersInvalid`` (incomplete answers, a bad password in the
        environment): all before any step."""
        session = self.session
        answers = session.answers(require=True)
        catalog = self.catalog if self.catalog is not None else session.catalog()
        with RunLog(answers.profile) as run_log, azure_logs_to(run_log):
            try:
                await asyncio.to_thread(catalog.check_sign_in, answers.subscription.id)
            except SignInFailed as exc:
                run_log.line(f"sign-in failed: {exc}")
                raise
            problems, self.assessment = await asyncio.to_thread(
                lambda: assessed_preflight(catalog, answers, session.environment))
            if problems:
                run_log.line(PREFLIGHT_HEADING + " " + "; ".join(problems))
                raise PreflightFailed(problems)
            self.runner = runner = await asyncio.to_thread(self.runner_factory, session)
            if self._cancelled:
                runner.cancel()
            secrets = runner.secrets
            for notice in earlier_notices(runner.state, answers, secrets, session.command_line):
                self._hand_out(notice, run_log)

            def relay(event: RunEvent) -> None:
                run_log.event(event)
                on_event(event)
                if event.substep is None and event.state in ("done", "failed", "skipped"):
                    self._finished.add(event.step)
                if event.substep is None and event.state == "done" and event.step in runner.started:
                    notice = (applied_notice(event.step, runner.state.outputs(event.step), answers, secrets,
                                             session.command_line)
                              or key_notice(event.step, runner.revealed, answers))
                    if notice is not None:
                        self._hand_out(notice, run_log)

            result = await self.runner.run(relay)
            run_log.line(result_line(result))
        return result
