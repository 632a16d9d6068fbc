"""Fault campaign: every step of a full plan (with a public IP) x every fault kind, through the real
Azure SDK against the stand-in.

A cell passes when the run either succeeds after retries ("retried-ok") or stops with a clear
message (exit 1, a "[failed] <step>" line with a cause and a hint, no traceback) and a re-run with
no fault completes ("failed-then-resumed"; "killed-then-resumed" for SIGKILL); in every case the
resources in the stand-in afterwards are exactly those of a clean run (counted by type and name,
subnets and NSG rules included: no duplicates, no leftovers) and the answers file is unchanged,
byte for byte.

Each fault is armed (``StandIn.set_faults``) at the moment the runner reports "[running] <step>",
before the step's worker thread starts, so it hits that step's own write even where several steps
share a fault KIND (self-test's faults hit the second ``runcommand.put``; configure-server's the
first). The kill column runs ``python -m wizard run --demo --yes`` in a subprocess at realistic
latency x0.05, SIGKILLs it when "[running] <step>" appears on its stdout, and resumes in-process;
the kill-mid column does the same about 40 % into the step's long-running operation (the request
has reached Azure and the operation is under way), which is where a real Ctrl+C or a lost SSH
session usually lands for the slow steps (VM, the two run commands).

Every cell writes its outcome to a folder shared by the xdist workers; each test prints the
matrix as known so far and writes it to ``matrix.txt`` there (and the terminal summary prints the
whole matrix when pytest runs tests/hardening). Each cell asserts its own outcome, with the
matrix in the message.
"""
from __future__ import annotations

import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tests.hardening.matrix import (
    ACCEPTABLE, FAULTS, FILES_STEPS, KILL_SCALE, KILLS, MID_DELAY, PERMANENT, ROWS, STEPS, SUBSTEP, TRANSIENT,
    acceptable,
    applicable, render_matrix_dir, spec_for, write_cell,
)
from tests.integration.conftest import write_answers

ROOT = Path(__file__).resolve().parents[2]
PROFILE = "faults"
ANSWERS = {"endpoints__public_ip": True, "endpoints__dns_label": "hpcshare-faults-fs01",
           "endpoints__smb_source": "10.0.0.0/8"}
# The Azure Files backend's rows run its own plan (storage account, share, private endpoint, DNS).
FILES_ANSWERS = {"share__backend": "azure-files", "share__name": "faultdata", "files__account": "hpcfilesfaults"}


def answers_for(step: str) -> dict[str, Any]:
    return FILES_ANSWERS if step in FILES_STEPS else ANSWERS
# A cause that is only a Python exception's name and text is not a message for a user.
PY_EXCEPTION = re.compile(r"^[A-Z][A-Za-z]*(Error|Exception|Exit|Interrupt)\b")
FIRED_STATUS = {"429": 429, "500": 500, "drop": 0, "500*inf": 500}
# Fixed passwords: with generated ones a re-run must re-apply a new share password (by design),
# and a generated admin password set by a killed run is lost with it (see test_secret_leaks.py).
PASSWORDS = {"HPCSHARE_ADMIN_PASSWORD": "Matrix-Admin-Pw-4821", "HPCSHARE_SHARE_PASSWORD": "Matrix-Share-Pw-9377"}


