"""nodeprep.cmd and clusrun-hosts.cmd: their exact text, their structure, and what their findstr
patterns select in sample hosts files.

cmd.exe cannot run here. The hosts logic is kept small enough to read (count the lines naming
the server and the exact lines; if not exactly one of each, filter and append), and these tests
pin its text. ``_findstr`` below reads the *patterns from the generated file* and applies them
with Python's re (the subset used, [class] ^ $ * \\. and literals, means the same in both), and
``_run_model`` follows the script's decision; that checks the patterns and the idempotence
argument, not cmd.exe itself."""
from __future__ import annotations

import base64
import re

import pytest

from tests.artifacts.conftest import CASES, Case
from wizard.artifacts import render_artifacts
from wizard.artifacts.nodeprep import CLUSRUN_PS_LINES, nodeprep_payload
from wizard.artifacts.safety import check_values


def _texts(case: Case) -> dict[str, str]:
    return render_artifacts(case.answers, case.facts, embed_password=case.embed_password)


def _lines(text: str) -> list[str]:
    assert text.endswith("\r\n")
    body = text[:-2]
    assert "\n" not in body.replace("\r\n", "") and "\r" not in body.replace("\r\n", "")
    return body.split("\r\n")


def test_nodeprep_commands_exactly(case: Case) -> None:
    v = check_values(case.answers, case.facts)
    ip, srv, ipre = v.private_ip, v.host, v.private_ip.replace(".", "\\.")
    srvre = srv.replace(".", "\\.")
    named = f'/C:"^[^#]*[ \t]{srvre}[ \t#]" /C:"^[^#]*[ \t]{srvre}$"'
    code = [ln for ln in _lines(_texts(case)["nodeprep.cmd"]) if ln.strip() and not ln.startswith("rem")]
    assert code == [
        "@echo off",
        "setlocal EnableExtensions DisableDelayedExpansion",
        'set "STRICT=0"',
        'if /I "%~1"=="/strict" set "STRICT=1"',
        'set "CODE=0"',
        'set "LOG=%SystemRoot%\\Temp\\hpcshare-nodeprep.log"',
        'set "HOSTS=%SystemRoot%\\System32\\drivers\\etc\\hosts"',
        'set "WORK=%SystemRoot%\\System32\\drivers\\etc\\hosts.hpcshare-new"',
        'set "NAMED=0"',
        'set "EXACT=0"',
        'if not exist "%HOSTS%" goto write',
        f"for /f %%N in ('findstr /R /I {named} \"%HOSTS%\" 2^>nul ^| find /C /V \"\"') do set \"NAMED=%%N\"",
        f"for /f %%N in ('findstr /R /I /X /C:\"[ \t]*{ipre}[ \t][ \t]*{srvre}[ \t]*\" \"%HOSTS%\" 2^>nul ^| find /C /V \"\"') do set \"EXACT=%%N\"",
        'if not "%NAMED%"=="1" goto write',
        'if not "%EXACT%"=="1" goto write',
        f'set "RESULT=the hosts file already maps {srv} to {ip}"',
        "goto flush",
        ":write",
        'type nul > "%WORK%" 2>nul',
        'if not exist "%HOSTS%" goto append',
        f'findstr /V /R /I {named} "%HOSTS%" > "%WORK%" 2>nul',
        "if errorlevel 2 goto failed",
        ":append",
        '>>"%WORK%" echo(',
        f'>>"%WORK%" echo {ip} {srv}',
        'copy /Y "%WORK%" "%HOSTS%" >nul 2>&1',
        "if errorlevel 1 goto failed",
        'del "%WORK%" >nul 2>&1',
        f'set "RESULT=the hosts file now maps {srv} to {ip}"',
        "goto flush",
        ":failed",
        'del "%WORK%" >nul 2>&1',
        'set "RESULT=could not update the hosts file; run this as an administrator"',
        'set "CODE=1"',
        ":flush",
        "ipconfig /flushdns >nul 2>&1",
        "echo hpcshare: %RESULT%",
        '(>>"%LOG%" echo %DATE% %TIME% hpcshare: %RESULT%) 2>nul',
        'if "%STRICT%"=="1" exit /b %CODE%',
        "exit /b 0",
    ]


