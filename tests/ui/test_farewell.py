"""What the terminal keeps after the full-screen wizard (issue 22): the output folder, the summary
file and the command that resumes, re-runs or continues, for every way out of the App. ``run_app``
prints ``HpcShareApp.farewell_lines()``; the pty test checks that it reaches a real terminal."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from screens.app import HpcShareApp
from screens.dialogs import ConfirmDialog, QuitDialog
from screens.finish import FinishScreen
from screens.review import ReviewScreen
from screens.run import RunScreen
from screens.section import SectionScreen
from screens.welcome import WelcomeScreen
from tests.ui.conftest import SIZE, settle, wait_run
from tests.ui.fakes import FakeRun, save_profile
from tests.ui.keys import run_from_review

CONTINUE = "To continue: hpcshare --profile default"
RESUME = "To resume the run: hpcshare run --profile default   (or the wizard: hpcshare --profile default)"


async def run_to_end(pilot: Any, app: HpcShareApp) -> str:
    """From Review: start the run, wait for its end on the Run screen; its status."""
    await settle(pilot, app, ReviewScreen)
    await run_from_review(pilot, app)
    await settle(pilot, app, RunScreen)
    return await wait_run(pilot, app)


async def test_quit_from_welcome_is_a_cancel(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app, WelcomeScreen)
        await pilot.press("escape")
        await pilot.pause()
    assert app.return_value == 130
    assert app.farewell_lines() == [CONTINUE]


async def test_quit_from_a_form(make_app) -> None:
    save_profile("default")
    app = make_app(start="disk")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app, SectionScreen)
        await pilot.press("ctrl+q")
        await settle(pilot, app, QuitDialog)
        await pilot.click("#yes")
        await pilot.pause()
    assert app.return_value == 130
    assert app.farewell_lines() == [CONTINUE]


async def test_quit_from_run_after_a_failure(make_app, out_dir: Path) -> None:
    save_profile("default")
    app = make_app(run=FakeRun(fail_once={"configure-server"}), start="review")
    async with app.run_test(size=SIZE) as pilot:
        assert await run_to_end(pilot, app) == "failed"
        await pilot.click("#quit")
        await pilot.pause()
    assert app.return_value == 1
    assert app.farewell_lines()[-1] == RESUME


async def test_quit_from_finish(make_app, out_dir: Path) -> None:
    save_profile("default")
    app = make_app(run=FakeRun(), start="review")
    async with app.run_test(size=SIZE) as pilot:
        assert await run_to_end(pilot, app) == "succeeded"
        await pilot.press("f")
        await settle(pilot, app, FinishScreen)
        await pilot.press("q")                       # generated passwords on screen: q asks first
        await settle(pilot, app, ConfirmDialog)
        await pilot.click("#yes")
        await pilot.pause()
    assert app.return_value == 0
    assert app.farewell_lines() == [f"Output folder: {out_dir}", f"Summary: {out_dir / 'SUMMARY.md'}",
                                    "To re-run (only changes are applied): hpcshare run --profile default"]


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
def test_the_terminal_keeps_the_lines_after_the_app_is_gone(home: Path) -> None:
    """``hpcshare --demo`` on a real pseudo-terminal, left from Welcome with Esc."""
    from tests.plain.conftest import PYTHON, subprocess_env
    from tests.plain.test_pty import Terminal

    env = subprocess_env(home, TERM="xterm-256color")
    term = Terminal([PYTHON, "-m", "wizard", "--demo"], cwd=Path.cwd(), env=env)
    try:
        term.expect(r"Start from a saved profile, or a new one")
        term.send("\x1b")
        term.expect(r"To continue: hpcshare --demo --profile default")
        rc = term.wait()
    finally:
        term.kill()
    assert rc == 130, term.text[-3000:]
