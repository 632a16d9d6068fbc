"""hpcshare nodes-report: clusrun's saved output of check-share.cmd, parsed per node; the CLI
(run as a subprocess) names each failing node with its fix and exits 1, 0 when all passed, 2
for a file it cannot read."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from wizard.nodes_report import (
    FIX_BY_CHECK, FIX_BY_CODE, FIX_CUT_OFF, FIX_NO_ANSWER, FIX_NO_ENV, parse, read_report,
)

BAR = "-" * 26


def header(node: str, code: int) -> str:
    return f"{BAR} {node} returns {code} {BAR}"


def passing(node: str, ip: str = "10.0.0.4") -> list[str]:
    return [
        f"hpcshare-check {node} resolve ok 0 myfileserver is {ip}",
        f"hpcshare-check {node} port445 ok 0 TCP 445 on {ip} answers",
        f"hpcshare-check {node} connect ok 0 \\\\myfileserver\\MyShare as myfileserver\\hpcshareuser",
        f"hpcshare-check {node} write ok 0 \\\\myfileserver\\MyShare\\hpcshare-check\\{node}\\check-123.txt",
        f"hpcshare-check {node} read ok 0 read back what was written",
        f"hpcshare-check {node} delete ok 0 removed the file and this node's folder",
        f"hpcshare-check {node} disconnect ok 0 the connection to \\\\myfileserver\\MyShare is removed",
        f"hpcshare-check {node} done ok 0 every check passed",
    ]


def failing(node: str, check: str, code: int) -> list[str]:
    order = ["resolve", "port445", "connect", "write", "read", "delete"]
    lines = [ln for ln in passing(node) if ln.split()[2] in order[:order.index(check)]]
    lines.append(f"hpcshare-check {node} {check} fail {code} the {check} check failed")
    if order.index(check) >= 3:      # connected: the script always disconnects
        lines.append(f"hpcshare-check {node} disconnect ok 0 the connection to \\\\myfileserver\\MyShare is removed")
    lines.append(f"hpcshare-check {node} done fail {code} a check failed")
    return lines


def clusrun(blocks: list[tuple[str, int, list[str]]], *, ok: int, failed: int) -> str:
    out = []
    for node, code, lines in blocks:
        out.append(header(node, code))
        out.extend(lines)
        out.append("")
    out += [f"{BAR} Summary {BAR}", f"{ok} Nodes succeeded", f"{failed} Nodes failed"]
    return "\r\n".join(out) + "\r\n"


ALL_PASS = clusrun([(f"AZNODE{i:03d}", 0, passing(f"AZNODE{i:03d}")) for i in range(1, 4)], ok=3, failed=0)

MIX = clusrun([
    ("NODE01", 0, passing("NODE01")),
    ("NODE02", 11001, failing("NODE02", "resolve", 11001)),
    ("NODE03", 121, failing("NODE03", "port445", 121)),
    ("NODE04", 1326, failing("NODE04", "connect", 1326)),
    ("NODE05", 5, failing("NODE05", "write", 5)),
    ("NODE06", 1219, failing("NODE06", "connect", 1219)),
    ("NODE07", 53, failing("NODE07", "connect", 53)),
    ("NODE08", 64, failing("NODE08", "read", 64)),
    ("NODE09", 67, failing("NODE09", "connect", 67)),
    ("NODE10", 53, failing("NODE10", "resolve", 53)),
    # Did not answer: clusrun's header and no check line (here: an error of its own).
    ("NODE11", -1, ["The node NODE11 is unreachable."]),
], ok=1, failed=10)


def test_all_nodes_passing() -> None:
    report = parse(ALL_PASS)
    assert [n.node for n in report.nodes] == ["AZNODE001", "AZNODE002", "AZNODE003"]
    assert all(n.status == "passed" for n in report.nodes) and report.all_passed
    assert report.clusrun_summary == {"succeeded": 3, "failed": 0}


def test_a_mix_of_failures() -> None:
    report = parse(MIX)
    got = {n.node: (n.status, n.check, n.code, n.fix) for n in report.nodes}
    assert got["NODE01"] == ("passed", "", None, "")
    assert got["NODE02"] == ("failed", "resolve", 11001, FIX_BY_CHECK["resolve"])
    assert got["NODE03"] == ("failed", "port445", 121, FIX_BY_CHECK["port445"])
    assert got["NODE04"] == ("failed", "connect", 1326, FIX_BY_CODE[1326])
    assert got["NODE05"] == ("failed", "write", 5, FIX_BY_CODE[5])
    assert got["NODE06"] == ("failed", "connect", 1219, FIX_BY_CODE[1219])
    assert got["NODE07"] == ("failed", "connect", 53, FIX_BY_CODE[53])
    assert got["NODE08"] == ("failed", "read", 64, FIX_BY_CODE[64])
    assert got["NODE09"] == ("failed", "connect", 67, FIX_BY_CODE[67])
    assert got["NODE10"][:3] == ("failed", "resolve", 53) and "stale" in got["NODE10"][3]
    assert got["NODE11"] == ("no answer", "", -1, FIX_NO_ANSWER)
    assert report.nodes[-1].detail == ("no hpcshare-check line; clusrun: exit code -1; "
                                       "the node printed: The node NODE11 is unreachable.")
    assert (report.passed, report.failed, report.all_passed) == (1, 10, False)
    # The fixes the brief names, each in words an admin acts on.
    assert "firewall scope" in FIX_BY_CODE[53] and "credential" in FIX_BY_CODE[1326]
    assert "NTFS or share permission" in FIX_BY_CODE[5] and "another user" in FIX_BY_CODE[1219]
    assert "timeout" in FIX_BY_CODE[64] and "timeout" in FIX_BY_CODE[121]


def test_output_cut_off_mid_line() -> None:
    text = clusrun([("NODE01", 0, passing("NODE01"))], ok=1, failed=0)
    text += header("NODE02", 0) + "\r\n" + "\r\n".join(passing("NODE02")[:3]) + "\r\nhpcshare-check NODE02 wri"
    report = parse(text)
    cut = report.nodes[1]
    assert (cut.node, cut.status, cut.fix) == ("NODE02", "cut off", FIX_CUT_OFF)
    assert "connect ok" in cut.detail
    assert not report.all_passed
    # Cut right after the header: the node printed nothing yet.
    assert parse(header("NODE03", 0) + "\r\n").nodes[0].status == "no answer"
    # Cut inside a node's first line: no complete line, but the node is known and not passed.
    only = parse(header("NODE04", 0) + "\r\nhpcshare-check NODE04 reso")
    assert (only.nodes[0].status, only.nodes[0].detail) == ("cut off", "no complete line")
    assert not only.all_passed


def test_interleaved_prefix_and_job_output_without_headers() -> None:
    text = "\n".join(f"NODE01: {ln}" for ln in passing("NODE01")) + "\n" + "\n".join(failing("NODE02", "connect", 1326))
    report = parse(text)
    assert [(n.node, n.status, n.code) for n in report.nodes] == [("NODE01", "passed", None), ("NODE02", "failed", 1326)]


def test_node_names_match_across_case_and_utf16() -> None:
    text = header("node01", 0) + "\r\n" + "\r\n".join(passing("NODE01")) + "\r\n"
    assert [(n.node, n.status) for n in parse(text).nodes] == [("node01", "passed")]


def test_utf16_file(tmp_path: Path) -> None:
    path = tmp_path / "out.txt"
    path.write_bytes(b"\xff\xfe" + MIX.encode("utf-16-le"))
    assert read_report(path).failed == 10


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HPCSHARE_HOME": os.environ.get("HPCSHARE_HOME", "/nonexistent-hpcshare-home")}
    return subprocess.run([sys.executable, "-m", "wizard", *args], capture_output=True, text=True, env=env,
                          timeout=120)


def test_cli_names_each_failing_node_with_its_fix(tmp_path: Path) -> None:
    path = tmp_path / "check-share-output.txt"
    path.write_bytes(MIX.encode("ascii"))
    proc = _cli("nodes-report", str(path))
    assert proc.returncode == 1, proc.stderr
    lines = proc.stdout.splitlines()
    for node, fix in [("NODE02", FIX_BY_CHECK["resolve"]), ("NODE04", FIX_BY_CODE[1326]), ("NODE05", FIX_BY_CODE[5]),
                      ("NODE06", FIX_BY_CODE[1219]), ("NODE07", FIX_BY_CODE[53]), ("NODE08", FIX_BY_CODE[64]),
                      ("NODE03", FIX_BY_CHECK["port445"]), ("NODE11", FIX_NO_ANSWER)]:
        row = [ln for ln in lines if ln.startswith(node + " ")]
        assert len(row) == 1 and row[0].endswith(fix), (node, row)
    assert lines[-1] == "11 nodes: 1 passed, 10 failed (9 with a failing check, 1 did not answer)."
    assert "Traceback" not in proc.stderr


def test_cli_all_passed_and_json(tmp_path: Path) -> None:
    path = tmp_path / "ok.txt"
    path.write_text(ALL_PASS)
    proc = _cli("nodes-report", str(path))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[-1] == "3 nodes: 3 passed, 0 failed."
    mix = tmp_path / "mix.txt"
    mix.write_text(MIX)
    proc = _cli("nodes-report", str(mix), "--format", "json")
    assert proc.returncode == 1
    data = json.loads(proc.stdout)
    assert data["summary"] == {"nodes": 11, "passed": 1, "failed": 10, "all_passed": False}
    node04 = next(n for n in data["nodes"] if n["node"] == "NODE04")
    assert (node04["check"], node04["code"], node04["fix"]) == ("connect", 1326, FIX_BY_CODE[1326])


@pytest.mark.parametrize("kind", ["missing", "folder", "dangling-link"])
def test_cli_unreadable_file_exits_2(tmp_path: Path, kind: str) -> None:
    # (A mode-0 file is no test here: CI runs as root, which reads it anyway.)
    path = tmp_path / "out.txt"
    if kind == "folder":
        path.mkdir()
    elif kind == "dangling-link":
        path.symlink_to(tmp_path / "gone.txt")
    proc = _cli("nodes-report", str(path))
    assert proc.returncode == 2
    assert proc.stderr.startswith(f"hpcshare: {path}: ") and "Traceback" not in proc.stderr


def test_cli_empty_file_is_not_a_pass(tmp_path: Path) -> None:
    path = tmp_path / "empty.txt"
    path.write_text("")
    proc = _cli("nodes-report", str(path))
    assert proc.returncode == 1
    assert "No node output found" in proc.stdout


def test_every_line_check_share_prints_is_understood() -> None:
    """The lines come from the generated check-share.cmd itself: each echo of a check line,
    expanded as cmd.exe would (batch model), parses to its node, check, status and code."""
    from tests.artifacts import cmdmodel
    from tests.artifacts.conftest import CASES
    from wizard.artifacts import render_artifacts

    for case in CASES.values():
        text = render_artifacts(case.answers, case.facts)["check-share.cmd"]
        env = {"HS_NODE": "AZNODE7", "HS_SERVER": "myfileserver", "HS_EXPECTED_IP": "10.0.0.4", "HS_IP": "10.0.0.9",
               "HS_UNC": "\\\\myfileserver\\MyShare", "HS_ACCOUNT": "myfileserver\\u", "HS_CODE": "1326",
               "HS_EXIT": "5", "HS_FILE": "\\\\myfileserver\\MyShare\\hpcshare-check\\AZNODE7\\check-1.txt"}
        echoes = [ln.split("echo ", 1)[1] for ln in text.split("\r\n")
                  if not ln.startswith("rem") and "echo hpcshare-check " in ln]
        assert len(echoes) >= 10
        for echo in echoes:
            printed = cmdmodel.delayed_phase(cmdmodel.percent_batch(echo, env), env)
            report = parse(f"{header('AZNODE7', 0)}\r\n{printed}\r\n")
            assert len(report.nodes) == 1 and report.nodes[0].node == "AZNODE7", printed
            words = printed.split()
            if words[2] == "done":
                continue
            result = report.nodes[0]
            if words[3] == "fail":
                assert (result.status, result.check, result.code) == ("failed", words[2], int(words[4])), printed
                assert result.fix
            else:
                assert result.status == "cut off", printed    # an ok line alone: no "done" line yet


def test_no_env_from_clusrun() -> None:
    node = parse(header("NODE01", 87) + "\r\n").nodes[0]
    assert (node.status, node.code, node.fix) == ("no answer", 87, FIX_NO_ENV)


def test_hpc_node_names_win_over_computer_names() -> None:
    """Azure nodes: HPC Pack calls them AzureCN-0001, their %COMPUTERNAME% is another name. The
    check lines belong to the clusrun header (or /interleaved prefix) they come under."""
    text = clusrun([("AzureCN-0001", 0, passing("RD0003FF4A1B2C")),
                    ("AzureCN-0002", 1326, failing("RD0003FF4A9999", "connect", 1326))], ok=1, failed=1)
    report = parse(text)
    assert [(n.node, n.status, n.code) for n in report.nodes] == [("AzureCN-0001", "passed", None),
                                                                  ("AzureCN-0002", "failed", 1326)]
    interleaved = "\n".join(f"AzureCN-0003: {ln}" for ln in passing("RD0003FF4A7777"))
    assert [(n.node, n.status) for n in parse(interleaved).nodes] == [("AzureCN-0003", "passed")]
