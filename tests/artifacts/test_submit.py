"""submit-job.ps1 and submit-job.cmd: values as single-quoted literals, the self-test vectors,
the cmdlets used, and no password anywhere. (PowerShell cannot run here: the .ps1 checks its
escaping port against the Python answers itself, before it contacts the cluster.)"""
from __future__ import annotations

import re

from tests.artifacts.conftest import CASES, Case
from wizard.artifacts import render_artifacts
from wizard.artifacts.escaping import PASSWORD_PLACEHOLDER, escape_netuse_password
from wizard.artifacts.safety import check_values
from wizard.artifacts.submit import SELF_TEST_INPUTS


def _texts(case: Case) -> dict[str, str]:
    return render_artifacts(case.answers, case.facts, embed_password=case.embed_password)


def _ps_literals(text: str) -> list[str]:
    return [m.replace("''", "'") for m in re.findall(r"'((?:[^']|'')*)'", text)]


def test_ps1_values_are_single_quoted(case: Case) -> None:
    v = check_values(case.answers, case.facts)
    text = _texts(case)["submit-job.ps1"]
    assert f"$Server = '{v.server}'\r\n" in text
    assert f"$Share = '{v.share}'\r\n" in text
    assert f"$ShareUser = '{v.user}'\r\n" in text
    assert f"$Placeholder = '{PASSWORD_PLACEHOLDER}'\r\n" in text
    assert text.isascii()
    assert "\n" not in text.replace("\r\n", "")


def test_ps1_self_test_matches_python(case: Case) -> None:
    text = _texts(case)["submit-job.ps1"].replace("\r\n", "\n")
    block = text.split("foreach ($case in @(\n", 1)[1].split("\n)) {", 1)[0]
    rows = [ln.strip().rstrip(",") for ln in block.split("\n")]
    assert len(rows) == len(SELF_TEST_INPUTS)
    for row, raw in zip(rows, SELF_TEST_INPUTS):
        assert row.startswith("@(") and row.endswith(")")
        assert _ps_literals(row) == [raw, escape_netuse_password(raw)]


def test_ps1_flow(case: Case) -> None:
    text = _texts(case)["submit-job.ps1"]
    for needle in ("[string]$Scheduler = $(if ($env:CCP_SCHEDULER)", "Add-PSSnapin Microsoft.HPC",
                   "Read-Host -AsSecureString", "SecureStringToBSTR", "ZeroFreeBSTR",
                   "New-HpcJob -JobFile $JobFile -Scheduler $Scheduler", "Get-HpcTask -Job $job",
                   "Set-HpcTask -Task $task -CommandLine $task.CommandLine.Replace($Placeholder, $escaped)",
                   "Submit-HpcJob -Job $job -Scheduler $Scheduler", "Stop-HpcJob -Job $job -Force",
                   "Import-Module Microsoft.Hpc", "$filled += ,@($task, $task.CommandLine)",
                   "Set-HpcTask -Task $pair[0] -CommandLine $pair[1]",
                   "$ErrorActionPreference = 'Stop'"):
        assert needle in text, needle
    # Nothing in the script writes a file (the password stays in memory).
    code = "\n".join(ln for ln in text.split("#>", 1)[1].split("\r\n") if not ln.lstrip().startswith("#"))
    for writer in ("Out-File", "Set-Content", "Add-Content", "WriteAllText", "WriteAllBytes", "Export-", " > ",
                   " >> ", "-replace", "Tee-Object"):
        assert writer not in code, writer


def test_cmd_hands_over_while_the_placeholder_is_there(case: Case) -> None:
    lines = _texts(case)["submit-job.cmd"].split("\r\n")
    assert f'findstr /L /C:"{PASSWORD_PLACEHOLDER}" "%JOBFILE%" >nul 2>&1' in lines
    assert "if not errorlevel 1 goto ask" in lines
    assert 'job submit "/jobfile:%JOBFILE%"' in lines
    assert 'job submit "/jobfile:%JOBFILE%" "/scheduler:%~1"' in lines
    assert 'powershell.exe -NoProfile -ExecutionPolicy Bypass -File "%~dp0submit-job.ps1"' in lines


def test_submit_files_hold_no_password() -> None:
    case = CASES["private-change-embedded"]
    texts = _texts(case)
    for name in ("submit-job.ps1", "submit-job.cmd"):
        assert case.embed_password not in texts[name]
        assert escape_netuse_password(case.embed_password) not in texts[name]
        assert texts[name] == _texts(CASES["private-change"])[name]  # the same with or without embedding


def test_ps1_loads_the_module_first_and_restores_the_placeholder_before_cancelling() -> None:
    text = _texts(CASES["private-change"])["submit-job.ps1"]
    assert text.index("Import-Module Microsoft.Hpc") < text.index("Add-PSSnapin Microsoft.HPC")
    catch = text.split("catch {", 1)[1].split("finally {", 1)[0]
    assert catch.index("Set-HpcTask -Task $pair[0] -CommandLine $pair[1]") < catch.index("Stop-HpcJob")
