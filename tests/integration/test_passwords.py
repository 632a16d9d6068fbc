"""Issue 22: a generated password is never lost. Through the real SDK clients against the stand-in:
the admin password is shown the moment the VM step is done, a run interrupted right after it
("leave running") has shown it, the resume says it cannot be shown again and offers the reset
command, and ``hpcshare reset-password`` sets new passwords the simulated server then accepts."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.conftest import run_session, write_answers
from tests.plain_run import hook_runs, interrupt_at, run_plain
from wizard import cli
from wizard.answers import Secrets
from wizard.environment import standin_state_file
from wizard.session import Session

NEW_ADMIN = "Rz4-kQ8.wM2_nT6:pV9+"
NEW_SHARE = "Hb7-xL3.cJ5_sF1:dG8+"


def _admin_nt_hash(vm_name: str) -> str:
    """What the simulated Windows keeps of the admin password (its NT hash, as Windows does)."""
    from wizard.standin.store import Store

    store = Store(standin_state_file())
    vm = next(r for r in store.resources.values() if r.get("name") == vm_name and r["type"].endswith("virtualMachines"))
    from wizard.standin import vault

    # The hash stays in the stand-in's memory (this process); the state file has a reference.
    return str(vault.recall(store.private(vm["id"])["server"]["admin"]["nt_hash_ref"]))


def _nt_hash(password: str) -> str:
    from spnego._ntlm_raw.crypto import ntowfv1

    return ntowfv1(password).hex()


def _self_test_ok(answers_file: Path, password: str) -> bool:
    """The server's own self-test, logging on to the share with ``password``."""
    from wizard.azure.steps import Target
    from wizard.execute.remote_steps import make_shell
    from wizard.plan import Names
    from wizard.remote.steps import self_test

    session = Session(answers_file.stem, demo=True, answers_file=answers_file)
    try:
        answers = session.answers(require=True)
        secrets = Secrets("", password)
        shell = make_shell(Target(session.environment, answers, Names.of(answers), secrets),
                           session.run_state().all_outputs())
        return self_test(shell, answers, secrets).ok
    finally:
        session.close()


def _run_interrupted_after_vm(answers_file: Path, out: Path) -> tuple[int, str, str]:
    """`hpcshare run` with Ctrl+C the moment the VM step is done (the TUI's "leave running, quit"
    ends the same way: nothing more starts, the process goes)."""
    session = Session(answers_file.stem, demo=True, answers_file=answers_file, out_dir=out)
    admin = session.secrets().admin_password
    hook_runs(session, interrupt_at("vm", "done"))
    code, text = run_plain(session)
    return code, text, admin


def test_interrupted_after_the_vm_the_admin_password_was_shown_and_resume_offers_the_reset(
        home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    answers = write_answers(tmp_path / "pw.toml")
    code, first, admin = _run_interrupted_after_vm(answers, tmp_path / "out")
    assert code == 130, first
    shown = f"VM admin password for 'hpcadmin' (generated; shown once, not saved anywhere): {admin}"
    assert shown in first, first
    # The password shown is the one the server has (not merely one that was generated).
    assert _admin_nt_hash("fs01") == _nt_hash(admin)
    assert first.index(shown) > first.index("[done] vm")          # shown as soon as its step was done

    code, resumed, session = run_session(answers, tmp_path / "out")
    assert code == 0, resumed
    assert admin not in resumed
    assert "VM admin password for 'hpcadmin' was set in an earlier run and cannot be shown again." in resumed
    assert f"To set a new one: hpcshare reset-password --demo --answers {answers} --user admin" in resumed
    assert _admin_nt_hash("fs01") == _nt_hash(admin)               # the resume did not change it
    # The share user was created in the resumed run: its password is shown there, once.
    share = session.secrets().share_password
    assert resumed.count(share) == 1 and _self_test_ok(answers, share)

    # The offered command works, from the environment, and the server then has the new password.
    monkeypatch.setenv("HPCSHARE_ADMIN_PASSWORD", NEW_ADMIN)
    assert cli.main(["reset-password", "--demo", "--answers", str(answers), "--user", "admin"]) == 0
    out = capsys.readouterr().out
    assert "admin-password: changed" in out and NEW_ADMIN not in out
    assert _admin_nt_hash("fs01") == _nt_hash(NEW_ADMIN)


def test_reset_share_password_the_server_then_accepts_the_new_one(
        home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    answers = write_answers(tmp_path / "sh.toml")
    code, text, session = run_session(answers, tmp_path / "out")
    assert code == 0, text
    old = session.secrets().share_password
    assert _self_test_ok(answers, old)

    monkeypatch.setenv("HPCSHARE_SHARE_PASSWORD", NEW_SHARE)
    assert cli.main(["reset-password", "--demo", "--answers", str(answers), "--user", "share"]) == 0
    out = capsys.readouterr().out
    assert "user: changed" in out and "password reset" in out and "connect: ok" in out
    assert NEW_SHARE not in out
    assert _self_test_ok(answers, NEW_SHARE)
    assert not _self_test_ok(answers, old)


def test_rerun_with_a_generated_password_keeps_the_share_users_password(home: Path, tmp_path: Path) -> None:
    """A changed share name redoes configure-server; the share user keeps the password shown in
    the first run (a new generated one is neither applied nor shown), and the self-test says it
    could not log on with an unknown password instead of failing."""
    answers = write_answers(tmp_path / "keep.toml")
    code, text, session = run_session(answers, tmp_path / "out")
    assert code == 0, text
    first = session.secrets().share_password
    write_answers(answers, share__name="Projects")
    code, text, session = run_session(answers, tmp_path / "out")
    assert code == 0, text
    assert "password kept as set earlier" in text
    assert session.secrets().share_password not in text
    assert "Not tested: the share user's password was set in an earlier run" in text
    assert _self_test_ok(answers, first)


def test_reset_password_refuses_bad_input_without_touching_anything(home: Path, tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    answers = write_answers(tmp_path / "bad.toml")
    # Nothing has run for this profile: nothing to reset, and it says what to run first.
    monkeypatch.setenv("HPCSHARE_ADMIN_PASSWORD", NEW_ADMIN)
    assert cli.main(["reset-password", "--demo", "--answers", str(answers), "--user", "admin"]) == 1
    err = capsys.readouterr().err
    assert "no finished 'vm' step" in err and "hpcshare run --demo --answers" in err
    # A password that breaks the rule: exit 2, the field and the rule named.
    monkeypatch.setenv("HPCSHARE_ADMIN_PASSWORD", "short")
    assert cli.main(["reset-password", "--demo", "--answers", str(answers), "--user", "admin"]) == 2
    assert "[vm.admin_password]" in capsys.readouterr().err
    # No password on the command line: there is no such option.
    assert cli.main(["reset-password", "--demo", "--answers", str(answers), "--user", "admin",
                     "--password", "x"]) == 2
    # A generated password with no terminal and no --password-file is refused (it would reach a log).
    monkeypatch.delenv("HPCSHARE_ADMIN_PASSWORD")
    assert cli.main(["reset-password", "--demo", "--answers", str(answers), "--user", "admin"]) == 2
    assert "--password-file" in capsys.readouterr().err