CMD_FILES = ("nodeprep.cmd", "clusrun-hosts.cmd", "submit-job.cmd")


@pytest.mark.parametrize("name", CMD_FILES)
def test_cmd_file_hygiene(case: Case, name: str) -> None:
    text = _texts(case)[name]
    lines = _lines(text)
    assert text.isascii()
    assert lines[0] == "@echo off"
    labels = {ln[1:].split()[0].lower() for ln in lines if ln.startswith(":")}
    for ln in lines:
        for target in re.findall(r"\bgoto\s+(\S+)", ln, flags=re.I):
            assert target.lower() in labels, (name, ln)
        if ln.lower().startswith("rem"):
            # Comments: nothing cmd.exe would still act on in a rem line.
            assert not set(ln) & set('%^&|<>'), (name, ln)
        else:
            # Only our own variables are expanded.
            for var in re.findall(r"%([^%\s]*)%", ln.replace("%%N", "")):
                assert var in {"SystemRoot", "HOSTS", "WORK", "NAMED", "EXACT", "NODEGROUP", "JOBFILE",
                               "ERRORLEVEL", "STRICT", "CODE", "RESULT", "LOG", "DATE", "TIME"}, (name, ln)
        assert len(ln) < 8000


def test_nodeprep_exits_zero_unless_strict(case: Case) -> None:
    """Exit 0 always, except with /strict after a failed update: CODE is 1 only on the :failed path."""
    lines = [ln for ln in _lines(_texts(case)["nodeprep.cmd"]) if not ln.startswith("rem")]
    assert lines[-2:] == ['if "%STRICT%"=="1" exit /b %CODE%', "exit /b 0"]
    assert sum("exit" in ln.split() for ln in lines) == 2
    assert [ln for ln in lines if ln.startswith('set "CODE=')] == ['set "CODE=0"', 'set "CODE=1"']
    failed, flush = lines.index(":failed"), lines.index(":flush")
    assert failed < lines.index('set "CODE=1"') < flush
    assert not any(">&2" in ln or "1>&2" in ln for ln in lines)
    # Every path to :flush sets RESULT first: the printed and logged line is never empty.
    results = [i for i, ln in enumerate(lines) if ln.startswith('set "RESULT=')]
    assert len(results) == 3


# ---- the findstr patterns applied to sample hosts files ----------------------------------

def _findstr_calls(text: str) -> dict[str, tuple[set[str], list[str]]]:
    calls = {}
    for ln in _lines(text):
        if "findstr" not in ln or ln.startswith("rem"):
            continue
        part = ln[ln.index("findstr"):]
        flags = set(re.findall(r"/([A-Z])(?=\s)", part.split("/C:", 1)[0]))
        pats = re.findall(r'/C:"([^"]*)"', part)
        key = "named" if "NAMED=" in ln else "exact" if "EXACT=" in ln else "filter"
        calls[key] = (flags, pats)
    assert set(calls) == {"named", "exact", "filter"}
    return calls


def _findstr(call: tuple[set[str], list[str]], lines: list[str]) -> list[str]:
    flags, pats = call
    for p in pats:
        assert re.fullmatch(r"[\^A-Za-z0-9 \t#\[\]\\.*$-]+", p), p  # the findstr subset we use
    rx = [re.compile(p, re.I if "I" in flags else 0) for p in pats]
    hit = (lambda s: any(r.fullmatch(s) for r in rx)) if "X" in flags else (lambda s: any(r.search(s) for r in rx))
    return [ln for ln in lines if hit(ln) != ("V" in flags)]


