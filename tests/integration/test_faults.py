"""Injected faults through the real SDK: transient ones are retried to success, permanent ones
fail the step with a clear message, and the next run resumes and converges with no duplicates."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from tests.integration.conftest import run_session, write_answers
from wizard.environment import standin_state_file
from wizard.standin import StandIn

ROOT = Path(__file__).resolve().parents[2]


def _resources() -> list[dict]:
    with StandIn(state_file=standin_state_file()) as s:
        return s.resources()


def _ids() -> list[str]:
    return sorted(r["id"].lower() for r in _resources())


@pytest.mark.parametrize("fault", [
    "vm.put=429", "nic.put=500", "disk.put=drop", "nsg.get=500*2", "resourcegroup.put=429",
    "runcommand.put=500", "vnet.put=drop",
])
def test_transient_fault_is_retried_to_success(home: Path, answers_file: Path, tmp_path: Path, fault: str) -> None:
    code, text, _ = run_session(answers_file, tmp_path / "out", faults=fault)
    assert code == 0, text
    assert (tmp_path / "out" / "nodeprep.cmd").is_file()
    kinds = Counter(r["type"].lower() for r in _resources())
    assert kinds["microsoft.compute/virtualmachines"] == 1
    assert kinds["microsoft.network/networkinterfaces"] == 1


@pytest.mark.parametrize(("fault", "step", "words"), [
    ("vm.put=lro-fail", "vm", "Azure refused"),
    ("nic.put=lro-fail", "nic", "Azure refused"),
    ("disk.put=500*inf", "data-disk", "InternalServerError"),
    ("runcommand.put=substep:share", "configure-server", "share"),
    ("runcommand.put=substep:write*inf", "self-test", "write"),
])
def test_permanent_fault_fails_the_step_then_a_rerun_resumes(home: Path, answers_file: Path, tmp_path: Path,
                                                             fault: str, step: str, words: str) -> None:
    code, text, _ = run_session(answers_file, tmp_path / "out", faults=fault)
    assert code == 1, text
    assert f"[failed] {step}" in text
    failed_line = text.split(f"[failed] {step}", 1)[1].splitlines()[0]
    assert words in failed_line
    assert "hint:" in text.split(f"[failed] {step}", 1)[1]
    assert "Traceback" not in text
    state = json.loads((home / "state" / "it.json").read_text())
    assert state["last_status"] == "failed" and step not in state["steps"]
    code, text, _ = run_session(answers_file, tmp_path / "out")
    assert code == 0, text
    kinds = Counter(r["type"].lower() for r in _resources())
    assert kinds["microsoft.compute/virtualmachines"] == 1
    assert kinds["microsoft.compute/disks"] == 2
    # A third run confirms the converged state holds nothing new.
    before = _ids()
    assert run_session(answers_file, tmp_path / "out")[0] == 0
    assert _ids() == before


def test_independent_steps_overlap_in_time(home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from wizard.runner import RunEvent
    from wizard.session import Session

    monkeypatch.setenv("HPCSHARE_STANDIN_LATENCY", "realistic")
    monkeypatch.setenv("HPCSHARE_STANDIN_SCALE", "0.1")     # VNet 0.5 s, NSG 0.4 s, disk 0.3 s
    answers = write_answers(tmp_path / "it.toml")
    session = Session("it", demo=True, answers_file=answers, out_dir=tmp_path / "out")
    spans: dict[str, list[float]] = {}

    def on_event(e: RunEvent) -> None:
        if e.substep is None and e.state in ("running", "done"):
            spans.setdefault(e.step, []).append(time.monotonic())

    import asyncio

    try:
        runner = session.make_runner()
        result = asyncio.run(runner.run(on_event))
    finally:
        session.close()
    assert result.status == "succeeded"
    (n0, n1), (s0, s1), (d0, d1) = spans["network"], spans["nsg"], spans["data-disk"]
    assert max(n0, s0, d0) < min(n1, s1, d1), spans      # all three were running at one moment
    # ...and the VM waited for both of its inputs.
    assert spans["vm"][0] >= max(spans["nic"][1], spans["data-disk"][1])


def test_kill_9_mid_run_then_resume_has_no_duplicates(home: Path, answers_file: Path, tmp_path: Path) -> None:
    env = {**os.environ, "HPCSHARE_STANDIN_LATENCY": "realistic", "HPCSHARE_STANDIN_SCALE": "0.05",
           "PYTHONPATH": str(ROOT), "HPCSHARE_ADMIN_PASSWORD": "Kill9-Admin-Pw-2024",   # output is a pipe:
           "HPCSHARE_SHARE_PASSWORD": "Kill9-Share-Pw-2024"}                          # nothing may be generated
    cmd = [sys.executable, "-m", "wizard", "run", "--demo", "--yes", "--answers", str(answers_file),
           "--out", str(tmp_path / "out")]
    proc = subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, cwd=tmp_path)
    seen = ""
    deadline = time.monotonic() + 60
    assert proc.stdout is not None
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        seen += line
        if line.startswith("[running] vm") or not line:
            break
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert "[running] vm" in seen, seen
    state = json.loads((home / "state" / "it.json").read_text())
    assert "nic" in state["steps"] and "configure-server" not in state["steps"]
    code, text, _ = run_session(answers_file, tmp_path / "out")
    assert code == 0, text
    kinds = Counter(r["type"].lower() for r in _resources())
    assert kinds["microsoft.compute/virtualmachines"] == 1
    assert kinds["microsoft.network/networkinterfaces"] == 1
    assert kinds["microsoft.compute/disks"] == 2
    assert "[done] nic" in text and "no change" in text.split("[done] nic", 1)[1].splitlines()[0]
