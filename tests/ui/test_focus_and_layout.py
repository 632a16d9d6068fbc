"""Readable at 80x24 (issue 22): the focused control shows by more than a background shift; the
first focus is on the first field that needs input, else on the primary button; labels are
whole, with a blank column before their control; titles and the step bar fit."""
from __future__ import annotations

from typing import Any

import pytest
from textual.widget import Widget
from textual.widgets import Button, DataTable, Input, Label, OptionList, Select

from screens.review import ReviewScreen
from screens.section import SectionScreen
from screens.themes import DARK, LIGHT
from tests.ui.conftest import SIZE, screen_text, settle
from tests.ui.fakes import save_profile
from wizard.questions import SECTIONS, section

Cell = tuple[str, bool, bool, bool, bool]


def drawn(app: Any, widget: Widget) -> list[Cell]:
    """The widget's cells as drawn (its border included), without colours: the glyph and whether
    it is bold, underlined, reversed or italic."""
    region = widget.region
    strips = app.screen._compositor.render_strips()
    cells: list[Cell] = []
    for y in range(region.y, region.bottom):
        for seg in strips[y].crop(region.x, region.right):
            st = seg.style
            for ch in seg.text:
                cells.append((ch, bool(st and st.bold), bool(st and st.underline), bool(st and st.reverse),
                              bool(st and st.italic)))
    return cells


# (first page, the control, another control to hold the focus meanwhile)
CONTROLS = [
    ("subscription", "#input-resource_group", Input, "#next"),
    ("subscription", "#select-currency", Select, "#next"),
    ("subscription", "#next", Button, "#input-resource_group"),
    ("subscription", "#back", Button, "#input-resource_group"),
    ("vm", "#size-table", DataTable, "#next"),
    ("welcome", "#profiles", OptionList, "#continue"),
    ("review", "#answers", DataTable, "#run"),
]


async def test_focus_shows_without_colour(make_app) -> None:
    """Focused and unfocused, compared glyph by glyph and attribute by attribute with every colour
    left out: each kind of control must differ (a bar, an underline, reversed text), so the focus
    shows on a terminal whatever its colours."""
    save_profile("default")
    pages: dict[str, list[tuple[str, type[Widget], str]]] = {}
    for start, selector, kind, other in CONTROLS:
        pages.setdefault(start, []).append((selector, kind, other))
    for start, controls in pages.items():
        app = make_app(start=start)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot, app)
            for theme, (selector, kind, other) in ((t, c) for t in (DARK, LIGHT) for c in controls):
                app.theme = theme
                control = app.screen.query_one(selector, kind)
                app.screen.query_one(other).focus()
                await pilot.pause()
                blurred = drawn(app, control)
                control.focus()
                await pilot.pause()
                assert app.focused is control
                assert drawn(app, control) != blurred, f"{theme} {start} {selector}: focus changes only colours"


def _needs_input(app: Any) -> list[Any]:
    return [f for f in app.screen.fields if f.display and f.problem()]


@pytest.mark.parametrize("key", [s.key for s in SECTIONS])
async def test_first_focus_on_the_field_that_needs_input(key: str, make_app) -> None:
    """Each form page, entered with one required field left empty (its last such field, so the
    first field is not the answer by chance): that field's control has the focus. With that
    field answered again, the primary button (Next) has it. (Azure Files' page asks only for that
    backend; Remote's one text field may be left empty.)"""
    if key == "files":
        save_profile("default", share__backend="azure-files", files__account="hpcsharefiles01")
    else:
        save_profile("default")
    app = make_app(start=key)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app, SectionScreen)
        assert app.focused is app.screen.query_one("#next", Button), f"{key}: all answered"
        ctx = app.session.context()
        empty_bad = [q for q in section(key).questions if q.applies(ctx) and q.kind in ("text", "number")
                     and app.session.check(q.key, "", ctx) is not None]
    if not empty_bad:             # Remote: no text field may be left empty; Next having the focus was the check
        assert key == "remote", f"{key}: expected a field that must be filled"
        return
    target = empty_bad[-1]
    app = make_app(start=key)
    app.drafts[key] = {target.key: ""}            # as left by Back with the field cleared
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app, SectionScreen)
        bad = _needs_input(app)
        assert [f.key for f in bad] == [target.key]
        assert app.focused is bad[0].focus_target, f"{key}: focus on {app.focused}"


