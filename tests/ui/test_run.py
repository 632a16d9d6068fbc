"""The Run and Finish screens with an injected runner: failure with cause, hint and Retry;
Ctrl+C (leave running / cancel); App-owned workers; passwords never on screen except once."""
from __future__ import annotations

import pytest

from screens.dialogs import InterruptDialog, QuitDialog
from screens.finish import FinishScreen
from screens.review import ReviewScreen
from screens.run import RunScreen
from tests.ui.conftest import SIZE, clipboard_after, screen_text, settle, until, wait_run
from tests.ui.fakes import FakeRun, save_profile
from tests.ui.keys import leave_running, run_from_review


async def _start_run(pilot, app) -> None:
    await settle(pilot, app, ReviewScreen)
    await run_from_review(pilot, app)
    await settle(pilot, app, RunScreen)


async def test_failed_step_shows_cause_and_hint_and_retry_completes_it(make_app, out_dir) -> None:
    save_profile("default")
    run = FakeRun(fail_once={"configure-server"})
    app = make_app(run=run, start="review")
    async with app.run_test(size=SIZE) as pilot:
        await _start_run(pilot, app)
        assert await wait_run(pilot, app) == "failed"
        text = screen_text(app)
        assert "configure-server failed: Run Command timed out" in text
        assert "Hint: The VM may still be starting; Retry in a minute." in text
        row = app.run_model.rows["configure-server"]
        assert row.state == "failed" and row.elapsed is not None
        assert app.run_model.rows["self-test"].state == "skipped"
        assert app.run_model.rows["configure-server/disk"].state == "done"      # sub-step rows
        # The step's password leaked into its error: it must not reach the screen or the log.
        password = app.session.secrets().share_password
        assert password not in text
        assert all(password not in line for lines in app.run_model.logs.values() for line in lines)
        assert app.focused is app.screen.query_one("#retry")
        await pilot.press("enter")                                   # Retry
        assert await wait_run(pilot, app) == "succeeded"
        assert app.run_model.rows["configure-server"].state == "done"
        assert len(run.runners) == 2                                 # a new runner per attempt
        text = " ".join(screen_text(app).split())
        assert "Finished" in text
        # The first attempt applied the admin password; the Retry still shows it, not "earlier run".
        assert f"VM admin password for 'fsadmin': {app.session.secrets().admin_password}" in text
        assert "cannot be shown" not in text
        await pilot.press("f")
        await settle(pilot, app, FinishScreen)
        # Generated passwords (the VM's from the first attempt, the share user's): shown once,
        # copyable with c (the next one each time), never in a notification.
        admin = app.session.secrets().admin_password
        text = screen_text(app)
        assert password in text and admin in text
        assert await clipboard_after(pilot, app, key="c") == admin
        assert await clipboard_after(pilot, app, key="c") == password
        assert all(s not in n.message for n in app._notifications for s in (password, admin))
        await pilot.click("#hide-share")
        await pilot.pause()
        assert password not in screen_text(app)
        await pilot.press("q")                    # every password copied: quits without asking
        await pilot.pause()
    assert app.return_value == 0
    assert (out_dir / "nodeprep.cmd").exists()


async def test_quit_after_a_failure_exits_1(make_app) -> None:
    save_profile("default")
    app = make_app(run=FakeRun(fail_once={"vm"}), start="review")
    async with app.run_test(size=SIZE) as pilot:
        await _start_run(pilot, app)
        assert await wait_run(pilot, app) == "failed"
        await pilot.click("#quit")
        await pilot.pause()
    assert app.return_value == 1


async def test_ctrl_c_during_run_cancel_waits_for_running_steps(make_app, tmp_path) -> None:
    save_profile("default")
    run = FakeRun(hang={"vm"})
    app = make_app(run=run, start="review")
    async with app.run_test(size=SIZE) as pilot:
        await _start_run(pilot, app)
        for _ in range(100):
            await pilot.pause(0.02)
            if app.run_model.rows.get("vm") and app.run_model.rows["vm"].state == "running":
                break
        worker = next(w for w in app.workers if w.group == "provision")
        assert worker.node is app                                # App-owned: survives screens
        text = screen_text(app)
        assert "Working" in text and "running" in text, text
        # Rows below the running one (names wrap at 80 columns, so they may be scrolled past).
        assert any(r.state == "pending" for r in app.run_model.rows.values())
        assert app.screen.query_one("#run-progress").display    # indeterminate progress
        await pilot.press("ctrl+c")
        await pilot.pause()
        assert isinstance(app.screen, InterruptDialog)
        text = screen_text(app)
        assert "Azure is still working" in text and "Leave running, quit" in text
        await pilot.press("ctrl+c")                              # a second Ctrl+C is ignored
        await pilot.pause()
        assert sum(isinstance(s, InterruptDialog) for s in app.screen_stack) == 1
        assert app.run_active                                    # the modal did not stop the run
        await pilot.click("#cancel")
        assert await wait_run(pilot, app) == "cancelled"
        assert app.run_model.rows["vm"].state == "done"          # the running step finished
        assert app.run_model.rows["configure-server"].state == "skipped"
        text = screen_text(app)
        assert "Resume" in text and "r Resume" in text and "r Retry" not in text    # the footer says it as the button does
        assert "b Back to Review" in text
        await pilot.press("ctrl+c")
        await pilot.pause()
        assert isinstance(app.screen, QuitDialog)
        await pilot.click("#yes")
        await pilot.pause()
    assert app.return_value == 130


