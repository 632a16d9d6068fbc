"""What stays in the terminal after leaving the full-screen wizard: the output folder, the summary
file, the command that resumes or re-runs, and any generated password the Finish screen did not
show (a run left, cancelled or failed after the step that applied it). Lines, no UI."""
from __future__ import annotations

from typing import TYPE_CHECKING

from wizard.last_run import RESUMABLE

if TYPE_CHECKING:
    from wizard.provision import Provision
    from wizard.session import Session

SUMMARY_FILE = "SUMMARY.md"


def farewell_lines(session: "Session", provision: "Provision | None", *, finished: bool,
                   plain: bool = False) -> list[str]:
    """``finished``: the run succeeded and Finish showed its passwords; else they are printed here,
    together with those a step still running on Azure may apply. ``plain``: left from plain mode
    (which shows each password as it comes), so the wizard's command carries ``--plain``."""
    lines: list[str] = []
    if provision is not None:
        notices = [n for n in provision.passwords if not finished or n.password is None]
        if not finished:
            notices += provision.unshown_passwords()
        for notice in notices:
            lines += notice.lines()
    out = session.out_dir
    if out.is_dir():
        lines.append(f"Output folder: {out}")
        if (out / SUMMARY_FILE).is_file():
            lines.append(f"Summary: {out / SUMMARY_FILE}")
    status = session.run_state().last_status
    wizard = session.command_line("", *(["--plain"] if plain else []))
    if status in RESUMABLE:
        lines.append(f"To resume the run: {session.command_line('run')}   (or the wizard: {wizard})")
    elif status == "succeeded":
        lines.append(f"To re-run (only changes are applied): {session.command_line('run')}")
    else:
        lines.append(f"To continue: {wizard}")
    return lines