async def test_first_focus_on_an_invalid_value_before_a_later_empty_one(make_app) -> None:
    save_profile("default")
    app = make_app(start="vm")
    app.drafts["vm"] = {"vm.name": "bad name!", "vm.admin_username": ""}
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app, SectionScreen)
        assert app.focused is app.screen.query_one("#input-name", Input)
        assert "VM name" in screen_text(app) and "✗" in screen_text(app)


async def test_review_focuses_its_primary_button(make_app) -> None:
    save_profile("default")
    app = make_app(start="review")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app, ReviewScreen)
        run = app.screen.query_one("#run", Button)
        assert app.focused is run and run.variant == "primary"


async def test_labels_whole_and_titles_fit_on_every_page(make_app) -> None:
    """Every form page at 80x24, every field that shows: its label is drawn whole on its row, and
    a blank column separates it from the control; the header's title and the step bar fit."""
    save_profile("default", share__backend="vm")
    checked = 0
    for s in SECTIONS:
        app = make_app(start=s.key)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot, app, SectionScreen)
            lines = screen_text(app).splitlines()
            assert f"{app.screen.title} — profile default" in lines[0], lines[0]
            assert "…" not in lines[1] and "Finish" in lines[1], lines[1]
            for f in app.screen.fields:
                if not f.display:
                    continue
                f.scroll_visible(animate=False)
                await pilot.pause()
                label = f.query_one(".field-label", Label)
                text = f.question.label
                controls = [w for w in f.query("Input, Select, DataTable") if w.display]
                assert controls, f.key
                left = min(w.region.x for w in controls)
                assert label.content_region.x + len(text) < left, f"{f.key}: label runs into the control"
                for w in controls:
                    assert not label.region.overlaps(w.region), f"{f.key}: label over {w}"
                row = "".join(seg.text for seg in app.screen._compositor.render_strips()[label.region.y])
                assert row[label.content_region.x:].startswith(text), f"{f.key}: {row!r}"
                checked += 1
    assert checked >= 30


async def test_vm_size_table_says_how_to_choose_and_marks_the_chosen_row(make_app) -> None:
    """Above the table, how to choose (the question's sizing advice, what the Premium column means,
    how to pick); the chosen size's row carries the mark, and it moves with Enter on another row."""
    from screens.widgets.live import VmSizeField

    save_profile("default")                                     # vm.size Standard_D8s_v5
    app = make_app(start="vm")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app, SectionScreen)
        field = app.screen.query_one(VmSizeField)
        table = field.table
        guide = app.screen.query_one("#size-guide")
        app.screen.query_one("#form").scroll_to_widget(guide, animate=False, top=True)
        await pilot.pause()
        shown = str(guide.render())
        assert shown.startswith(field.question.help) and "Enter picks" in shown, shown
        assert guide.region.bottom <= table.region.y and guide.region.y >= 0
        assert "Network bandwidth grows" in screen_text(app)

        def marked() -> list[str]:
            return [str(table.get_row_at(i)[1]) for i in range(table.row_count) if table.get_row_at(i)[0] == "●"]

        assert marked() == ["Standard_D8s_v5"]
        assert table.cursor_row == [str(r.value) for r in table.rows].index("Standard_D8s_v5")
        table.focus()
        await pilot.press("up", "enter")                        # the row above: D4s_v5
        await pilot.pause()
        assert marked() == ["Standard_D4s_v5"] and field.value == "Standard_D4s_v5"
        assert "Chosen: Standard_D4s_v5" in screen_text(app)
        # A filter that hides the chosen row and shows it again keeps the mark on it.
        await pilot.click("#size-filter-name")
        await pilot.press(*"E8")
        await pilot.pause()
        assert marked() == []
        await pilot.press("backspace", "backspace")
        await pilot.pause()
        assert marked() == ["Standard_D4s_v5"]