@pytest.fixture(autouse=True)
def _fixed_passwords(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for k, v in PASSWORDS.items():
        monkeypatch.setenv(k, v)


# ---- running ------------------------------------------------------------------------------------

def run_armed(answers: Path, out_dir: Path, *, arm_step: str | None = None,
              spec: str | None = None) -> tuple[int, str, Any]:
    """One ``hpcshare run --demo --yes`` in this process (log-friendly output captured); ``spec``
    is set on the stand-in when ``arm_step`` starts running. Returns (exit code, output, stand-in)."""
    from tests.plain_run import hook_runs, run_plain
    from wizard.session import Session

    session = Session(answers.stem, demo=True, answers_file=answers, out_dir=out_dir)
    standin = session.environment.standin
    armed: list[str] = []

    def arm(e: Any) -> None:
        if spec and not armed and e.step == arm_step and e.substep is None and e.state == "running":
            standin.set_faults(spec)
            armed.append(spec)

    hook_runs(session, arm, first=True)
    code, text = run_plain(session)
    if spec:
        assert armed, f"{arm_step} never started: the fault {spec} was not armed\n{text}"
    return code, text, standin


def inventory() -> Counter:
    """Resources in the stand-in by (type, name), with subnets, NSG rules, NIC IP configurations
    and VM data disks counted as their own entries so a duplicate inside a resource shows too."""
    from wizard.environment import standin_state_file
    from wizard.standin import StandIn

    count: Counter = Counter()
    for r in StandIn(state_file=standin_state_file()).resources():
        if (r.get("properties") or {}).get("provisioningState") == "Deleting":
            continue    # its DELETE was accepted: on its way out, as on Azure (a run's last cleanup)
        rtype, name = r["type"].lower(), r["name"].lower()
        count[(rtype, name)] += 1
        props = r.get("properties") or {}
        for sub in props.get("subnets") or []:
            count[("subnet", f"{name}/{sub['name'].lower()}")] += 1
        for rule in props.get("securityRules") or []:
            count[("nsg-rule", f"{name}/{rule['name'].lower()}")] += 1
        for cfg in props.get("ipConfigurations") or []:
            count[("ip-configuration", f"{name}/{cfg['name'].lower()}")] += 1
        for disk in (props.get("storageProfile") or {}).get("dataDisks") or []:
            count[("data-disk-lun", f"{name}/{disk.get('lun')}")] += 1
    return count


_BASELINE: dict[str, Counter] = {}


@pytest.fixture
def baseline(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Counter:
    """The stand-in's inventory after one clean run of the same answers (once per worker and backend)."""
    step = request.node.callspec.params.get("step", "") if hasattr(request.node, "callspec") else ""
    which = "files" if step in FILES_STEPS else "vm"
    if which not in _BASELINE:
        root = tmp_path_factory.mktemp("clean-run")
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("HPCSHARE_HOME", str(root / "home"))
            mp.setenv("HPCSHARE_STANDIN_LATENCY", "instant")
            for var in ("HPCSHARE_STANDIN_FAULTS", "HPCSHARE_STANDIN_SCALE", "HPCSHARE_STANDIN_LOG"):
                mp.delenv(var, raising=False)
            for k, v in PASSWORDS.items():
                mp.setenv(k, v)
            answers = write_answers(root / f"{PROFILE}.toml", **(FILES_ANSWERS if which == "files" else ANSWERS))
            code, text, _ = run_armed(answers, root / "out")
            assert code == 0, text
            _BASELINE[which] = inventory()
    return _BASELINE[which]


def inventory_diff(got: Counter, want: Counter) -> str:
    extra = {k: v for k, v in (got - want).items()}
    missing = {k: v for k, v in (want - got).items()}
    parts = []
    if extra:
        parts.append("extra/duplicate: " + ", ".join(f"{t} {n} x{c}" for (t, n), c in sorted(extra.items())))
    if missing:
        parts.append("missing: " + ", ".join(f"{t} {n}" for (t, n), _ in sorted(missing.items())))
    return "; ".join(parts)


# ---- judging one run's output -------------------------------------------------------------------

def failure_problem(text: str, step: str) -> str | None:
    """None when the output reports the failure of ``step`` clearly, else what is wrong."""
    lines = text.splitlines()
    idx = [i for i, ln in enumerate(lines) if re.match(rf"^\[failed\] {re.escape(step)}( \(\d+\.\d+s\))?(:|$)", ln)]
    if not idx:
        failed = [ln for ln in lines if ln.startswith("[failed]")]
        return f"no '[failed] {step}' line (failed lines: {failed})"
    line = lines[idx[0]]
    cause = line.split(": ", 1)[1] if ": " in line else ""
    hint = ""
    if " -- hint: " in cause:
        cause, hint = cause.split(" -- hint: ", 1)
    elif idx[0] + 1 < len(lines) and lines[idx[0] + 1].strip().startswith("hint:"):
        hint = lines[idx[0] + 1].strip()[len("hint:"):]
    if len(cause.strip()) < 10:
        return f"no cause on the failed line: {line!r}"
    if PY_EXCEPTION.match(cause.strip()):
        return f"the cause is a bare Python exception: {line!r}"
    if len(hint.strip()) < 10:
        return f"no hint for the failure: {line!r}"
    if not any(ln.startswith("Failed at ") and step in ln for ln in lines):
        return "no closing 'Failed at <step>' line"
    return None


def fault_fired(standin: Any, fault: str, text: str, step: str) -> bool:
    if fault in FIRED_STATUS:
        return any(status == FIRED_STATUS[fault] for _m, _p, status in standin.requests)
    if fault == "lro-fail":
        return all(e.remaining <= 0 for e in standin._faults.entries)
    if fault == "substep":
        return f"[failed] {step}/{SUBSTEP[step]}" in text
    raise AssertionError(fault)


def no_change_problem(text: str, done_before: set[str]) -> str | None:
    """After a failure, the re-run must resume: steps finished before converge with no change."""
    for step in sorted(done_before - {"artifacts", "probe"}):
        ok = [ln for ln in text.splitlines() if ln.startswith(f"[done] {step}")
              and ("no change" in ln or "unchanged since the last run" in ln)]
        if not ok:
            done = [ln for ln in text.splitlines() if ln.startswith(f"[done] {step}")]
            return f"{step} finished before the failure but the re-run changed it again: {done}"
    return None


def report_cell(matrix_dir: Path, step: str, fault: str, outcome: str, detail: str) -> str:
    write_cell(matrix_dir, step, fault, outcome, detail)
    text = render_matrix_dir(matrix_dir)
    target = matrix_dir / "matrix.txt"
    tmp = matrix_dir / f".matrix-{os.getpid()}.tmp"
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, target)
    print(f"\n{step} x {fault}: {outcome} {detail}\n{text}\n(matrix file: {target})")
    return text


def judge_resume(answers: Path, before: bytes, out_dir: Path, baseline: Counter, done_before: set[str],
                 *, check_no_change: bool) -> tuple[str | None, str]:
    """Re-run with no fault; (problem or None, its output)."""
    code, text, _ = run_armed(answers, out_dir)
    if code != 0 or "Traceback" in text:
        failed = [ln for ln in text.splitlines() if ln.startswith("[failed]")]
        return f"the re-run did not complete (exit {code}): {' | '.join(failed)[:400]}", text
    if check_no_change:
        problem = no_change_problem(text, done_before)
        if problem:
            return problem, text
    diff = inventory_diff(inventory(), baseline)
    if diff:
        return f"resources differ from a clean run: {diff}", text
    if answers.read_bytes() != before:
        return "the answers file changed", text
    if not (out_dir / "nodeprep.cmd").is_file():
        return "the re-run wrote no artifacts", text
    return None, text


def state_steps(home: Path) -> set[str]:
    p = home / "state" / f"{PROFILE}.json"
    if not p.exists():
        return set()
    return set(json.loads(p.read_text())["steps"])


# ---- the in-process cells (transient and permanent faults) --------------------------------------

IN_PROCESS = [(s, f) for s in ROWS for f in (*TRANSIENT, *PERMANENT) if applicable(s, f)]


@pytest.mark.parametrize(("step", "fault"), IN_PROCESS, ids=[f"{s}-{f}" for s, f in IN_PROCESS])
def test_fault_cell(step: str, fault: str, home: Path, tmp_path: Path, baseline: Counter, matrix_dir: Path,
                    capfd: pytest.CaptureFixture[str]) -> None:
    spec = spec_for(step, fault)
    answers = write_answers(tmp_path / f"{PROFILE}.toml", **answers_for(step))
    before = answers.read_bytes()
    out_dir = tmp_path / "out"

    code, text, standin = run_armed(answers, out_dir, arm_step=step, spec=spec)
    done_before = state_steps(home)
    outcome, problem = "", None
    if not fault_fired(standin, fault, text, step):
        problem = f"the fault {spec} never fired"
    elif "Traceback" in text:
        problem = "a traceback in the output"
    elif code == 0:
        outcome = "retried-ok"
    elif code == 1:
        outcome = "failed-then-resumed"
        problem = failure_problem(text, step)
        if problem is None and answers.read_bytes() != before:
            problem = "the failed run changed the answers file"
    else:
        problem = f"exit code {code}"
    second = ""
    if problem is None:
        problem, second = judge_resume(answers, before, out_dir, baseline, done_before,
                                       check_no_change=outcome == "failed-then-resumed")
    err = capfd.readouterr().err
    if problem is None and "Traceback" in err:
        problem = "a traceback on stderr"
    if problem is not None:
        outcome = "BAD"
    detail = problem or ""
    matrix = report_cell(matrix_dir, step, fault, outcome, detail)
    assert acceptable(fault, outcome) and outcome in ACCEPTABLE[fault], (
        f"{step} x {fault} ({spec}): {detail}\n--- faulted run ---\n{text}\n--- re-run ---\n{second}\n"
        f"--- stderr ---\n{err[-3000:]}\n--- matrix ---\n{matrix}")


# ---- the kill column ----------------------------------------------------------------------------

KILL_CELLS = [(s, k) for s in STEPS for k in KILLS if applicable(s, k)]


def _reader(stream: Any, lines: "queue.Queue[str | None]") -> None:
    for line in iter(stream.readline, ""):
        lines.put(line)
    lines.put(None)


@pytest.mark.slow
@pytest.mark.parametrize(("step", "fault"), KILL_CELLS, ids=[f"{s}-{k}" for s, k in KILL_CELLS])
def test_kill_cell(step: str, fault: str, home: Path, tmp_path: Path, baseline: Counter, matrix_dir: Path,
                   capfd: pytest.CaptureFixture[str]) -> None:
    answers = write_answers(tmp_path / f"{PROFILE}.toml", **ANSWERS)
    before = answers.read_bytes()
    out_dir = tmp_path / "out"
    env = {**os.environ, "HPCSHARE_STANDIN_LATENCY": "realistic", "HPCSHARE_STANDIN_SCALE": str(KILL_SCALE),
           "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "-m", "wizard", "run", "--demo", "--yes", "--answers", str(answers), "--out", str(out_dir)]
    proc = subprocess.Popen(cmd, env=env, cwd=tmp_path, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    lines: queue.Queue[str | None] = queue.Queue()
    assert proc.stdout is not None
    threading.Thread(target=_reader, args=(proc.stdout, lines), daemon=True).start()
    seen, killed = "", False
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            try:
                line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                break
            if line is None:
                break
            seen += line
            if line.startswith(f"[running] {step}"):
                if fault == "kill-mid":
                    time.sleep(MID_DELAY[step])
                os.kill(proc.pid, signal.SIGKILL)
                killed = True
                break
    finally:
        if proc.poll() is None and not killed:
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        proc.stdout.close()
    done_at_kill = state_steps(home)
    problem: str | None = None
    second = ""
    if not killed:
        problem = f"'[running] {step}' never appeared (exit {proc.returncode})"
    elif answers.read_bytes() != before:
        problem = "the killed run changed the answers file"
    else:
        problem, second = judge_resume(answers, before, out_dir, baseline, done_at_kill, check_no_change=False)
    err = capfd.readouterr().err
    if problem is None and "Traceback" in err:
        problem = "a traceback on stderr"
    outcome = "killed-then-resumed" if problem is None else "BAD"
    late = " (the step had already finished when the kill landed)" if step in done_at_kill else ""
    detail = problem or f"{len(done_at_kill)} steps recorded at the kill{late}"
    matrix = report_cell(matrix_dir, step, fault, outcome, detail)
    assert outcome == "killed-then-resumed", (
        f"{step} x {fault}: {detail}\n--- killed run ---\n{seen}\n--- resume ---\n{second}\n"
        f"--- stderr ---\n{err[-3000:]}\n--- matrix ---\n{matrix}")


def test_matrix_covers_every_step_and_fault(home: Path) -> None:
    """The campaign's shape: every step of the plan is a row, every fault kind a column, and the
    cells that are n/a are exactly the ones the issue names."""
    from wizard.answers import resolve
    from wizard.answers import build_answers
    from wizard.plan import build_plan
    from wizard.standin.catalog import DEFAULT_SUBSCRIPTION_ID

    values = {"subscription.id": DEFAULT_SUBSCRIPTION_ID, "subscription.region": "westeurope",
              "subscription.resource_group": "rg-it",
              "vm.name": "fs01", **{k.replace("__", "."): v for k, v in ANSWERS.items()}}
    res = resolve(saved=values, require=True)
    assert res.ok, res.errors
    plan = build_plan(build_answers(PROFILE, res.values))
    assert plan.ids == STEPS
    assert FAULTS == ("429", "500", "drop", "500*inf", "lro-fail", "substep", "kill", "kill-mid")
    na = {(s, f) for s in STEPS for f in FAULTS if not applicable(s, f)}
    expected_na = ({("resource-group", "lro-fail")}
                   | {(s, "substep") for s in STEPS if s not in ("configure-server", "self-test")}
                   | {("resource-group", "kill-mid")}
                   | {(s, f) for s in ("probe", "artifacts") for f in FAULTS})
    assert na == expected_na


def test_matrix_has_a_row_for_every_azure_files_step(home: Path) -> None:
    """The Azure Files plan's own steps are rows too, with every fault but the sub-step (no run
    command) and the kill columns (those run the VM plan); lro-fail is n/a on the share's
    synchronous PUT."""
    from wizard.answers import build_answers, resolve
    from wizard.plan import FILES_STEPS as PLAN_FILES_STEPS, build_plan
    from wizard.standin.catalog import DEFAULT_SUBSCRIPTION_ID

    values = {"subscription.id": DEFAULT_SUBSCRIPTION_ID, "subscription.region": "westeurope",
              "subscription.resource_group": "rg-it", **{k.replace("__", "."): v for k, v in FILES_ANSWERS.items()}}
    res = resolve(saved=values, require=True)
    assert res.ok, res.errors
    plan = build_plan(build_answers(PROFILE, res.values))
    assert FILES_STEPS == PLAN_FILES_STEPS and set(FILES_STEPS) <= set(plan.ids)
    assert set(plan.ids) - set(FILES_STEPS) <= set(STEPS)        # the rest are rows of the VM plan
    na = {(s, f) for s in FILES_STEPS for f in FAULTS if not applicable(s, f)}
    assert na == ({(s, f) for s in FILES_STEPS for f in ("substep", *KILLS)} | {("file-share", "lro-fail")})
