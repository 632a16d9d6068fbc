"""Every screen at 80x24 (one at 120x36): key text asserted and the screen's main button inside
the terminal. How each page looks is compared cell by cell with the SVG snapshots in
test_snapshots.py. Plus the start-up rule: no Azure SDK before the first screen."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from textual.geometry import Region
from textual.widgets import Button, TabbedContent

from screens.dialogs import QuitDialog
from screens.finish import FinishScreen
from screens.review import ReviewScreen
from screens.run import RunScreen
from screens.section import SectionScreen
from screens.welcome import WelcomeScreen
from tests.ui.conftest import SIZE, screen_text, settle, wait_run, welcome_row
from tests.ui.fakes import FakeRun, save_profile
from tests.ui.keys import run_from_review
from wizard.answers import coerce
from wizard.questions import SECTIONS
from wizard.state import RunState

ROOT = Path(__file__).resolve().parents[2]


def assert_on_screen(app, selector: str, size: tuple[int, int] = SIZE) -> None:
    button = app.screen.query_one(selector, Button)
    assert button.display, f"{selector} hidden"
    region = button.region
    assert region.area > 0 and Region(0, 0, *size).contains_region(region), f"{selector} at {region}"


async def test_second_run_prefills_every_screen_enter_alone_at_80x24(make_app, tmp_path: Path) -> None:
    """A profile saved by an earlier run: Welcome offers it with its last run's status; Continue
    (its key, as the button says) goes through the answers: every field is pre-filled, Next has
    focus, and Enter alone reaches Review. Each page is checked for its key text at 80x24; then
    Run (fail, Retry) and Finish."""
    saved = save_profile("default")
    RunState.for_profile("default").set_status("failed", "self-test")
    run = FakeRun(fail_once={"self-test"})
    app = make_app(run=run)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app, WelcomeScreen)
        text = screen_text(app)
        assert "Start from a saved profile, or a new one" in text
        assert welcome_row(app, "default") == "Failed at Self-test the share on the server · 0 of 9 steps done"
        assert_on_screen(app, "#continue")
        assert "^n Continue" in text and "Continue ›" in text
        await pilot.press("ctrl+n")
        # A section with nothing to ask for this backend (Azure Files, for a VM) is passed over.
        asked = [s for s in SECTIONS if any(q.applies(saved) for q in s.questions)]
        assert [s.key for s in SECTIONS if s not in asked] == ["files"]
        for n, section in enumerate(asked, 1):
            await settle(pilot, app, SectionScreen)
            text = screen_text(app)
            assert section.title in text
            assert section.purpose[:30] in text.replace("\n", " ") or section.purpose.split()[0] in text
            assert section.questions[0].label in text
            assert "Next ›" in text and "esc Back" in text
            assert_on_screen(app, "#next")
            for f in app.screen.fields:
                if not f.question.secret:
                    assert coerce(f.question, f.value) == saved[f.key], f.key
            assert app.focused is app.screen.query_one("#next"), f"{section.key}: Next should have focus"
            await pilot.press("enter")

        await settle(pilot, app, ReviewScreen)
        text = screen_text(app)
        assert "Answers" in text and "Plan" in text and "az commands" in text
        assert "rg-saved" in text
        assert_on_screen(app, "#run")
        tabs = app.screen.query_one(TabbedContent)
        await pilot.click("#--content-tab-tab-plan")
        await pilot.pause()
        assert "Plan for profile 'default'" in screen_text(app)
        await pilot.click("#--content-tab-tab-az")
        await pilot.pause()
        assert "az group create" in screen_text(app)
        await pilot.press("ctrl+t")                              # light theme
        await pilot.pause()
        assert app.theme == "textual-light"
        await pilot.press("ctrl+t")
        await pilot.click("#--content-tab-tab-answers")
        assert tabs.active == "tab-answers"

        await run_from_review(pilot, app)
        await settle(pilot, app, RunScreen)
        assert await wait_run(pilot, app) == "failed"
        text = screen_text(app)
        assert "self-test failed" in text and "Hint:" in text
        assert "Log: self-test" in text
        assert_on_screen(app, "#retry")
        await pilot.press("ctrl+c")
        await pilot.pause()
        assert isinstance(app.screen, QuitDialog)
        assert "Quit hpcshare?" in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("r")
        assert await wait_run(pilot, app) == "succeeded"
        assert "Finished" in screen_text(app)
        assert_on_screen(app, "#finish")
        await pilot.press("enter")

        await settle(pilot, app, FinishScreen)
        text = screen_text(app)
        assert "SUMMARY.md" in text and "nodeprep.cmd" in text
        assert "(fsadmin): shown once, saved nowhere" in text
        assert_on_screen(app, "#done")
        await pilot.click("#--content-tab-tab-next")
        await pilot.pause()
        assert "clusrun-hosts.cmd ComputeNodes" in screen_text(app)  # the saved node group
        assert "HPC Pack 2016/2019" in screen_text(app)


async def test_wide_terminal(make_app, tmp_path: Path) -> None:
    save_profile("default")
    app = make_app(start="vm")
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot, app, SectionScreen)
        text = screen_text(app)
        assert "Standard_D8s_v5" in text and "Premium" in text
        assert_on_screen(app, "#next", (120, 36))


def test_no_azure_sdk_before_the_first_screen(tmp_path: Path) -> None:
    script = textwrap.dedent("""
        import asyncio, sys
        from wizard.session import Session
        from screens.app import HpcShareApp
        from screens.welcome import WelcomeScreen

        async def main(demo):
            app = HpcShareApp(Session("default", demo=demo))
            async with app.run_test(size=(80, 24)) as pilot:
                await pilot.pause()
                assert isinstance(app.screen, WelcomeScreen)
                # wizard.environment may load (a demo asks it for the stand-in's subscription); the
                # SDK, the Azure steps and the step wiring must not.
                loaded = sorted(m for m in sys.modules if m == "azure" or m.startswith("azure.")
                                or m in ("wizard.azure", "wizard.execute", "wizard.standin.server"))
                print("demo" if demo else "azure", loaded)

        asyncio.run(main(False))
        asyncio.run(main(True))
    """)
    env = {**os.environ, "HPCSHARE_HOME": str(tmp_path), "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0, out.stderr
    assert "azure []" in out.stdout and "demo []" in out.stdout, out.stdout
