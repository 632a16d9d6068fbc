"""Fixtures and helpers for the Textual wizard tests (pilot + screenshots, no real Azure)."""
from __future__ import annotations

import html
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input

from screens.app import HpcShareApp
from tests.ui.fakes import FakeAssessor, FakeCatalog, FakeRun
from wizard.session import Session

SIZE = (80, 24)


@pytest.fixture(autouse=True)
def _home(hpcshare_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every UI test gets its own HPCSHARE_HOME and no password from the environment."""
    monkeypatch.delenv("HPCSHARE_STANDIN_FAULTS", raising=False)
    return hpcshare_home


@pytest.fixture(autouse=True)
def _no_cursor_blink(monkeypatch: pytest.MonkeyPatch) -> None:
    """A blinking cursor makes screenshots depend on timing."""
    monkeypatch.setattr(Input, "cursor_blink", False)


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    return tmp_path / "out"


@pytest.fixture
def make_app(out_dir: Path) -> Callable[..., HpcShareApp]:
    def make(profile: str = "default", *, catalog: Any = None, run: FakeRun | None = None,
             demo: bool = False, start: str = "welcome", assessor: FakeAssessor | None = None) -> HpcShareApp:
        session = Session(profile, demo=demo, out_dir=out_dir)
        return HpcShareApp(session, catalog=catalog if catalog is not None else FakeCatalog(),
                           runner_factory=run if run is not None else FakeRun(),
                           assessor=assessor if assessor is not None else FakeAssessor(), start=start)
    return make


# ---- helpers -----------------------------------------------------------------------------------

async def settle(pilot: Any, app: HpcShareApp, screen_type: type | None = None, timeout: float = 5.0) -> None:
    """Let messages, live-list threads and screen switches settle."""
    loops = int(timeout / 0.02)
    for _ in range(loops):
        await pilot.pause(0.02)
        busy = any(w.group.startswith("live-") and not w.is_finished for w in app.screen.workers) \
            if hasattr(app.screen, "workers") else False
        busy = busy or any(w.group.startswith("live-") and not w.is_finished
                           for w in app.workers)
        if not busy and (screen_type is None or isinstance(app.screen, screen_type)):
            await pilot.pause()
            return
    raise AssertionError(f"did not settle: on {type(app.screen).__name__}, wanted {screen_type}")


async def until(pilot: Any, condition: Callable[[], object], what: str, timeout: float = 5.0) -> None:
    """Wait until ``condition()`` holds (the app draws and works in the background); fail naming ``what``."""
    for _ in range(int(timeout / 0.02)):
        if condition():
            return
        await pilot.pause(0.02)
    raise AssertionError(f"never: {what}")


async def wait_run(pilot: Any, app: HpcShareApp, timeout: float = 10.0) -> str:
    """Wait until the provisioning worker has returned; the run's status."""
    for _ in range(int(timeout / 0.02)):
        await pilot.pause(0.02)
        if not app.run_active and app.run_model.status not in ("idle", "preparing", "running"):
            await pilot.pause()
            return app.run_model.status
    raise AssertionError(f"run did not end: {app.run_model.status}")


def screen_text(app: HpcShareApp) -> str:
    """The screen as plain text, one line per terminal row (from the SVG screenshot)."""
    svg = app.export_screenshot()
    rows: dict[float, dict[int, str]] = {}
    for m in re.finditer(r'<text class="[^"]*" x="([\d.]+)" y="([\d.]+)" textLength="([\d.]+)"[^>]*>(.*?)</text>', svg):
        x, y, length = float(m.group(1)), float(m.group(2)), float(m.group(3))
        text = html.unescape(m.group(4)).replace("\xa0", " ")
        cell = length / max(len(text), 1)
        line = rows.setdefault(y, {})
        start = round(x / cell) if cell else 0
        for i, ch in enumerate(text):
            line[start + i] = ch
    out = []
    for _, line in sorted(rows.items()):
        width = max(line) + 1 if line else 0
        out.append("".join(line.get(i, " ") for i in range(width)).rstrip())
    return "\n".join(out)


async def clipboard_after(pilot: Any, app: HpcShareApp, *, key: str = "", click: str = "") -> str:
    """Press ``key`` or click the widget ``click`` (a Copy action); what the clipboard then holds."""
    if key:
        await pilot.press(key)
    else:
        await pilot.click(click)
    await pilot.pause()
    return app.clipboard


def field_message(app: HpcShareApp, key: str) -> str:
    from textual.widgets import Static

    field = app.screen.query_one(f"#field-{key.replace('.', '-')}")
    msg = field.query_one(".field-message", Static)
    return str(msg.render()) if msg.display else ""


def welcome_row(app: HpcShareApp, name: str) -> str:
    """What Welcome's profile list says beside ``name`` on screen (a wrapped status joined up)."""
    lines = screen_text(app).splitlines()
    for i, line in enumerate(lines):
        inner = line.strip().strip("▊▎▌")
        if inner.split(None, 1)[:1] == [name]:
            words = inner.split(None, 1)[1:]
            for more in lines[i + 1:]:
                rest = more.strip().strip("▊▎▌")
                if not rest.startswith(" ") or not rest.strip():      # the next row, or the border
                    break
                words.append(rest.strip())
            return " ".join(w.strip() for w in words)
    raise AssertionError(f"no row for {name}:\n{screen_text(app)}")
