"""The WinRM server's certificate, pinned: what winrm-bootstrap returned is the only certificate
the WinRM transport accepts.

The bootstrap creates a self-signed certificate on the server and returns it (base64 DER plus the
Windows thumbprint). The client then trusts exactly that certificate, in two ways at once:

* chain verification stays on (``server_cert_validation="validate"``), with pywinrm's
  ``ca_trust_path`` pointing at a PEM file that holds only the pinned certificate: no public CA
  and no other certificate can vouch for the server;
* a requests adapter hands urllib3 ``assert_fingerprint`` (the SHA-256 of the pinned DER), so the
  TLS handshake fails unless the server presents that very certificate.

Hostname: the certificate names the computer (CN=<vm name>, plus the public DNS name when there is
one), while hpcshare usually connects to the private IP. urllib3 replaces the hostname match by
the fingerprint match when ``assert_fingerprint`` is set (urllib3 ``connection.py``,
``_ssl_wrap_socket_and_match_hostname``): the identity check is the exact certificate, which is
stronger than a name a self-signed certificate could claim anyway.
"""
from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import os
import re
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

_THUMBPRINT = re.compile(r"^[0-9A-Fa-f]{40}$")


class PinError(ValueError):
    """What the bootstrap returned cannot be pinned (missing, not a certificate, thumbprint mismatch)."""


@dataclass(frozen=True)
class PinnedCertificate:
    der: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.der).hexdigest()

    @property
    def thumbprint(self) -> str:
        """What Windows shows as the certificate's thumbprint (SHA-1 of the DER, upper-case hex)."""
        return hashlib.sha1(self.der).hexdigest().upper()  # noqa: S324 - Windows' own identifier, not security

    @property
    def pem(self) -> str:
        body = base64.encodebytes(self.der).decode("ascii")
        return f"-----BEGIN CERTIFICATE-----\n{body}-----END CERTIFICATE-----\n"

    @classmethod
    def from_b64(cls, certificate: str, thumbprint: str | None = None) -> "PinnedCertificate":
        """From the bootstrap's data: base64 DER, checked to be one X.509 certificate whose SHA-1
        is the thumbprint Windows reported (so the pin is the certificate the listener uses)."""
        from cryptography import x509

        if not isinstance(certificate, str) or not certificate:
            raise PinError("the WinRM bootstrap returned no certificate")
        try:
            der = base64.b64decode(certificate, validate=True)
            x509.load_der_x509_certificate(der)
        except (binascii.Error, ValueError):
            raise PinError("the WinRM bootstrap returned something that is not an X.509 certificate") from None
        pin = cls(der)
        if thumbprint is not None:
            if not isinstance(thumbprint, str) or not _THUMBPRINT.match(thumbprint):
                raise PinError("the WinRM bootstrap returned a malformed certificate thumbprint")
            if thumbprint.upper() != pin.thumbprint:
                raise PinError(f"the certificate returned does not match its thumbprint {thumbprint}")
        return pin

    @classmethod
    def from_outputs(cls, outputs: Mapping[str, Any]) -> "PinnedCertificate":
        """From the winrm-bootstrap step's recorded outputs (``certificate``, ``thumbprint``)."""
        return cls.from_b64(outputs.get("certificate", ""), outputs.get("thumbprint"))

    @contextlib.contextmanager
    def trust_file(self) -> Iterator[str]:
        """A PEM file with only this certificate (pywinrm's ``ca_trust_path``), removed afterwards."""
        folder = tempfile.mkdtemp(prefix="hpcshare-winrm-")
        path = os.path.join(folder, "pinned.pem")
        try:
            with open(path, "w", encoding="ascii") as fh:
                fh.write(self.pem)
            yield path
        finally:
            with contextlib.suppress(OSError):
                os.remove(path)
            with contextlib.suppress(OSError):
                os.rmdir(folder)


def pinned_adapter(sha256_hex: str) -> Any:
    """A requests adapter whose connections demand the certificate with this SHA-256."""
    from requests.adapters import HTTPAdapter

    class PinnedAdapter(HTTPAdapter):
        def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
            kwargs["assert_fingerprint"] = sha256_hex
            super().init_poolmanager(*args, **kwargs)

    return PinnedAdapter()


def pin_session(transport: Any, pin: PinnedCertificate) -> None:
    """Build pywinrm's requests session now and mount the pinning adapter on it. Over HTTPS with
    ``message_encryption="auto"`` building the session sends nothing (pywinrm ``transport.py``)."""
    if transport.server_cert_validation != "validate":
        raise PinError("certificate validation must stay on for a pinned WinRM connection")
    session = transport.build_session()
    session.mount("https://", pinned_adapter(pin.sha256))
