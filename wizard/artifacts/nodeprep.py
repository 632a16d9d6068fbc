"""nodeprep.cmd (hosts entry on a node; ``/strict`` makes a failed update exit 1) and
clusrun-hosts.cmd (the same, strict, on the nodes of a node group through clusrun). The cmd logic
lives in assets/templates/*.cmd.in."""
from __future__ import annotations

import base64

from wizard.artifacts.escaping import crlf, findstr_literal
from wizard.artifacts.safety import Values
from wizard.artifacts.templates import fill

#: What PowerShell runs on each node for clusrun-hosts.cmd; PAYLOAD is nodeprep.cmd's command
#: lines in base64. Written without & | < > % ^ so it can also be shown in rem lines, and
#: for Windows PowerShell 2.0 (no $PSScriptRoot, no -Raw). The .cmd is invoked by name, not with
#: the call operator, and PowerShell quotes $file if the temp path holds spaces. No
#: $ErrorActionPreference = 'Stop': under clusrun PowerShell's output is redirected, and then a
#: native command's stderr line would become a terminating error. nodeprep.cmd runs with
#: /strict, so a hosts file it could not update makes cmd.exe exit 1, and a failed write of the
#: temp file makes it exit non-zero too; exit $code passes that on to clusrun.
CLUSRUN_PS_LINES = (
    "$file = Join-Path ([IO.Path]::GetTempPath()) ('hpcshare-nodeprep-' + [Guid]::NewGuid().ToString('N') + '.cmd')",
    "[IO.File]::WriteAllBytes($file, [Convert]::FromBase64String('PAYLOAD'))",
    "cmd.exe /c $file /strict",
    "$code = $LASTEXITCODE",
    "Remove-Item -LiteralPath $file -Force -ErrorAction SilentlyContinue",
    "exit $code",
)


def render_nodeprep(v: Values) -> str:
    return crlf(fill("nodeprep.cmd.in", {
        "PROFILE": v.profile,
        "IP": v.private_ip,
        "IP_REGEX": findstr_literal(v.private_ip),
        "HOST": v.host,
        "HOST_REGEX": findstr_literal(v.host),
        "TAB": "\t",
    }))


def nodeprep_payload(nodeprep_cmd: str) -> str:
    """nodeprep.cmd without its comments and blank lines: what clusrun-hosts.cmd carries."""
    keep = [line for line in nodeprep_cmd.split("\r\n")
            if line.strip() and not line.lstrip().lower().startswith("rem ") and line.strip().lower() != "rem"]
    return "\r\n".join(keep) + "\r\n"


def clusrun_script(payload: str) -> str:
    """The PowerShell script (LF lines) that writes ``payload`` to a temp .cmd, runs and deletes it."""
    b64 = base64.b64encode(payload.encode("ascii")).decode("ascii")
    return "\n".join(CLUSRUN_PS_LINES).replace("PAYLOAD", b64, 1) + "\n"


def encode_powershell(script: str) -> str:
    """powershell.exe -EncodedCommand wants base64 of UTF-16LE."""
    return base64.b64encode(script.encode("utf-16-le")).decode("ascii")


def render_clusrun(v: Values, nodeprep_cmd: str) -> str:
    encoded = encode_powershell(clusrun_script(nodeprep_payload(nodeprep_cmd)))
    shown = "\n".join(f"rem     {line}" for line in CLUSRUN_PS_LINES)
    return crlf(fill("clusrun-hosts.cmd.in", {
        "PROFILE": v.profile,
        "IP": v.private_ip,
        "HOST": v.host,
        "DEFAULT_GROUP": (f'if "%NODEGROUP%"=="" set "NODEGROUP={v.node_group}"' if v.node_group else
                          "rem No default node group: cluster.node_group was empty when this was written."),
        "GROUP_SHOWN": v.node_group or "none (name one)",
        "PS_SCRIPT_REM": shown,
        "ENCODED": encoded,
    }))
