"""Security review 2026-12-02 in the wizard: a crash prints no typed secret (finding 3), a profile
that cannot be written is a message on the page, not a crash, and a public RDP range needs the
same confirmation as a public SMB range (finding 4)."""
from __future__ import annotations

import io
from pathlib import Path
from typing import Any, Callable

import pytest
from rich.console import Console
from rich.traceback import Traceback

from screens.app import HpcShareApp
from screens.section import SectionScreen
from tests.ui.conftest import settle

TYPED = "Adm1n-Secret-Pw77"


def _exit_text(app: HpcShareApp) -> str:
    """What Textual prints at exit: its exit renderables, rendered as the error console would."""
    out = io.StringIO()
    console = Console(file=out, width=120, color_system=None)
    for renderable in app._exit_renderables:
        console.print(renderable)
    return out.getvalue()


async def _type_admin_password_then_next(app: HpcShareApp) -> None:
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot, app, SectionScreen)
        widget = app.screen.query_one("#input-admin_password")
        widget.focus()
        await pilot.press(*TYPED)
        await pilot.press("ctrl+n")
        await settle(pilot, app)
        app._print_error_renderables = lambda: None     # keep them for _exit_text (the test runs headless)


async def test_a_crash_prints_no_locals_and_no_typed_password(make_app: Callable[..., HpcShareApp],
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    app = make_app(start="vm")

    def crashing_submit(section_key: str, values: Any) -> Any:
        secret = values["vm.admin_password"]          # a local holding the typed password
        raise RuntimeError(f"simulated bug while saving section {section_key} ({len(secret)} characters)")

    monkeypatch.setattr(app.session, "submit_section", crashing_submit)
    with pytest.raises(RuntimeError, match="simulated bug"):
        await _type_admin_password_then_next(app)
    text = _exit_text(app)
    assert "RuntimeError: simulated bug" in text and "crashing_submit" in text   # the traceback is there
    assert TYPED not in text
    assert "locals" not in text                    # Rich titles the panel of a frame's variables "locals"


def test_textual_default_would_have_shown_it() -> None:
    """The attack against the first release: Rich's traceback with locals (what Textual's own
    _fatal_error renders) does print the typed value, so the assertion above can fail."""
    def crash(secret: str) -> None:
        raise RuntimeError("boom")

    try:
        crash(TYPED)
    except RuntimeError:
        out = io.StringIO()
        Console(file=out, width=120, color_system=None).print(Traceback(show_locals=True))
    assert TYPED in out.getvalue() and "locals" in out.getvalue()


async def test_an_unwritable_profile_is_a_message_and_the_typed_values_stay(
        make_app: Callable[..., HpcShareApp], hpcshare_home: Path) -> None:
    (hpcshare_home / "profiles").write_text("not a folder")     # like a read-only or full disk
    app = make_app(start="vm")
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot, app, SectionScreen)
        widget = app.screen.query_one("#input-admin_password")
        widget.focus()
        await pilot.press(*TYPED)
        await pilot.press("ctrl+n")
        await settle(pilot, app)
        assert isinstance(app.screen, SectionScreen) and app.screen.section.key == "vm"   # still there
        assert app.screen.query_one("#input-admin_password").value == TYPED                 # kept
        notes = [str(n.message) for n in app._notifications]
        assert any("could not be saved" in n for n in notes), notes
        assert not any(TYPED in n for n in notes)
    assert app.return_code in (None, 0)


async def test_a_public_rdp_range_needs_the_same_confirmation_as_smb(make_app: Callable[..., HpcShareApp],
                                                                      hpcshare_home: Path) -> None:
    """Security review, finding 4: a public rdp_source was taken without a question."""
    from screens.dialogs import ConfirmDialog
    from wizard import profiles

    app = make_app(start="endpoints")
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot, app, SectionScreen)
        rdp = app.screen.query_one("#input-rdp_source")
        rdp.focus()
        await pilot.press(*"198.51.100.0/24")
        await pilot.press("ctrl+n")
        await settle(pilot, app)
        assert isinstance(app.screen, ConfirmDialog)
        assert "TCP 3389 (RDP)" in app.screen.title_text and "198.51.100.0/24" in app.screen.body
        await pilot.press("enter")                       # the focused, safe answer: no
        await settle(pilot, app)
        assert isinstance(app.screen, SectionScreen) and app.screen.section.key == "endpoints"
        assert not (hpcshare_home / "profiles" / "default.toml").exists()
        await pilot.press("ctrl+n")
        await settle(pilot, app)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.click("#yes")
        await settle(pilot, app)
        assert not isinstance(app.screen, ConfirmDialog)
    saved = profiles.load(hpcshare_home / "profiles" / "default.toml").values
    assert saved["endpoints.rdp_source"] == "198.51.100.0/24"
