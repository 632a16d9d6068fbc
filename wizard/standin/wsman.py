"""The simulated server's WS-Management endpoint: real HTTPS on loopback, real NTLM, real SOAP.

Started by ``StandIn.winrm_endpoint(vm_id)`` once winrm-bootstrap has created an HTTPS listener
on the simulated VM (wizard/standin/fake_winrm.py). It presents the certificate the bootstrap
made (so the client's pin is tested against a real TLS handshake), answers with HTTP 401
``WWW-Authenticate: Negotiate`` until an NTLM logon succeeds on the connection (WinRM's default
service auth is Negotiate; the account is checked against the VM admin's NT hash with pyspnego's
NTLM acceptor, channel binding included), and serves the shell operations pywinrm sends (Create,
Command, Send, Receive, Signal, Delete; MS-WSMV). The command's stdin (the bootstrap protocol of
wizard/remote/winrm_shell.py: script, ConfigB64, SecretB64) runs on ``fake_windows.simulate``
with the VM's server state, as Run Command would.

Only the address differs from Azure: 127.0.0.1 and an ephemeral port instead of the VM's IP and 5986.
"""
from __future__ import annotations

import base64
import contextlib
import hashlib
import os
import ssl
import threading
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

NS = {
    "s": "http://www.w3.org/2003/05/soap-envelope",
    "a": "http://schemas.xmlsoap.org/ws/2004/08/addressing",
    "w": "http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd",
    "rsp": "http://schemas.microsoft.com/wbem/wsman/1/windows/shell",
}
_DONE = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/CommandState/Done"
# pyspnego's NTLM acceptor reads its account store from this variable (spnego/_ntlm.py); it is set
# only while a token is processed, under this lock, so nothing else in the process sees it.
_NTLM_ENV = "NTLM_USER_FILE"
_NTLM_LOCK = threading.Lock()


def _split_stdin(payload: bytes) -> tuple[str, str, str] | None:
    """The bootstrap's view of stdin: base64(script), ConfigB64, SecretB64 (None when malformed)."""
    lines = [ln.strip() for ln in payload.decode("ascii", errors="replace").splitlines() if ln.strip()]
    if len(lines) != 3:
        return None
    try:
        script = base64.b64decode(lines[0], validate=True).decode("utf-8")
    except ValueError:
        return None
    return script, lines[1], lines[2]


