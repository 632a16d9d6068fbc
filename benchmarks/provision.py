"""Critical path: a full ``hpcshare run --demo --yes`` against the stand-in's realistic latency
profile (which sends Azure's Retry-After values), compared with the time Azure itself needs (the
plan's critical path), and the same run with the SDK's default polling (Retry-After honoured).

    .venv/bin/python benchmarks/provision.py [--scale 0.5] [--answers FILE]

What it does (see benchmarks/README.md):
1. Warm-up: the same command once with the ``instant`` profile in a throw-away HPCSHARE_HOME,
   which compiles every module the run imports into a throw-away byte-code cache (an installed
   hpcshare runs from .pyc files) and warms the page cache. Not measured.
2. Two measured runs, one after the other, each a fresh process
   ``python -m wizard run --demo --answers FILE --yes`` from this source tree, fresh HPCSHARE_HOME
   (so the stand-in starts empty and every step creates its resource),
   HPCSHARE_STANDIN_LATENCY=realistic, HPCSHARE_STANDIN_SCALE=--scale, HPCSHARE_STANDIN_LOG:
   - ``hpcshare``: as shipped (wizard.polling: a poll every interval, whatever Retry-After says);
   - ``sdk-default``: HPCSHARE_AZURE_POLLING=sdk, azure-core's own ARMPolling, which waits the
     Retry-After the stand-in sends (what a client that simply follows it, like the Azure CLI, does).
   Each output line is time-stamped as it arrives.
   - wall: from just before the spawn to the child's exit;
   - peak RSS: ``os.wait4`` on that child (ru_maxrss; the stand-in runs inside the same process);
   - remote round trips: from the request log, PUTs of ``.../runCommands/NAME`` and POSTs of
     ``.../runCommand``.
3. The critical path, computed, not measured: the plan's DAG (``wizard.plan.build_plan`` on the
   same answers) with each step weighted by the long-running operations that do its work on a
   fresh run (``STEP_OPERATIONS``) at the stand-in's ``Latency(realistic, scale).duration(kind,
   verb)``; the longest chain, and the sequential sum of all steps. The managed Run Command's
   cleanup DELETE (the transport deletes its runCommands resource after each call) is not work
   any later step needs, so it is left out of the critical path: time spent waiting for it counts
   as overhead (the path with it is printed too). The operations the run really started (from the
   request log) are checked against the table, so a change in what the steps send shows up here
   instead of silently skewing the figure.
Last line: one JSON object.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
TARGET_RATIO = 1.05
RSS_LIMIT_MIB = 150
REMOTE_LIMIT = 2

# What each plan step starts on Azure in a fresh run (nothing exists yet), in the order it waits
# for them; wizard/azure/steps.py and wizard/remote/run_command.py are the source of truth.
# The resource group PUT is synchronous in ARM and in the stand-in: no operation, no time.
STEP_OPERATIONS: dict[str, tuple[tuple[str, str], ...]] = {
    "resource-group": (),
    "network": (("vnet", "put"),),              # the subnet travels inside the VNet body
    "nsg": (("nsg", "put"),),
    "public-ip": (("publicip", "put"),),
    "nic": (("nic", "put"),),
    "data-disk": (("disk", "put"),),
    "vm": (("vm", "put"), ("disk", "patch")),   # then tags the OS disk Azure made (steps._tag_os_disk)
    "probe": (),
    "artifacts": (),
}
# The remote steps, per transport: one Run Command each. The managed form also deletes its
# runCommands resource afterwards (cleanup: not on the critical path, see the docstring).
REMOTE_OPERATIONS: dict[str, tuple[tuple[str, str], ...]] = {
    "managed-run-command": (("runcommand", "put"), ("runcommand", "delete")),
    "run-command": (("runcommand-action", "post"),),
}
CLEANUP = {("runcommand", "delete")}

PASSWORD = re.compile(r"(password \(generated[^:]*: ).*")
LINE = re.compile(r"^\[(?P<state>\w+)\] (?P<step>[\w-]+)(?:/(?P<sub>[\w-]+))?(?: \((?P<elapsed>[\d.]+)s\))?")


def child_env(home: Path, pycache: Path, *, latency: str, scale: float, log: Path | None,
              polling: str = "prompt") -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("HPCSHARE_") and k != "PYTHONDONTWRITEBYTECODE"}
    env.update({
        "HPCSHARE_HOME": str(home),
        "HPCSHARE_STANDIN_LATENCY": latency,
        "HPCSHARE_STANDIN_SCALE": f"{scale:g}",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH", "")])),
        "PYTHONPYCACHEPREFIX": str(pycache),
        "PYTHONUNBUFFERED": "1",          # lines arrive when they are printed
        "HPCSHARE_AZURE_POLLING": polling,
        # stdout is a pipe, so hpcshare will not print generated passwords: give it throw-away ones.
        "HPCSHARE_ADMIN_PASSWORD": "Bm1!" + secrets.token_urlsafe(18),
        "HPCSHARE_SHARE_PASSWORD": "Bs1!" + secrets.token_urlsafe(18),
    })
    if log is not None:
        env["HPCSHARE_STANDIN_LOG"] = str(log)
    return env


def run_hpcshare(answers: Path, work: Path, env: dict[str, str], timeout: float = 300.0) -> dict[str, Any]:
    """One ``hpcshare run --demo --yes`` process: wall time, exit code, peak RSS, time-stamped lines."""
    cmd = [sys.executable, "-m", "wizard", "run", "--demo", "--answers", str(answers), "--yes",
           "--out", str(work / "out")]
    lines: list[tuple[float, str]] = []
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=work, env=env,
                            text=True, bufsize=1)
    timer = threading.Timer(timeout, proc.kill)
    timer.start()
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append((time.monotonic() - t0, line.rstrip("\n")))
        _, status, usage = os.wait4(proc.pid, 0)     # this child's own rusage, not all children's
        wall = time.monotonic() - t0
    finally:
        timer.cancel()
    proc.returncode = os.waitstatus_to_exitcode(status)
    return {"wall": wall, "code": proc.returncode, "maxrss_kib": usage.ru_maxrss, "lines": lines,
            "cpu_s": usage.ru_utime + usage.ru_stime}


def plan_and_latency(answers: Path, scale: float, home: Path) -> tuple[Any, Any]:
    os.environ["HPCSHARE_HOME"] = str(home)          # Session reads it; nothing is written there
    sys.path.insert(0, str(REPO))
    from wizard.session import Session
    from wizard.standin.latency import Latency

    session = Session(answers.stem, demo=True, answers_file=answers)
    return session.plan(), Latency("realistic", scale)


def step_operations(plan: Any) -> dict[str, tuple[tuple[str, str], ...]]:
    transport = plan.answers.remote.transport
    ops: dict[str, tuple[tuple[str, str], ...]] = {}
    for step in plan.steps:
        if step.remote:
            if transport not in REMOTE_OPERATIONS:
                raise SystemExit(f"remote.transport={transport}: the demo stand-in serves Run Command only")
            ops[step.id] = REMOTE_OPERATIONS[transport]
        else:
            ops[step.id] = STEP_OPERATIONS[step.id]
    return ops


def critical_path(plan: Any, weight: dict[str, float]) -> tuple[float, list[str]]:
    """Longest weighted chain through the DAG (plan order is a topological order)."""
    finish: dict[str, float] = {}
    via: dict[str, str | None] = {}
    for step in plan.steps:
        before = max(step.needs, key=lambda n: finish[n], default=None)
        finish[step.id] = (finish[before] if before else 0.0) + weight[step.id]
        via[step.id] = before
    end: str | None = max(finish, key=lambda s: finish[s])
    total = finish[end]
    chain: list[str] = []
    while end is not None:
        chain.append(end)
        end = via[end]
    return total, chain[::-1]


def started_operations(log_lines: list[str]) -> Counter[tuple[str, str]]:
    """(kind, verb) of every long-running operation the stand-in accepted, from its request log."""
    from wizard.standin.errors import ArmError
    from wizard.standin.routing import parse_route

    ops: Counter[tuple[str, str]] = Counter()
    for line in log_lines:
        method, path, status = line.rsplit(" ", 2) if line.count(" ") >= 2 else (line, "", "0")
        if method == "GET" or not status.startswith("2"):
            continue
        try:
            route = parse_route(path)
        except ArmError:
            continue
        if route.target == "resource-group" and method == "PUT":
            continue                      # synchronous
        if route.kind and route.target in ("resource", "child", "action", "resource-group"):
            ops[(route.kind, method.lower())] += 1
    return ops


def remote_calls(log_lines: list[str]) -> int:
    n = 0
    for line in log_lines:
        method, path = line.split(" ", 2)[:2]
        low = path.lower()
        if method == "PUT" and re.search(r"/virtualmachines/[^/]+/runcommands/[^/]+$", low):
            n += 1
        elif method == "POST" and low.endswith("/runcommand"):
            n += 1
    return n


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=0.5,
                    help="HPCSHARE_STANDIN_SCALE for the realistic profile (default 0.5: a 60 s critical "
                         "path; about 3 minutes for both runs)")
    ap.add_argument("--answers", type=Path, default=REPO / "examples" / "myfileserver.toml",
                    help="answers file (default examples/myfileserver.toml)")
    args = ap.parse_args(argv)
    started = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="hpcshare-bench-provision-"))
    try:
        return measure(args, work, started)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def measured_run(answers: Path, work: Path, pycache: Path, scale: float, polling: str) -> dict[str, Any]:
    """One measured run: the child's figures plus its request log."""
    run_dir = work / f"run-{polling}"
    run_dir.mkdir()
    log = run_dir / "requests.log"
    r = run_hpcshare(answers, run_dir, child_env(run_dir / "home", pycache, latency="realistic", scale=scale,
                                                 log=log, polling=polling))
    r["log_lines"] = log.read_text().splitlines() if log.exists() else []
    return r


