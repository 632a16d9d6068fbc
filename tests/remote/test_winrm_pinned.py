"""WinRM through real pywinrm, real TLS and real NTLM against the stand-in's WS-Management endpoint
(wizard/standin/wsman.py): the pinned certificate is accepted, any other one is refused before a
byte of SOAP is sent, and a wrong admin password is refused by the NTLM logon."""
from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.remote.helpers import ADMIN_PASSWORD
from wizard.answers import Answers, Secrets
from wizard.remote import WinRmShell, configure_server, self_test
from wizard.remote.pinning import PinnedCertificate
from wizard.remote.protocol import SUBSTEPS
from wizard.execute.remote_steps import winrm_failure
from wizard.runner import StepFailed
from wizard.standin.fake_winrm import make_certificate
from wizard.standin.wsman import WsmanEndpoint

ADMIN = "hpcadmin"


class Listener:
    """One simulated VM with an HTTPS listener on loopback; records what the endpoint logged."""

    def __init__(self, tmp: Path, names: list[str]) -> None:
        from spnego._ntlm_raw.crypto import ntowfv1

        self.der, key_pem = make_certificate(names)
        self.server: dict[str, Any] = {"computer_name": names[0].upper()}
        self.log: list[tuple[str, str, int]] = []
        self.endpoint = WsmanEndpoint("fs01", self.der, key_pem, {"name": ADMIN, "nt_hash": ntowfv1(ADMIN_PASSWORD).hex()},
                                      tmp, lambda: self.server, threading.RLock(),
                                      lambda m, p, s: self.log.append((m, p, s))).start()

    def shell(self, pin: PinnedCertificate, password: str = ADMIN_PASSWORD) -> WinRmShell:
        return WinRmShell("127.0.0.1", ADMIN, password, pin=pin, port=self.endpoint.port,
                          read_timeout_s=30, operation_timeout_s=20)

    def commands(self) -> list[tuple[str, str, int]]:
        return [e for e in self.log if e[1].endswith("/Command")]


@pytest.fixture
def listener(tmp_path: Path) -> Iterator[Listener]:
    lst = Listener(tmp_path / "wsman", ["fs01"])
    yield lst
    lst.endpoint.stop()


def test_the_pinned_certificate_carries_both_remote_steps(listener: Listener, answers: Answers, secrets: Secrets) -> None:
    answers = answers.replace(vm__name="fs01")
    shell = listener.shell(PinnedCertificate(listener.der))
    first = configure_server(shell, answers, None, secrets)
    assert first.ok and first.transport == "winrm", first.summary()
    assert [r.status for r in first.results] == ["changed"] * len(SUBSTEPS["configure-server"])
    assert self_test(shell, answers, secrets).ok
    # One WS-Management command per remote step, and the simulated server really changed.
    assert len(listener.commands()) == 2
    assert "myshare" in listener.server["shares"]


def test_a_different_certificate_is_refused(listener: Listener, answers: Answers, secrets: Secrets) -> None:
    """Same subject name (CN=fs01), another key: the name proves nothing, only the pinned certificate passes."""
    impostor = PinnedCertificate(make_certificate(["fs01"])[0])
    assert impostor.sha256 != PinnedCertificate(listener.der).sha256
    shell = listener.shell(impostor)
    with pytest.raises(requests.exceptions.SSLError) as info:
        configure_server(shell, answers.replace(vm__name="fs01"), None, secrets)
    assert "CERTIFICATE_VERIFY_FAILED" in str(info.value)        # only the pinned certificate is trusted
    assert listener.log == [] and "shares" not in listener.server       # nothing reached the server
    failure = winrm_failure(info.value, shell)
    assert isinstance(failure, StepFailed)
    assert "did not present the pinned certificate" in failure.message and impostor.sha256 in failure.message


def test_the_pin_file_alone_also_refuses_another_certificate(listener: Listener) -> None:
    """Chain verification stays on: trusting only the pinned PEM (no fingerprint) still refuses the server."""
    other = PinnedCertificate(make_certificate(["fs01"])[0])
    with other.trust_file() as trust, pytest.raises(requests.exceptions.SSLError, match="CERTIFICATE_VERIFY_FAILED"):
        requests.post(f"https://127.0.0.1:{listener.endpoint.port}/wsman", verify=trust, timeout=10)


def test_the_fingerprint_alone_also_refuses_another_certificate(listener: Listener) -> None:
    """The second layer on its own: even with the server's certificate in the trust file, the
    adapter refuses a certificate whose SHA-256 is not the pinned one."""
    from wizard.remote.pinning import pinned_adapter

    served, other = PinnedCertificate(listener.der), PinnedCertificate(make_certificate(["fs01"])[0])
    with served.trust_file() as trust, requests.Session() as session:
        session.mount("https://", pinned_adapter(other.sha256))
        with pytest.raises(requests.exceptions.SSLError, match="Fingerprints did not match"):
            session.post(f"https://127.0.0.1:{listener.endpoint.port}/wsman", verify=trust, timeout=10)
        session.mount("https://", pinned_adapter(served.sha256))
        assert session.post(f"https://127.0.0.1:{listener.endpoint.port}/wsman", verify=trust, timeout=10).status_code == 401


def test_a_wrong_admin_password_fails_the_ntlm_logon(listener: Listener, answers: Answers, secrets: Secrets) -> None:
    from winrm.exceptions import InvalidCredentialsError

    shell = listener.shell(PinnedCertificate(listener.der), password="Wr0ng-Passw0rd.x")
    with pytest.raises(InvalidCredentialsError) as info:
        configure_server(shell, answers.replace(vm__name="fs01"), None, secrets)
    assert "rejected" in winrm_failure(info.value, shell).message
    assert listener.commands() == [] and "shares" not in listener.server
