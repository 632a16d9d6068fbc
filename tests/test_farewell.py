"""wizard.farewell: what the terminal keeps after the wizard's screen is gone (issue 22, S5)."""
from __future__ import annotations

from pathlib import Path

from tests.integration.conftest import write_answers
from wizard.farewell import farewell_lines
from wizard.session import Session


def test_lines_name_the_folder_the_summary_and_the_command(home: Path, tmp_path: Path) -> None:
    answers = write_answers(tmp_path / "fw.toml")
    out = tmp_path / "out"
    session = Session("fw", demo=True, answers_file=answers, out_dir=out)
    assert farewell_lines(session, None, finished=False) == [f"To continue: hpcshare --demo --answers {answers}"]
    out.mkdir()
    (out / "SUMMARY.md").write_text("# x\n")
    session.run_state().set_status("cancelled")
    assert farewell_lines(session, None, finished=False) == [
        f"Output folder: {out}", f"Summary: {out / 'SUMMARY.md'}",
        f"To resume the run: hpcshare run --demo --answers {answers}   (or the wizard: hpcshare --demo --answers {answers})"]
    session.run_state().set_status("succeeded")
    assert farewell_lines(session, None, finished=True)[-1] == \
        f"To re-run (only changes are applied): hpcshare run --demo --answers {answers}"


def test_a_password_an_earlier_attempt_showed_is_printed_not_called_gone(home: Path, tmp_path: Path) -> None:
    """A Retry in the same process: its run says the VM's password was set earlier; the first
    attempt showed it and this process still knows it, so the terminal keeps the value."""
    from wizard.passwords import PasswordNotice
    from wizard.provision import Provision

    answers = write_answers(tmp_path / "fw.toml")
    session = Session("fw", demo=True, answers_file=answers, out_dir=tmp_path / "out")
    reset = "hpcshare reset-password --user admin"
    shown = PasswordNotice("admin", "hpcadmin", "Adm1n-pass.word", reset)
    provision = Provision(session)
    provision.passwords = [PasswordNotice("admin", "hpcadmin", None, reset)]     # the Retry's notice
    lines = farewell_lines(session, provision, finished=False, earlier=[shown])
    assert shown.lines()[0] in lines
    assert not any("cannot be shown again" in line for line in lines), lines
    assert farewell_lines(session, provision, finished=True, earlier=[shown])[0].startswith("To continue")
    assert any("cannot be shown again" in line for line in farewell_lines(session, provision, finished=False))
