"""check-share.cmd: the password reaches net.exe exactly (through the batch model in cmdmodel.py,
for the hostile-input corpus and random passwords), what clusrun carries is exactly the checks,
and the file's structure (labels, variables, comments, line lengths, the line format)."""
from __future__ import annotations

import base64
import random
import re
import string
import zlib

import pytest

from tests.artifacts import cmdmodel
from tests.artifacts.conftest import CASES, TRICKY_PASSWORD, Case
from tests.hardening.hostile import HOSTILE
from wizard.artifacts import render_artifacts
from wizard.artifacts.checkshare import (
    CHECK_NAMES, CLUSRUN_PS_LINES, DONE, LINE_PREFIX, node_payload, render_check_share,
)
from wizard.artifacts.safety import check_values

NAME = "check-share.cmd"


def _text(case: Case) -> str:
    return render_artifacts(case.answers, case.facts, embed_password=case.embed_password)[NAME]


def _lines(text: str) -> list[str]:
    assert text.endswith("\r\n")
    body = text[:-2]
    assert "\r" not in body.replace("\r\n", "") and "\n" not in body.replace("\r\n", "")
    return body.split("\r\n")


def _node_lines(text: str) -> list[str]:
    lines = _lines(text)
    return lines[lines.index(":node_checks") + 1:]


# ---- the password path ------------------------------------------------------------------

def _program(text: str) -> list[str]:
    """The node part's settings, then its lines from :connect on, verbatim."""
    node = _node_lines(text)
    first_check = next(i for i, ln in enumerate(node) if ln.startswith("rem 1. resolve"))
    settings = [ln for ln in node[:first_check] if ln.startswith('set "')]
    return [":test_start", *settings, "goto connect", *node]


def _connect(text: str, password: str | None) -> cmdmodel.BatchResult:
    env = {"COMPUTERNAME": "NODE01", "RANDOM": "4242", "TEMP": "C:\\Users\\u\\AppData\\Local\\Temp"}
    if password is not None:
        env["HPCSHARE_SHARE_PASSWORD"] = password
    return cmdmodel.run_batch(_program(text), env, start="test_start",
                              stop=lambda cmd: "/user:" in cmd or cmd.startswith("echo"))


def _passwords() -> list[str]:
    rng = random.Random(19)
    pool = string.printable.replace("\x0b", "").replace("\x0c", "") + '\\"^%!&|<>()' * 3
    corpus = [v for v in HOSTILE if v and "\x00" not in v]
    rand = ["".join(rng.choice(pool) for _ in range(rng.randint(1, 30))) for _ in range(300)]
    return corpus + rand + [TRICKY_PASSWORD, "\\", "\\\\", '\\"', 'a\\\\"b\\', " ", "  x  ", "!x!", "%x%", "^", '"']


PASSWORDS = _passwords()


@pytest.mark.parametrize("access", ["change", "read"])
def test_password_reaches_net_exe_exactly(access: str) -> None:
    case = CASES["private-change"]
    answers = case.answers.replace(share__access=access)
    v = check_values(answers, case.facts)
    text = render_artifacts(answers, case.facts)[NAME]
    assert len(PASSWORDS) > 500
    for pw in PASSWORDS:
        result = _connect(text, pw)
        drop, connect = result.commands
        assert cmdmodel.crt_argv(drop) == ["net", "use", v.unc, "/delete", "/y"], pw
        assert cmdmodel.crt_argv(connect) == ["net", "use", v.unc, pw, f"/user:{v.account}", "/persistent:no"], (pw, connect)


def test_the_corpus_is_covered() -> None:
    """Every corpus value a password can hold (not empty, no NUL) is in the round trip above."""
    assert {v for v in HOSTILE if v and "\x00" not in v} <= set(PASSWORDS)
    assert any('"' in p for p in PASSWORDS) and any(p.endswith("\\") for p in PASSWORDS)
    assert any(not p.isascii() for p in PASSWORDS) and any("\n" in p for p in PASSWORDS)


def test_no_password_is_a_failed_check_not_a_prompt() -> None:
    text = _text(CASES["private-change"])
    result = _connect(text, None)
    assert result.commands == [f"echo hpcshare-check NODE01 connect fail 86 no password: "
                               "HPCSHARE_SHARE_PASSWORD is not set for this command"]