class WsmanEndpoint:
    """One VM's HTTPS listener. ``server_state`` returns the VM's live state dict; ``lock`` guards
    it (the ARM stand-in's lock); ``record(method, path, status)`` writes the stand-in's request log."""

    def __init__(self, name: str, cert_der: bytes, key_pem: str, admin: dict[str, str], workdir: Path,
                 server_state: Callable[[], dict[str, Any]], lock: Any, record: Callable[[str, str, int], None]) -> None:
        self.name = name
        self.thumbprint = hashlib.sha1(cert_der).hexdigest().upper()  # noqa: S324 - Windows' identifier
        self.cert_der = cert_der
        self._state = server_state
        self._lock = lock
        self._record = record
        workdir.mkdir(parents=True, exist_ok=True)
        cert_path, key_path, self.users_path = workdir / "listener.pem", workdir / "listener.key", workdir / "ntlm-users"
        cert_path.write_text(ssl.DER_cert_to_PEM_cert(cert_der), encoding="ascii")
        _write_private(key_path, key_pem)
        # smbpasswd format (USER:UID:LM:NT:FLAGS:LCT): the NT hash only, as the SAM keeps it.
        _write_private(self.users_path, f"{admin.get('name', '')}:500:{'0' * 32}:{admin.get('nt_hash', '0' * 32)}:[U]:LCT-00000000\n")
        tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls.minimum_version = ssl.TLSVersion.TLSv1_2
        tls.load_cert_chain(str(cert_path), str(key_path))
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _make_handler(self))
        self.httpd.daemon_threads = True
        self.httpd.socket = tls.wrap_socket(self.httpd.socket, server_side=True)
        self.shells: dict[str, dict[str, dict[str, Any]]] = {}
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self.httpd.server_address[1])

    def start(self) -> "WsmanEndpoint":
        self._thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02},
                                        name=f"hpcshare-wsman-{self.name}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    # -- NTLM ------------------------------------------------------------------------------------
    def new_acceptor(self) -> Any:
        import spnego
        from spnego.channel_bindings import GssChannelBindings

        # tls-server-end-point (RFC 5929): the hash of our certificate, which pywinrm binds into
        # the NTLM logon (send_cbt); a logon relayed through another TLS endpoint fails.
        bindings = GssChannelBindings(application_data=b"tls-server-end-point:" + hashlib.sha256(self.cert_der).digest())
        with self._ntlm_env():
            return spnego.server(protocol="ntlm", channel_bindings=bindings)

    def step(self, acceptor: Any, token: bytes) -> bytes | None:
        with self._ntlm_env():
            return acceptor.step(token)

    @contextlib.contextmanager
    def _ntlm_env(self) -> Any:
        with _NTLM_LOCK:
            before = os.environ.get(_NTLM_ENV)
            os.environ[_NTLM_ENV] = str(self.users_path)
            try:
                yield
            finally:
                if before is None:
                    os.environ.pop(_NTLM_ENV, None)
                else:
                    os.environ[_NTLM_ENV] = before

    # -- SOAP ------------------------------------------------------------------------------------
    def soap(self, text: bytes) -> tuple[int, bytes]:
        """Answer one SOAP request; the request log gets one line per operation, after it ran."""
        status, payload, verb = self._soap(text)
        self._record("WSMAN", f"/wsman/{self.name}/{verb or 'unknown'}", status)
        return status, payload

    def _soap(self, text: bytes) -> tuple[int, bytes, str]:
        status, payload = 400, b""
        verb = ""
        try:
            root = ET.fromstring(text)
            verb = root.findtext("s:Header/a:Action", default="", namespaces=NS).rsplit("/", 1)[-1]
        except ET.ParseError:
            return status, payload, verb
        status, payload = self._operation(root, verb)
        return status, payload, verb

    def _operation(self, root: ET.Element, verb: str) -> tuple[int, bytes]:
        from wizard.standin.fake_windows import simulate

        msg_id = root.findtext("s:Header/a:MessageID", default="", namespaces=NS)
        body = root.find("s:Body", NS)
        shell_id = root.findtext("s:Header/w:SelectorSet/w:Selector[@Name='ShellId']", default="", namespaces=NS)
        if verb == "Create":
            shell_id = str(uuid.uuid4()).upper()
            self.shells[shell_id] = {}
            return 200, _envelope(msg_id, '<x:ResourceCreated><a:ReferenceParameters><w:SelectorSet>'
                                          f'<w:Selector Name="ShellId">{shell_id}</w:Selector>'
                                          '</w:SelectorSet></a:ReferenceParameters></x:ResourceCreated>')
        commands = self.shells.get(shell_id)
        if commands is None or body is None:
            return 500, _fault(msg_id, "The request for the Windows Remote Shell with ShellId "
                                       f"{shell_id} failed because the shell was not found on the server.")
        if verb == "Command":
            command_id = str(uuid.uuid4()).upper()
            commands[command_id] = {"stdin": b"", "closed": False, "result": None}
            return 200, _envelope(msg_id, f"<rsp:CommandResponse><rsp:CommandId>{command_id}</rsp:CommandId></rsp:CommandResponse>")
        if verb == "Send":
            stream = body.find("rsp:Send/rsp:Stream", NS)
            cmd = commands.get(stream.get("CommandId", "") if stream is not None else "")
            if stream is None or cmd is None or stream.get("Name") != "stdin":
                return 400, b""
            cmd["stdin"] += base64.b64decode(stream.text or "")
            cmd["closed"] = cmd["closed"] or stream.get("End") == "true"
            return 200, _envelope(msg_id, "<rsp:SendResponse/>")
        if verb == "Receive":
            desired = body.find("rsp:Receive/rsp:DesiredStream", NS)
            cmd = commands.get(desired.get("CommandId", "") if desired is not None else "")
            if cmd is None:
                return 400, b""
            if cmd["result"] is None:
                parts = _split_stdin(cmd["stdin"]) if cmd["closed"] else None
                if parts is None:
                    cmd["result"] = ("", "hpcshare bootstrap: expected 3 lines on stdin\r\n", 2)
                else:
                    script, config, secret = parts
                    with self._lock:
                        cmd["result"] = simulate(script, {"ConfigB64": config}, {"SecretB64": secret}, self._state(), None)
            out, err, code = cmd["result"]
            stream_id = desired.get("CommandId") if desired is not None else None
            b64 = lambda s: base64.b64encode(s.encode("utf-8")).decode("ascii")  # noqa: E731
            return 200, _envelope(msg_id, '<rsp:ReceiveResponse>'
                                          f'<rsp:Stream Name="stdout" CommandId="{stream_id}">{b64(out)}</rsp:Stream>'
                                          f'<rsp:Stream Name="stderr" CommandId="{stream_id}">{b64(err)}</rsp:Stream>'
                                          f'<rsp:CommandState CommandId="{stream_id}" State="{_DONE}">'
                                          f'<rsp:ExitCode>{int(code)}</rsp:ExitCode></rsp:CommandState></rsp:ReceiveResponse>')
        if verb == "Signal":
            return 200, _envelope(msg_id, "<rsp:SignalResponse/>")
        if verb == "Delete":
            self.shells.pop(shell_id, None)
            return 200, _envelope(msg_id, "")
        return 500, _fault(msg_id, f"The WS-Management service does not support the request ({verb}).")


