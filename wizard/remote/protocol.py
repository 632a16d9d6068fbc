"""The contract between hpcshare and its PowerShell scripts (and the stand-in that imitates them).

A script is identified by a marker line ``# hpcshare-script: NAME`` near its top. It receives
exactly two parameters: ``ConfigB64`` (base64 of one UTF-8 JSON object with every non-secret
value) and ``SecretB64`` (base64 of a JSON object with the secrets; sent as a protected parameter
where the transport has one). It prints one ``HPCSHARE_RESULT {json}`` line per sub-step.
No user value ever appears in the script text or on a command line: only these base64 strings,
whose alphabet (A-Z a-z 0-9 + / =) means nothing to cmd.exe or PowerShell.
"""
from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

from wizard.sanitize import printable

RESULT_PREFIX = "HPCSHARE_RESULT "
SCRIPT_MARKER = "# hpcshare-script: "
CONFIG_PARAM = "ConfigB64"
SECRET_PARAM = "SecretB64"

CONFIGURE_SERVER = "configure-server"
SELF_TEST = "self-test"
# Run through managed Run Command before the WinRM transport can connect (HTTPS listener + pin).
WINRM_BOOTSTRAP = "winrm-bootstrap"
# Not a plan step: 'hpcshare reset-password --user admin' runs it through managed Run Command.
RESET_ADMIN_PASSWORD = "reset-admin-password"
# The WS-Management HTTPS port (the default of an HTTPS listener); the NSG and firewall open it.
WINRM_HTTPS_PORT = 5986

# Sub-steps in the order the scripts run them; the UI shows one row each.
SUBSTEPS: dict[str, tuple[str, ...]] = {
    CONFIGURE_SERVER: (
        "disk",
        "user",
        "file-server-role",
        "folder-acl",
        "share",
        "smb-hardening",
        "firewall",
    ),
    SELF_TEST: ("connect", "write", "read", "delete"),
    WINRM_BOOTSTRAP: ("certificate", "listener", "firewall"),
    RESET_ADMIN_PASSWORD: ("admin-password",),
}

Status = Literal["ok", "changed", "skipped", "warning", "failed"]
STATUSES: tuple[Status, ...] = get_args(Status)


def encode_param(value: dict[str, Any]) -> str:
    """One JSON object -> base64 text (UTF-8, compact, keys sorted so the same input is the same bytes)."""
    raw = json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return base64.b64encode(raw.encode("utf-8")).decode("ascii")


def decode_param(text: str) -> dict[str, Any]:
    value = json.loads(base64.b64decode(text.encode("ascii"), validate=True).decode("utf-8"))
    if not isinstance(value, dict):
        raise ValueError("parameter is not a JSON object")
    return value


def script_name(script_text: str) -> str | None:
    """The NAME of the ``# hpcshare-script: NAME`` marker, or None for a foreign script."""
    for line in script_text.splitlines()[:20]:
        line = line.strip()
        if line.startswith(SCRIPT_MARKER):
            return line[len(SCRIPT_MARKER):].strip()
    return None


@dataclass(frozen=True)
class SubStepResult:
    step: str
    status: Status
    message: str = ""
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def failed(self) -> bool:
        return self.status == "failed"

    def to_line(self) -> str:
        body: dict[str, Any] = {"step": self.step, "status": self.status, "message": self.message}
        if self.data:
            body["data"] = self.data
        return RESULT_PREFIX + json.dumps(body, separators=(",", ":"))


def parse_results(output: str) -> list[SubStepResult]:
    """Every well-formed result line of a script's stdout, in order; other lines are ignored."""
    results: list[SubStepResult] = []
    for line in output.splitlines():
        line = line.strip()
        if not line.startswith(RESULT_PREFIX):
            continue
        try:
            body = json.loads(line[len(RESULT_PREFIX):])
        except json.JSONDecodeError:
            continue
        if not isinstance(body, dict) or not isinstance(body.get("step"), str):
            continue
        status: Status = next((s for s in STATUSES if s == body.get("status")), "failed")
        data = body.get("data")
        results.append(
            SubStepResult(
                # JSON's \u001b decodes to ESC: clean the decoded strings, not only the raw line.
                step=printable(body["step"]),
                status=status,
                message=printable(str(body.get("message") or "")),
                data=data if isinstance(data, dict) else {},
            )
        )
    return results
