"""submit-job.ps1 (HPC PowerShell; asks for the share password, or for Azure Files the storage
account key: ``Values.secret``) and submit-job.cmd (the job command; hands over to the .ps1 while
the job file holds the placeholder)."""
from __future__ import annotations

from wizard.artifacts.escaping import PASSWORD_PLACEHOLDER, crlf, escape_netuse_password, ps_single_quoted
from wizard.artifacts.safety import Values
from wizard.artifacts.templates import fill

#: Inputs of the self-test in submit-job.ps1: each special case of escape_netuse_password once.
#: No single quote among them, so they sit in PowerShell single-quoted literals as they are.
SELF_TEST_INPUTS = (
    "Plain-Pass_123",
    "a&b|c<d>e(f)g^h",
    "100%",
    "%PATH%x",
    "x%",
    "%%",
    "x*y**z%*",
    'q"r\\"s',
    "with space\\",
    "back\\slash",
    "!bang!",
)


def self_test_lines() -> str:
    rows = []
    for raw in SELF_TEST_INPUTS:
        rows.append(f"    @({ps_single_quoted(raw)}, {ps_single_quoted(escape_netuse_password(raw))})")
    return ",\n".join(rows)


def render_submit_ps1(v: Values) -> str:
    return crlf(fill("submit-job.ps1.in", {
        "PROFILE": v.profile,
        "SECRET": v.secret,
        "PROMPT": ps_single_quoted(v.secret_prompt),
        "PLACEHOLDER": ps_single_quoted(PASSWORD_PLACEHOLDER),
        "SELF_TEST": self_test_lines(),
    }))


def render_submit_cmd(v: Values) -> str:
    return crlf(fill("submit-job.cmd.in", {
        "PROFILE": v.profile,
        "SECRET": v.secret,
        "PLACEHOLDER": PASSWORD_PLACEHOLDER,
    }))
