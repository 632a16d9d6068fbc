"""winrm-bootstrap: its parameters, the simulated server's answer, and the whole path through the
real Azure SDK (managed Run Command against the stand-in) into the WinRM transport."""
from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import pytest

from tests.remote.helpers import make_answers
from tests.remote.test_standin_e2e import REGION, RG, _create_vm
from wizard.answers import Answers, Secrets
from wizard.remote import ManagedRunCommandShell, WinRmShell, configure_server, self_test
from wizard.remote.config import ConfigError, ServerInfo, check_config, winrm_bootstrap_config
from wizard.remote.pinning import PinnedCertificate
from wizard.remote.protocol import SUBSTEPS, WINRM_BOOTSTRAP, encode_param, parse_results
from wizard.remote.scripts import load_script
from wizard.remote.steps import winrm_bootstrap
from wizard.standin.fake_windows import simulate

import wizard.standin as standin_mod

WINRM = {"remote__transport": "winrm"}


def bootstrap_config(**changes: Any) -> dict[str, Any]:
    return winrm_bootstrap_config(make_answers(**{**WINRM, **changes}), ServerInfo())


# ---- parameters -----------------------------------------------------------------------------------

def test_config_names_the_server_and_the_scope() -> None:
    config = bootstrap_config()
    assert config == {"schema": 1, "computer_name": "myfileserver", "dns_names": ["myfileserver"],
                      "winrm_remote": ["10.0.0.0/16"], "port": 5986}
    # The VNet's real prefixes when provisioning reported them; a typed range as it is.
    answers = make_answers(**WINRM)
    assert winrm_bootstrap_config(answers, ServerInfo(vnet_prefixes=("10.8.0.0/16", "10.9.0.0/24")))["winrm_remote"] == [
        "10.8.0.0/16", "10.9.0.0/24"]
    assert bootstrap_config(remote__winrm_source="10.1.2.0/24")["winrm_remote"] == ["10.1.2.0/24"]
    public = make_answers(**WINRM, endpoints__public_ip=True, endpoints__dns_label="fs-west",
                          remote__winrm_source="203.0.113.7/32")
    cfg = winrm_bootstrap_config(public, None, "fs-west.westeurope.cloudapp.azure.com")
    assert cfg["dns_names"] == ["myfileserver", "fs-west.westeurope.cloudapp.azure.com"]
    assert cfg["winrm_remote"] == ["203.0.113.7/32"]


def test_config_refuses_what_must_not_reach_the_server() -> None:
    with pytest.raises(ConfigError, match="remote.transport"):
        winrm_bootstrap_config(make_answers(), None)
    wide = make_answers(**WINRM).replace(remote__winrm_source="0.0.0.0/0")
    with pytest.raises(ConfigError) as info:
        winrm_bootstrap_config(wide, None)
    assert info.value.field == "remote.winrm_source"
    good = bootstrap_config()
    for key, value in (("dns_names", ["myfileserver; calc"]), ("dns_names", ["other"]), ("dns_names", []),
                       ("winrm_remote", ["Internet"]), ("winrm_remote", ["*"]), ("winrm_remote", []),
                       ("port", 5985), ("port", True), ("computer_name", "$(calc)")):
        with pytest.raises(ConfigError):
            check_config(WINRM_BOOTSTRAP, {**good, key: value})


# ---- the simulated server -------------------------------------------------------------------------

def run_fake(server: dict[str, Any], config: dict[str, Any], secret: dict[str, Any] | None = None,
             fail: str | None = None) -> tuple[list[Any], int]:
    out, _, code = simulate(load_script(WINRM_BOOTSTRAP), {"ConfigB64": encode_param(config)},
                            {"SecretB64": encode_param(secret or {})}, server, fail)
    # Run Command keeps only the last 4,096 bytes: the certificate must fit with every result line.
    assert len(out.encode("utf-8")) < 3000
    return parse_results(out), code


def test_fake_creates_then_keeps_certificate_listener_and_rule() -> None:
    from cryptography import x509

    server: dict[str, Any] = {}
    first, code = run_fake(server, bootstrap_config())
    assert code == 0 and [(r.step, r.status) for r in first] == [(s, "changed") for s in SUBSTEPS[WINRM_BOOTSTRAP]]
    pin = PinnedCertificate.from_b64(first[0].data["certificate"], first[0].data["thumbprint"])
    cert = x509.load_der_x509_certificate(pin.der)
    assert cert.subject.rfc4514_string() == "CN=myfileserver"
    assert cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value.get_values_for_type(
        x509.DNSName) == ["myfileserver"]
    assert server["wsman_listeners"]["HTTPS"]["thumbprint"] == pin.thumbprint
    assert server["firewall_rules"]["hpcshare-WinRM-HTTPS-In-TCP-5986"]["remote"] == ["10.0.0.0/16"]
    again, code = run_fake(server, bootstrap_config())
    assert code == 0 and [r.status for r in again] == ["ok"] * 3
    assert again[0].data["thumbprint"] == pin.thumbprint           # the same certificate: the pin holds
    narrower, _ = run_fake(server, bootstrap_config(remote__winrm_source="10.0.0.0/24"))
    assert [r.status for r in narrower] == ["ok", "ok", "changed"]
    assert server["firewall_rules"]["hpcshare-WinRM-HTTPS-In-TCP-5986"]["remote"] == ["10.0.0.0/24"]


def test_fake_refuses_a_secret_and_reports_injected_failures() -> None:
    results, code = run_fake({}, bootstrap_config(), {"share_password": "x"})
    assert code == 1 and results[0].status == "failed" and "empty object" in results[0].message
    results, code = run_fake({}, bootstrap_config(), fail="listener")
    assert code == 1 and [r.status for r in results] == ["changed", "failed", "skipped"]
    assert "cannot be started" in results[1].message


# ---- through the real SDK and the stand-in ------------------------------------------------------

@pytest.fixture
def standin(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    for var in ("HPCSHARE_STANDIN_LATENCY", "HPCSHARE_STANDIN_SCALE", "HPCSHARE_STANDIN_FAULTS", "HPCSHARE_STANDIN_LOG"):
        monkeypatch.delenv(var, raising=False)
    with standin_mod.StandIn() as s:
        yield s


def test_bootstrap_by_run_command_then_both_steps_over_pinned_winrm(standin: Any, secrets: Secrets) -> None:
    answers: Answers = make_answers(vm__name="fs01", **WINRM)
    cmc = _create_vm(standin, answers)
    vm_id = cmc.virtual_machines.get(RG, "fs01").id
    assert standin.winrm_endpoint(vm_id) is None                    # nothing listens before the bootstrap
    result = winrm_bootstrap(ManagedRunCommandShell(cmc, RG, "fs01", REGION), answers, None)
    assert result.ok, result.summary()
    pin = PinnedCertificate.from_b64(result.results[0].data["certificate"], result.results[0].data["thumbprint"])
    host, port = standin.winrm_endpoint(vm_id)
    shell = WinRmShell(host, answers.vm.admin_username, secrets.admin_password, pin=pin, port=port)
    assert configure_server(shell, answers, None, secrets).ok
    assert self_test(shell, answers, secrets).ok
    puts = [r for r in standin.requests if r[0] == "PUT" and "/runCommands/" in r[1]]
    commands = [r for r in standin.requests if r[0] == "WSMAN" and r[1].endswith("/Command")]
    assert len(puts) == 1 and len(commands) == 2                    # bootstrap + two steps over WinRM
    # The certificate the endpoint serves is the one the bootstrap returned.
    assert base64.b64decode(result.results[0].data["certificate"]) == pin.der
