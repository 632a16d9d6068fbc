"""WinRM transport (pywinrm, HTTPS, NTLM): the "advanced/fast" mode.

How values travel (decided here, tested in tests/remote/test_winrm.py): NOT in the script text and
NOT on a command line. pywinrm's ``run_ps`` would put the whole script into
``powershell -encodedcommand <base64>`` (on the process command line, ~8 KB cmd.exe limit), so it
is not used. Instead:

1. The command line is a constant: ``powershell.exe -NoLogo -NoProfile -NonInteractive
   -ExecutionPolicy Bypass -EncodedCommand <BOOTSTRAP>``, where BOOTSTRAP is a fixed script
   (same bytes on every call, whatever the values).
2. Three lines go to the process's **stdin** inside the WS-Management ``Send`` message (TLS, and
   NTLM-sealed where pywinrm enables it): base64(UTF-8 script text), ConfigB64, SecretB64. All
   three use only the base64 alphabet.
3. The bootstrap reads them (``$input``, the pattern Ansible's Windows bootstrap uses), writes the
   script text to a temporary ``.ps1`` file (the script only: no value is in it), runs it with
   ``-ConfigB64``/``-SecretB64`` as parameter values (PowerShell binds them as strings; they are
   never parsed as code), deletes the file and exits with the script's exit code.

So the secret is in neither the script file nor any process command line: a stronger guarantee
than Run Command's. [unverified on Windows: the bootstrap has not run on a real VM yet.]

The server's certificate is pinned (wizard/remote/pinning.py): the one winrm-bootstrap created
and returned is the only one accepted; verification is never switched off.

The URL is always the full ``https://host:port/wsman`` (with ``transport="ntlm"`` and no scheme,
pywinrm's ``_build_url`` would pick http:5985). Keep the ``winrm``, ``requests_ntlm``, ``spnego``
and ``urllib3`` loggers at WARNING: at DEBUG they print the SOAP messages.
"""
from __future__ import annotations

import base64
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from typing import Any

from wizard.remote.config import secret_values
from wizard.remote.pinning import PinnedCertificate, pin_session
from wizard.remote.protocol import WINRM_HTTPS_PORT, encode_param
from wizard.remote.shell import RemoteResult, json_object, make_result

STDIN_CHUNK = 32 * 1024      # bytes per WS-Man Send (the default envelope limit is 150 KiB)
_HOST = re.compile(r"^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$")

# Constant: the same bytes on every call. Reads three base64 lines from stdin: script, config, secret.
BOOTSTRAP = r"""$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
$hpcLines = @($input | ForEach-Object { ([string]$_).Trim() } | Where-Object { $_.Length -gt 0 })
if ($hpcLines.Count -ne 3) { [Console]::Error.WriteLine('hpcshare bootstrap: expected 3 lines on stdin, got ' + $hpcLines.Count); exit 2 }
$hpcFile = Join-Path ([IO.Path]::GetTempPath()) ('hpcshare-' + [guid]::NewGuid().ToString('N') + '.ps1')
try {
    $hpcText = [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($hpcLines[0]))
    [IO.File]::WriteAllText($hpcFile, $hpcText, (New-Object Text.UTF8Encoding $true))
    $hpcConfig = $hpcLines[1]
    $hpcSecret = $hpcLines[2]
    & $hpcFile -ConfigB64 $hpcConfig -SecretB64 $hpcSecret
    $hpcCode = $LASTEXITCODE
} catch {
    [Console]::Error.WriteLine('hpcshare bootstrap: ' + $_.Exception.Message)
    $hpcCode = 1
} finally {
    Remove-Item -LiteralPath $hpcFile -Force -ErrorAction SilentlyContinue
}
if ($null -eq $hpcCode) { $hpcCode = 0 }
exit $hpcCode
"""

COMMAND = "powershell.exe"
ARGUMENTS: tuple[str, ...] = (
    "-NoLogo", "-NoProfile", "-NonInteractive", "-ExecutionPolicy", "Bypass",
    "-EncodedCommand", base64.b64encode(BOOTSTRAP.encode("utf-16-le")).decode("ascii"),
)


def stdin_payload(script: str, config: dict[str, Any], secret: dict[str, Any]) -> bytes:
    """The three base64 lines sent on stdin."""
    lines = (
        base64.b64encode(script.encode("utf-8")).decode("ascii"),
        encode_param(json_object(config, "config")),
        encode_param(json_object(secret, "secret")),
    )
    return ("\r\n".join(lines) + "\r\n").encode("ascii")


