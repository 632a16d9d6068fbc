"""Resume in one step (issue 22): Welcome lists how each profile's last run went, selects the most
recently used one, and for a run that stopped early offers Resume, which opens the Run screen at
once (no sections, no Review) and resumes the run.

The earlier runs are real demo runs against the in-process Azure stand-in: one cancelled after the
VM step (``Provision.cancel``, as the Run screen's Cancel does), one failed by a stand-in fault in
the configure step's "share" sub-step, one finished.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from screens.app import HpcShareApp
from screens.run import RunScreen
from screens.section import SectionScreen
from screens.welcome import WelcomeScreen
from tests.ui.conftest import SIZE, screen_text, settle, wait_run, welcome_row as row
from tests.ui.demo_runs import demo_profile, demo_run
from wizard.session import Session


@pytest.fixture(autouse=True)
def _instant(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HPCSHARE_STANDIN_LATENCY", "instant")


def older(name: str) -> None:
    """Make a saved profile look used an hour ago."""
    path = Path(os.environ["HPCSHARE_HOME"]) / "profiles" / f"{name}.toml"
    past = path.stat().st_mtime - 3600
    os.utime(path, (past, past))


def welcome_app(out: Path) -> HpcShareApp:
    return HpcShareApp(Session("default", demo=True, out_dir=out))


async def test_cancelled_run_is_listed_selected_first_and_resumed_in_one_step(tmp_path: Path) -> None:
    out = tmp_path / "out"
    demo_profile("aaa-older")                   # first alphabetically, used earlier
    older("aaa-older")
    result = await demo_run("lab", out, cancel_after="vm")
    assert result.status == "cancelled"
    app = welcome_app(out)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot, app, WelcomeScreen, timeout=20)
            text = screen_text(app)
            assert "Cancelled · 6 of 9 steps done" in text, text
            assert row(app, "aaa-older") == "Never run"
            assert app.screen.chosen == "lab"                # the most recent, not "+ New profile"
            resume = app.screen.query_one("#resume")
            assert resume.display and str(resume.label) == "Resume" and resume.variant == "primary"
            assert "r Resume" in text                         # the footer says what the button says
            await pilot.press("enter")                        # Enter: the primary action
            await settle(pilot, app, RunScreen, timeout=20)
            assert app.session.profile == "lab"
            assert await wait_run(pilot, app, timeout=60) == "succeeded", screen_text(app)
            rows = app.run_model.rows
            # The VM the cancelled run made is found in place, not made again.
            assert rows["vm"].message in ("unchanged since the last run: nothing to do", "already in place: no change")
            assert rows["configure-server"].state == "done" and rows["artifacts"].state == "done"
            assert "Finished · 9/9 steps" in screen_text(app)
    finally:
        app.session.close()
    assert (out / "SUMMARY.md").is_file()


async def test_failed_run_says_where_and_resume_key_opens_the_run(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    monkeypatch.setenv("HPCSHARE_STANDIN_FAULTS", "runcommand.put=substep:share")
    result = await demo_run("lab", out)
    monkeypatch.delenv("HPCSHARE_STANDIN_FAULTS")
    assert result.status == "failed" and result.failed == ("configure-server",)
    app = welcome_app(out)
    seen: list[str] = []
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot, app, WelcomeScreen, timeout=20)
            assert row(app, "lab") == "Failed at Configure the file server · 6 of 9 steps done"
            await pilot.press("r")
            for _ in range(200):
                seen.append(type(app.screen).__name__)
                if isinstance(app.screen, RunScreen):
                    break
                await pilot.pause(0.02)
            assert await wait_run(pilot, app, timeout=60) == "succeeded", screen_text(app)
            assert app.run_model.rows["configure-server"].state == "done"
    finally:
        app.session.close()
    assert "SectionScreen" not in seen and "ReviewScreen" not in seen, seen


async def test_finished_run_offers_no_resume(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert (await demo_run("lab", out)).status == "succeeded"
    app = welcome_app(out)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot, app, WelcomeScreen, timeout=20)
            text = screen_text(app)
            assert row(app, "lab") == "Finished · 9 of 9 steps"
            assert not app.screen.query_one("#resume").display
            assert "Resume" not in text
            assert app.screen.query_one("#continue").variant == "primary"
            await pilot.press("r")                            # nothing to resume: stays
            await pilot.pause()
            assert isinstance(app.screen, WelcomeScreen)
            await pilot.press("enter")                        # Continue: through the answers
            await settle(pilot, app, SectionScreen, timeout=20)
            assert app.session.profile == "lab"
    finally:
        app.session.close()


async def test_resume_signs_in_first_and_shows_the_same_message(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """The resume's sign-in is the one every run does: a failure stops it before any step with the
    sign-in's own message, and Retry then resumes."""
    out = tmp_path / "out"
    await demo_run("lab", out, cancel_after="vm")
    monkeypatch.setenv("HPCSHARE_STANDIN_FAULTS", "subscriptions.get=403")
    app = welcome_app(out)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot, app, WelcomeScreen, timeout=20)
            await pilot.click("#resume")
            await settle(pilot, app, RunScreen, timeout=20)
            assert await wait_run(pilot, app, timeout=60) == "failed"
            text = " ".join(screen_text(app).split())
            assert "could not be read" in text and "Nothing was changed" in text, text
            assert app.run_model.crash_hint == "Fix the sign-in, then Retry; no step was started."
            assert all(r.state == "pending" for r in app.run_model.rows.values())
            await pilot.press("r")                            # the fault fired once: Retry resumes
            assert await wait_run(pilot, app, timeout=60) == "succeeded", screen_text(app)
    finally:
        app.session.close()


async def test_profile_named_on_the_command_line_is_selected(tmp_path: Path) -> None:
    demo_profile("named")
    older("named")
    demo_profile("recent")
    app = HpcShareApp(Session("named", demo=True, out_dir=tmp_path), profile_named=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app, WelcomeScreen)
        assert app.screen.chosen == "named"
    app = HpcShareApp(Session("default", demo=True, out_dir=tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app, WelcomeScreen)
        assert app.screen.chosen == "recent"


async def test_unreadable_profile_is_listed_with_why_and_not_opened(tmp_path: Path) -> None:
    demo_profile("good")
    bad = Path(os.environ["HPCSHARE_HOME"]) / "profiles" / "broken.toml"
    bad.write_text("schema = 1\n[vm\n")
    app = HpcShareApp(Session("default", demo=True, out_dir=tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app, WelcomeScreen)
        assert row(app, "good") == "Never run"
        assert row(app, "broken").startswith("Answers file cannot be read:")
        assert "not valid TOML" in row(app, "broken")
        assert app.screen.chosen == "broken"              # written last: the most recent
        await pilot.press("ctrl+n")                       # Continue: no crash, the reason is shown
        await pilot.pause()
        assert isinstance(app.screen, WelcomeScreen)
        assert any("not valid TOML" in n.message for n in app._notifications)


async def test_a_new_name_with_r_is_typed_not_a_resume(tmp_path: Path) -> None:
    """"r" resumes only while a profile that can resume is selected; in the new name it is a letter."""
    await demo_run("lab", tmp_path / "out", cancel_after="vm")
    app = welcome_app(tmp_path / "out")
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot, app, WelcomeScreen, timeout=20)
            assert app.screen.resumable
            await pilot.press("up")                           # "+ New profile": the name field shows
            await pilot.press("tab")
            await pilot.press("ctrl+u", *"rr-lab", "enter")
            await settle(pilot, app, SectionScreen, timeout=20)
            assert app.session.profile == "rr-lab"
    finally:
        app.session.close()
