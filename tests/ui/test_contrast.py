"""Text meets WCAG 2.1 AA (4.5:1) in both themes (issue 22).

One walk per theme at 80x24 through every page the wizard shows (Welcome, each section, Review
and its tabs, the Create dialog, Run while it works and its Leave/Cancel dialog, Run failed, Run
finished, Finish and its tabs), with each focusable widget focused in turn and one field invalid:
every text colour drawn is measured against its background (tests/ui/contrast.py). Plus the theme
variables themselves, resolved by Textual, for the text/background pairs Textual's widgets and
assets/app.tcss combine."""
from __future__ import annotations

import re
from typing import Any

import pytest
from textual.color import Color
from textual.widgets import Input, TabbedContent

from screens.dialogs import ConfirmDialog, InterruptDialog
from screens.finish import FinishScreen
from screens.review import ReviewScreen
from screens.run import RunScreen
from screens.section import SectionScreen
from screens.themes import DARK, LIGHT
from screens.welcome import WelcomeScreen
from tests.ui.conftest import SIZE, settle, wait_run
from tests.ui.contrast import AA, Pair, contrast, low_pairs
from tests.ui.fakes import FakeRun, save_profile
from wizard import paths


async def _measure(pilot: Any, app: Any, found: dict[str, Pair], *, focus_each: bool = True,
                   focused: set[tuple[Any, ...]] | None = None) -> None:
    """The screen as it is, each tab shown, then with each kind of control focused in turn: a
    focused Input looks like every other on that kind of page (``focused``: kinds already seen)."""
    page = type(app.screen).__name__ + (f":{app.screen.section.key}" if isinstance(app.screen, SectionScreen) else "")

    def take() -> None:
        for pair in low_pairs(app):
            found.setdefault(f"{page} {pair.fg} {pair.bg}", pair)

    take()
    tabs = list(app.screen.query(TabbedContent))
    first_tabs = [t.active for t in tabs]
    for t in tabs:
        for pane in t.query("TabPane"):
            t.active = pane.id or ""
            await pilot.pause()
            take()
    for t, active in zip(tabs, first_tabs):
        t.active = active
    if focus_each:
        before = app.focused
        seen = focused if focused is not None else set()
        kinds = {}
        for widget in app.screen.focus_chain:
            kind = (type(app.screen), type(widget), getattr(widget, "variant", ""), widget.has_class("-invalid"))
            if kind not in seen:
                kinds.setdefault(kind, widget)
        seen.update(kinds)
        for widget in kinds.values():
            widget.focus()
            await pilot.pause()
            take()
        if before is not None:
            before.focus()
            await pilot.pause()


@pytest.mark.parametrize("theme", [DARK, LIGHT])
async def test_every_text_on_every_page_meets_aa(theme: str, make_app) -> None:
    save_profile("default")
    run = FakeRun(fail_once={"self-test"}, hang={"vm"})
    app = make_app(run=run)
    found: dict[str, Pair] = {}
    kinds: set[tuple[Any, ...]] = set()
    async with app.run_test(size=SIZE) as pilot:
        app.theme = theme
        await settle(pilot, app, WelcomeScreen)
        await _measure(pilot, app, found, focused=kinds)
        await pilot.press("enter")
        first = True
        while True:
            await settle(pilot, app)
            if not isinstance(app.screen, SectionScreen):
                break
            if first:                      # an invalid field: its text on the error tint
                field = app.screen.query_one("#input-resource_group", Input)
                saved, field.value = field.value, "bad name!"
                await pilot.pause()
                await _measure(pilot, app, found, focused=kinds)
                field.value = saved
                await pilot.pause()
                first = False
            await _measure(pilot, app, found, focused=kinds)
            app.screen.query_one("#next").focus()
            await pilot.press("enter")
        assert isinstance(app.screen, ReviewScreen)
        await _measure(pilot, app, found, focused=kinds)
        await pilot.press("enter")                                   # Create in Azure?
        await settle(pilot, app, ConfirmDialog)
        await _measure(pilot, app, found, focused=kinds)
        await pilot.press("enter")
        await settle(pilot, app, RunScreen)
        for _ in range(200):                                         # the vm step waits
            if "vm" in run.calls:
                break
            await pilot.pause(0.02)
        await _measure(pilot, app, found, focus_each=False)
        await pilot.press("ctrl+c")
        await settle(pilot, app, InterruptDialog)
        await _measure(pilot, app, found, focused=kinds)
        await pilot.press("escape")
        run.release.set()
        assert await wait_run(pilot, app) == "failed"
        await _measure(pilot, app, found, focused=kinds)
        await pilot.press("r")
        assert await wait_run(pilot, app) == "succeeded"
        await _measure(pilot, app, found, focused=kinds)
        await pilot.press("enter")
        await settle(pilot, app, FinishScreen)
        await _measure(pilot, app, found, focused=kinds)
    assert not found, "below 4.5:1:\n" + "\n".join(f"{k}: {p}" for k, p in sorted(found.items()))


