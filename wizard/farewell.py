"""What stays in the terminal after leaving the full-screen wizard: the output folder, the summary
file, the command that resumes or re-runs, and any generated password the Finish screen did not
show (a run left, cancelled or failed after the step that applied it). Lines, no UI."""
from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from wizard.last_run import RESUMABLE
from wizard.passwords import one_per_password

if TYPE_CHECKING:
    from wizard.passwords import PasswordNotice
    from wizard.provision import Provision
    from wizard.session import Session

SUMMARY_FILE = "SUMMARY.md"


def farewell_lines(session: "Session", provision: "Provision | None", *, finished: bool,
                   earlier: Sequence["PasswordNotice"] = (), plain: bool = False) -> list[str]:
    """``finished``: the run succeeded and Finish showed its passwords; else they are printed here,
    together with those a step still running on Azure may apply. ``earlier``: the notices of every
    attempt in this process (``RunModel.passwords``): a password a Retry calls "set in an earlier
    run" is still known when the first attempt showed it. ``plain``: left from plain mode (which
    shows each password as it comes), so the wizard's command carries ``--plain``."""
    lines: list[str] = []
    if provision is not None:
        notices = [*earlier, *provision.passwords]
        if not finished:
            notices += provision.unshown_passwords()
        for notice in one_per_password(notices):
            if not (finished and notice.password is not None):      # Finish showed those
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
