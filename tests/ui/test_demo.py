"""End to end in demo mode: the real catalog and runner against the in-process Azure stand-in
(instant latency), driven from Welcome to Finish with Enter alone, then a second run that
resumes from the saved profile and converges."""
from __future__ import annotations

from pathlib import Path

import pytest

from screens.app import HpcShareApp
from screens.finish import FinishScreen, written_files
from screens.review import ReviewScreen
from screens.run import RunScreen
from screens.section import SectionScreen
from tests.ui.conftest import SIZE, clipboard_after, screen_text, settle, wait_run
from wizard import profiles
from wizard.questions import SECTIONS
from wizard.session import Session

ARTIFACTS = {"nodeprep.cmd", "clusrun-hosts.cmd", "job-template.xml", "submit-job.ps1", "submit-job.cmd", "check-share.cmd",
             "SUMMARY.md"}


@pytest.fixture
def demo_env(monkeypatch: pytest.MonkeyPatch, hpcshare_home: Path) -> Path:
    monkeypatch.setenv("HPCSHARE_STANDIN_LATENCY", "instant")
    return hpcshare_home


async def _enter_to_review(pilot, app: HpcShareApp) -> None:
    await settle(pilot, app, timeout=20)
    await pilot.press("enter")                                   # Welcome: the profile
    for section in SECTIONS:
        if section.key == "files":                           # nothing to ask for the VM backend: passed over
            continue
        await settle(pilot, app, SectionScreen, timeout=20)
        assert app.screen.section.key == section.key
        assert app.focused is app.screen.query_one("#next"), f"{section.key}: {screen_text(app)}"
        if section.key == "vm":                              # the stand-in's live size list
            assert app.screen.query_one("#size-table").row_count > 0, screen_text(app)
            assert "Could not load" not in screen_text(app)
        await pilot.press("enter")
    await settle(pilot, app, ReviewScreen, timeout=20)


@pytest.mark.parametrize("size", [(80, 24), (120, 36)])
async def test_enter_alone_reaches_finish_on_a_fresh_home(demo_env: Path, tmp_path: Path, size) -> None:
    """The newcomer's walk (issue 16): a fresh HPCSHARE_HOME, `hpcshare --demo`, and no key but
    Enter, with no knowledge of the screens: press Enter whenever nothing is running, until the
    Finish screen shows. Within 40 presses, and every HPC Pack file written."""
    out = tmp_path / "out"
    app = HpcShareApp(Session("default", demo=True, out_dir=out))
    presses, seen = 0, []
    try:
        async with app.run_test(size=size) as pilot:
            await settle(pilot, app, timeout=20)
            while not isinstance(app.screen, FinishScreen):
                assert presses < 40, f"no Finish after 40 Enter presses; screens: {seen}"
                if app.run_active:
                    await wait_run(pilot, app, timeout=60)
                seen.append(type(app.screen).__name__ + (f":{app.screen.section.key}"
                                                         if isinstance(app.screen, SectionScreen) else ""))
                await pilot.press("enter")
                presses += 1
                await settle(pilot, app, timeout=20)
            assert app.run_model.status == "succeeded"
    finally:
        app.session.close()
    # Welcome, each section the VM backend asks (the Azure Files one is passed over), Review, Run's
    # Finish button: one press each.
    defaults = {q.key: q.default for s in SECTIONS for q in s.questions}
    asked = [s for s in SECTIONS if any(q.applies(defaults) for q in s.questions)]
    assert presses == len(asked) + 3, seen
    assert "ReviewScreen" in seen and seen.count("ReviewScreen") == 1, seen     # no Review <-> Subscription loop
    assert ARTIFACTS <= {p.name for p in out.iterdir()}