def test_the_password_is_only_read_with_delayed_expansion() -> None:
    for line in _lines(_text(CASES["private-change"])):
        if "HPCSHARE_SHARE_PASSWORD" in line and not line.startswith("rem"):
            assert "%HPCSHARE_SHARE_PASSWORD" not in line, line
    node = _node_lines(_text(CASES["private-change"]))
    assert "setlocal EnableExtensions EnableDelayedExpansion" in node
    # The quoted value is used in exactly one command, and cleared right after.
    assert sum("!HS_Q!" in ln for ln in node if ln.startswith("net use")) == 1


def test_head_encoding_round_trip() -> None:
    """What the head node's PowerShell sends (UTF-8, base64, '=' trimmed) and what each node
    decodes (padding restored as in CLUSRUN_PS_LINES) give back the password."""
    assert "$p = $parts[0] + ('=' * ((4 - ($parts[0].Length -band 3)) -band 3))" in CLUSRUN_PS_LINES
    for pw in PASSWORDS:
        sent = base64.b64encode(pw.encode("utf-8", "surrogatepass")).decode().rstrip("=")
        assert "." not in sent and ";" not in sent and '"' not in sent
        padded = sent + "=" * ((4 - (len(sent) & 3)) & 3)
        assert base64.b64decode(padded).decode("utf-8", "surrogatepass") == pw


# ---- what clusrun carries ------------------------------------------------------------------

def _clusrun_line(text: str) -> str:
    lines = [ln for ln in _lines(text) if ln.startswith("clusrun ")]
    assert len(lines) == 1
    return lines[0]


def test_clusrun_carries_the_checks_exactly(case: Case) -> None:
    text = _text(case)
    line = _clusrun_line(text)
    m = re.fullmatch(r'clusrun "/nodegroup:%HS_GROUP%" "/env:HPCSHARE_CHECK=%HS_B64%\.([A-Za-z0-9+/=]+)" '
                     r'powershell\.exe -NoProfile -NonInteractive -ExecutionPolicy Bypass '
                     r'-EncodedCommand ([A-Za-z0-9+/=]+) > "%HS_OUT%"', line)
    assert m, line
    script = base64.b64decode(m.group(2)).decode("utf-16-le")
    assert script == "\n".join(CLUSRUN_PS_LINES) + "\n"
    payload = zlib.decompress(base64.b64decode(m.group(1)), -15).decode("ascii")
    node = _node_lines(text)
    assert payload == node_payload("\r\n".join(node) + "\r\n")
    # Its command lines are the node part's, in order, nothing added but @echo off.
    code = [ln for ln in node if ln.strip() and not ln.startswith("rem")]
    assert payload.split("\r\n")[:-1] == ["@echo off", *code]
    # The PowerShell shown in the rem lines is the one that runs.
    shown = [ln[len("rem     "):] for ln in _lines(text) if ln.startswith("rem     ")]
    assert [s for s in shown if s in CLUSRUN_PS_LINES] == list(CLUSRUN_PS_LINES)
    for ps in CLUSRUN_PS_LINES:
        assert not set(ps) & set('%^&|<>"'), ps


def test_clusrun_line_fits_cmd_exe_limits() -> None:
    case = CASES["private-change"]
    answers = case.answers.replace(vm__name="abcdefghijklmno", share__name="S" * 79, account__username="u" * 20)
    import dataclasses
    facts = dataclasses.replace(case.facts, server_name="abcdefghijklmno", private_ip="172.31.255.254")
    line = _clusrun_line(render_artifacts(answers, facts)[NAME])
    # + a 64-character node group and a 127-character password in base64 (UTF-8, up to 4 bytes each)
    assert len(line) + 64 + (127 * 4 * 4) // 3 + 4 < 8191


def test_node_group_default() -> None:
    case = CASES["private-change"]
    v = check_values(case.answers, case.facts)
    assert not v.node_group
    lines = _lines(render_check_share(v))
    assert 'set "HS_GROUP=%~2"' in lines and 'if "%HS_GROUP%"=="" set "HS_GROUP="' in lines
    grouped = check_values(case.answers.replace(cluster__node_group="ComputeNodes"), case.facts)
    assert 'if "%HS_GROUP%"=="" set "HS_GROUP=ComputeNodes"' in _lines(render_check_share(grouped))