async def test_ctrl_c_leave_running_quits_with_130(make_app) -> None:
    save_profile("default")
    run = FakeRun(hang={"nic"})
    app = make_app(run=run, start="review")
    try:
        async with app.run_test(size=SIZE) as pilot:
            await _start_run(pilot, app)
            await pilot.pause(0.1)
            await leave_running(pilot)
    finally:
        run.release.set()
    assert app.return_value == 130
    assert run.runners[0].cancelling                         # no new step starts on the way out


async def test_admin_password_is_on_the_run_screen_once_the_vm_is_done_and_printed_on_leaving(make_app) -> None:
    """Issue 22: leave the run while configure-server still works: the admin password was on the Run
    screen from the moment the VM step was done, and the terminal keeps it after the app is gone,
    with the output folder and the resume command."""
    from wizard.farewell import farewell_lines

    save_profile("default")
    run = FakeRun(hang={"configure-server"})
    app = make_app(run=run, start="review")
    try:
        async with app.run_test(size=SIZE) as pilot:
            await _start_run(pilot, app)
            await until(pilot, lambda: app.run_model.rows["configure-server"].state == "running",
                        "configure-server running")
            admin = app.session.secrets().admin_password
            share = app.session.secrets().share_password
            expected = f"VM admin password for 'fsadmin': {admin} (shown once)"
            # The screen draws the event a moment later; at 80 columns the line wraps.
            await until(pilot, lambda: expected in " ".join(screen_text(app).split()), expected)
            text = " ".join(screen_text(app).split())
            assert share not in text                          # configure-server has not applied it yet
            await leave_running(pilot)
    finally:
        run.release.set()
    assert app.return_value == 130
    lines = "\n".join(farewell_lines(app.session, app.provision, finished=False))
    assert admin in lines
    # configure-server had started: Azure may still apply the share password, so it is printed too.
    assert share in lines
    assert "To resume the run: hpcshare run --profile default" in lines


async def test_runner_that_cannot_start_shows_the_error_and_keeps_the_app(make_app) -> None:
    save_profile("default")
    calls = []

    def broken(session):
        calls.append(1)
        if len(calls) == 1:
            secret = session.secrets().admin_password
            raise RuntimeError(f"cannot sign in (tried {secret})")
        return FakeRun()(session)

    app = make_app(run=broken, start="review")
    async with app.run_test(size=SIZE) as pilot:
        await _start_run(pilot, app)
        assert await wait_run(pilot, app) == "failed"
        text = screen_text(app)
        assert "RuntimeError: cannot sign in" in text
        assert app.session.secrets().admin_password not in text
        await pilot.press("r")
        assert await wait_run(pilot, app) == "succeeded"


async def test_back_to_review_after_a_failure_then_run_again(make_app) -> None:
    save_profile("default")
    run = FakeRun(fail_once={"nic"})
    app = make_app(run=run, start="review")
    async with app.run_test(size=SIZE) as pilot:
        await _start_run(pilot, app)
        assert await wait_run(pilot, app) == "failed"
        assert "r Retry" in screen_text(app) and "r Resume" not in screen_text(app)
        await pilot.press("b")                                   # Back to Review has a key
        await settle(pilot, app, ReviewScreen)
        await run_from_review(pilot, app, "enter")               # Run has the focus again
        await settle(pilot, app, RunScreen)
        assert await wait_run(pilot, app) == "succeeded"
    assert len(run.runners) == 2


@pytest.mark.parametrize("size", [(80, 24), (100, 30)])
async def test_every_step_name_is_readable_at_80_and_100_columns(make_app, size) -> None:
    """No step name ends in "…" (issue 16): the name (without its "(details)") wraps onto a
    second line of its row when the column is too narrow."""
    save_profile("default")
    app = make_app(run=FakeRun(), start="review")
    async with app.run_test(size=size) as pilot:
        await _start_run(pilot, app)
        assert await wait_run(pilot, app) == "succeeded"
        table = app.screen.query_one("#steps")
        rows = list(app.run_model.rows.values())
        assert any(len(r.title) > 30 for r in rows)                 # the case that used to be cut
        for i, row in enumerate(rows):
            table.move_cursor(row=i, scroll=True, animate=False)
            await pilot.pause()
            text = screen_text(app)
            name = row.title.rsplit(" (", 1)[0] if row.title.endswith(")") else row.title
            missing = [w for w in name.split() if w not in text]
            assert not missing, f"{row.title!r} at {size}: {missing} not shown\n{text}"
