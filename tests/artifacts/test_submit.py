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
    assert f"$Prompt = 'Password of {v.server}\\{v.user} (share \\\\{v.server}\\{v.share})'\r\n" in text
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


def _files_texts() -> dict[str, str]:
    from tests.artifacts.conftest import SUB, make_answers
    from wizard.facts import ServerFacts

    answers = make_answers("af", share__backend="azure-files", share__name="jobs", files__account="hpcfilesab")
    facts = ServerFacts(server_name="hpcfilesab.file.core.windows.net", private_ip="10.0.0.20", subscription_id=SUB,
                        resource_group="rg-hpcshare", region="westeurope")
    return render_artifacts(answers, facts)


def test_azure_files_scripts_ask_for_the_storage_account_key() -> None:
    """Issue 18: with the Azure Files backend the credential is the account key, and every file
    that asks for it or speaks of it says so (the same templates, filled from Values.secret)."""
    texts = _files_texts()
    ps1, cmd, check = texts["submit-job.ps1"], texts["submit-job.cmd"], texts["check-share.cmd"]
    assert ("$Prompt = 'Storage account key of hpcfilesab (key1 or key2; share "
            "\\\\hpcfilesab.file.core.windows.net\\jobs)'\r\n") in ps1
    assert "Read-Host -AsSecureString -Prompt $Prompt" in ps1
    assert "The storage account key is asked for here (Read-Host -AsSecureString)" in ps1
    assert "throw 'The storage account key must have 1-127 characters.'" in ps1
    assert "echo job-template.xml holds no storage account key: submit-job.ps1 asks for it" in cmd
    assert "[Console]::Error.Write('Storage account key for ' + $env:HS_ACCOUNT + ': ')" in check
    assert 'set "HS_ACCOUNT=localhost\\hpcfilesab"' in check
    for name, text in (("submit-job.ps1", ps1), ("submit-job.cmd", cmd), ("check-share.cmd", check)):
        assert "share password" not in text.lower(), name
        assert "Password of" not in text, name


def test_the_two_backends_scripts_differ_only_in_what_the_credential_is() -> None:
    """One template: submit-job.ps1 for Azure Files is the VM's with the credential's name and
    prompt (and the profile) put in, not a copy that could drift."""
    vm = _texts(CASES["private-change"])["submit-job.ps1"].split("\r\n")
    files = _files_texts()["submit-job.ps1"].split("\r\n")
    assert len(vm) == len(files)
    differ = [(a, b) for a, b in zip(vm, files) if a != b]
    assert differ and all(("share password" in a and "storage account key" in b) or a.startswith("$Prompt = ")
                          or "--profile" in a or "profile demo" in a for a, b in differ), differ
