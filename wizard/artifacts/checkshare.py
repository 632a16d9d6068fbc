"""check-share.cmd: the share check an HPC admin runs on every compute node (clusrun or a job).

The cmd logic lives in assets/templates/check-share.cmd.in (the head-node part: asks the
password, runs clusrun) and check-share-node.cmd.in (the checks each node runs). The checks also
travel inside the clusrun command line, as clusrun-hosts.cmd carries nodeprep.cmd: the node part,
deflate-compressed and base64-encoded, in clusrun's /env: (see CLUSRUN_ENV), and a short
PowerShell script (-EncodedCommand) that unpacks and runs it on each node. The line
format the nodes print is parsed back by wizard.nodes_report; the two share CHECK_NAMES.
"""
from __future__ import annotations

import base64
import zlib

from wizard.artifacts.escaping import crlf
from wizard.artifacts.nodeprep import encode_powershell, nodeprep_payload
from wizard.artifacts.safety import Values
from wizard.artifacts.templates import fill

#: The first word of every line the checks print.
LINE_PREFIX = "hpcshare-check"
#: The checks, in the order a node runs them ("list" replaces write/read/delete for read-only
#: access); "done" is the last line of a node's complete output, not a check.
CHECK_NAMES = ("resolve", "port445", "connect", "write", "read", "delete", "list", "disconnect")
DONE = "done"
#: Folder on the share that holds one sub-folder per node while it checks.
CHECK_FOLDER = "hpcshare-check"
PASSWORD_ENV = "HPCSHARE_SHARE_PASSWORD"

#: clusrun sets one environment variable on each node: the password (base64 of its UTF-8 bytes,
#: no padding), a dot, then the checks (the node part as a .cmd file, raw deflate, base64). It
#: goes in /env: rather than in the -EncodedCommand script, which PowerShell wants as UTF-16 and
#: would so make the line too long for cmd.exe. Base64 and a dot need no escaping anywhere.
CLUSRUN_ENV = "HPCSHARE_CHECK"
#: What PowerShell runs on each node under clusrun: decode the password into PASSWORD_ENV (cmd.exe
#: inherits it), drop CLUSRUN_ENV, write the checks to a temporary .cmd file, run it, delete it.
#: Without CLUSRUN_ENV (clusrun did not pass /env:) it exits 87, ERROR_INVALID_PARAMETER.
#: No & | < > % ^ " here, so the lines can also be shown in rem lines.
CLUSRUN_PS_LINES = (
    "if (-not $env:HPCSHARE_CHECK) { exit 87 }",
    "$parts = $env:HPCSHARE_CHECK.Split('.')",
    "Remove-Item Env:HPCSHARE_CHECK",
    "$p = $parts[0] + ('=' * ((4 - ($parts[0].Length -band 3)) -band 3))",
    "$env:HPCSHARE_SHARE_PASSWORD = [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($p))",
    "$file = Join-Path ([IO.Path]::GetTempPath()) ('hpcshare-check-' + [Guid]::NewGuid().ToString('N') + '.cmd')",
    "$in = New-Object IO.MemoryStream(,[Convert]::FromBase64String($parts[1]))",
    "$z = New-Object IO.Compression.DeflateStream($in, [IO.Compression.CompressionMode]::Decompress)",
    "$out = [IO.File]::Create($file); $z.CopyTo($out); $out.Close()",
    "cmd.exe /c $file",
    "$code = $LASTEXITCODE",
    "Remove-Item -LiteralPath $file -Force -ErrorAction SilentlyContinue",
    "exit $code",
)


def render_node_section(v: Values) -> str:
    """The checks (LF lines): the tail of check-share.cmd and what clusrun carries."""
    return fill("check-share-node.cmd.in", {
        "SERVER": v.host,
        "EXPECTED_IP": v.private_ip,
        "UNC": v.unc,
        "ACCOUNT": v.account,
        "WRITABLE": "0" if v.access == "read" else "1",
        "CHECK_FOLDER": CHECK_FOLDER,
    })


def deflate_b64(text: str) -> str:
    """Raw deflate (what .NET's DeflateStream reads), then base64."""
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    data = packer.compress(text.encode("ascii")) + packer.flush()
    return base64.b64encode(data).decode("ascii")


def clusrun_script() -> str:
    """The PowerShell script (LF lines) each node runs under clusrun."""
    return "\n".join(CLUSRUN_PS_LINES) + "\n"


def node_payload(node_section_crlf: str) -> str:
    """The node part as a .cmd file of its own: its command lines, comments dropped."""
    return "@echo off\r\n" + nodeprep_payload(node_section_crlf)


def render_check_share(v: Values) -> str:
    """check-share.cmd (CRLF). /clusrun targets the node group answer unless given another one;
    without that answer the group must be given."""
    node = crlf(render_node_section(v))
    encoded = encode_powershell(clusrun_script())
    node_group = v.node_group
    where = (f"the A record in the private DNS zone {v.dns_zone}" if v.dns_zone
             else "the hosts entry nodeprep.cmd writes")
    return crlf(fill("check-share.cmd.in", {
        "PROFILE": v.profile,
        "SECRET": v.secret,
        "PROMPT_LEAD": f"{v.secret.capitalize()} for",
        "SERVER": v.host,
        "UNC": v.unc,
        "ACCOUNT": v.account,
        "CHECK_FOLDER": CHECK_FOLDER,
        "RESOLVE_NOTE": f" to {v.private_ip} ({where})",
        "GROUP_NOTE": f"      (default: {node_group})" if node_group else "",
        "NODE_GROUP": node_group,
        "PS_SCRIPT_REM": "\n".join(f"rem     {line}" for line in CLUSRUN_PS_LINES),
        "ENCODED": encoded,
        "PAYLOAD": deflate_b64(node_payload(node)),
        "NODE_SECTION": render_node_section(v),
    }))
