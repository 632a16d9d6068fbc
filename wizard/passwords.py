"""Generated passwords as the user must hear about them: shown the moment the step that applies
one has finished, or, on a resume, said plainly to be gone (with the command that sets a new one).

A generated password lives only in this process's memory. Once a step has applied it on the
server and the process ends, nobody can show it again: so each one is handed to the front end as
soon as its step is done (``applied_notice``), and a run that starts after an earlier one applied
a password it no longer knows says so first (``earlier_notices``). Plain data, no UI.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from wizard.answers import Answers, Secrets
from wizard.remote.protocol import CONFIGURE_SERVER

if TYPE_CHECKING:
    from wizard.state import RunState

Who = Literal["admin", "share"]
# The step that applies each password, and the step output that says it did (only copy of this).
APPLIED_BY: dict[Who, tuple[str, str]] = {"admin": ("vm", "admin_created"),
                                          "share": (CONFIGURE_SERVER, "share_password_set")}
LABELS: dict[Who, str] = {"admin": "VM admin password", "share": "Share user password"}


@dataclass(frozen=True)
class PasswordNotice:
    """One generated password: ``password`` is the value to show now, or None when an earlier run
    applied it and it is gone; ``reset`` is the command that sets a new one."""
    who: Who
    user: str
    password: str | None
    reset: str

    def __repr__(self) -> str:            # never the password, whatever prints this
        return f"PasswordNotice({self.who}, {self.user}, shown={self.password is not None})"

    @property
    def label(self) -> str:
        return LABELS[self.who]

    def lines(self) -> list[str]:
        """The words every front end uses (the password itself is the last item of the first line)."""
        if self.password is not None:
            return [f"{self.label} for '{self.user}' (generated; shown once, not saved anywhere): {self.password}"]
        return [f"{self.label} for '{self.user}' was set in an earlier run and cannot be shown again.",
                f"  To set a new one: {self.reset}"]


def _user(answers: Answers, who: Who) -> str:
    return answers.vm.admin_username if who == "admin" else answers.account.username


def _generated(secrets: Secrets, who: Who) -> bool:
    return secrets.admin_generated if who == "admin" else secrets.share_generated


def _password(secrets: Secrets, who: Who) -> str:
    return secrets.admin_password if who == "admin" else secrets.share_password


def reset_command(command_line: Any, who: Who) -> str:
    """``command_line``: ``Session.command_line`` (profile or answers file, ``--demo``)."""
    return command_line("reset-password", "--user", who)


def applied_notice(step: str, outputs: Mapping[str, Any], answers: Answers, secrets: Secrets,
                   command_line: Any) -> PasswordNotice | None:
    """The generated password ``step`` just applied (its outputs say so), or None."""
    for who, (by, flag) in APPLIED_BY.items():
        if step == by and _generated(secrets, who) and outputs.get(flag):
            return PasswordNotice(who, _user(answers, who), _password(secrets, who), reset_command(command_line, who))
    return None


def started_notices(started: tuple[str, ...], finished: set[str], answers: Answers, secrets: Secrets,
                    command_line: Any) -> list[PasswordNotice]:
    """Leaving while a password step still runs: Azure finishes it and applies this password, so
    it is shown now or never."""
    return [PasswordNotice(who, _user(answers, who), _password(secrets, who), reset_command(command_line, who))
            for who, (by, _) in APPLIED_BY.items()
            if by in started and by not in finished and _generated(secrets, who)]


def earlier_notices(state: "RunState", answers: Answers, secrets: Secrets, command_line: Any) -> list[PasswordNotice]:
    """Passwords an earlier run applied that this run will not replace: the VM exists (Azure never
    changes the admin password of an existing VM), the share user exists (a redo of configure-server
    keeps its password). Only when this run would generate one: a typed or environment password
    is known to the user already. Said on a resume (the last run did not succeed): a run that
    succeeded showed every password it applied."""
    if state.last_status == "succeeded":
        return []
    out: list[PasswordNotice] = []
    for who, (by, flag) in APPLIED_BY.items():
        if _generated(secrets, who) and state.steps.get(by) is not None:
            out.append(PasswordNotice(who, _user(answers, who), None, reset_command(command_line, who)))
    return out


def one_per_password(notices: Iterable[PasswordNotice]) -> list[PasswordNotice]:
    """One notice per password, in the order first handed out: the one with the value when this
    process knew it (a retry in the same process says "earlier run" of a password its first
    attempt showed), else the one saying it cannot be shown again."""
    best: dict[Who, PasswordNotice] = {}
    for notice in notices:
        if notice.who not in best or (best[notice.who].password is None and notice.password is not None):
            best[notice.who] = notice
    return list(best.values())


def still_known(notices: Iterable[PasswordNotice]) -> list[PasswordNotice]:
    """The passwords leaving now would lose: one per user, those whose value is still known (the
    cancel and quit dialogs show them with a copy action)."""
    return [n for n in one_per_password(notices) if n.password is not None]


def compact_lines(notices: list[PasswordNotice]) -> list[str]:
    """The same notices for a small screen (the TUI's Run screen at 80x24): one line per password
    shown, one line for every password that cannot be shown again."""
    lines = [f"{n.label} for '{n.user}': {n.password}  (shown once)" for n in notices if n.password is not None]
    gone = [n for n in notices if n.password is None]
    if gone:
        users = "|".join(n.who for n in gone)
        lines.append(f"Set in an earlier run, cannot be shown: {', '.join(n.label for n in gone)}. "
                     f"New one: {gone[0].reset.rsplit(' --user ', 1)[0]} --user {users}")
    return lines