# ---- the theme variables --------------------------------------------------------------------------
# Text variables Textual's widgets and assets/app.tcss draw, and the backgrounds they sit on.
TEXT_VARS = ("foreground", "text", "text-muted", "text-primary", "text-success", "text-warning", "text-error",
             "text-accent")
BACKGROUNDS = ("background", "surface", "panel")
WIDGET_PAIRS = (
    ("footer-key-foreground", "footer-background"),
    ("footer-description-foreground", "footer-background"),
    ("block-cursor-foreground", "block-cursor-background"),
    ("button-color-foreground", "primary"),
    ("input-cursor-foreground", "input-cursor-background"),
)


def resolved(variables: dict[str, str], name: str, under: Color) -> Color:
    """A variable's colour as drawn over ``under`` ("auto 87%" and alpha blended as Textual does)."""
    value = variables[name]
    if value.startswith("auto"):
        pct = re.search(r"(\d+)%", value)
        return under.get_contrast_text(int(pct.group(1)) / 100 if pct else 1.0)
    colour = Color.parse(value)
    if colour.a == 0:
        return under
    return under + colour if colour.a < 1 else colour


def tcss_text_vars() -> set[str]:
    """The variables assets/app.tcss uses as a text colour (``color: $name``)."""
    return set(re.findall(r"\bcolor:\s*\$([a-z-]+)", paths.asset("app.tcss").read_text(encoding="utf-8")))


@pytest.mark.parametrize("theme", [DARK, LIGHT])
async def test_theme_variables_meet_aa(theme: str, make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        app.theme = theme
        await pilot.pause()
        variables = app.get_css_variables()
    assert tcss_text_vars() <= set(TEXT_VARS) | {"block-cursor-foreground"}, "a new text colour: list it here"
    # No colour literal in the stylesheet: a literal would not follow the theme (and is not measured here).
    tcss = paths.asset("app.tcss").read_text(encoding="utf-8")
    literals = [v for v in re.findall(r"\b(?:color|background|border[a-z-]*):\s*([^;]+);", tcss)
                if re.search(r"#[0-9a-fA-F]{3,8}\b|\brgba?\(|\b(?:white|black|red|green|blue|yellow)\b", v)]
    assert not literals, literals
    low = []
    pairs = [(t, b) for t in TEXT_VARS for b in BACKGROUNDS] + list(WIDGET_PAIRS)
    for text, back in pairs:
        bg = resolved(variables, back, Color.parse(variables["background"]))
        fg = resolved(variables, text, bg)
        ratio = contrast(fg.rich_color, bg.rich_color)
        if ratio < AA:
            low.append(f"${text} {fg.hex} on ${back} {bg.hex}: {ratio:.2f}:1")
    assert not low, "\n".join(low)
