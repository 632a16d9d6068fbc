"""The simulated Windows Server's side of winrm-bootstrap: certificate, HTTPS listener, firewall rule.

Called by ``fake_windows.simulate`` for the ``winrm-bootstrap`` script. It mirrors
assets/powershell/winrm-bootstrap.ps1: the same parameter checks and messages, one result line per
sub-step, "changed" the first time and "ok" on a re-run. The certificate is a real one (made with
``cryptography``, shaped like New-SelfSignedCertificate's defaults: RSA 2048, SHA-256, subject
CN=<first DNS name>, those names as DNS SANs, Server and Client Authentication EKUs, key usage
Digital Signature + Key Encipherment; learn.microsoft.com/powershell/module/pki/new-selfsignedcertificate),
so that the stand-in's WS-Management endpoint (wizard/standin/wsman.py) serves real TLS with it.

Server state written here (the keys the WS-Man endpoint reads):

* ``certificates``: ``{THUMBPRINT: {"friendly_name", "dns_names", "not_after", "der", "key_pem"}}``
  (Cert:\\LocalMachine\\My; the private key of this throw-away certificate is kept like the
  machine's key store would keep it).
* ``wsman_listeners``: ``{"HTTPS": {"address": "*", "port", "hostname", "thumbprint", "enabled"}}``.
* ``services``: ``{"WinRM": {"status", "start_type"}}``; ``firewall_rules``: the 5986 rule.
"""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
from collections.abc import Callable
from typing import Any

from wizard.remote.config import ConfigError, check_config
from wizard.remote.protocol import CONFIG_PARAM, SECRET_PARAM, SUBSTEPS, WINRM_BOOTSTRAP, Status, SubStepResult

FRIENDLY_NAME = "hpcshare-winrm-https"
RULE_NAME = "hpcshare-WinRM-HTTPS-In-TCP-5986"
RENEW_DAYS = 30

# A realistic Windows error per sub-step, for fail_substep: (message, FullyQualifiedErrorId).
FAILURES: dict[str, tuple[str, str]] = {
    "certificate": ("New-SelfSignedCertificate: CertEnroll::CX509Enrollment::_CreateRequest: Provider type not "
                    "defined. 0x80090017 (-2146893801 NTE_PROV_TYPE_NOT_DEF)",
                    "System.Exception,Microsoft.CertificateServices.Commands.NewSelfSignedCertificateCommand"),
    "listener": ("Start-Service: Service 'Windows Remote Management (WS-Management) (WinRM)' cannot be started due "
                 "to the following error: Cannot start service WinRM on computer '.'.",
                 "CouldNotStartService,Microsoft.PowerShell.Commands.StartServiceCommand"),
    "firewall": ("New-NetFirewallRule: Access is denied.", "Windows System Error 5,New-NetFirewallRule"),
}