def test_private_dns_zone_name_is_checked() -> None:
    """With a private DNS zone the nodes reach the server by its FQDN: that name must resolve to
    the server's private IP (the A record is hpcshare's), and the share is \\\\FQDN\\SHARE."""
    case = CASES["private-change"]
    v = check_values(case.answers.replace(endpoints__private_dns_zone="hpc.internal"), case.facts)
    text = render_check_share(v)
    assert 'set "HS_SERVER=myfileserver.hpc.internal"' in _lines(text)
    assert 'set "HS_UNC=\\\\myfileserver.hpc.internal\\MyShare"' in _lines(text)
    assert f'set "HS_EXPECTED_IP={v.private_ip}"' in _lines(text)
    assert "the A record in the private DNS zone hpc.internal" in text


# ---- structure ----------------------------------------------------------------------------

OWN_VARIABLES = {"HS_NODE", "HS_SERVER", "HS_EXPECTED_IP", "HS_UNC", "HS_ACCOUNT", "HS_WRITABLE", "HS_DIR",
                 "HS_FILE", "HS_TOKEN", "HS_ERR", "HS_PS", "HS_EXIT", "HS_CODE", "HS_I", "HS_GROUP",
                 "HS_OUT", "HS_B64", "HS_RC", "COMPUTERNAME", "RANDOM", "TEMP", "ERRORLEVEL"}


def test_cmd_hygiene(case: Case) -> None:
    text = _text(case)
    assert text.isascii()
    lines = _lines(text)
    assert lines[0] == "@echo off"
    label_list = [ln[1:].split()[0].lower() for ln in lines if ln.startswith(":")]
    labels = set(label_list)
    assert len(labels) == len(label_list), "a label twice: goto finds the first one after the goto"
    node_start = lines.index(":node_checks")
    for n, ln in enumerate(lines):
        for target in re.findall(r"\b(?:goto|call)\s+:?(\S+)", ln, flags=re.I):
            assert target.lower() in labels | {"eof"}, ln
        if ln.lower().startswith("rem"):
            assert not set(ln) & set("%^&|<>!"), ln
            continue
        for m in re.finditer(r"%%|%~[a-z]*[0-9]|%([^%\s]*)%", ln):
            assert m.group(1) is None or m.group(1) in OWN_VARIABLES, (m.group(0), ln)
        for var in re.findall(r"!([A-Za-z_]+)(?::[^!]*)?!", ln):
            assert var in OWN_VARIABLES | {"HS_IP", "HS_Q", "HS_C", "HS_BS", "HS_DQ", "HS_CODE",
                                           "HPCSHARE_SHARE_PASSWORD", "HS_TARGET"}, (var, ln)
        if "!" in ln:
            assert n > node_start, ("delayed expansion is only on in the node part", ln)
        assert len(ln) < 8000


def test_check_lines_use_the_parsers_names(case: Case) -> None:
    """Every line the checks print has the shape nodes_report parses."""
    names = set()
    for ln in _node_lines(_text(case)):
        if ln.startswith(f"echo {LINE_PREFIX} ") or f" echo {LINE_PREFIX} " in ln:
            m = re.search(rf"echo {LINE_PREFIX} %HS_NODE% (\w+) (ok|fail) (0|%HS_CODE%|!HS_CODE!|%HS_EXIT%|\d+) \S", ln)
            assert m, ln
            names.add(m.group(1))
            assert (m.group(2) == "ok") == (m.group(3) == "0"), ln
    v = check_values(case.answers, case.facts)
    expected = {"resolve", "port445", "connect", "disconnect", DONE}
    expected |= {"list"} if v.access == "read" else {"write", "read", "delete"}
    assert expected <= names <= set(CHECK_NAMES) | {DONE}


