"""One wizard session: the façade both front ends (Textual screens, plain prompts) talk to.

It holds the answers as they are typed, validates them with the shared rules, saves the profile
after every completed section, keeps passwords in memory only, and hands out the plan, the
runner and the artifact writer. Plain data in, plain data out: no UI code here.
"""
from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from wizard import profiles
from wizard.answers import Answers, Problem, Resolution, Secrets, build_answers, coerce, generate_password, resolve
from wizard.last_run import LastRun, last_run
from wizard.questions import QUESTIONS, SECRET_KEYS, section
from wizard.state import RunState
from wizard.validation import BACKEND_FILES

if TYPE_CHECKING:
    from wizard.assessment import Assessment
    from wizard.catalog import Catalog
    from wizard.changes import ChangePreview
    from wizard.environment import DeviceCodePrompt, Environment
    from wizard.plan import Plan
    from wizard.runner import Runner

ADMIN_PASSWORD_ENV = "HPCSHARE_ADMIN_PASSWORD"
SHARE_PASSWORD_ENV = "HPCSHARE_SHARE_PASSWORD"
# Where each password may come from when it was not typed (the only copy of this table).
SECRET_ENV = {"vm.admin_password": ADMIN_PASSWORD_ENV, "account.password": SHARE_PASSWORD_ENV}
SecretSource = Literal["typed", "environment", "generated"]


class AnswersInvalid(Exception):
    def __init__(self, problems: tuple[Problem, ...]) -> None:
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class SectionResult:
    ok: bool
    problems: tuple[Problem, ...]