def _write_private(path: Path, text: str) -> None:
    fd = os.open(str(path), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(text)


def _envelope(relates_to: str, body: str) -> bytes:
    return (f'<s:Envelope xmlns:s="{NS["s"]}" xmlns:a="{NS["a"]}" xmlns:w="{NS["w"]}" xmlns:rsp="{NS["rsp"]}" '
            f'xmlns:x="http://schemas.xmlsoap.org/ws/2004/09/transfer"><s:Header>'
            f'<a:RelatesTo>{relates_to}</a:RelatesTo></s:Header><s:Body>{body}</s:Body></s:Envelope>').encode("utf-8")


def _fault(relates_to: str, text: str) -> bytes:
    return _envelope(relates_to, f'<s:Fault><s:Code><s:Value>s:Receiver</s:Value></s:Code>'
                                 f'<s:Reason><s:Text xml:lang="en-US">{text}</s:Text></s:Reason></s:Fault>')


def _make_handler(endpoint: WsmanEndpoint) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "Microsoft-HTTPAPI/2.0"
        sys_version = ""

        def setup(self) -> None:
            super().setup()
            self.acceptor: Any = None
            self.user: str | None = None      # NTLM authenticates the connection, as on Windows

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
            pass

        def _reply(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            if body:
                self.send_header("Content-Type", "application/soap+xml;charset=UTF-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if body:
                self.wfile.write(body)

        def do_POST(self) -> None:  # noqa: N802 - stdlib name
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            if self.path.split("?")[0].lower() != "/wsman":
                self._reply(404)
                return
            if self.user is None:
                auth = self.headers.get("Authorization", "")
                scheme, _, token = auth.partition(" ")
                if scheme.lower() not in ("negotiate", "ntlm") or not token:
                    self._reply(401, headers={"WWW-Authenticate": "Negotiate"})
                    return
                try:
                    if self.acceptor is None:
                        self.acceptor = endpoint.new_acceptor()
                    out = endpoint.step(self.acceptor, base64.b64decode(token))
                except Exception:  # a bad password or a malformed token: the logon fails
                    self.acceptor = None
                    endpoint._record("WSMAN", f"/wsman/{endpoint.name}/logon", 401)
                    self._reply(401, headers={"WWW-Authenticate": "Negotiate"})
                    return
                if not self.acceptor.complete:
                    self._reply(401, headers={"WWW-Authenticate": f"{scheme} {base64.b64encode(out or b'').decode()}"})
                    return
                self.user = str(self.acceptor.client_principal or "")
            if not body:
                self._reply(200)
                return
            status, payload = endpoint.soap(body)
            self._reply(status, payload)

    return Handler
