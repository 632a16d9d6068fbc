"""The demo path writes check-share.cmd with the other HPC Pack files: ``hpcshare run --demo --yes``
and ``hpcshare generate --demo`` (subprocesses, the in-process stand-in), byte for byte the same,
and nodes-report reads the kind of output that file makes the nodes print."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.plain.conftest import PYTHON, subprocess_env
from tests.plain.test_demo_run import DEMO_ANSWERS
from wizard.artifacts import ARTIFACT_NAMES


def _hpcshare(home: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([PYTHON, "-m", "wizard", *args], cwd=cwd, env=subprocess_env(home),
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=300)


@pytest.mark.slow
def test_demo_run_and_generate_write_check_share(home: Path, tmp_path: Path) -> None:
    answers = tmp_path / "nodecheck.toml"
    answers.write_text(DEMO_ANSWERS)
    run_out, gen_out = tmp_path / "run", tmp_path / "gen"
    proc = _hpcshare(home, tmp_path, "run", "--demo", "--answers", str(answers), "--yes", "--out", str(run_out),
                     "--password-file", str(tmp_path / "pw.env"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "check-share.cmd" in ARTIFACT_NAMES
    assert sorted(p.name for p in run_out.iterdir()) == sorted(ARTIFACT_NAMES)
    proc = _hpcshare(home, tmp_path, "generate", "--demo", "--answers", str(answers), "--out", str(gen_out))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert str(gen_out / "check-share.cmd") in proc.stdout.splitlines()
    data = (run_out / "check-share.cmd").read_bytes()
    assert data == (gen_out / "check-share.cmd").read_bytes()
    text = data.decode("ascii")
    assert text.startswith("@echo off\r\n") and "\r\n:node_checks\r\n" in text
    assert 'set "HS_UNC=\\\\myfileserver\\' in text
    assert "clusrun \"/nodegroup:%HS_GROUP%\"" in text
    summary = (run_out / "SUMMARY.md").read_text()
    assert "check-share.cmd /clusrun NODEGROUP" in summary and "hpcshare nodes-report" in summary