class Session:
    def __init__(
        self,
        profile: str,
        *,
        demo: bool = False,
        answers_file: Path | None = None,
        overrides: Mapping[str, Any] | None = None,
        out_dir: Path | None = None,
    ) -> None:
        self.profile = profile
        self.demo = demo
        # A profile lives in HPCSHARE_HOME; --answers FILE reads and saves that file instead.
        self.path = answers_file if answers_file is not None else profiles.profile_path(profile)
        self.saved: dict[str, Any] = profiles.load(self.path).values if self.path.exists() else {}
        self.typed: dict[str, Any] = {}
        self.overrides: dict[str, Any] = dict(overrides or {})
        self._secret_input: dict[str, str] = {}
        self._secrets: Secrets | None = None
        self._environment: Environment | None = None
        self.out_dir = out_dir or Path.cwd() / "hpcshare-out" / profile
        self.password_file: Path | None = None      # where generated passwords went (run --password-file)
        # How a device-code sign-in shows its code: the TUI sets a dialog; None prints one line.
        self.device_code_prompt: DeviceCodePrompt | None = None
        self.warnings: tuple[Problem, ...] = self.resolution().warnings

    # ---- answers -------------------------------------------------------------------------------
    def resolution(self, *, require: bool = False) -> Resolution:
        defaults = self._demo_defaults()
        res = resolve(saved=self.saved, typed=self.typed, overrides=self.overrides, defaults=defaults,
                      require=require)
        sub = res.values.get("subscription.id", "")
        if self.demo and not any(p.key == "subscription.id" for p in res.errors) and not self._demo_knows(sub):
            # A demo cannot use a real subscription: swap in the stand-in's, say so, keep the rest.
            forced = {**self.overrides, **defaults}
            res = resolve(saved=self.saved, typed=self.typed, overrides=forced, defaults=defaults, require=require)
        return res

    def _demo_defaults(self) -> dict[str, Any]:
        if not self.demo:
            return {}
        from wizard.environment import demo_subscription_id

        return {"subscription.id": demo_subscription_id()}

    @staticmethod
    def _demo_knows(subscription_id: str) -> bool:
        from wizard.environment import demo_knows_subscription

        return demo_knows_subscription(subscription_id)

    def context(self) -> dict[str, Any]:
        return dict(self.resolution().values)

    def value(self, key: str) -> Any:
        """What a field should show: the secret typed so far, else the resolved answer."""
        if key in SECRET_KEYS:
            return self._secret_input.get(key, "")
        return self.resolution().values[key]

    def check(self, key: str, value: Any, context: Mapping[str, Any] | None = None) -> str | None:
        """The message for a bad value of one field, judged against the other answers."""
        q = QUESTIONS[key]
        try:
            value = coerce(q, value)
        except ValueError as exc:
            return str(exc)
        ctx = dict(context if context is not None else self.context())
        return q.check(value, ctx) if (q.applies(ctx) or value not in ("", None, q.default)) else None

    def submit_section(self, section_key: str, values: Mapping[str, Any]) -> SectionResult:
        """Validate a whole section in question order; on success keep it and save the profile.
        Nothing is kept on failure, so the user's screen still holds exactly what they typed."""
        ctx = self.context()
        problems: list[Problem] = []
        accepted: dict[str, Any] = {}
        secrets: dict[str, str] = {}
        for q in section(section_key).questions:
            if q.key not in values:
                continue
            try:
                value = coerce(q, values[q.key])
            except ValueError as exc:
                problems.append(Problem(q.key, str(exc), "typed"))
                continue
            ctx[q.key] = value
            broken = q.check(value, ctx) if (q.applies(ctx) or value not in ("", None, q.default)) else None
            if broken:
                problems.append(Problem(q.key, broken, "typed"))
            elif q.secret:
                secrets[q.key] = value
            else:
                accepted[q.key] = value
        if problems:
            return SectionResult(False, tuple(problems))
        self.typed.update(accepted)
        self._secret_input.update(secrets)
        self._secrets = None
        try:
            self.save()
        except OSError as exc:
            # A full or read-only disk: the answers stay in this session (and on the screen), the
            # user hears why the profile was not written, and Next can try again. Never a crash:
            # a traceback here would carry the typed values.
            reason = exc.strerror or type(exc).__name__
            return SectionResult(False, (Problem(section_key, f"the answers could not be saved to {self.path}: "
                                                              f"{reason}; free space or fix the folder, then try again",
                                                 "typed"),))
        return SectionResult(True, ())

    def save(self) -> Path:
        values = self.resolution().values
        return profiles.save(self.path, values)

    def answers(self, *, require: bool = False) -> Answers:
        res = self.resolution(require=require)
        if not res.ok:
            raise AnswersInvalid(res.errors)
        return build_answers(self.profile, res.values)

    def secrets(self) -> Secrets:
        """Passwords: typed > environment > generated (generated ones are flagged to be shown once)."""
        if self._secrets is None and self.resolution().values.get("share.backend") == BACKEND_FILES:
            # Azure Files: no VM admin, no share user; the credential is the account key, which
            # Azure holds (hpcshare never generates or stores it).
            self._secrets = Secrets("", "")
        if self._secrets is None:
            admin, admin_gen = self._secret("vm.admin_password")
            share, share_gen = self._secret("account.password")
            self._secrets = Secrets(admin, share, admin_gen, share_gen)
        return self._secrets

    def secret_source(self, key: str) -> SecretSource:
        """Where this password will come from: typed > environment (``SECRET_ENV``) > generated.
        Front ends word it; they never look at the environment themselves."""
        if self._secret_input.get(key):
            return "typed"
        if os.environ.get(SECRET_ENV[key], ""):
            return "environment"
        return "generated"

    def _secret(self, key: str) -> tuple[str, bool]:
        typed = self._secret_input.get(key)
        if typed:
            return typed, False
        env = SECRET_ENV[key]
        from_env = os.environ.get(env, "")
        if from_env:
            broken = self.check(key, from_env)
            if broken:
                raise AnswersInvalid((Problem(key, f"{broken} (from {env})", "override"),))
            return from_env, False
        return generate_password(), True

    def command_line(self, verb: str, *args: str) -> str:
        """The ``hpcshare`` command for this profile as the user would type it: the same answers
        source (``--profile`` or ``--answers FILE``) and ``--demo`` when this session is a demo.
        An empty ``verb``: the wizard itself."""
        import shlex

        try:
            is_profile = self.path == profiles.profile_path(self.profile)
        except profiles.ProfileError:
            is_profile = False
        source = ["--profile", self.profile] if is_profile else ["--answers", shlex.quote(str(self.path))]
        return " ".join(["hpcshare", *([verb] if verb else []), *(["--demo"] if self.demo else []), *source, *args])

    def change_preview(self, plan: "Plan | None" = None) -> "ChangePreview":
        """What the next run changes for a profile that has run before (Review, ``hpcshare plan``);
        ``plan``: this session's plan when the caller has built it already."""
        from wizard.changes import preview_changes
        from wizard.passwords import reset_command

        return preview_changes(plan or self.plan(), self.run_state(),
                               share_password_given=self.secret_source("account.password") != "generated",
                               reset_share=reset_command(self.command_line, "share"))

    def plan(self) -> "Plan":
        from wizard.plan import build_plan

        return build_plan(self.answers())

    # ---- running -------------------------------------------------------------------------------
    @property
    def environment(self) -> "Environment":
        auth = self.context()["subscription.auth"]
        if self._environment is not None and not self.demo and self._environment.auth != auth:
            self.close()          # the sign-in method changed: sign in again the new way
        if self._environment is None:
            from wizard.environment import open_environment

            self._environment = open_environment(demo=self.demo, auth=auth,
                                                 device_code_prompt=self.device_code_prompt)
        return self._environment

    def catalog(self) -> "Catalog":
        """The live lists from Azure (or the stand-in) for this session's sign-in."""
        from wizard.azure.catalog import AzureCatalog

        return AzureCatalog(self.environment)

    def run_state(self) -> RunState:
        return RunState.for_profile(self.profile)

    def last_run(self) -> LastRun:
        """How the last run went, counted against this profile's plan (none: answers incomplete)."""
        try:
            plan = self.plan()
        except AnswersInvalid:
            plan = None
        return last_run(plan, self.run_state())

    def last_used(self) -> float:
        """When the answers were last saved or a run last recorded something (a timestamp; 0: never)."""
        files = (self.path, self.run_state().path)
        return max((f.stat().st_mtime for f in files if f is not None and f.is_file()), default=0.0)

    def make_runner(self, *, assessment: "Assessment | None" = None) -> "Runner":
        """``assessment``: the run's cost, quota and throughput, for SUMMARY.md (none: no such section)."""
        from wizard.execute import make_runner

        return make_runner(self.environment, self.plan(), self.secrets(), self.run_state(), out_dir=self.out_dir,
                           assessment=assessment)

    def close(self) -> None:
        if self._environment is not None:
            self._environment.close()
            self._environment = None


@dataclass(frozen=True)
class SavedProfile:
    name: str
    last_run: LastRun | None      # None: the answers file cannot be read (``problem`` says why)
    last_used: float
    problem: str = ""

    def line(self) -> str:
        return self.last_run.line() if self.last_run is not None else self.problem


def saved_profiles(current: Session) -> list[SavedProfile]:
    """The profiles Welcome offers, the most recently used first: every saved profile, and
    ``current``'s answers file when it lives elsewhere (``--answers FILE``). Each as a session
    like ``current`` (demo, ``--set`` overrides) would see it."""
    names = profiles.list_profiles()
    if current.path.exists() and current.profile not in names:
        names.append(current.profile)
    out = []
    for name in names:
        if name == current.profile:
            session = current
        else:
            try:
                session = Session(name, demo=current.demo, overrides=current.overrides)
            except profiles.ProfileError as exc:
                used = profiles.profile_path(name).stat().st_mtime
                out.append(SavedProfile(name, None, used, f"Answers file cannot be read: {exc}"))
                continue
        out.append(SavedProfile(name, session.last_run(), session.last_used()))
    return sorted(out, key=lambda p: (-p.last_used, p.name))
