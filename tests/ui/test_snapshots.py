"""SVG snapshots of every page, the Textual ecosystem's way (pytest-textual-snapshot; issue 16).

Each page at 80x24 and 120x36, dark and light. Accept a deliberate change with
``pytest tests/ui/test_snapshots.py --snapshot-update`` and look at the diff report it writes
(snapshot_report.html) before committing the new SVGs under ``__snapshots__/``. Textual is pinned
to 8.2.x in pyproject.toml: a newer Textual may draw a cell differently and needs an update run.

What would differ between runs is fixed here: the elapsed times on the Run page, generated
passwords on Finish and in the quit question, the cursor blink (conftest). Text assertions for the same pages stay in
test_screens_80x24.py.
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from screens.dialogs import ConfirmDialog, QuitDialog
from screens.finish import FinishScreen
from screens.review import ReviewScreen
from screens.section import SectionScreen
from screens.welcome import WelcomeScreen
from tests.ui.conftest import settle, wait_run
from tests.ui.fakes import FakeRun, save_profile
from wizard.questions import SECTION_KEYS

VARIANTS = {
    "80x24-dark": ((80, 24), "textual-dark"),
    "120x36-dark": ((120, 36), "textual-dark"),
    "80x24-light": ((80, 24), "textual-light"),
    "120x36-light": ((120, 36), "textual-light"),
}
PAGES = ("welcome", *SECTION_KEYS, "review", "create-confirm", "run-done", "finish", "quit-passwords")


@pytest.fixture
def out_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Relative, so the Run page's log ("Wrote out/nodeprep.cmd") is the same on every run."""
    monkeypatch.chdir(tmp_path)
    return Path("out")


@pytest.fixture(autouse=True)
def _steady(monkeypatch: pytest.MonkeyPatch) -> None:
    """Times and generated passwords are the same on every run."""
    monkeypatch.setattr("screens.run.fmt_elapsed", lambda s: "" if s is None else "1.0s")
    monkeypatch.setattr("wizard.session.generate_password", lambda: "Snapshot-Pass-1!")


async def _to_run_done(pilot: Any) -> None:
    app = pilot.app
    await settle(pilot, app, ReviewScreen)
    await pilot.press("enter")                         # Run (focused) -> "Create in Azure?"
    await settle(pilot, app, ConfirmDialog)
    await pilot.press("enter")                         # Create (focused)
    assert await wait_run(pilot, app) == "succeeded"
    # Where the step table stands when the run ends depends on timing (it follows the running
    # step): put its cursor on the last row, as the user sees it once the run is over.
    await pilot.wait_for_scheduled_animations()
    table = app.screen.query_one("#steps")
    table.move_cursor(row=table.row_count - 1, animate=False, scroll=True)
    await pilot.pause(0.2)
    await settle(pilot, app)


def _prepare(page: str) -> tuple[str, Callable[[Any], Awaitable[None]]]:
    """(the App's first page, what to do before the shot)."""
    if page == "welcome":
        return "welcome", lambda pilot: settle(pilot, pilot.app, WelcomeScreen)
    if page in SECTION_KEYS:
        return page, lambda pilot: settle(pilot, pilot.app, SectionScreen)
    if page == "review":
        return "review", lambda pilot: settle(pilot, pilot.app, ReviewScreen)

    async def confirm(pilot: Any) -> None:
        await settle(pilot, pilot.app, ReviewScreen)
        await pilot.press("enter")
        await settle(pilot, pilot.app, ConfirmDialog)

    async def finish(pilot: Any) -> None:
        await _to_run_done(pilot)
        await pilot.press("enter")
        await settle(pilot, pilot.app, FinishScreen)

    async def quit_passwords(pilot: Any) -> None:
        """Ctrl+C after configure-server failed: the quit question with the admin password the VM
        step applied."""
        app = pilot.app
        await settle(pilot, app, ReviewScreen)
        await pilot.press("enter")
        await settle(pilot, app, ConfirmDialog)
        await pilot.press("enter")
        assert await wait_run(pilot, app) == "failed"
        await pilot.wait_for_scheduled_animations()
        await pilot.press("ctrl+c")
        await settle(pilot, app, QuitDialog)

    return "review", {"create-confirm": confirm, "run-done": _to_run_done, "finish": finish,
                      "quit-passwords": quit_passwords}[page]


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("page", PAGES)
def test_page(page: str, variant: str, make_app, snap_compare) -> None:
    save_profile("default")
    size, theme = VARIANTS[variant]
    start, before = _prepare(page)
    app = make_app(run=FakeRun(fail_once={"configure-server"} if page == "quit-passwords" else set()), start=start)

    async def run_before(pilot: Any) -> None:
        pilot.app.theme = theme
        await before(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("variant", ["80x24-dark", "80x24-light"])
def test_welcome_offers_resume(variant: str, out_dir: Path, monkeypatch: pytest.MonkeyPatch, snap_compare) -> None:
    """Welcome after a demo run was cancelled once the VM was made (issue 22): the most recent
    profile selected, its row "Cancelled · 6 of 9 steps done", Resume the primary button and key."""
    import asyncio

    from screens.app import HpcShareApp
    from tests.ui.demo_runs import demo_run
    from wizard.session import Session

    monkeypatch.setenv("HPCSHARE_STANDIN_LATENCY", "instant")
    save_profile("default")                   # never run, and used before the cancelled one
    assert asyncio.run(demo_run("lab", out_dir, cancel_after="vm")).status == "cancelled"
    size, theme = VARIANTS[variant]
    app = HpcShareApp(Session("default", demo=True, out_dir=out_dir))

    async def run_before(pilot: Any) -> None:
        pilot.app.theme = theme
        await settle(pilot, pilot.app, WelcomeScreen, timeout=20)

    try:
        assert snap_compare(app, terminal_size=size, run_before=run_before)
    finally:
        app.session.close()
