"""wizard.passwords: which generated password a finished step applied, what a resume says, and
the words both front ends use. Unit level; through the stand-in: tests/integration/test_passwords.py."""
from __future__ import annotations

from wizard.answers import Secrets, build_answers, resolve
from wizard.passwords import (PasswordNotice, applied_notice, compact_lines, earlier_notices, one_per_password,
                              started_notices, still_known)
from wizard.run_model import RunModel
from wizard.state import RunState


def _answers():
    res = resolve(saved={"subscription.id": "00000000-0000-0000-0000-000000000001", "subscription.region": "westeurope",
                         "subscription.resource_group": "rg", "vm.name": "fs01"}, require=True)
    return build_answers("p", res.values)


def cmd(verb: str, *args: str) -> str:
    return " ".join(["hpcshare", verb, "--profile", "p", *args])


GENERATED = Secrets("Adm1n-pass.word", "Sh4re-pass.word", True, True)
GIVEN = Secrets("Adm1n-pass.word", "Sh4re-pass.word", False, False)


def test_a_step_that_applied_a_generated_password_hands_it_out() -> None:
    a = _answers()
    n = applied_notice("vm", {"admin_created": True}, a, GENERATED, cmd)
    assert n is not None and n.password == "Adm1n-pass.word" and n.user == a.vm.admin_username
    assert "Adm1n-pass.word" not in repr(n)
    assert applied_notice("vm", {"admin_created": False}, a, GENERATED, cmd) is None      # existing VM
    assert applied_notice("vm", {"admin_created": True}, a, GIVEN, cmd) is None           # the user knows it
    share = applied_notice("configure-server", {"share_password_set": True}, a, GENERATED, cmd)
    assert share is not None and share.who == "share"
    assert applied_notice("configure-server", {"share_password_set": False}, a, GENERATED, cmd) is None


def test_resume_names_each_password_an_earlier_run_applied_and_the_reset_command() -> None:
    a = _answers()
    state = RunState(None)
    state.record("vm", "f", {"admin_created": True})
    state.set_status("cancelled")
    notices = earlier_notices(state, a, GENERATED, cmd)
    assert [n.who for n in notices] == ["admin"]
    assert notices[0].lines() == [
        f"VM admin password for '{a.vm.admin_username}' was set in an earlier run and cannot be shown again.",
        "  To set a new one: hpcshare reset-password --profile p --user admin"]
    assert earlier_notices(state, a, GIVEN, cmd) == []
    state.set_status("succeeded")                 # that run showed them
    assert earlier_notices(state, a, GENERATED, cmd) == []


def test_leaving_while_a_password_step_runs_shows_that_password() -> None:
    a = _answers()
    out = started_notices(("vm", "configure-server"), {"vm"}, a, GENERATED, cmd)
    assert [n.who for n in out] == ["share"] and out[0].password == "Sh4re-pass.word"


def test_compact_lines_fit_one_line_each() -> None:
    notices = [PasswordNotice("admin", "hpcadmin", "Adm1n-pass.word", "hpcshare reset-password --profile p --user admin"),
               PasswordNotice("share", "u", None, "hpcshare reset-password --profile p --user share")]
    assert compact_lines(notices) == [
        "VM admin password for 'hpcadmin': Adm1n-pass.word  (shown once)",
        "Set in an earlier run, cannot be shown: Share user password. "
        "New one: hpcshare reset-password --profile p --user share"]


SHOWN_ADMIN = PasswordNotice("admin", "hpcadmin", "Adm1n-pass.word", "hpcshare reset-password --profile p --user admin")
GONE_ADMIN = PasswordNotice("admin", "hpcadmin", None, "hpcshare reset-password --profile p --user admin")
GONE_SHARE = PasswordNotice("share", "u", None, "hpcshare reset-password --profile p --user share")


def test_a_retry_in_the_same_process_keeps_the_password_its_first_attempt_showed() -> None:
    """Attempt 1 applied the admin password and showed it; the Retry's run says "set in an earlier
    run": this process still knows it, so the value stays (Run screen, Finish, dialogs, farewell)."""
    assert one_per_password([SHOWN_ADMIN, GONE_ADMIN, GONE_SHARE]) == [SHOWN_ADMIN, GONE_SHARE]
    assert one_per_password([GONE_ADMIN, SHOWN_ADMIN]) == [SHOWN_ADMIN]
    assert one_per_password([SHOWN_ADMIN, SHOWN_ADMIN]) == [SHOWN_ADMIN]
    model = RunModel()
    for notice in (SHOWN_ADMIN, GONE_ADMIN, GONE_SHARE):
        model.add_password(notice)
    assert model.passwords == [SHOWN_ADMIN, GONE_SHARE]
    assert compact_lines(model.passwords)[0] == "VM admin password for 'hpcadmin': Adm1n-pass.word  (shown once)"


def test_the_dialogs_show_only_passwords_whose_value_is_known() -> None:
    assert still_known([GONE_ADMIN, GONE_SHARE]) == []
    assert still_known([GONE_SHARE, GONE_ADMIN, SHOWN_ADMIN]) == [SHOWN_ADMIN]