def _run_model(text: str, hosts: list[str], ip: str, server: str) -> list[str]:
    calls = _findstr_calls(text)
    if len(_findstr(calls["named"], hosts)) == 1 and len(_findstr(calls["exact"], hosts)) == 1:
        return hosts
    return _findstr(calls["filter"], hosts) + ["", f"{ip} {server}"]


SAMPLES = {
    "empty": [],
    "stock": ["# Copyright (c) 1993-2009 Microsoft Corp.", "#", "# 127.0.0.1       localhost", "127.0.0.1 localhost"],
    "stale": ["127.0.0.1 localhost", "10.9.9.9 myfileserver"],
    "stale-tab-upper": ["10.9.9.9\tMYFILESERVER"],
    "stale-with-comment": ["10.9.9.9 myfileserver # old"],
    "stale-alias": ["10.9.9.9 other myfileserver"],
    "duplicate": ["10.0.0.4 myfileserver", "10.0.0.4 myfileserver"],
    "right-plus-stale": ["10.0.0.4 myfileserver", "10.9.9.9 myfileserver"],
    "others": ["10.0.0.40 myfileserver2", "10.0.0.4 myfileserver.contoso.com", "10.0.0.7 x-myfileserver",
               "# 10.9.9.9 myfileserver", "10.0.0.8 db # myfileserver was here"],
}
KEPT = {"empty": [], "stock": SAMPLES["stock"], "stale": ["127.0.0.1 localhost"], "stale-tab-upper": [],
        "stale-with-comment": [], "stale-alias": [], "duplicate": [], "right-plus-stale": [],
        "others": SAMPLES["others"]}


@pytest.mark.parametrize("sample", sorted(SAMPLES))
def test_hosts_model_converges_and_is_idempotent(sample: str) -> None:
    case = CASES["private-change"]
    text = _texts(case)["nodeprep.cmd"]
    once = _run_model(text, SAMPLES[sample], "10.0.0.4", "myfileserver")
    assert once == KEPT[sample] + ["", "10.0.0.4 myfileserver"]
    assert _run_model(text, once, "10.0.0.4", "myfileserver") == once
    # A new IP later replaces the line (one more blank line, by design).
    moved = _run_model(text.replace("10.0.0.4", "10.0.0.5").replace("10\\.0\\.0\\.4", "10\\.0\\.0\\.5"),
                       once, "10.0.0.5", "myfileserver")
    assert moved == KEPT[sample] + ["", "", "10.0.0.5 myfileserver"]


@pytest.mark.parametrize("line", ["10.0.0.4 myfileserver", "10.0.0.4\tmyfileserver", "  10.0.0.4  MyFileServer  ",
                                  "10.0.0.4 \t myfileserver\t"])
def test_an_existing_exact_line_is_left_alone(line: str) -> None:
    text = _texts(CASES["private-change"])["nodeprep.cmd"]
    hosts = ["127.0.0.1 localhost", line]
    assert _run_model(text, hosts, "10.0.0.4", "myfileserver") == hosts


def test_ip_dots_are_not_wildcards() -> None:
    text = _texts(CASES["private-change"])["nodeprep.cmd"]
    exact = _findstr_calls(text)["exact"]
    assert _findstr(exact, ["10x0y0z4 myfileserver", "10.0.0.45 myfileserver", "110.0.0.4 myfileserver"]) == []


# ---- clusrun-hosts.cmd ------------------------------------------------------------------

def _clusrun_line(case: Case) -> str:
    lines = [ln for ln in _lines(_texts(case)["clusrun-hosts.cmd"]) if ln.startswith("clusrun ")]
    assert len(lines) == 1
    return lines[0]