def test_nothing_is_left_on_the_node(case: Case) -> None:
    node = _node_lines(_text(case))
    # The only file on the node: net.exe's error message, deleted at the end.
    writes = [ln for ln in node if re.search(r'2?>"', ln)]
    assert all('"%HS_ERR%"' in ln for ln in writes), writes
    assert 'del "%HS_ERR%" >nul 2>&1' in node
    i = node.index(":finish")
    assert node[i + 1] == 'del "%HS_ERR%" >nul 2>&1'
    # Once connected, every path goes through :disconnect.
    assert node.index(":disconnect") < node.index(":finish")
    assert "net use %HS_UNC% /delete /y >nul 2>\"%HS_ERR%\"" in node
    # The wrapper deletes its temporary copy of the checks.
    assert "Remove-Item -LiteralPath $file -Force -ErrorAction SilentlyContinue" in CLUSRUN_PS_LINES


@pytest.mark.parametrize(("mutation", "password"), [
    # Quoting the raw value: a quote or a trailing backslash breaks the argument.
    (("!HS_Q!", '"!HPCSHARE_SHARE_PASSWORD!"'), 'pa"ss'),
    (("!HS_Q!", '"!HPCSHARE_SHARE_PASSWORD!"'), "pass\\"),
    # Percent expansion: cmd.exe would parse the value.
    (("!HS_Q!", "%HPCSHARE_SHARE_PASSWORD%"), "a&b"),
])
def test_the_model_catches_a_weaker_script(mutation: tuple[str, str], password: str) -> None:
    """The round trip above can fail: simpler ways to pass the password do not survive it."""
    case = CASES["private-change"]
    v = check_values(case.answers, case.facts)
    text = _text(case).replace(*mutation)
    try:
        argv = cmdmodel.crt_argv(_connect(text, password).commands[-1])
    except cmdmodel.Unsupported:
        return
    assert argv != ["net", "use", v.unc, password, f"/user:{v.account}", "/persistent:no"]


# ---- the PowerShell in it: parses, and uses only Windows PowerShell 5.1 cmdlets ------------------

_PS51 = "https://learn.microsoft.com/powershell/module/{}/{}?view=powershell-5.1"
#: (cmdlet, documentation page, parameters used), reviewed against each page.
PS_CMDLETS = {
    "Join-Path": (_PS51.format("microsoft.powershell.management", "join-path"), set()),
    "Remove-Item": (_PS51.format("microsoft.powershell.management", "remove-item"), {"LiteralPath", "Force", "ErrorAction"}),
    "New-Object": (_PS51.format("microsoft.powershell.utility", "new-object"), set()),
    "Read-Host": (_PS51.format("microsoft.powershell.utility", "read-host"), {"AsSecureString"}),
    "Out-Null": (_PS51.format("microsoft.powershell.core", "out-null"), set()),
    "cmd.exe": ("native", set()),
}


def _powershell_snippets(text: str) -> list[str]:
    snippets = ["\n".join(CLUSRUN_PS_LINES)]
    for ln in _lines(text):
        if ln.startswith("rem"):
            continue
        m = re.search(r'(?:%HS_PS%|-Command) "([^"]*)"', ln)
        if m:
            snippets.append(m.group(1))
    return snippets


def test_powershell_parses_and_uses_known_cmdlets() -> None:
    from tests.remote.psgrammar import parse as ps_parse

    text = _text(CASES["private-change"]) + _text(CASES["public-read"])
    snippets = _powershell_snippets(text)
    assert len(snippets) >= 7        # wrapper, password prompt, port445, write, read, delete, list
    for snippet in snippets:
        parsed = ps_parse(snippet)
        assert parsed.errors == [], (snippet, parsed.errors)
        for cmd, param, _ in parsed.commands:
            assert cmd in PS_CMDLETS, (cmd, snippet)
            assert param is None or param in PS_CMDLETS[cmd][1], (cmd, param)
        # No user value is pasted into the script text: values come from $env: only.
        assert "myfileserver" not in snippet and "MyShare" not in snippet and "10.0.0.4" not in snippet


def test_the_powershell_gate_can_fail() -> None:
    from tests.remote.psgrammar import parse as ps_parse

    assert ps_parse("try { exit 0 } catch { exit (").errors
    assert ("Get-SmbMapping", None, 1) in ps_parse("Get-SmbMapping").commands
