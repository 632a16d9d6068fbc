"""The Run screen at 80x24 after a failure (issue 22): the cause scrolls in its own box and the
buttons stay on screen whatever its length; Back to Review has a key in the footer, and it works."""
from __future__ import annotations

from pathlib import Path

import pytest
from textual.containers import VerticalScroll
from textual.widgets import Static

from screens.review import ReviewScreen
from screens.themes import DARK, LIGHT
from tests.ui.conftest import SIZE, screen_text, settle, wait_run
from tests.ui.fakes import FakeRun, save_profile
from tests.ui.keys import run_to_end_from_review
from tests.ui.test_screens_80x24 import assert_on_screen
from wizard.runner import StepFailed
from wizard.session import Session

#: A cause of about fifteen lines at 80 columns, with a hint as long (FakeRun's own failure is short).
LONG_CAUSE = " ".join(f"detail {i}: the operation reported a further condition." for i in range(20))
LONG_HINT = " ".join(f"step {i} of the fix." for i in range(40))


class LongFailure(FakeRun):
    """FakeRun whose ``self-test`` step fails (once) with a long cause and a long hint."""

    def __call__(self, session):
        runner = super().__call__(session)
        act = runner.actions["self-test"]

        def failing(ctx):
            if "long" not in self.calls:
                self.calls.append("long")
                raise StepFailed(LONG_CAUSE, LONG_HINT)
            return act(ctx)

        runner.actions["self-test"] = failing
        return runner


def failure_box(app) -> VerticalScroll:
    return app.screen.query_one("#failure", VerticalScroll)


async def assert_buttons_and_scrolling_box(pilot, app) -> None:
    box = failure_box(app)
    assert box.display
    for button in ("#retry", "#review", "#quit"):
        assert_on_screen(app, button)
    footer = screen_text(app).splitlines()[-1]
    assert "b Back to Review" in footer and "r Retry" in footer, footer
    # The box shows the cause's start and scrolls for the rest; the buttons sit below it.
    assert box.max_scroll_y > 0, box.virtual_size
    assert box.region.bottom <= app.screen.query_one("#retry").region.y
    box.scroll_end(animate=False)
    await pilot.pause()
    assert box.scroll_y == box.max_scroll_y
    assert "Hint:" in str(app.screen.query_one("#failure-hint", Static).render())


@pytest.fixture
def standin(monkeypatch: pytest.MonkeyPatch, hpcshare_home: Path) -> None:
    monkeypatch.setenv("HPCSHARE_STANDIN_LATENCY", "instant")
    # The stand-in refuses the VM as Azure does when a region is out of capacity (AllocationFailed).
    monkeypatch.setenv("HPCSHARE_STANDIN_FAULTS", "vm.put=lro-fail")


async def test_standin_failure_scrolls_and_back_to_review_key(standin, tmp_path: Path) -> None:
    """A real demo run against the stand-in whose VM step fails: its cause and hint take more
    lines than the box; the box scrolls, Retry and Back stay visible, and 'b' goes to Review."""
    save_profile("default")
    from screens.app import HpcShareApp

    app = HpcShareApp(Session("default", demo=True, out_dir=tmp_path / "out"), start="review")
    try:
        async with app.run_test(size=SIZE) as pilot:
            assert await run_to_end_from_review(pilot, app) == "failed"
            await pilot.pause(0.2)
            assert "AllocationFailed" in screen_text(app)
            await assert_buttons_and_scrolling_box(pilot, app)
            await pilot.press("b")
            await settle(pilot, app, ReviewScreen, timeout=20)
    finally:
        app.session.close()


@pytest.mark.parametrize("theme", [DARK, LIGHT])
async def test_long_cause_keeps_the_buttons(theme: str, make_app) -> None:
    """A cause and hint of some fifteen lines each: same layout, in both themes; Enter retries."""
    save_profile("default")
    run = LongFailure()
    app = make_app(run=run, start="review")
    async with app.run_test(size=SIZE) as pilot:
        app.theme = theme
        assert await run_to_end_from_review(pilot, app) == "failed"
        await pilot.pause(0.2)
        assert "detail 0:" in screen_text(app)
        await assert_buttons_and_scrolling_box(pilot, app)
        assert app.focused is app.screen.query_one("#retry")
        await pilot.press("enter")
        assert await wait_run(pilot, app) == "succeeded"
        assert not failure_box(app).display
        assert_on_screen(app, "#finish")
