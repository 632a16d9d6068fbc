"""Issue 22, nothing lost on the way out: the cancel and quit dialogs show each generated password
a step applied (or may still apply) with a copy action; ``q`` on Finish asks while a password is
still on screen and not copied, and quits at once otherwise; one Quit in the footer; SUMMARY.md
rendered as Markdown and scrollable by keyboard."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.containers import VerticalScroll
from textual.widgets import Markdown, Static

from screens.dialogs import ConfirmDialog, InterruptDialog, QuitDialog
from screens.finish import FinishScreen
from screens.review import ReviewScreen
from screens.run import RunScreen
from screens.welcome import WelcomeScreen
from screens.widgets.secrets import PasswordBox
from tests.ui.conftest import SIZE, clipboard_after, screen_text, settle, until, wait_run
from tests.ui.fakes import FakeRun, save_profile
from tests.ui.keys import run_from_review, tab_to

GOLDEN_SUMMARY = Path(__file__).parents[1] / "artifacts" / "golden" / "private-full-encrypted" / "SUMMARY.md"


async def _to_finish(pilot: Any, app: Any, summary: str | None = None) -> None:
    await settle(pilot, app, ReviewScreen)
    await run_from_review(pilot, app)
    await settle(pilot, app, RunScreen)
    assert await wait_run(pilot, app) == "succeeded"
    if summary is not None:                     # a real SUMMARY.md instead of the fake's short one
        (app.session.out_dir / "SUMMARY.md").write_text(summary, encoding="utf-8")
    await pilot.press("f")
    await settle(pilot, app, FinishScreen)


def _quit_keys_shown(app: Any) -> list[str]:
    return [key for key, active in app.screen.active_bindings.items()
            if active.binding.show and active.binding.description == "Quit"]


async def test_q_on_finish_asks_while_a_password_is_on_screen(make_app) -> None:
    save_profile("default")
    app = make_app(run=FakeRun(), start="review")
    async with app.run_test(size=SIZE) as pilot:
        await _to_finish(pilot, app)
        admin = app.session.secrets().admin_password
        text = screen_text(app)
        assert admin in text and "VM admin password (fsadmin)" in text
        # One Quit in the footer (Ctrl+Q, as on every page; q works too), and the copy key.
        assert _quit_keys_shown(app) == ["ctrl+q"]
        footer = text.splitlines()[-1]
        assert footer.count("Quit") == 1 and "c Copy password" in footer, footer

        await pilot.press("q")
        await settle(pilot, app, ConfirmDialog)
        text = screen_text(app)
        assert "Quit without the password?" in text
        assert "hpcshare reset-password --profile default --user admin" in text
        assert "hpcshare reset-password --profile default --user share" in text
        body = " ".join(str(app.screen.query_one(".dialog-body", Static).render()).split())
        assert body.startswith("The VM admin password (fsadmin) and the Share user password (jobuser) are "
                               "still on screen and you have not copied them."), body
        assert app.focused is app.screen.query_one("#no")        # the safe answer has the focus
        await pilot.press("enter")                               # Stay
        await settle(pilot, app, FinishScreen)
        assert admin in screen_text(app) and app.return_value is None

        await pilot.press("ctrl+q")                              # the footer's key asks the same
        await settle(pilot, app, ConfirmDialog)
        assert "Quit without the password?" in screen_text(app)
        await pilot.press("escape")                              # no
        await settle(pilot, app, FinishScreen)
        assert app.return_value is None

        await pilot.press("q")
        await settle(pilot, app, ConfirmDialog)
        await pilot.click("#yes")
        await pilot.pause()
    assert app.return_value == 0


async def test_q_on_finish_quits_at_once_once_each_password_is_copied_or_hidden(make_app) -> None:
    save_profile("default")
    app = make_app(run=FakeRun(), start="review")
    async with app.run_test(size=SIZE) as pilot:
        await _to_finish(pilot, app)
        assert await clipboard_after(pilot, app, click="#copy-admin") == app.session.secrets().admin_password
        await pilot.click("#hide-share")
        await pilot.pause()
        assert app.session.secrets().share_password not in screen_text(app)
        await pilot.press("q")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmDialog)
    assert app.return_value == 0


@pytest.mark.parametrize("key", ["q", "ctrl+q"])
async def test_finish_without_a_generated_password_quits_at_once(make_app, monkeypatch, key: str) -> None:
    # Both passwords from the environment: the user knows them, nothing is generated or shown.
    monkeypatch.setenv("HPCSHARE_ADMIN_PASSWORD", "Env-Admin-Pass-77")
    monkeypatch.setenv("HPCSHARE_SHARE_PASSWORD", "Env-Share-Pass-77")
    save_profile("default")
    app = make_app(run=FakeRun(), start="review")
    async with app.run_test(size=SIZE) as pilot:
        await _to_finish(pilot, app)
        assert not app.screen.query(PasswordBox)
        footer = screen_text(app).splitlines()[-1]
        assert footer.count("Quit") == 1 and "Copy password" not in footer, footer
        await pilot.press(key)
        await pilot.pause()
        assert not isinstance(app.screen, (ConfirmDialog, QuitDialog))
    assert app.return_value == 0


async def test_finish_renders_summary_as_markdown_scrollable_by_keyboard(make_app) -> None:
    save_profile("default")
    app = make_app(run=FakeRun(), start="review")
    async with app.run_test(size=SIZE) as pilot:
        await _to_finish(pilot, app, summary=GOLDEN_SUMMARY.read_text(encoding="utf-8"))
        screen = app.screen
        markdown = screen.query_one("#preview-markdown", Markdown)
        await until(pilot, lambda: len(markdown.query("MarkdownH2")) > 3, "SUMMARY.md's headings mounted")
        assert markdown.display and not screen.query_one("#preview-text", Static).display
        headings = [str(h.content) for h in markdown.query("MarkdownH1, MarkdownH2")]
        assert headings[:3] == ["hpcshare: prod", "What was created", "Where the share password lives"], headings
        text = screen_text(app)
        assert "hpcshare: prod" in text and "# hpcshare" not in text        # drawn, not the source
        assert markdown.query("MarkdownTable")                             # its tables as tables

        preview = screen.query_one("#preview", VerticalScroll)
        await tab_to(pilot, app, "#preview")                               # keyboard only
        assert preview.max_scroll_y > 0 and preview.scroll_y == 0
        await pilot.press("pagedown")
        await until(pilot, lambda: preview.scroll_y > 0, "Page Down scrolls SUMMARY.md")
        await pilot.press("end")
        await until(pilot, lambda: preview.scroll_y == preview.max_scroll_y, "End reaches its end")

        # Another file: highlighted source again, from its top.
        await tab_to(pilot, app, "#files")
        await pilot.press("down")
        await pilot.pause()
        assert not markdown.display and screen.query_one("#preview-text", Static).display
        assert "@echo off" in screen_text(app) and preview.scroll_y == 0


async def test_cancel_and_quit_dialogs_show_the_passwords_applied_after_the_vm_step(make_app) -> None:
    """Ctrl+C while configure-server runs: the VM step applied the admin password, and the step
    still running may apply the share user's (Azure finishes it): the dialog shows both with Copy.
    After the cancel, the quit question shows them again."""
    save_profile("default")
    run = FakeRun(hang={"configure-server"})
    app = make_app(run=run, start="review")
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot, app, ReviewScreen)
            await run_from_review(pilot, app)
            await settle(pilot, app, RunScreen)
            await until(pilot, lambda: app.run_model.rows["configure-server"].state == "running"
                         and app.run_model.passwords, "the VM step done, configure-server running")
            admin, share = app.session.secrets().admin_password, app.session.secrets().share_password
            await pilot.press("ctrl+c")
            await settle(pilot, app, InterruptDialog)
            text = screen_text(app)
            assert "VM admin password (fsadmin)" in text and admin in text
            assert "Share user password (jobuser)" in text and share in text
            assert "Leave running, quit" in text and "Cancel the run" in text     # buttons still there
            assert app.focused is app.screen.query_one("#keep")
            assert await clipboard_after(pilot, app, key="c") == admin
            assert await clipboard_after(pilot, app, click="#copy-share") == share
            assert isinstance(app.screen, InterruptDialog)                        # Copy does not close it
            assert all(s not in n.message for n in app._notifications for s in (admin, share))

            await pilot.click("#cancel")
            assert await wait_run(pilot, app) == "cancelled"
            await pilot.press("ctrl+c")
            await settle(pilot, app, QuitDialog)
            text = screen_text(app)
            assert admin in text and share in text
            assert app.focused is app.screen.query_one("#no")
            await pilot.click("#yes")
            await pilot.pause()
    finally:
        run.release.set()
    assert app.return_value == 130


async def test_quit_dialog_after_a_failure_after_the_vm_step_shows_the_admin_password(make_app) -> None:
    save_profile("default")
    app = make_app(run=FakeRun(fail_once={"configure-server"}), start="review")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app, ReviewScreen)
        await run_from_review(pilot, app)
        await settle(pilot, app, RunScreen)
        assert await wait_run(pilot, app) == "failed"
        admin, share = app.session.secrets().admin_password, app.session.secrets().share_password
        await pilot.press("ctrl+c")
        await settle(pilot, app, QuitDialog)
        text = screen_text(app)
        assert "VM admin password (fsadmin)" in text and admin in text
        assert share not in text                 # configure-server failed: it did not apply it
        assert await clipboard_after(pilot, app, click="#copy-admin") == admin
        await pilot.press("escape")              # Stay
        await settle(pilot, app, RunScreen)


async def test_quit_dialog_before_any_run_shows_no_password(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app, WelcomeScreen)
        await pilot.press("ctrl+q")
        await settle(pilot, app, QuitDialog)
        assert not app.screen.query(PasswordBox)
        assert "Quit hpcshare?" in screen_text(app)