def status_polls(log_lines: list[str]) -> int:
    # Status URLs: .../operations/{id} (network, compute), .../DiskOperations/{id}, .../operationResults/{id}.
    return sum(1 for ln in log_lines if ln.startswith("GET ") and re.search(r"operations/|operationresults/", ln.lower()))


def measure(args: argparse.Namespace, work: Path, started: float) -> int:
    answers = work / args.answers.name
    shutil.copyfile(args.answers, answers)           # the run may save to it; never touch the original
    pycache = work / "pycache"

    warm = work / "warm"
    warm.mkdir()
    w = run_hpcshare(answers, warm, child_env(warm / "home", pycache, latency="instant", scale=0, log=None))
    if w["code"] != 0:
        print("\n".join(t for _, t in w["lines"][-30:]))
        raise SystemExit(f"warm-up run failed (exit {w['code']})")
    print(f"warm-up (instant profile): {w['wall']:.1f}s", flush=True)

    r = measured_run(answers, work, pycache, args.scale, "prompt")
    print("hpcshare (polls every interval, whatever Retry-After says):")
    for t, text in r["lines"]:
        shown = PASSWORD.sub(r"\1***", text)        # demo passwords: still no reason to print them
        print(f"  {t:6.2f}s | {shown}")
    if r["code"] != 0:
        raise SystemExit(f"the run failed (exit {r['code']})")
    print("the same run with the SDK's default polling (Retry-After honoured)...", flush=True)
    d = measured_run(answers, work, pycache, args.scale, "sdk")
    if d["code"] != 0:
        print("\n".join(t for _, t in d["lines"][-30:]))
        raise SystemExit(f"the sdk-default run failed (exit {d['code']})")

    plan, latency = plan_and_latency(answers, args.scale, work / "plan-home")
    ops = step_operations(plan)
    weight = {s: sum(latency.duration(k, v) for k, v in ops[s] if (k, v) not in CLEANUP) for s in ops}
    cleanup = {s: sum(latency.duration(k, v) for k, v in ops[s] if (k, v) in CLEANUP) for s in ops}
    cp, chain = critical_path(plan, weight)
    cp_with_cleanup, _ = critical_path(plan, {s: weight[s] + cleanup[s] for s in ops})
    sequential = sum(weight.values())

    log_lines = r["log_lines"]
    remote = remote_calls(log_lines)
    expected_ops: Counter[tuple[str, str]] = Counter(op for s in ops for op in ops[s])
    seen_ops = started_operations(log_lines)
    polls = status_polls(log_lines)

    # Where the time went, from the time-stamped lines.
    running_at: dict[str, float] = {}
    done_at: dict[str, float] = {}
    step_elapsed: dict[str, float] = {}
    default_elapsed: dict[str, float] = {}
    run_s = None
    for t, text in r["lines"]:
        m = LINE.match(text)
        if m and not m["sub"]:
            if m["state"] == "running":
                running_at.setdefault(m["step"], t)
            elif m["state"] == "done":
                done_at[m["step"]] = t
                if m["elapsed"]:
                    step_elapsed[m["step"]] = float(m["elapsed"])
        done = re.match(r"Done in ([\d.]+)s\.", text)
        if done:
            run_s = float(done[1])
    for _, text in d["lines"]:
        m = LINE.match(text)
        if m and not m["sub"] and m["state"] == "done" and m["elapsed"]:
            default_elapsed[m["step"]] = float(m["elapsed"])
    first_running = min(running_at.values()) if running_at else 0.0
    last_done = max(done_at.values()) if done_at else r["wall"]
    wall = r["wall"]
    ratio = wall / cp
    default_ratio = d["wall"] / cp
    default_polls = status_polls(d["log_lines"])
    rss_mib = r["maxrss_kib"] / 1024

    print()
    print(f"plan: {len(plan.steps)} steps; realistic profile x{args.scale:g} with Azure's Retry-After; "
          f"transport {plan.answers.remote.transport}")
    print(f"{'step':<19}{'after':<27}{'Azure needs':>12}{'cleanup':>9}{'took':>9}{'overhead':>10}{'sdk-default':>13}")
    for s in plan.steps:
        took = step_elapsed.get(s.id)
        over = f"{took - weight[s.id]:+.2f}s" if took is not None else ""
        mark = " *" if s.id in chain else ""
        dflt = default_elapsed.get(s.id)
        print(f"{s.id + mark:<19}{','.join(s.needs) or '-':<27}{weight[s.id]:>11.2f}s"
              f"{(f'{cleanup[s.id]:.2f}s' if cleanup[s.id] else ''):>9}"
              f"{(f'{took:.2f}s' if took is not None else '-'):>9}{over:>10}"
              f"{(f'{dflt:.2f}s' if dflt is not None else '-'):>13}")
    print("(* on the critical path; cleanup: the Run Command DELETE after the call, not needed by any step;")
    print(" sdk-default: the step's time in the run with the SDK's default polling)")
    print(f"critical path   {cp:6.2f}s  {' -> '.join(chain)}")
    print(f"  the same with the cleanup deletes waited for: {cp_with_cleanup:.2f}s")
    print(f"sequential sum  {sequential:6.2f}s")
    print(f"wall time       {wall:6.2f}s  (process start to exit; the runner itself reported {run_s}s)")
    print(f"  start-up (process start -> first step running): {first_running:.2f}s")
    print(f"  steps on the critical path, time over their operations: "
          f"{sum(step_elapsed.get(s, 0) - weight[s] for s in chain):.2f}s")
    print(f"  exit (last step done -> process exit): {wall - last_done:.2f}s")
    print(f"ratio wall / critical path: hpcshare {ratio:.3f} (target <= {TARGET_RATIO}: "
          f"{'OK' if ratio <= TARGET_RATIO else 'OVER TARGET'}); "
          f"SDK default polling {default_ratio:.3f} ({d['wall']:.2f}s)")
    print(f"status polls: hpcshare {polls}, SDK default {default_polls}")
    print(f"remote round trips: {remote} (target <= {REMOTE_LIMIT}); requests: {len(log_lines)}")
    print(f"peak RSS of the run process: {rss_mib:.1f} MiB (target <= {RSS_LIMIT_MIB}); CPU {r['cpu_s']:.1f}s")
    if seen_ops != expected_ops:
        print(f"WARNING: operations started differ from STEP_OPERATIONS: started {dict(seen_ops)}, "
              f"expected {dict(expected_ops)}; the critical path above may be off")
    print(f"benchmark took {time.monotonic() - started:.0f}s")
    print(json.dumps({
        "wall_s": round(wall, 2),
        "critical_path_s": round(cp, 2),
        "critical_path_with_cleanup_s": round(cp_with_cleanup, 2),
        "sequential_s": round(sequential, 2),
        "wall_ratio": round(ratio, 3),
        "wall_ratio_with_cleanup": round(wall / cp_with_cleanup, 3),
        "sdk_default_wall_s": round(d["wall"], 2),
        "sdk_default_ratio": round(default_ratio, 3),
        "runner_s": run_s,
        "startup_s": round(first_running, 2),
        "exit_s": round(wall - last_done, 2),
        "remote_calls": remote,
        "requests": len(log_lines),
        "status_polls": polls,
        "sdk_default_status_polls": default_polls,
        "peak_rss_mib": round(rss_mib, 1),
        "cpu_s": round(r["cpu_s"], 2),
        "scale": args.scale,
        "retry_after": True,
        "operations_match_table": seen_ops == expected_ops,
        "meets_target": ratio <= TARGET_RATIO and remote <= REMOTE_LIMIT and rss_mib <= RSS_LIMIT_MIB,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