class _Fail(Exception):
    def __init__(self, message: str, error_id: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.error_id = error_id


Outcome = tuple[Status, str, dict[str, Any]]


def make_certificate(names: list[str], *, years: int = 2) -> tuple[bytes, str]:
    """(DER, private key PEM) of a self-signed certificate shaped like New-SelfSignedCertificate's."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject).issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=10))
        .not_valid_after(now + dt.timedelta(days=365 * years))
        .add_extension(x509.KeyUsage(digital_signature=True, key_encipherment=True, content_commitment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                     crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH, ExtendedKeyUsageOID.SERVER_AUTH]),
                       critical=False)
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in names]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode("ascii")
    return cert.public_bytes(serialization.Encoding.DER), key_pem


def thumbprint(der: bytes) -> str:
    return hashlib.sha1(der).hexdigest().upper()  # noqa: S324 - Windows' certificate identifier


def simulate_bootstrap(parameters: dict[str, str], protected: dict[str, str], server: dict[str, Any],
                       fail_substep: str | None, decode: Callable[[str, str | None], dict[str, Any]]) -> tuple[str, str, int]:
    """(stdout, stderr, exit code) of winrm-bootstrap.ps1 on the simulated server."""
    start_error: str | None = None
    cfg: dict[str, Any] = {}
    try:
        cfg = decode(CONFIG_PARAM, parameters.get(CONFIG_PARAM, protected.get(CONFIG_PARAM)))
        secret = decode(SECRET_PARAM, protected.get(SECRET_PARAM, parameters.get(SECRET_PARAM)))
        if secret:
            raise _Fail("parameter -SecretB64 must be an empty object: this script takes no secret")
        check_config(WINRM_BOOTSTRAP, cfg)
    except ConfigError as e:
        start_error = e.message
    except Exception as e:  # the decoder's own failure type carries .message
        start_error = getattr(e, "message", str(e))
    lines: list[str] = []
    failed = False
    state: dict[str, Any] = {}
    for step in SUBSTEPS[WINRM_BOOTSTRAP]:
        if failed:
            lines.append(SubStepResult(step, "skipped", "not run: an earlier sub-step failed").to_line())
            continue
        if start_error is not None:
            lines.append(SubStepResult(step, "failed", start_error, {"stage": "start"}).to_line())
            failed = True
            continue
        try:
            if fail_substep == step:
                raise _Fail(*FAILURES[step])
            status, message, data = _HANDLERS[step](server, cfg, state)
        except _Fail as f:
            lines.append(SubStepResult(step, "failed", f.message, {"errorId": f.error_id} if f.error_id else {}).to_line())
            failed = True
            continue
        lines.append(SubStepResult(step, status, message, data).to_line())
    return "\r\n".join(lines) + "\r\n", "", 1 if failed else 0


def _certificate(server: dict[str, Any], cfg: dict[str, Any], state: dict[str, Any]) -> Outcome:
    names = [str(n) for n in cfg["dns_names"]]
    wanted = sorted(n.lower() for n in names)
    store = server.setdefault("certificates", {})
    soon = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=RENEW_DAYS)
    found = None
    for thumb, c in store.items():
        not_after = dt.datetime.fromisoformat(c["not_after"])
        if (c.get("friendly_name") == FRIENDLY_NAME and c.get("key_pem") and not_after >= soon
                and sorted(n.lower() for n in c.get("dns_names", [])) == wanted):
            found = thumb
            break
    status: Status = "ok"
    if found is None:
        der, key_pem = make_certificate(names)
        from cryptography import x509

        not_after = x509.load_der_x509_certificate(der).not_valid_after_utc
        found = thumbprint(der)
        store[found] = {"friendly_name": FRIENDLY_NAME, "dns_names": names, "not_after": not_after.isoformat(),
                        "der": base64.b64encode(der).decode("ascii"), "key_pem": key_pem}
        status = "changed"
    c = store[found]
    state["thumbprint"] = found
    until = c["not_after"][:10]
    data = {"thumbprint": found, "certificate": c["der"], "notAfter": until}
    if status == "changed":
        return status, f"Self-signed certificate CN={names[0]} created in Cert:\\LocalMachine\\My (thumbprint {found}, valid until {until})", data
    return status, f"Self-signed certificate CN={names[0]} already in Cert:\\LocalMachine\\My (thumbprint {found}, valid until {until})", data


def _listener(server: dict[str, Any], cfg: dict[str, Any], state: dict[str, Any]) -> Outcome:
    thumb = state["thumbprint"]
    host, port = cfg["dns_names"][0], cfg["port"]
    did: list[str] = []
    svc = server.setdefault("services", {}).setdefault("WinRM", {"status": "Running", "start_type": "Automatic"})
    if svc.get("start_type") != "Automatic":
        svc["start_type"] = "Automatic"
        did.append("service 'WinRM' set to start automatically")
    if svc.get("status") != "Running":
        svc["status"] = "Running"
        did.append("service 'WinRM' started")
    cert = server.get("certificates", {}).get(thumb)
    # An HTTPS listener needs a machine certificate with its private key whose subject names the
    # listener's Hostname (WSManDsc docs: "The host name in the certificate must match the name of the
    # host machine" unless Hostname names the subject). [exact Windows wording unverified]
    if cert is None or not cert.get("key_pem"):
        raise _Fail(f"New-WSManInstance: The WS-Management service cannot find the certificate that was requested "
                    f"(thumbprint {thumb}).", "InvalidOperation,Microsoft.WSMan.Management.NewWSManInstanceCommand")
    if cert["dns_names"][0].lower() != host.lower():
        raise _Fail(f"New-WSManInstance: the certificate's subject CN={cert['dns_names'][0]} does not match the "
                    f"listener Hostname {host}.", "InvalidOperation,Microsoft.WSMan.Management.NewWSManInstanceCommand")
    listeners = server.setdefault("wsman_listeners", {})
    want = {"address": "*", "port": port, "hostname": host, "thumbprint": thumb, "enabled": True}
    have = listeners.get("HTTPS")
    if have is None:
        did.append("HTTPS listener created")
    elif have != want:
        did.append("HTTPS listener updated")
    listeners["HTTPS"] = want
    facts = f"https://{host}:{port}/wsman with certificate {thumb}"
    if not did:
        return "ok", f"WS-Management HTTPS listener already in place: {facts}", {"port": port}
    return "changed", f"WS-Management: {', '.join(did)}; {facts}", {"port": port}


def _firewall(server: dict[str, Any], cfg: dict[str, Any], state: dict[str, Any]) -> Outcome:
    from wizard.standin.firewall_addresses import address_key

    remote = list(cfg["winrm_remote"])
    port = cfg["port"]
    rules = server.setdefault("firewall_rules", {})
    facts = f"TCP {port} allowed from {', '.join(remote)} only"
    want = {"builtin": False, "enabled": True, "protocol": "TCP", "port": port, "remote": remote, "profile": "Any",
            "direction": "Inbound", "action": "Allow"}
    rule = rules.get(RULE_NAME)
    if rule is None:
        rules[RULE_NAME] = want
        return "changed", f"Windows Firewall: created rule {RULE_NAME}; {facts}", {}
    same = (rule.get("enabled") and rule.get("protocol") == "TCP" and rule.get("port") == port
            and address_key(rule.get("remote", [])) == address_key(remote))
    if same:
        return "ok", f"Windows Firewall already as wanted: {facts}", {}
    rules[RULE_NAME] = want
    return "changed", f"Windows Firewall: updated rule {RULE_NAME}; {facts}", {}


_HANDLERS: dict[str, Callable[[dict[str, Any], dict[str, Any], dict[str, Any]], Outcome]] = {
    "certificate": _certificate, "listener": _listener, "firewall": _firewall,
}
assert tuple(_HANDLERS) == SUBSTEPS[WINRM_BOOTSTRAP]


def https_listener(server: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """(listener, certificate) when the simulated server listens for WS-Management over HTTPS."""
    listener = (server.get("wsman_listeners") or {}).get("HTTPS")
    if not listener or not listener.get("enabled"):
        return None
    if (server.get("services") or {}).get("WinRM", {}).get("status") != "Running":
        return None
    cert = (server.get("certificates") or {}).get(listener.get("thumbprint"))
    if not cert or not cert.get("key_pem"):
        return None
    return listener, cert
