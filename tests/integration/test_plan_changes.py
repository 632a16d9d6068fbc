"""Issue 22 acceptance: `hpcshare plan --demo --answers FILE --set share.name=Projects` on a profile
that has run (against the stand-in) prints the change from the old share name to Projects, the
steps that will redo, what stays on the server, and that the share password is kept."""
from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests.integration.conftest import run_session, write_answers
from wizard import cli


def test_plan_after_a_run_previews_a_renamed_share(home: Path, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    answers = write_answers(tmp_path / "pv.toml", share__name="Data")
    assert cli.main(["plan", "--demo", "--answers", str(answers)]) == 0
    assert "Changes since the last run" not in capsys.readouterr().out      # never ran: nothing to compare
    code, text, _ = run_session(answers, tmp_path / "out")
    assert code == 0, text

    assert cli.main(["plan", "--demo", "--answers", str(answers), "--set", "share.name=Projects"]) == 0
    out = capsys.readouterr().out
    assert "Share name (share.name): 'Data' -> 'Projects'" in out
    redo = out[out.index("Steps that will redo:"):]
    for step in ("configure-server", "self-test", "artifacts"):
        assert f"  {step}: redoes" in redo, out
    assert "vm: redoes" not in out and "Unchanged (checked, not redone): resource-group" in out
    assert "\\\\fs01\\Data stays" in out and "Remove-SmbShare -Name 'Data'" in out
    assert f"hpcshare reset-password --demo --answers {answers} --user share" in out
    assert "keeps its password" in out

    # The run then does what the preview said: the old share is still there, the new one added.
    code, text, _ = run_session(write_answers(answers, share__name="Projects"), tmp_path / "out")
    assert code == 0, text
    assert "Share \\\\FS01\\Projects" in text and "password kept as set earlier" in text
    assert cli.main(["plan", "--demo", "--answers", str(answers)]) == 0
    assert "Changes since the last run: none" in capsys.readouterr().out


def test_review_shows_the_same_preview(home: Path, tmp_path: Path) -> None:
    """Issue 22: Review, like `plan`, says what the next run of a profile that has run changes."""
    from screens.app import HpcShareApp
    from screens.review import ReviewScreen
    from tests.ui.conftest import settle
    from tests.ui.fakes import FakeAssessor
    from wizard.session import Session

    answers = write_answers(tmp_path / "pv.toml", share__name="Data")
    code, text, _ = run_session(answers, tmp_path / "out")
    assert code == 0, text
    write_answers(answers, share__name="Projects")
    session = Session("pv", demo=True, answers_file=answers, out_dir=tmp_path / "out")
    app = HpcShareApp(session, assessor=FakeAssessor(), start="review")

    async def look() -> str:        # the run above drives its own event loop: the app gets a new one
        async with app.run_test(size=(120, 36)) as pilot:
            await settle(pilot, app, ReviewScreen, timeout=20)
            return str(app.screen.query_one("#plan-text").render())

    try:
        plan_text = asyncio.run(look())
    finally:
        session.close()
    assert "Share name (share.name): 'Data' -> 'Projects'" in plan_text
    assert "configure-server: redoes" in plan_text and "Remove-SmbShare -Name 'Data'" in plan_text
