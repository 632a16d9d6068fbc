"""The wizard App: page flow, the live lists, and the App-owned provisioning worker.

``run_app(session)`` is what ``hpcshare`` (no command) calls. Exit codes: 0 finished, 1 a step
failed and the user quit, 130 the user cancelled (or quit while Azure was still working).

The flow is one App worker that awaits each page in turn (``push_screen_wait``); each page
dismisses with a typed result (``screens.nav``: ``Nav.NEXT``, ``Nav.RUN``, ``Edit(section)``...);
Welcome's ``Resume(profile)`` passes over the sections and Review and opens the Run screen at once.
Pages get what they need through their constructors (the session, ``LiveLists``, the drafts, the
run model); none reaches into the App. Review's cost, quota and throughput
(``wizard.assessment.assess``: Azure calls) are worked out in an App-owned thread worker with
``exit_on_error=False`` and handed to the Review screen (``ReviewScreen.show_assessment``); they
are kept while the answers stay the same, so going to a section and back does not ask Azure
again. Provisioning runs ``wizard.provision`` (the pipeline ``hpcshare run`` uses: preflight,
run log, runner) in a separate App-owned worker with ``exit_on_error=False``: it does not die
with the Run screen and an error in it is shown, never fatal.
"""
from __future__ import annotations

import asyncio
import hashlib
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import App
from textual.binding import Binding
from textual.worker import Worker, WorkerState

from screens.dialogs import InterruptDialog, QuitDialog
from screens.live_lists import CatalogSource, LiveLists
from screens.nav import AsksBeforeQuit, Edit, Nav, PageResult, Resume
from screens.themes import DARK, THEMES, other
from wizard import paths
from wizard.exits import ExitCode
from wizard.passwords import still_known
from wizard.provision import PREFLIGHT_HEADING, PreflightFailed, Provision, RunnerFactory, SignInFailed, on_screen
from wizard.questions import SECTION_KEYS, section
from wizard.run_model import RunModel

if TYPE_CHECKING:
    from datetime import datetime

    from textual.content import Content

    from screens.review import ReviewScreen
    from screens.run import RunScreen
    from wizard.assessment import Assessment
    from wizard.catalog import Catalog
    from wizard.runner import RunEvent, RunResult
    from wizard.passwords import PasswordNotice
    from wizard.session import Session

#: Works out Review's cost, quota and throughput for the session's answers (blocking; a thread).
Assessor = Callable[["Session"], "Assessment"]

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_CANCELLED = ExitCode.OK, ExitCode.FAILED, ExitCode.USAGE, ExitCode.CANCELLED

REDACTED = "••••••"


def _stylesheet() -> str:
    return str(paths.asset("app.tcss"))