def test_clusrun_carries_nodeprep_exactly(case: Case) -> None:
    texts = _texts(case)
    line = _clusrun_line(case)
    prefix = ('clusrun "/nodegroup:%NODEGROUP%" powershell.exe -NoProfile -NonInteractive '
              "-ExecutionPolicy Bypass -EncodedCommand ")
    assert line.startswith(prefix)
    encoded = line[len(prefix):]
    assert re.fullmatch(r"[A-Za-z0-9+/]+=*", encoded)
    script = base64.b64decode(encoded).decode("utf-16-le")
    payload_b64 = re.search(r"FromBase64String\('([A-Za-z0-9+/=]+)'\)", script).group(1)
    assert script == "\n".join(CLUSRUN_PS_LINES).replace("PAYLOAD", payload_b64) + "\n"
    payload = base64.b64decode(payload_b64).decode("ascii")
    assert payload == nodeprep_payload(texts["nodeprep.cmd"])
    # The payload is nodeprep.cmd's command lines, in order, nothing added.
    code = [ln for ln in _lines(texts["nodeprep.cmd"]) if ln.strip() and not ln.startswith("rem")]
    assert payload.split("\r\n")[:-1] == code
    # The PowerShell shown in the rem lines is the one that runs.
    shown = [ln[len("rem     "):] for ln in _lines(texts["clusrun-hosts.cmd"]) if ln.startswith("rem     ")]
    assert [s for s in shown if s in CLUSRUN_PS_LINES] == list(CLUSRUN_PS_LINES)
    for ps in CLUSRUN_PS_LINES:
        assert not set(ps) & set('%^&|<>"')


def test_clusrun_line_fits_cmd_exe_limits() -> None:
    case = CASES["private-change"]
    answers = case.answers.replace(vm__name="abcdefghijklmno")
    import dataclasses
    facts = dataclasses.replace(case.facts, server_name="abcdefghijklmno", private_ip="172.31.255.254")
    text = render_artifacts(answers, facts)["clusrun-hosts.cmd"]
    line = [ln for ln in _lines(text) if ln.startswith("clusrun ")][0]
    assert len(line) + 200 < 8191  # the node group name expands into it; cmd.exe's line limit


def test_clusrun_node_group(case: Case) -> None:
    """No group answered: the group must be named on the command line (no AzureNodes default)."""
    lines = _lines(_texts(case)["clusrun-hosts.cmd"])
    assert 'set "NODEGROUP=%~1"' in lines
    if case.answers.cluster.node_group:
        assert f'if "%NODEGROUP%"=="" set "NODEGROUP={case.answers.cluster.node_group}"' in lines
    else:
        assert "rem No default node group: cluster.node_group was empty when this was written." in lines
    assert lines.index('if "%NODEGROUP%"=="" goto usage') < lines.index(_clusrun_line(case))
    assert "AzureNodes" not in "\n".join(lines)


def test_clusrun_targets_the_answered_group_and_runs_strict() -> None:
    case = CASES["private-change"]
    answers = case.answers.replace(cluster__node_group="ComputeNodes")
    text = render_artifacts(answers, case.facts)["clusrun-hosts.cmd"]
    lines = _lines(text)
    assert 'if "%NODEGROUP%"=="" set "NODEGROUP=ComputeNodes"' in lines
    assert [ln for ln in lines if ln.startswith("clusrun ")][0].startswith('clusrun "/nodegroup:%NODEGROUP%" ')
    assert "cmd.exe /c $file /strict" in CLUSRUN_PS_LINES


def test_private_dns_zone_names_the_fqdn_in_the_hosts_entry() -> None:
    case = CASES["private-change"]
    answers = case.answers.replace(endpoints__private_dns_zone="hpc.internal")
    text = render_artifacts(answers, case.facts)["nodeprep.cmd"]
    assert '>>"%WORK%" echo 10.0.0.4 myfileserver.hpc.internal' in _lines(text)
    calls = _findstr_calls(text)
    hosts = ["10.0.0.9 myfileserver", "10.9.9.9 myfileserver.hpc.internal"]
    assert _findstr(calls["filter"], hosts) == ["10.0.0.9 myfileserver"]
