"""Golden and static checks of the shipped PowerShell (no Windows here: the text is what is tested).

The scripts are sent assembled (wizard/remote/scripts.py splices assets/powershell/prologue.ps1 into
each), and the assembled text is a golden file in tests/remote/golden/: a change to a script or the
prologue shows up here as a diff to review. Regenerate on purpose with
    HPCSHARE_UPDATE_GOLDEN=1 .venv/bin/pytest -n 0 tests/remote/test_scripts.py
The cmdlet/parameter gate and the grammar parse are in test_cmdlet_gate.py.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from wizard.paths import asset_text
from wizard.remote.config import PATTERNS
from wizard.remote.protocol import RESULT_PREFIX, SCRIPT_MARKER, SUBSTEPS, script_name
from wizard.remote.scripts import PROLOGUE_BEGIN, PROLOGUE_END, PROLOGUE_SLOT, SCRIPT_FILES, assemble, load_script
from wizard.remote.winrm_shell import ARGUMENTS, BOOTSTRAP

GOLDEN_DIR = Path(__file__).parent / "golden"
UPDATE = os.environ.get("HPCSHARE_UPDATE_GOLDEN") == "1"

NAMES = sorted(SCRIPT_FILES)
COMMON_BEGIN = PROLOGUE_BEGIN
COMMON_END = PROLOGUE_END

FORBIDDEN = [
    r"invoke-expression", r"\biex\b", r"icacls", r"\bnet(\.exe)?\s+(user|use|localgroup|share)\b", r"cmd(\.exe)?\s*/c",
    r"\bcmd\.exe\b", r"start-process", r"\[scriptblock\]::create", r"-encodedcommand", r"invokecommand",
    r"write-host", r"\bwinrm(\.cmd)?\s", r"\bnetsh\b", r"\bwmic\b", r"add-type\s+-typedefinition", r"\bdiskpart\b",
    r"get-localgroupmember",      # throws on orphaned SIDs (PowerShell #2996)
]


def common_block(text: str) -> str:
    return text[text.index(COMMON_BEGIN):text.index(COMMON_END) + len(COMMON_END)]


def code_lines(text: str) -> list[str]:
    return [ln for ln in text.splitlines() if not ln.lstrip().startswith("#")]


@pytest.mark.parametrize("name", NAMES)
def test_golden_assembled_script(name: str) -> None:
    """What is sent to the server, byte for byte, is the reviewed golden file."""
    text = load_script(name)
    path = GOLDEN_DIR / f"{name}.ps1"
    if UPDATE:
        GOLDEN_DIR.mkdir(exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
    assert path.exists(), f"no golden file {path}; run with HPCSHARE_UPDATE_GOLDEN=1 to create it"
    assert text == path.read_bytes().decode("utf-8"), (
        f"the assembled {name} differs from {path}: review the diff, then regenerate with HPCSHARE_UPDATE_GOLDEN=1")


@pytest.mark.parametrize("name", NAMES)
def test_prologue_spliced_once_at_its_slot(name: str) -> None:
    source = asset_text(SCRIPT_FILES[name])
    assert source.count(PROLOGUE_SLOT) == 1 and PROLOGUE_BEGIN not in source, "the prologue lives in prologue.ps1 only"
    text = load_script(name)
    assert PROLOGUE_SLOT not in text
    assert text.count(PROLOGUE_BEGIN) == 1 and text.count(PROLOGUE_END) == 1
    before, after = source.split(PROLOGUE_SLOT)
    assert text.startswith(before) and text.endswith(after)


def test_assemble_refuses_a_missing_or_doubled_slot() -> None:
    with pytest.raises(RuntimeError, match="exactly one"):
        assemble("# hpcshare-script: x\nparam()\n", "x.ps1")
    with pytest.raises(RuntimeError, match="exactly one"):
        assemble(PROLOGUE_SLOT * 2, "x.ps1")


@pytest.mark.parametrize("name", NAMES)
def test_marker_first_line_and_param_block(name: str) -> None:
    text = load_script(name)
    assert text.splitlines()[0] == SCRIPT_MARKER + name
    assert script_name(text) == name
    # param(...) is the first statement (comments may precede it) and declares exactly the two parameters.
    first = next(ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#"))
    assert first == "param("
    block = text[text.index("param("):text.index(")\n", text.index("param("))]
    assert re.findall(r"\$(\w+)", block) == ["ConfigB64", "SecretB64"]


@pytest.mark.parametrize("name", NAMES)
def test_text_is_plain_ascii_with_lf(name: str) -> None:
    raw = load_script(name).encode("utf-8")
    assert all(b < 128 for b in raw), "Windows PowerShell 5.1 reads BOM-less files as ANSI: keep scripts ASCII"
    assert b"\r" not in raw and b"\t" not in raw and raw.endswith(b"\n")


@pytest.mark.parametrize("name", NAMES)
def test_nothing_dangerous(name: str) -> None:
    code = "\n".join(code_lines(load_script(name))).lower()
    for pattern in FORBIDDEN:
        assert re.search(pattern, code) is None, f"{name}: forbidden construct {pattern!r}"


@pytest.mark.parametrize("name", NAMES)
def test_strict_mode_and_preferences(name: str) -> None:
    text = load_script(name)
    for line in ("Set-StrictMode -Version 3", "$ErrorActionPreference = 'Stop'",
                 "$ProgressPreference = 'SilentlyContinue'", "$ConfirmPreference = 'None'"):
        assert f"\n{line}\n" in common_block(text), line
    # They come before anything else runs.
    assert text.index("Set-StrictMode") < text.index("Invoke-HpcSubStep '")


@pytest.mark.parametrize("name", NAMES)
def test_one_result_line_per_substep_in_order(name: str) -> None:
    text = load_script(name)
    calls = re.findall(r"^\s*Invoke-HpcSubStep '([a-z-]+)' \{$", text, flags=re.M)
    assert tuple(calls) == SUBSTEPS[name]
    # The only place that prints a result line is Write-HpcResult, called once per branch of
    # Invoke-HpcSubStep (skipped / start failure / result / caught failure): one line per sub-step.
    assert text.count(f"'{RESULT_PREFIX}'") == 1
    assert re.search(r"Write-Output \('HPCSHARE_RESULT ' \+", text)
    invoke = text[text.index("function Invoke-HpcSubStep"):text.index("# base64(UTF-8 JSON object)")]
    assert invoke.count("Write-HpcResult") == 4
    assert invoke.count("return") == 2          # after the skipped and start-failure lines
    assert text.count("Write-HpcResult") == 5   # the definition + those four
    assert text.rstrip().endswith("if ($script:HpcFailed) { exit 1 }\nexit 0")


def test_prologue_is_the_one_shared_block() -> None:
    blocks = {name: common_block(load_script(name)) for name in NAMES}
    assert all(b == blocks[NAMES[0]] for b in blocks.values())
    assert "function Invoke-HpcSubStep" in blocks[NAMES[0]] and "function ConvertFrom-HpcParam" in blocks[NAMES[0]]
    assert all(b < 128 for b in asset_text("powershell/prologue.ps1").encode("utf-8"))


@pytest.mark.parametrize("name", NAMES)
def test_prompting_cmdlets_are_forced(name: str) -> None:
    """A prompt hangs Run Command for 90 minutes: every cmdlet that can ask must be told not to."""
    code = code_lines(load_script(name))
    need_force = ("Set-SmbShare", "Grant-SmbShareAccess", "Revoke-SmbShareAccess", "Unblock-SmbShareAccess",
                  "Set-SmbServerConfiguration", "Format-Volume", "Remove-SmbMapping", "Remove-Item",
                  "Remove-PSDrive", "ConvertTo-SecureString")
    need_confirm = ("Initialize-Disk", "Format-Volume", "Remove-NetFirewallRule")
    for line in code:
        line = re.sub(r"'[^']*'", "''", line)      # not inside messages
        for cmd in need_force:
            if re.search(rf"\b{cmd}\b", line):
                assert "-Force" in line, f"{cmd} without -Force: {line.strip()}"
        for cmd in need_confirm:
            if re.search(rf"\b{cmd}\b", line):
                assert "-Confirm:$false" in line, f"{cmd} without -Confirm:$false: {line.strip()}"


@pytest.mark.parametrize("name", NAMES)
def test_secret_used_only_in_known_places(name: str) -> None:
    allowed = (
        r"^\$Sec = \$null$",
        r"\$Sec = ConvertFrom-HpcParam 'SecretB64' \$SecretB64",
        r"Assert-HpcKeys \$Sec 'SecretB64'",
        r"^\s*if \(@\(\$Sec\.PSObject\.Properties\)\.Count -ne 0\) \{ throw 'parameter -SecretB64 must be an empty object",
        r"if \(\$Sec\.share_password -isnot \[string\]",
        r"\$script:HpcSecrets = @\(\$Sec\.share_password\)",
        r"\$plain = \[string\]\$Sec\.share_password",
        r"ConvertTo-SecureString -String \(\[string\]\$Sec\.share_password\) -AsPlainText -Force",
        # reset-admin-password: the same three uses, of the admin password.
        r"if \(\$Sec\.admin_password -isnot \[string\]",
        r"\$script:HpcSecrets = @\(\$Sec\.admin_password\)",
        r"ConvertTo-SecureString -String \(\[string\]\$Sec\.admin_password\) -AsPlainText -Force",
    )
    for line in code_lines(load_script(name)):
        if re.search(r"\$Sec\b", line):
            assert any(re.search(p, line) for p in allowed), f"unexpected use of the secret: {line.strip()}"
        if "$SecretB64" in line:
            assert re.search(r"\[string\]\$SecretB64 = ''|ConvertFrom-HpcParam 'SecretB64' \$SecretB64", line), line
    # The plain password only ever goes to ConvertTo-SecureString and the network-logon check.
    for line in code_lines(load_script(name)):
        if re.search(r"\$plain\b", line, flags=re.I):
            assert re.search(r"\$plain = |ConvertTo-SecureString -String \$plain|Test-HpcLocalPassword \$name \$plain"
                             r"|LogonUser\(\$Name, '\.', \$Plain, 3, 0, \[ref\]\$token\)|\[string\]\$Plain\)", line), line


def test_password_check_is_a_network_logon_not_an_smb_bind() -> None:
    """ValidateCredentials binds WinNT:// over SMB from SYSTEM's shared logon session (error 1219)."""
    text = load_script("configure-server")
    code = "\n".join(code_lines(text))
    assert "ValidateCredentials" not in code and "PrincipalContext" not in code and "DirectoryServices" not in code
    # LOGON32_LOGON_NETWORK = 3, LOGON32_PROVIDER_DEFAULT = 0; ERROR_LOGON_FAILURE = 1326.
    assert "LogonUser($Name, '.', $Plain, 3, 0, [ref]$token)" in code
    assert "if ($code -eq 1326) { return 'differs' }" in code
    # The one Add-Type: a constant member definition (P/Invoke), no user value in it.
    adds = [ln for ln in code.splitlines() if "Add-Type" in ln]
    assert len(adds) == 1 and re.search(r"-MemberDefinition '[^'$]*' \} catch \{", adds[0].strip()), adds


@pytest.mark.parametrize("name", NAMES)
def test_script_allow_lists_match_python(name: str) -> None:
    """The script refuses exactly what config.PATTERNS refuses (same regex, .NET anchors)."""
    found = dict(re.findall(r"Assert-HpcMatch '(\w+)' \$[\w.]+ '([^']*)'", load_script(name)))
    assert found, "no allow-list checks found"
    for key, pattern in found.items():
        assert pattern == r"\A" + PATTERNS[key].replace("$", r"\z") + r"\z", key


def test_winrm_bootstrap_is_constant_and_plain() -> None:
    code = BOOTSTRAP.lower()
    for pattern in FORBIDDEN:
        assert re.search(pattern, code) is None, pattern
    assert ARGUMENTS[:6] == ("-NoLogo", "-NoProfile", "-NonInteractive", "-ExecutionPolicy", "Bypass", "-EncodedCommand")
    assert all(b < 128 for b in BOOTSTRAP.encode())
    # It passes the values as parameter values of a script file, never as code.
    assert "& $hpcFile -ConfigB64 $hpcConfig -SecretB64 $hpcSecret" in BOOTSTRAP
    assert len(" ".join(ARGUMENTS)) < 8000     # cmd.exe's command-line limit