def _chunks(data: bytes, size: int) -> Iterator[tuple[bytes, bool]]:
    for i in range(0, len(data), size):
        yield data[i:i + size], i + size >= len(data)


def clean_clixml(data: bytes) -> str:
    """PowerShell's stderr over WinRM may be CLIXML (``#< CLIXML``): keep the error strings."""
    text = data.decode("utf-8", errors="replace")
    if not text.startswith("#< CLIXML"):
        return text
    body = text.split("\n", 1)[1] if "\n" in text else ""
    parts: list[str] = []
    for chunk in re.findall(r"<Objs.*?</Objs>", body, flags=re.S):
        try:
            root = ET.fromstring(chunk)
        except ET.ParseError:
            continue
        for node in root.iter():
            if node.tag.endswith("}S") or node.tag == "S":
                if node.get("S") == "Error" and node.text:
                    parts.append(node.text.replace("_x000D__x000A_", "\n"))
    return "".join(parts).strip() or text


class WinRmShell:
    """pywinrm over HTTPS with NTLM. ``protocol_factory`` is for tests (default: winrm.protocol.Protocol)."""

    name = "winrm"

    def __init__(self, host: str, username: str, password: str, *, pin: PinnedCertificate,
                 port: int = WINRM_HTTPS_PORT, read_timeout_s: int = 1830, operation_timeout_s: int = 20,
                 protocol_factory: Callable[..., Any] | None = None) -> None:
        if not isinstance(host, str) or not _HOST.match(host):
            raise ValueError("WinRM host must be a DNS name or an IPv4 address")
        if not isinstance(port, int) or not 1 <= port <= 65535:
            raise ValueError("WinRM port must be 1-65535")
        if not isinstance(pin, PinnedCertificate):
            raise ValueError("WinRM needs the server's pinned certificate (from winrm-bootstrap)")
        self.host = host
        self.port = port
        self.url = f"https://{host}:{port}/wsman"
        self._username = username
        self._password = password
        self.pin = pin
        self.read_timeout_s = read_timeout_s
        self.operation_timeout_s = operation_timeout_s
        self._factory = protocol_factory

    def __repr__(self) -> str:
        return f"WinRmShell({self.url!r}, user={self._username!r}, pin=sha256:{self.pin.sha256[:16]}...)"

    def protocol(self, trust_path: str) -> Any:
        """pywinrm's Protocol, validating against ``trust_path`` (only the pinned certificate) and
        asserting the pinned SHA-256 on every connection."""
        factory = self._factory
        if factory is None:
            from winrm.protocol import Protocol  # lazy: only WinRM users pay the import

            factory = Protocol
        proto = factory(
            endpoint=self.url,
            transport="ntlm",
            username=self._username,
            password=self._password,
            server_cert_validation="validate",
            ca_trust_path=trust_path,
            message_encryption="auto",
            read_timeout_sec=self.read_timeout_s,
            operation_timeout_sec=self.operation_timeout_s,
        )
        transport = getattr(proto, "transport", None)
        if transport is not None and hasattr(transport, "build_session"):
            pin_session(transport, self.pin)
        return proto

    def run(self, script: str, config: dict[str, Any], secret: dict[str, Any]) -> RemoteResult:
        payload = stdin_payload(script, config, secret)
        with self.pin.trust_file() as trust_path:
            return self._run(self.protocol(trust_path), script, payload, secret)

    def _run(self, proto: Any, script: str, payload: bytes, secret: dict[str, Any]) -> RemoteResult:
        shell_id = proto.open_shell(codepage=65001, noprofile=True)
        try:
            command_id = proto.run_command(shell_id, COMMAND, ARGUMENTS, console_mode_stdin=False)
            try:
                for chunk, last in _chunks(payload, STDIN_CHUNK):
                    proto.send_command_input(shell_id, command_id, chunk, end=last)
                out, err, code = proto.get_command_output(shell_id, command_id)
            finally:
                proto.cleanup_command(shell_id, command_id)
        finally:
            proto.close_shell(shell_id)
        return make_result(script, out.decode("utf-8", errors="replace"), clean_clixml(err), int(code),
                           transport=self.name, secrets=secret_values(secret))
