"""Review's "Cost & limits" tab (issue 17): the monthly cost total, the quota and the throughput
bottleneck, worked out in an App-owned worker (a loading state first; prices unavailable or a
failing assessment leave the rest of Review working), and once more against the demo stand-in."""
from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from screens.app import HpcShareApp
from screens.review import LOADING, ReviewScreen
from screens.section import SectionScreen
from tests.ui.conftest import SIZE, screen_text, settle
from tests.ui.fakes import FakeAssessor, save_profile
from wizard.session import Session


async def _wait_assessed(pilot, app: HpcShareApp, timeout: float = 20.0) -> None:
    for _ in range(int(timeout / 0.05)):
        await pilot.pause(0.05)
        if not any(w.group == "assessment" and not w.is_finished for w in app.workers):
            await pilot.pause()
            return
    raise AssertionError("the assessment worker did not finish")


async def _show_cost_tab(pilot, app: HpcShareApp) -> str:
    await pilot.click("#--content-tab-tab-cost")
    await pilot.pause()
    return screen_text(app)


def _one_line(text: str) -> str:
    return " ".join(text.split())


async def test_review_shows_the_total_quota_and_bottleneck_after_loading(make_app) -> None:
    save_profile("default")                      # D8s_v5 + 256 GiB Standard SSD, 24 nodes x 15 MB/s
    gate = threading.Event()
    assessor = FakeAssessor(gate=gate)
    app = make_app(start="review", assessor=assessor)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app, ReviewScreen)
        assert app.screen.query_one("#review-tabs").active == "tab-answers"     # Answers stay first
        text = _one_line(await _show_cost_tab(pilot, app))
        assert _one_line(LOADING)[:40] in text                                  # still working
        assert not app.screen.query_one("#run").disabled                        # Run does not wait for it
        gate.set()
        await _wait_assessed(pilot, app)
        text = _one_line(screen_text(app))
        a = assessor.last
        assert f"{a.cost.total_monthly:,.2f} EUR" in text
        assert "demo price list" in text and "2026-11-30" in text
        assert "quota ok" in text
        # The 256 GiB Standard SSD (E15) is slower than the D8s_v5's 290 MB/s: the disk caps it.
        assert a.throughput.bottleneck == "disk"
        assert f"the disk caps the share at {a.throughput.share_mbps} MB/s" in text
        assert a.throughput.share_mbps < 290


async def test_prices_unavailable_say_so_and_the_rest_is_shown(make_app) -> None:
    save_profile("default")
    app = make_app(start="review", assessor=FakeAssessor(prices=False))
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot, app, ReviewScreen)
        await _wait_assessed(pilot, app)
        text = _one_line(await _show_cost_tab(pilot, app))
        assert "prices unavailable" in text and "Prices unavailable: the price list answered HTTP 503" in text
        assert "Quota Standard DSv5 Family vCPUs: 8 used + 4 = 12 of 32 (ok)" in text
        assert "caps the share at" in text


async def test_a_failing_assessment_is_shown_and_review_still_runs(make_app) -> None:
    save_profile("default")
    app = make_app(start="review", assessor=FakeAssessor(fail=ConnectionError("no route to the price list")))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app, ReviewScreen)
        await _wait_assessed(pilot, app)
        text = _one_line(await _show_cost_tab(pilot, app))
        assert "could not be worked out (ConnectionError: no route to the price list)" in text
        assert app.is_running and isinstance(app.screen, ReviewScreen)
        assert not app.screen.query_one("#run").disabled


async def test_the_assessment_is_kept_until_an_answer_changes(make_app) -> None:
    save_profile("default")
    assessor = FakeAssessor()
    app = make_app(start="review", assessor=assessor)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app, ReviewScreen)
        await _wait_assessed(pilot, app)
        assert assessor.calls == 1
        await pilot.press("escape")                              # to the last section, unchanged
        await settle(pilot, app, SectionScreen)
        await pilot.press("enter")
        await settle(pilot, app, ReviewScreen)
        await _wait_assessed(pilot, app)
        assert assessor.calls == 1                               # same answers: not asked again
        assert "caps the share at" in _one_line(await _show_cost_tab(pilot, app))
        app.session.submit_section("vm", {"vm.size": "Standard_D16s_v5"})
        await pilot.press("escape")
        await settle(pilot, app, SectionScreen)
        await pilot.press("enter")
        await settle(pilot, app, ReviewScreen)
        await _wait_assessed(pilot, app)
        assert assessor.calls == 2
        assert "VM Standard_D16s_v5" in _one_line(await _show_cost_tab(pilot, app))


@pytest.fixture
def demo_env(monkeypatch: pytest.MonkeyPatch, hpcshare_home: Path) -> Path:
    monkeypatch.setenv("HPCSHARE_STANDIN_LATENCY", "instant")
    return hpcshare_home


async def test_demo_review_shows_the_demo_price_total_and_the_bottleneck(demo_env: Path, tmp_path: Path) -> None:
    """No fake: the real assessment through the SDK against the stand-in and its demo price list."""
    text, assessment = await _demo_review(Session("default", demo=True, out_dir=tmp_path / "out"))
    assert assessment.cost.available and assessment.cost.total_monthly > 0
    assert f"{assessment.cost.total_monthly:,.2f} USD" in text
    assert "hpcshare demo price list (illustrative, not Azure's prices)" in text
    # The demo answers: a D4s_v5 (145 MB/s uncached) with a 1 TiB P30 (200 MB/s).
    assert "the VM caps the share at 145 MB/s" in text
    assert "Faster: Standard_D8s_v5" in text


async def _demo_review(session: Session) -> tuple[str, Any]:
    """Review's "Cost & limits" tab once the real assessment has run, and that assessment."""
    app = HpcShareApp(session, start="review")
    try:
        async with app.run_test(size=(120, 36)) as pilot:
            await settle(pilot, app, ReviewScreen, timeout=20)
            await _wait_assessed(pilot, app, timeout=60)
            text = _one_line(await _show_cost_tab(pilot, app))
            assert app._assessment is not None, text
            return text, app._assessment[1]
    finally:
        app.session.close()


async def test_demo_review_of_an_azure_files_profile_shows_the_share_figures(demo_env: Path, tmp_path: Path) -> None:
    """No fake: Azure Files premium behind a private endpoint (issue 18), assessed through the SDK
    against the stand-in: the share's provisioned GiB and the endpoint's hours priced, the storage
    account quota, and the share's provisioned throughput against the cluster's demand."""
    from tests.integration.conftest import write_answers

    answers = write_answers(tmp_path / "files.toml", share__backend="azure-files", share__name="hpcdata",
                            files__account="hpcfilesui", files__quota_gib=1024, cluster__nodes=24,
                            cluster__node_mbps=15)
    session = Session("files", demo=True, answers_file=answers, out_dir=tmp_path / "out")
    text, assessment = await _demo_review(session)
    assert assessment.cost.available, assessment.cost.problem
    assert f"{assessment.cost.total_monthly:,.2f} USD a month" in text
    assert "Premium file share 1,024 GiB (Premium_LRS)" in text and "Private endpoint (file)" in text
    assert "usage-based, not included" in text
    assert "quota ok" in text and "Quota Storage Accounts: 0 used + 1 = 1 of 250 (ok)" in text
    assert "the premium share's provisioned size caps it at 212 MB/s" in text
    assert "The cluster needs 360 MB/s at peak: NOT enough." in text
