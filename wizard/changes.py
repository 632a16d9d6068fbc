"""What the next run of a profile that has run before will change: which steps redo and why
(old value -> new value), what stays behind on the server or in Azure, and what happens to the
share user's password. ``hpcshare plan`` prints it; Review can call ``preview_changes`` (through
``Session.change_preview``). Plain data, no UI.

A step redoes when its fingerprint differs from the one recorded when it last finished
(``wizard.plan``: the answers that feed it and the fingerprints of the steps it needs); the
recorded inputs (``wizard.state.StepRecord.inputs``) say which answers changed.

Decision (issue 22): hpcshare never deletes what a changed answer leaves behind on the server (an
old share, its folder, an old share user): a share may still be mapped by nodes and jobs, and a
folder holds users' data. The preview names each leftover and how to remove it by hand.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from wizard.plan import Plan
from wizard.questions import QUESTIONS
from wizard.remote.protocol import CONFIGURE_SERVER
from wizard.state import RunState


@dataclass(frozen=True)
class AnswerChange:
    key: str
    old: Any
    new: Any

    @property
    def label(self) -> str:
        q = QUESTIONS.get(self.key)
        return f"{q.label} ({self.key})" if q else self.key

    def line(self) -> str:
        return f"{self.label}: {_show(self.old)} -> {_show(self.new)}"


@dataclass(frozen=True)
class StepChange:
    step: str
    title: str
    why: str                               # "new" | "answers" | "after" | "unrecorded"
    changes: tuple[AnswerChange, ...] = ()
    after: tuple[str, ...] = ()            # the redoing steps it needs

    def lines(self) -> list[str]:
        if self.why == "new":
            return [f"{self.step}: runs (it has not finished before)"]
        if self.why == "after":
            return [f"{self.step}: redoes, because {', '.join(self.after)} redoes"]
        if self.why == "unrecorded":
            return [f"{self.step}: redoes (its answers changed; which ones was not recorded by the earlier run)"]
        return [f"{self.step}: redoes, because", *(f"    {c.line()}" for c in self.changes)]


@dataclass(frozen=True)
class ChangePreview:
    ran_before: bool
    redo: tuple[StepChange, ...]
    unchanged: tuple[str, ...]
    left_behind: tuple[str, ...]
    password: str                          # what a redo of configure-server does to the share password

    @property
    def answer_changes(self) -> tuple[AnswerChange, ...]:
        """Each changed answer once (a share name feeds one step, a VM name several)."""
        seen: dict[str, AnswerChange] = {}
        for s in self.redo:
            for c in s.changes:
                seen.setdefault(c.key, c)
        return tuple(seen.values())

    def lines(self) -> list[str]:
        if not self.ran_before:
            return []
        if not self.redo:
            return ["Changes since the last run: none. A run checks each step and changes nothing."]
        out = ["Changes since the last run:"]
        out += [f"  {c.line()}" for c in self.answer_changes]
        out += ["", "Steps that will redo:"]
        out += [f"  {line}" for s in self.redo for line in s.lines()]
        if self.unchanged:
            out += ["", f"Unchanged (checked, not redone): {', '.join(self.unchanged)}"]
        if self.left_behind:
            out += ["", "Left behind (hpcshare does not delete these):"]
            out += [f"  - {line}" for line in self.left_behind]
        if self.password:
            out += ["", self.password]
        return out


def _show(value: Any) -> str:
    return "(none)" if value in (None, "") else repr(value) if isinstance(value, str) else str(value)


def _left_behind(plan: Plan, old: Mapping[str, Any]) -> list[str]:
    """What a changed configure-server answer leaves on the server (see the module's decision)."""
    a = plan.answers
    server = a.vm.name
    out: list[str] = []
    if old.get("share.name") not in (None, a.share.name):
        out.append(f"the share \\\\{server}\\{old['share.name']} stays (nodes may still map it); remove it on the "
                   f"server with: Remove-SmbShare -Name '{old['share.name']}'")
    if old.get("share.folder") not in (None, a.share.folder):
        letter = old.get("disk.drive_letter") or a.disk.drive_letter
        out.append(f"the folder {letter}:\\{old['share.folder']} and its files stay on the data disk")
    if old.get("account.username") not in (None, a.account.username):
        out.append(f"the local user '{old['account.username']}' stays; remove it on the server with: "
                   f"Remove-LocalUser -Name '{old['account.username']}'")
    return out


def preview_changes(plan: Plan, state: RunState, *, share_password_given: bool,
                    reset_share: str = "hpcshare reset-password --user share") -> ChangePreview:
    """``share_password_given``: this run has a typed or environment share password (it is then
    set on the server); a generated one is not applied to an existing share user. ``reset_share``:
    the command that sets a new one, as the user would type it."""
    ran_before = any(rec is not None for rec in state.steps.values())
    redo: list[StepChange] = []
    unchanged: list[str] = []
    redoing: set[str] = set()
    for step in plan.steps:
        rec = state.steps.get(step.id)
        if rec is None:
            redo.append(StepChange(step.id, step.title, "new"))
            redoing.add(step.id)
            continue
        if rec.fingerprint == plan.fingerprints[step.id]:
            unchanged.append(step.id)
            continue
        redoing.add(step.id)
        changes = tuple(AnswerChange(k, rec.inputs.get(k), v) for k, v in step.inputs.items()
                        if rec.inputs and rec.inputs.get(k) != v)
        after = tuple(n for n in step.needs if n in redoing)
        if changes:
            redo.append(StepChange(step.id, step.title, "answers", changes, after))
        elif after:
            redo.append(StepChange(step.id, step.title, "after", (), after))
        else:
            redo.append(StepChange(step.id, step.title, "unrecorded"))
    configure = state.steps.get(CONFIGURE_SERVER)
    left = _left_behind(plan, configure.inputs) if configure is not None else []
    password = ""
    new_user = configure is not None and configure.inputs.get("account.username") not in (None, plan.answers.account.username)
    if new_user:
        password = (f"The new share user '{plan.answers.account.username}' is created with "
                    + ("the password given for this run." if share_password_given else
                       "a generated password, shown once when configure-server is done."))
    elif configure is not None and CONFIGURE_SERVER in redoing:
        password = ("The share user's password will be set to the one given for this run."
                    if share_password_given else
                    "The share user keeps its password (configure-server does not reset it; "
                    f"to set a new one: {reset_share}).")
    return ChangePreview(ran_before, tuple(redo) if ran_before else (), tuple(unchanged), tuple(left), password)
