"""Keyboard helpers for pilot tests: reach a widget with Tab, walk screens with Next."""
from __future__ import annotations

from typing import Any

from screens.app import HpcShareApp
from screens.section import SectionScreen
from tests.ui.conftest import settle


async def tab_to(pilot: Any, app: HpcShareApp, selector: str, limit: int = 40) -> None:
    """Press Tab until the widget matching ``selector`` has focus (keyboard only)."""
    target = app.screen.query_one(selector)
    for _ in range(limit):
        if app.focused is target:
            return
        await pilot.press("tab")
    raise AssertionError(f"Tab never reached {selector}; focus is on {app.focused}")


async def type_into(pilot: Any, app: HpcShareApp, selector: str, text: str, *, tab: bool = False) -> None:
    """Focus a text field (a click, or Tab presses with ``tab=True``), clear it and type."""
    if tab:
        await tab_to(pilot, app, selector)
    else:
        app.screen.query_one(selector).scroll_visible(animate=False)   # as a user would scroll
        await pilot.pause()
        await pilot.click(selector)
        assert app.focused is app.screen.query_one(selector)
    await pilot.press("end", "ctrl+u", *text)
    await pilot.pause()


async def pick_existing_vnet(pilot: Any, app: HpcShareApp) -> dict[str, Any]:
    """Choose the first VNet of the Network screen's "Existing VNets" list (keyboard only);
    the network fields it filled in."""
    await tab_to(pilot, app, "#select-existing-vnet")
    await pilot.press("enter", "down", "enter")
    await settle(pilot, app)
    return {k: field_value(app, f"endpoints.{k}")
            for k in ("vnet", "vnet_resource_group", "vnet_cidr", "subnet", "subnet_cidr", "private_ip")}


async def next_until(pilot: Any, app: HpcShareApp, section_key: str) -> SectionScreen:
    """From Welcome (new profile, name prefilled), press Enter / Ctrl+N until a section shows."""
    await settle(pilot, app)
    if not isinstance(app.screen, SectionScreen):
        await pilot.press("enter")
        await settle(pilot, app, SectionScreen)
    for _ in range(10):
        screen = app.screen
        assert isinstance(screen, SectionScreen), type(screen)
        if screen.section.key == section_key:
            return screen
        await pilot.press("ctrl+n")
        await settle(pilot, app)
        assert app.screen is not screen, f"Next was blocked on {screen.section.key}"
    raise AssertionError(f"never reached {section_key}")


def field_value(app: HpcShareApp, key: str) -> Any:
    screen = app.screen
    assert isinstance(screen, SectionScreen)
    f = screen.field(key)
    assert f is not None, key
    return f.value


async def run_from_review(pilot: Any, app: HpcShareApp, key: str = "ctrl+r") -> None:
    """Start the run on Review: against Azure that asks "Create in Azure?" with Create focused,
    which Enter accepts; a demo runs at once."""
    from screens.dialogs import ConfirmDialog

    await pilot.press(key)
    await pilot.pause()
    if not app.session.demo:
        await settle(pilot, app, ConfirmDialog)
        assert app.focused is app.screen.query_one("#yes")
        await pilot.press("enter")


async def run_to_end_from_review(pilot: Any, app: HpcShareApp, timeout: float = 60) -> str:
    """From Review (once it shows): Run, then wait for the run to end; its status."""
    from screens.review import ReviewScreen
    from screens.run import RunScreen
    from tests.ui.conftest import wait_run

    await settle(pilot, app, ReviewScreen, timeout=20)
    await run_from_review(pilot, app)
    await settle(pilot, app, RunScreen, timeout=20)
    return await wait_run(pilot, app, timeout=timeout)


async def leave_running(pilot: Any) -> None:
    """Ctrl+C during a run, then "Leave running, quit" in the dialog that asks."""
    await pilot.press("ctrl+c")
    await pilot.pause()
    await pilot.click("#leave")
    await pilot.pause()
