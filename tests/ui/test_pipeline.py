"""A run from the TUI goes through the same engine pipeline as ``hpcshare run``
(``wizard.provision``): the preflight stops it before anything is created with the same message,
and the run log HPCSHARE_HOME/logs/PROFILE.log gets the same lines."""
from __future__ import annotations

import asyncio
import io
import re
from pathlib import Path

import pytest

from screens.app import EXIT_USAGE
from screens.review import ReviewScreen
from screens.run import RunScreen
from tests.ui.conftest import SIZE, screen_text, settle, wait_run
from tests.ui.fakes import SUB_ID, FakeCatalog, FakeRun, save_profile
from tests.ui.keys import run_from_review
from wizard.plain.live import run_with_live_view
from wizard.provision import PREFLIGHT_HEADING
from wizard.session import Session


async def _run_from_review(pilot, app) -> str:
    await settle(pilot, app, ReviewScreen)
    await run_from_review(pilot, app)
    await settle(pilot, app, RunScreen)
    return await wait_run(pilot, app)


def _plain_run(profile: str, out_dir: Path, run: FakeRun, **kwargs: object) -> tuple[int, str]:
    session = Session(profile, out_dir=out_dir, **kwargs)  # type: ignore[arg-type]
    buf = io.StringIO()
    try:
        code = run_with_live_view(session, out=buf, runner_factory=run, catalog=FakeCatalog())
    finally:
        session.close()
    return code, buf.getvalue()


async def test_restricted_size_stops_a_tui_run_before_any_step_with_the_run_message(make_app, out_dir) -> None:
    save_profile("default", vm__size="Standard_M128s")            # restricted in FakeCatalog
    run = FakeRun()
    app = make_app(run=run, start="review")
    async with app.run_test(size=SIZE) as pilot:
        assert await _run_from_review(pilot, app) == "failed"
        assert run.runners == [] and run.calls == []              # no runner was even made
        # On screen: the screen and the field, not the answers-file key.
        rule = "Standard_M128s is restricted in northeurope for this subscription; choose another size"
        assert app.run_model.refused == (f"File server VM › VM size: {rule}",)
        assert "[vm.size]" not in screen_text(app)
        assert PREFLIGHT_HEADING in screen_text(app)
        assert app.exit_code_after_run() == EXIT_USAGE          # quitting now exits as `run` does
    assert not out_dir.exists()
    # The same answers replayed by `hpcshare run`: the same rule with the key, exit 2, nothing made either.
    plain = FakeRun()
    code, text = await asyncio.to_thread(_plain_run, "default", out_dir, plain)   # its own event loop
    assert code == EXIT_USAGE == 2
    assert f"[vm.size] VM size: {rule}" in text and PREFLIGHT_HEADING in text
    assert plain.runners == [] and not out_dir.exists()


def _log_lines(home: Path, profile: str) -> list[str]:
    """The run log without what differs between two runs: clock times and durations."""
    lines = (home / "logs" / f"{profile}.log").read_text(encoding="utf-8").splitlines()
    out = []
    for line in lines:
        line = re.sub(r"^\d\d:\d\d:\d\d ", "", line)
        line = re.sub(r"^=== run started .*", "=== run started", line)
        out.append(re.sub(r" \(\d+\.\d+s\)", "", line))
    return out


async def test_a_tui_run_writes_the_run_log_lines_that_run_writes(make_app, out_dir, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    tui_home = tmp_path / "tui-home"
    monkeypatch.setenv("HPCSHARE_HOME", str(tui_home))
    save_profile("default")
    app = make_app(run=FakeRun(), start="review")
    async with app.run_test(size=SIZE) as pilot:
        assert await _run_from_review(pilot, app) == "succeeded"
    tui = _log_lines(tui_home, "default")

    run_home = tmp_path / "run-home"
    monkeypatch.setenv("HPCSHARE_HOME", str(run_home))
    save_profile("default")
    code, _ = await asyncio.to_thread(_plain_run, "default", out_dir, FakeRun())      # the same folder: the same log text
    assert code == 0
    ran = _log_lines(run_home, "default")

    assert tui[0] == "=== run started" and tui[-2:] == ["result: succeeded", "=== run ended"]
    assert any(line.startswith("[done] artifacts") for line in tui) and any(line.startswith("[running] vm") for line in tui)
    # Independent steps run at the same time, so only the order of lines may differ.
    assert sorted(tui) == sorted(ran)


async def test_sign_in_failure_stops_a_tui_run_before_any_step_then_retry_runs(make_app, out_dir) -> None:
    """The TUI's Run checks the sign-in first (wizard.provision, as `hpcshare run`): a failure shows
    the one message naming the method, no runner is made; Retry after fixing it runs."""
    save_profile("default")
    run = FakeRun()
    catalog = FakeCatalog(fail_first={"sign-in"})
    app = make_app(run=run, catalog=catalog, start="review")
    async with app.run_test(size=SIZE) as pilot:
        assert await _run_from_review(pilot, app) == "failed"
        assert run.runners == [] and run.calls == []
        text = screen_text(app).replace("\n", " ")
        assert "subscription.auth = cli" in text and "az login" in text, text
        assert app.exit_code_after_run() == 1
        await pilot.press("r")
        assert await wait_run(pilot, app) == "succeeded"
    assert [c for c in catalog.calls if c[0] == "sign-in"] == [("sign-in", (SUB_ID,))] * 2