async def test_demo_end_to_end_with_enter_alone(demo_env: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    session = Session("default", demo=True, out_dir=out)
    app = HpcShareApp(session)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await _enter_to_review(pilot, app)
            assert "demo" in screen_text(app)
            assert app.focused is app.screen.query_one("#run"), "Review: Run should have focus"
            await pilot.press("enter")                           # demo: runs at once
            await settle(pilot, app, RunScreen, timeout=20)
            status = await wait_run(pilot, app, timeout=60)
            assert status == "succeeded", screen_text(app)
            steps = [r for r in app.run_model.rows.values() if r.substep is None]
            assert steps and all(r.state in ("done", "skipped") for r in steps)
            await pilot.press("enter")                           # Finish has focus
            await settle(pilot, app, FinishScreen)
            text = screen_text(app)
            assert "nodeprep.cmd" in text
            # The share password was generated and set by this run: shown this once.
            assert app.session.secrets().share_password in text, text
            await pilot.press("c", "c")                          # both copied (admin, share): q quits at once
            assert app.clipboard == app.session.secrets().share_password
            await pilot.press("q")
            await pilot.pause()
        assert app.return_value == 0
    finally:
        app.session.close()
    assert ARTIFACTS <= {p.name for p in out.iterdir()}
    # The Finish screen's file list is every file written (check-share.cmd included).
    assert ARTIFACTS <= {p.name for p in written_files(out)}
    # The TUI run's preflight assessment reaches SUMMARY.md, with the demo price list named.
    summary = (out / "SUMMARY.md").read_text(encoding="ascii")
    assert "## Cost, quota and throughput" in summary and "hpcshare demo price list" in summary
    saved = profiles.load(profiles.profile_path("default")).values
    assert saved["vm.name"] == "myfileserver"

    # Second run from the saved profile: the stand-in kept what the first created, so the run
    # converges (steps find their resources in place) and succeeds again.
    session = Session("default", demo=True, out_dir=out)
    app = HpcShareApp(session, start="review")
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot, app, ReviewScreen, timeout=20)
            await pilot.press("ctrl+r")
            await settle(pilot, app, RunScreen, timeout=20)
            assert await wait_run(pilot, app, timeout=60) == "succeeded"
            details = " ".join(r.message for r in app.run_model.rows.values())
            assert "unchanged since the last run" in details or "no change" in details, details
    finally:
        app.session.close()


def _configure_waits_for_the_user_to_leave(session: Session):
    """The demo's own runner (the stand-in behind the real SDK clients), except that the step after
    the VM, configure-server, is still running when the user leaves: it waits until the run is
    told to stop ("leave running, quit" starts nothing new and goes), and has applied nothing."""
    import time

    runner = session.make_runner()
    configure = runner.actions["configure-server"]

    def still_running(ctx):
        while not ctx.cancelled:
            time.sleep(0.01)
        ctx.check_cancelled()
        return configure(ctx)

    runner.actions = {**runner.actions, "configure-server": still_running}
    return runner


async def test_leave_after_the_vm_step_then_resume_shows_the_admin_password_then_the_reset(
        demo_env: Path, tmp_path: Path) -> None:
    """Issue 22's acceptance: a run interrupted after the VM step (Ctrl+C, leave running and quit)
    has shown the generated admin password, on the Run screen and in the dialog that asks, and the
    terminal keeps it; the resumed run cannot show it again and offers the command that resets it."""
    from screens.dialogs import InterruptDialog
    from tests.integration.test_passwords import _admin_nt_hash, _nt_hash
    from wizard.farewell import farewell_lines

    out = tmp_path / "out"
    app = HpcShareApp(Session("default", demo=True, out_dir=out), runner_factory=_configure_waits_for_the_user_to_leave)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await _enter_to_review(pilot, app)
            await pilot.press("enter")                           # Run (demo: at once)
            await settle(pilot, app, RunScreen, timeout=20)
            admin = app.session.secrets().admin_password
            shown = "VM admin password for 'hpcadmin': " + admin
            for _ in range(400):                                 # the VM step done, its password drawn
                run_text = " ".join(screen_text(app).split())
                if shown in run_text and app.run_model.rows["configure-server"].state == "running":
                    break
                await pilot.pause(0.05)
            assert shown in run_text, run_text
            await pilot.press("ctrl+c")
            await settle(pilot, app, InterruptDialog)
            dialog = screen_text(app)
            assert "VM admin password (hpcadmin)" in dialog and admin in dialog
            assert await clipboard_after(pilot, app, key="c") == admin
            await pilot.click("#leave")
            await pilot.pause()
        assert app.return_value == 130
        # The password shown is the one the server has, and the terminal keeps it after the app.
        assert _admin_nt_hash("myfileserver") == _nt_hash(admin)
        assert admin in "\n".join(farewell_lines(app.session, app.provision, finished=False))
    finally:
        app.session.close()

    # Resume: the real demo runner this time; the VM is in place, so its password is not shown again.
    app = HpcShareApp(Session("default", demo=True, out_dir=out), start="review")
    reset = "hpcshare reset-password --demo --profile default --user admin"
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot, app, ReviewScreen, timeout=20)
            await pilot.press("ctrl+r")
            await settle(pilot, app, RunScreen, timeout=20)
            assert await wait_run(pilot, app, timeout=60) == "succeeded", screen_text(app)
            run_text = " ".join(screen_text(app).split())
            assert admin not in run_text
            assert f"Set in an earlier run, cannot be shown: VM admin password. New one: {reset}" in run_text, run_text
            await pilot.press("enter")                           # Finish
            await settle(pilot, app, FinishScreen)
            finish = " ".join(screen_text(app).split())
            assert "VM admin password for 'hpcadmin' was set in an earlier run and cannot be shown again." in finish
            assert reset in finish and admin not in finish
        assert _admin_nt_hash("myfileserver") == _nt_hash(admin)      # the resume did not change it
    finally:
        app.session.close()