class HpcShareApp(App[int]):
    """``catalog``, ``runner_factory`` and ``assessor`` default to the session's
    (``session.catalog()``, ``session.make_runner()``, ``assess(session.environment, answers)``);
    tests inject fakes. ``start`` picks the first page ("welcome", a section key such as "disk",
    or "review")."""

    CSS_PATH = _stylesheet()
    TITLE = "hpcshare"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS = [
        Binding("ctrl+c", "interrupt", "Quit", priority=True, show=False),
        Binding("ctrl+q", "interrupt", "Quit", priority=True),
        Binding("ctrl+t", "toggle_theme", "Theme"),
    ]

    def __init__(
        self,
        session: "Session",
        *,
        catalog: CatalogSource = None,
        runner_factory: RunnerFactory | None = None,
        assessor: Assessor | None = None,
        start: str = "welcome",
        profile_named: bool = False,
    ) -> None:
        super().__init__()
        self.session = session
        # Where the flow begins: "welcome", a section key, or "review" (a complete profile).
        self.start = start
        # The session's profile was named (--profile/--answers) or chosen on Welcome: Welcome
        # selects it; otherwise the most recently used profile.
        self.profile_named = profile_named
        # The live lists, passed down to the section screens and their fields.
        self.lists = LiveLists(session, catalog, redact=self.redact)
        # None: Provision's own default, whose runner also writes the run's assessment into SUMMARY.md.
        self.runner_factory: RunnerFactory | None = runner_factory
        self.assessor: Assessor = assessor or _assess_session
        self.review_screen: ReviewScreen | None = None      # while Review is shown
        self._assessment: tuple[str, Assessment] | None = None   # (the answers it is for, the result)
        self._assessment_wanted = ""          # digest of the answers Review shows now
        self._assessment_worker: Worker[Any] | None = None
        self.drafts: dict[str, dict[str, Any]] = {}        # typed but not submitted (Back keeps it)
        self.run_model = RunModel()
        self.provision: Provision | None = None
        self.run_screen: RunScreen | None = None        # while the Run page is shown
        self.run_result: RunResult | None = None
        self._secret_values: tuple[str, ...] = ()
        for theme in THEMES:
            self.register_theme(theme)
        self.theme = DARK
        session.device_code_prompt = self.show_device_code
        self._set_subtitle()

    # ---- lifecycle ------------------------------------------------------------------------
    def on_mount(self) -> None:
        self.flow()

    def _set_subtitle(self) -> None:
        demo = " · demo (Azure stand-in)" if self.session.demo else ""
        self.sub_title = f"profile {self.session.profile}{demo}"

    def format_title(self, title: str, sub_title: str) -> "Content":
        """Textual dims the sub-title: 4.4:1 on the light theme's header, below WCAG AA."""
        from textual.content import Content

        return Content.assemble(title, " — ", sub_title) if sub_title else Content(title)

    @property
    def demo(self) -> bool:
        return self.session.demo

    # ---- the page flow --------------------------------------------------------------------
    @work(group="flow", exclusive=True)
    async def flow(self) -> None:
        # Each page is imported when it is first shown, so the first one paints sooner.
        from screens.welcome import WelcomeScreen

        pages = ("welcome", *SECTION_KEYS, "review")
        i = pages.index(self.start)
        editing = False        # a section reopened from Review returns to Review
        resuming = False       # Welcome's Resume: Review is passed over, the run starts at once
        last: str | None = None
        forward = True         # which way a section with nothing to ask is passed over
        while True:
            page = pages[i]
            if page not in ("welcome", "review") and not editing and not self._section_asks(page):
                # e.g. the VM's sections for the Azure Files backend, or Azure Files for a VM
                i += 1 if forward else -1
                continue
            if page == "welcome":
                select = self.session.profile if self.profile_named else None
                chosen = await self.push_screen_wait(WelcomeScreen(self.session, select=select))
                if chosen is None:
                    self.exit(EXIT_CANCELLED)
                    return
                if isinstance(chosen, Resume):
                    self.use_profile(chosen.profile)
                    i, resuming = pages.index("review"), True
                    continue
                self.use_profile(chosen)
                i, forward = 1, True
            elif page == "review":
                if resuming:
                    # The answers were confirmed by the run being resumed: no Review, no "Create
                    # in Azure?"; the Run screen signs in first, as every run does.
                    resuming = False
                    result: PageResult = Nav.RUN
                else:
                    result = await self._review_page(last)
                if result is Nav.RUN:
                    outcome = await self._run_page()
                    if outcome is Nav.FINISH:
                        from screens.finish import FinishScreen

                        await self.push_screen_wait(FinishScreen(self.session, self.run_model.passwords,
                                                                 self.redact))
                        self.exit(EXIT_OK)
                        return
                    if outcome is Nav.REVIEW:
                        continue
                    self.exit(self.exit_code_after_run())
                    return
                if result is Nav.BACK:
                    i, forward = i - 1, False
                elif isinstance(result, Edit):
                    i = pages.index(result.section)
                    editing = True
            else:
                from screens.section import SectionScreen

                result = await self.push_screen_wait(SectionScreen(
                    section(page), self.session, self.lists, self.drafts, index=i - 1, returning=editing))
                last = page if editing else None
                if editing:
                    i, editing = pages.index("review"), False
                elif result is Nav.NEXT:
                    i, forward = i + 1, True
                else:
                    i, forward = i - 1, False

    async def _review_page(self, last: str | None) -> PageResult:
        from screens.review import ReviewScreen

        self.review_screen = ReviewScreen(self.session, focus_section=last)
        self.start_assessment()
        try:
            return await self.push_screen_wait(self.review_screen)
        finally:
            self.review_screen = None

    def _section_asks(self, key: str) -> bool:
        return section(key).asks(self.session.context())

    async def _run_page(self) -> Nav:
        """The Run screen over the App's run model; the run starts with it (unless one still runs)."""
        from screens.run import RunScreen

        self.run_screen = RunScreen(self.run_model, self.session.context())
        if not self.run_active:
            self.start_run()
        try:
            return await self.push_screen_wait(self.run_screen)
        finally:
            self.run_screen = None

    def use_profile(self, name: str) -> None:
        """Switch to another profile chosen on the Welcome screen (a fresh Session for it)."""
        self.profile_named = True            # back on Welcome, this one is selected
        if name == self.session.profile:
            return
        from wizard.session import Session

        old = self.session
        out_dir = old.out_dir.parent / name if old.out_dir.name == old.profile else old.out_dir
        self.session = Session(name, demo=old.demo, overrides=old.overrides, out_dir=out_dir)
        self.session.device_code_prompt = self.show_device_code
        old.close()
        self.lists.forget(self.session)
        self.drafts.clear()
        self._set_subtitle()

    def exit_code_after_run(self) -> int:
        r = self.run_result
        if self.run_model.refused and not self.run_active:
            return EXIT_USAGE             # as ``hpcshare run``: Azure would refuse the answers
        if r is None and self.run_model.status == "failed" and not self.run_active:
            return EXIT_FAILED            # stopped before any step (sign-in), as ``hpcshare run``
        if r is None or r.status == "cancelled" or self.run_active:
            return EXIT_CANCELLED
        if r.status == "failed":
            return EXIT_FAILED
        return EXIT_OK

    # ---- device-code sign-in -------------------------------------------------------------
    def show_device_code(self, verification_uri: str, user_code: str, expires_on: "datetime") -> None:
        """azure-identity's prompt callback: called on the thread that signs in (a live list's, or
        the run's); the dialog is shown on the App's thread."""
        from screens.dialogs import DeviceCodeDialog

        dialog = DeviceCodeDialog(verification_uri, user_code, expires_on)
        if self._thread_id == threading.get_ident():
            self.push_screen(dialog)
        else:
            self.call_from_thread(self.push_screen, dialog)

    # ---- secrets never reach the screen ---------------------------------------------------
    def redact(self, text: str) -> str:
        for secret in self._known_secrets():
            if secret and len(secret) >= 4:
                text = text.replace(secret, REDACTED)
        return text

    def _known_secrets(self) -> tuple[str, ...]:
        typed = tuple(str(self.session.value(k) or "") for k in ("vm.admin_password", "account.password"))
        # Also what a step revealed (the storage account key), for as long as the run model shows it.
        revealed = tuple(n.password for n in self.run_model.passwords if n.password)
        return self._secret_values + revealed + typed

    # ---- a crash shows no secret -----------------------------------------------------------
    def _fatal_error(self) -> None:
        """Textual prints an unhandled exception with ``show_locals=True``: every typed password in
        a frame would reach the terminal's scrollback (security review, finding 3). Here: the
        traceback without locals, as plain text, with every known secret replaced."""
        from rich.traceback import Traceback

        self.bell()
        self._exit_renderables.append(self._scrubbed(Traceback(show_locals=False, width=None, suppress=[])))
        self._close_messages_no_wait()

    def panic(self, *renderables: Any) -> None:
        super().panic(*(self._scrubbed(r) for r in renderables))

    def _scrubbed(self, renderable: Any) -> Any:
        """``renderable`` as plain text without known secrets (text, so no secret hides across styles)."""
        from rich.console import Console
        from rich.text import Text

        plain = Console(width=self.console.width or 100, color_system=None, force_terminal=False,
                        legacy_windows=False)
        with plain.capture() as capture:
            plain.print(renderable)
        text = capture.get()
        for secret in sorted(self._every_secret(), key=len, reverse=True):
            text = text.replace(secret, REDACTED)
        return Text(text)

    def _every_secret(self) -> set[str]:
        """Passwords this process knows: resolved, typed on any open page (submitted or not),
        kept as drafts, from the environment. Short strings are skipped (they would blank out code)."""
        import os

        from textual.widgets import Input

        from screens.widgets.fields import SecretField
        from wizard.questions import SECRET_KEYS

        found: set[str] = set()
        try:
            found.update(self._known_secrets())
        except Exception:  # the session may be what failed: scrub what else is known
            pass
        for screen in self.screen_stack:          # 'show' may have unmasked one: ask the field, not the flag
            found.update(w.value for field in screen.query(SecretField) for w in field.query(Input))
        for draft in self.drafts.values():
            found.update(str(v) for k, v in draft.items() if k in SECRET_KEYS)
        found.update(os.environ.get(v, "") for v in ("HPCSHARE_ADMIN_PASSWORD", "HPCSHARE_SHARE_PASSWORD"))
        return {s for s in found if s and len(s) >= 4}

    # ---- Review's cost, quota and throughput -----------------------------------------------
    def start_assessment(self) -> None:
        """Work out the assessment for the current answers, unless the last one is for the same
        answers; Review shows it when it arrives. Incomplete answers: nothing to work out."""
        if self.review_screen is None:
            return
        resolution = self.session.resolution()
        if resolution.errors:
            return
        # A digest, not the values: the answers may hold a typed password.
        key = hashlib.sha256(repr(sorted(resolution.values.items())).encode()).hexdigest()
        self._assessment_wanted = key
        if self._assessment is not None and self._assessment[0] == key:
            self.review_screen.show_assessment(self._assessment[1])
            return
        session, assessor = self.session, self.assessor
        self._assessment_worker = self.run_worker(lambda: (key, assessor(session)), thread=True,
                                                  group="assessment", name="assessment", exclusive=True,
                                                  exit_on_error=False)

    def _assessment_done(self, worker: Worker) -> None:
        if worker.state == WorkerState.SUCCESS and worker.result is not None:
            key, assessment = worker.result
            self._assessment = (key, assessment)
            if self.review_screen is not None and key == self._assessment_wanted:
                self.review_screen.show_assessment(assessment)
        elif worker.state == WorkerState.ERROR and self.review_screen is not None \
                and worker is self._assessment_worker:
            err = worker.error
            cause = self.redact(f"{type(err).__name__}: {err}".splitlines()[0])
            self.review_screen.show_assessment(f"The cost, quota and throughput could not be worked out ({cause}). "
                                               "Everything else on Review is unaffected.")

    # ---- provisioning ---------------------------------------------------------------------
    @property
    def run_active(self) -> bool:
        return any(w.group == "provision" and w.state in (WorkerState.PENDING, WorkerState.RUNNING)
                   for w in self.workers)

    def start_run(self) -> None:
        """Start (or retry) the run: a new runner each time; finished steps converge quickly."""
        if self.run_active:
            return
        self.run_result = None
        try:
            plan = self.session.plan()
        except Exception:
            plan = None                   # the pipeline reports what is wrong with the answers
        self.run_model.start_attempt(plan)
        self.provision = Provision(self.session, catalog=self._preflight_catalog(),
                                   runner_factory=self.runner_factory, on_password=self._on_password)
        self.run_worker(self._provision(self.provision), group="provision", name="provision",
                        exit_on_error=False)
        self._notify_run_screen()

    def _preflight_catalog(self) -> "Catalog | None":
        """The live lists' catalog when one was injected (tests); else the session's own."""
        return self.lists.catalog() if self.lists.injected else None

    async def _provision(self, provision: Provision) -> "RunResult | None":
        secrets = await asyncio.to_thread(self.session.secrets)
        self._secret_values = secrets.values()
        self._notify_run_screen()
        try:
            return await provision.run(self._on_run_event)
        except PreflightFailed as exc:
            self.run_model.refuse(PREFLIGHT_HEADING, tuple(on_screen(p) for p in exc.problems))
            return None
        except SignInFailed as exc:
            self.run_model.crash(str(exc), "Fix the sign-in, then Retry; no step was started.")
            return None

    def _on_run_event(self, event: "RunEvent") -> None:
        self.run_model.apply(event, self.redact)
        self._notify_run_screen(event)

    def _on_password(self, notice: "PasswordNotice") -> None:
        self.run_model.add_password(notice)
        self._notify_run_screen()

    def _notify_run_screen(self, event: "RunEvent | None" = None) -> None:
        if self.run_screen is not None:
            self.run_screen.refresh_from_model(event)

    def on_run_screen_retry_requested(self, message: "RunScreen.RetryRequested") -> None:
        self.start_run()

    def on_run_screen_cancel_requested(self, message: "RunScreen.CancelRequested") -> None:
        self.action_interrupt()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "assessment":
            self._assessment_done(event.worker)
            return
        if event.worker.group != "provision":
            return
        if event.state == WorkerState.SUCCESS:
            self.run_result = event.worker.result
            if self.run_result is not None:
                self.run_model.finish(self.run_result.status)
            elif not self.run_model.refused:
                self.run_model.finish("failed")
        elif event.state == WorkerState.ERROR:
            err = event.worker.error
            cause = self.redact(f"{type(err).__name__}: {err}".splitlines()[0])
            self.run_model.crash(cause, "Check the answers on Review, or your Azure sign-in, then Retry.")
        elif event.state == WorkerState.CANCELLED:
            self.run_model.finish("cancelled")
        else:
            return
        self._notify_run_screen()

    def cancel_run(self) -> None:
        if self.provision is not None and self.run_active:
            self.provision.cancel()
            self.run_model.cancelling = True
            self._notify_run_screen()

    # ---- keys -----------------------------------------------------------------------------
    def action_interrupt(self) -> None:
        """Ctrl+C / Ctrl+Q: while Azure works, ask to leave it running or cancel; otherwise ask to quit."""
        if isinstance(self.screen, (InterruptDialog, QuitDialog)):
            return                                   # a second Ctrl+C while asking is ignored
        if isinstance(self.screen, AsksBeforeQuit):
            self.screen.action_request_quit()
            return
        passwords = self.passwords_to_keep()
        if self.run_active:
            self.push_screen(InterruptDialog(cancelling=self.run_model.cancelling, passwords=passwords),
                             self._interrupt_chosen)
        else:
            self.push_screen(QuitDialog(after_failure=self.run_model.status == "failed", passwords=passwords),
                             self._quit_chosen)

    def passwords_to_keep(self) -> list["PasswordNotice"]:
        """What leaving now would lose: each generated password a step of this process applied
        (any attempt), or that a started step may still apply (Azure finishes it)."""
        unshown = self.provision.unshown_passwords() if self.provision is not None else []
        return still_known([*self.run_model.passwords, *unshown])

    def _interrupt_chosen(self, choice: str | None) -> None:
        if choice == "leave":
            if self.provision is not None:
                self.provision.cancel()         # start nothing new on the way out
            self.exit(EXIT_CANCELLED)
        elif choice == "cancel":
            self.cancel_run()

    def _quit_chosen(self, quit_: bool | None) -> None:
        if quit_:
            self.exit(self.exit_code_after_run() if self.run_result is not None else EXIT_CANCELLED)

    def farewell_lines(self) -> list[str]:
        """What the terminal keeps once the App is gone, however it was left (``run_app`` prints it)."""
        from wizard.farewell import farewell_lines

        finished = self.run_result is not None and self.run_result.status == "succeeded"
        return farewell_lines(self.session, self.provision, finished=finished, earlier=self.run_model.passwords)

    def action_toggle_theme(self) -> None:
        self.theme = other(self.theme)


def _assess_session(session: "Session") -> "Assessment":
    from wizard.assessment import assess

    return assess(session.environment, session.answers())     # the answers Review shows, as its plan


def run_app(session: "Session", *, profile_named: bool = False) -> int:
    """Run the wizard on this terminal; returns the process exit code. ``profile_named``: the
    profile was named on the command line (Welcome selects it rather than the most recent)."""
    app = HpcShareApp(session, profile_named=profile_named)
    try:
        code = app.run()
    finally:
        app.session.close()
    # The alternate screen is gone: what the user needs next stays in the terminal.
    print("\n".join(app.farewell_lines()))
    if code is None:
        return EXIT_FAILED if app.return_code not in (None, 0) else EXIT_CANCELLED
    return int(code)


__all__ = ["HpcShareApp", "run_app", "EXIT_OK", "EXIT_FAILED", "EXIT_CANCELLED"]
