"""Issue 17's acceptance: with HPCSHARE_STANDIN_QUOTA=standardDSv5Family=2 a replay of a D4s_v5
exits 2 before any resource is created (the stand-in's request log has no PUT), naming the family;
the same preflight stops a run started from the pipeline the TUI uses (wizard.provision)."""
from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests.integration.conftest import write_answers


def _puts(log: Path) -> list[str]:
    return [line for line in log.read_text().splitlines() if line.split()[:1] == ["PUT"]] if log.exists() else []


def test_replay_over_the_family_quota_stops_before_any_put(home: Path, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    from wizard.cli import main

    log = tmp_path / "standin.log"
    monkeypatch.setenv("HPCSHARE_STANDIN_LOG", str(log))
    monkeypatch.setenv("HPCSHARE_STANDIN_QUOTA", "standardDSv5Family=2")
    answers = write_answers(tmp_path / "it.toml")          # Standard_D4s_v5: 4 vCPUs
    code = main(["run", "--demo", "--answers", str(answers), "--yes", "--out", str(tmp_path / "out"),
                 "--password-file", str(tmp_path / "pw")])
    out, err = capsys.readouterr()
    assert code == 2, out + err
    assert "standardDSv5Family" in out + err
    assert "[vm.size]" in out + err
    assert _puts(log) == []
    assert not (tmp_path / "out").exists()


def test_the_pipeline_every_front_end_uses_checks_the_quota(home: Path, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    from wizard.provision import PreflightFailed, Provision
    from wizard.session import Session

    monkeypatch.setenv("HPCSHARE_STANDIN_QUOTA", "cores=3")
    answers = write_answers(tmp_path / "it.toml")
    session = Session("it", demo=True, answers_file=answers, out_dir=tmp_path / "out")
    made: list[object] = []
    with pytest.raises(PreflightFailed) as failed:
        asyncio.run(Provision(session, runner_factory=lambda s: made.append(s)).run(lambda e: None))
    session.close()
    assert made == []                                     # no runner: nothing attempted
    assert any("cores" in p.lower() and "[vm.size]" in p for p in failed.value.problems), failed.value.problems
