"""The steps x faults matrix of the fault campaign: its rows, columns, acceptable outcomes, and
how it is written down (one JSON file per cell, rendered as a text table).

Cells are computed by separate test cases (so xdist can spread them over the cores) and each
writes ``cell-<step>--<fault>.json`` into a folder shared by all workers; ``render_matrix_dir``
turns whatever cells exist into the table ("?" for a cell that has not run, or whose test was
deselected)."""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

# Every step of a full plan with a public IP (smb_source a CIDR, so the plan also has `probe`).
STEPS = ("resource-group", "network", "nsg", "public-ip", "nic", "data-disk", "vm", "configure-server",
         "self-test", "probe", "artifacts")
# The Azure Files backend's own steps (its plan's resource group and network are the rows above).
FILES_STEPS = ("storage-account", "file-share", "private-endpoint", "files-dns")
ROWS = (*STEPS, *FILES_STEPS)
# The stand-in fault KIND each step's write goes to (steps without one are not faultable here:
# `probe` is skipped in demo mode, `artifacts` writes local files only).
KIND = {"resource-group": "resourcegroup", "network": "vnet", "nsg": "nsg", "public-ip": "publicip",
        "nic": "nic", "data-disk": "disk", "vm": "vm", "configure-server": "runcommand",
        "self-test": "runcommand",
        # the account PUT, the share PUT, the endpoint PUT, the zone PUT (the step's first write)
        "storage-account": "storageaccount", "file-share": "fileshare", "private-endpoint": "privateendpoint",
        "files-dns": "privatednszone"}
# Synchronous PUTs: there is no operation for lro-fail to fail.
SYNC_PUT = ("resourcegroup", "fileshare")
REMOTE = ("configure-server", "self-test")
# A sub-step of each remote step's own script (the substep fault only fires in the script that has it).
SUBSTEP = {"configure-server": "share", "self-test": "write"}

TRANSIENT = ("429", "500", "drop")
PERMANENT = ("500*inf", "lro-fail", "substep")
KILLS = ("kill", "kill-mid")
FAULTS = (*TRANSIENT, *PERMANENT, *KILLS)
# kill-mid: SIGKILL this long after "[running] <step>", i.e. about 40 % into the step's long-running
# operation at realistic latency x0.05 (VM 52 s -> 2.6 s, run command 30 s -> 1.5 s, VNet 5 s ->
# 0.25 s, NSG 4 s, public IP / NIC / disk 3 s). A resource group PUT is synchronous: n/a.
KILL_SCALE = 0.05
MID_DELAY = {"network": 0.1, "nsg": 0.08, "public-ip": 0.06, "nic": 0.06, "data-disk": 0.06, "vm": 1.0,
             "configure-server": 0.6, "self-test": 0.6}

ACCEPTABLE = {
    **{f: {"retried-ok", "failed-then-resumed"} for f in TRANSIENT},
    **{f: {"failed-then-resumed"} for f in PERMANENT},
    "kill": {"killed-then-resumed"},
    "kill-mid": {"killed-then-resumed"},
}


def spec_for(step: str, fault: str) -> str | None:
    """The HPCSHARE_STANDIN_FAULTS entry for one cell, or None when the cell is n/a."""
    kind = KIND.get(step)
    if kind is None or fault in KILLS:
        return None
    if fault == "substep":
        return f"{kind}.put=substep:{SUBSTEP[step]}" if step in REMOTE else None
    if fault == "lro-fail" and kind in SYNC_PUT:
        return None          # a synchronous PUT: there is no operation to fail
    return f"{kind}.put={fault}"


def applicable(step: str, fault: str) -> bool:
    if fault == "kill":
        return step in KIND and step not in FILES_STEPS   # the kill column runs the VM plan (slow cells)
    if fault == "kill-mid":
        return step in MID_DELAY
    return spec_for(step, fault) is not None


def cells() -> list[tuple[str, str]]:
    return [(s, f) for s in ROWS for f in FAULTS]


def acceptable(fault: str, outcome: str) -> bool:
    return outcome == "n/a" or outcome in ACCEPTABLE[fault]


def write_cell(folder: Path, step: str, fault: str, outcome: str, detail: str = "") -> Path:
    """Atomically write one cell (several workers write into the same folder)."""
    safe = fault.replace("*", "x")
    target = folder / f"cell-{step}--{safe}.json"
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".cell-", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump({"step": step, "fault": fault, "outcome": outcome, "detail": detail}, fh)
    os.replace(tmp, target)
    return target


def read_cells(folder: Path) -> dict[tuple[str, str], dict[str, str]]:
    out = {}
    for p in sorted(folder.glob("cell-*.json")):
        try:
            c = json.loads(p.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        out[(c["step"], c["fault"])] = c
    return out


def render(cells_: dict[tuple[str, str], dict[str, str]]) -> str:
    width = max(len(s) for s in ROWS)
    col = max(len("failed-then-resumed"), *(len(f) for f in FAULTS))
    head = f"{'step':<{width}} | " + " | ".join(f"{f:<{col}}" for f in FAULTS)
    lines = [head, "-" * len(head)]
    bad = []
    for s in ROWS:
        row = []
        for f in FAULTS:
            c = cells_.get((s, f))
            outcome = c["outcome"] if c else ("n/a" if not applicable(s, f) else "?")
            mark = "" if outcome == "?" or acceptable(f, outcome) else "!"
            if mark:
                bad.append(f"  ! {s} x {f}: {outcome}: {c.get('detail', '') if c else ''}")
            row.append(f"{(mark + outcome)[:col]:<{col}}")
        lines.append(f"{s:<{width}} | " + " | ".join(row))
    lines.append("")
    lines.append("transient = 429 (Retry-After: 1), 500 once, dropped connection once; permanent = 500*inf, "
                 "lro-fail, failed sub-step; kill = SIGKILL at '[running] <step>', kill-mid = SIGKILL about 40 % into "
                 "the step's operation; both then resume in-process.")
    lines.append("Each fault is armed when its step starts running, so self-test's faults hit the second "
                 "runcommand.put.  '!' marks an unacceptable outcome, '?' a cell that did not run.")
    if bad:
        lines.append("Unacceptable cells:")
        lines += bad
    return "\n".join(lines)


def render_matrix_dir(folder: Path) -> str:
    return render(read_cells(folder))
