"""Device-code sign-in (issue 16): azure-identity's DeviceCodeCredential gets hpcshare's
prompt_callback; in the TUI the code and address appear in a dialog with Copy, in plain mode
as one line on stderr."""
from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

import pytest

from screens.dialogs import DeviceCodeDialog
from tests.ui.conftest import SIZE, screen_text, settle
from tests.ui.fakes import save_profile
from wizard.environment import open_environment, print_device_code

URL, CODE = "https://microsoft.com/devicelogin", "HQ7B2KXNC"
EXPIRES = datetime.now(timezone.utc) + timedelta(minutes=15)


async def test_the_code_shows_in_a_dialog_with_copy(make_app) -> None:
    save_profile("default", subscription__auth="device-code")
    app = make_app(start="subscription")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        # azure-identity calls the prompt on the thread that signs in (a live list's worker).
        await asyncio.to_thread(app.session.device_code_prompt, URL, CODE, EXPIRES)
        await settle(pilot, app, DeviceCodeDialog)
        text = screen_text(app)
        assert URL in text and CODE in text and "valid until" in text, text
        assert app.focused is app.screen.query_one("#copy")
        await pilot.press("enter")
        await pilot.pause()
        assert app.clipboard == CODE
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, DeviceCodeDialog)


def test_the_credential_gets_the_front_ends_prompt(hpcshare_home) -> None:
    from azure.identity import DeviceCodeCredential

    def shown(uri: str, code: str, expires: datetime) -> None:
        pass

    tui = open_environment(demo=False, auth="device-code", device_code_prompt=shown).credential()
    plain = open_environment(demo=False, auth="device-code").credential()
    assert isinstance(tui, DeviceCodeCredential) and isinstance(plain, DeviceCodeCredential)
    # azure-identity keeps the documented prompt_callback argument here (device_code.py).
    assert tui._prompt_callback is shown and plain._prompt_callback is print_device_code


def test_plain_mode_prints_the_code_once_on_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    print_device_code(URL, CODE, EXPIRES)
    out = capsys.readouterr()
    assert out.out == "" and out.err.count(CODE) == 1 and URL in out.err and len(out.err.splitlines()) == 1
