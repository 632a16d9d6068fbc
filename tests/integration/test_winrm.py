"""`hpcshare run --demo --yes --set remote.transport=winrm`, end to end through the real Azure SDK
and the stand-in: the bootstrap by managed Run Command, then configure-server and self-test over
WinRM with the pinned certificate, the NSG rule for 5986 from the chosen scope, and teardown."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.integration.conftest import run_session, write_answers
from wizard.environment import standin_state_file
from wizard.standin import StandIn


def _winrm_rules(home: Path) -> list[dict[str, Any]]:
    with StandIn(state_file=standin_state_file()) as s:
        nsgs = [r for r in s.resources() if r["type"].lower() == "microsoft.network/networksecuritygroups"]
    return [rule for nsg in nsgs for rule in nsg["properties"].get("securityRules", [])
            if "5986" in (rule["properties"].get("destinationPortRange"), *rule["properties"].get("destinationPortRanges", []))]


def _log_lines(log: Path) -> list[str]:
    return log.read_text().splitlines() if log.exists() else []


def test_winrm_run_pins_opens_5986_from_the_vnet_only_and_tears_down(home: Path, tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    from wizard.cli import main

    log = tmp_path / "standin.log"
    monkeypatch.setenv("HPCSHARE_STANDIN_LOG", str(log))
    # WinRM logs on as the VM's admin: a re-run needs the password the VM was created with.
    monkeypatch.setenv("HPCSHARE_ADMIN_PASSWORD", "Adm1n-Pass.word-42")
    answers = write_answers(tmp_path / "it.toml", remote__transport="winrm")
    code, text, _ = run_session(answers, tmp_path / "out")
    assert code == 0, text
    assert "WinRM certificate pinned: thumbprint" in text
    for sub in ("certificate", "listener", "firewall"):
        assert f"winrm-bootstrap/{sub}" in text, sub
    assert "TCP 5986 allowed from 10.0.0.0/16 only" in text
    # Three remote calls: the bootstrap by Run Command, then one WinRM command per remote step.
    lines = _log_lines(log)
    run_commands = [ln for ln in lines if ln.startswith("PUT ") and "/runcommands/" in ln.lower()]
    winrm_commands = [ln for ln in lines if ln.startswith("WSMAN ") and ln.split(" ")[1].endswith("/Command")]
    assert len(run_commands) == 1 and len(winrm_commands) == 2, lines
    assert all(ln.endswith(" 200") for ln in winrm_commands)
    # The NSG admits 5986 from the chosen scope (the VNet), never from the Internet or '*'.
    rules = _winrm_rules(home)
    assert [(r["name"], r["properties"]["sourceAddressPrefix"], r["properties"]["access"]) for r in rules] == [
        ("allow-winrm-https-5986", "VirtualNetwork", "Allow")]

    # A typed range replaces the scope in the NSG and in the server's firewall rule.
    write_answers(answers, remote__transport="winrm", remote__winrm_source="10.0.0.0/24")
    code, text, _ = run_session(answers, tmp_path / "out")
    assert code == 0, text
    assert [r["properties"]["sourceAddressPrefix"] for r in _winrm_rules(home)] == ["10.0.0.0/24"]
    assert "TCP 5986 allowed from 10.0.0.0/24 only" in text
    assert all(r["properties"]["sourceAddressPrefix"] not in ("Internet", "*", "0.0.0.0/0") for r in _winrm_rules(home))

    assert main(["teardown", "--demo", "--answers", str(answers), "--yes"]) == 0, capsys.readouterr()
    assert _winrm_rules(home) == []


def test_a_rerun_with_a_new_generated_admin_password_says_what_to_do(home: Path, tmp_path: Path) -> None:
    answers = write_answers(tmp_path / "it.toml", remote__transport="winrm")
    assert run_session(answers, tmp_path / "out")[0] == 0
    write_answers(answers, remote__transport="winrm", share__name="Data")     # redoes configure-server
    code, text, _ = run_session(answers, tmp_path / "out")
    assert code != 0
    assert "this run generated a new admin password that the existing VM does not have" in text
    assert "HPCSHARE_ADMIN_PASSWORD" in text


def test_leaving_winrm_closes_5986_in_the_nsg(home: Path, tmp_path: Path) -> None:
    answers = write_answers(tmp_path / "it.toml", remote__transport="winrm")
    assert run_session(answers, tmp_path / "out")[0] == 0
    assert len(_winrm_rules(home)) == 1
    write_answers(answers, remote__transport="managed-run-command")
    code, text, _ = run_session(answers, tmp_path / "out")
    assert code == 0, text
    assert _winrm_rules(home) == []


def test_a_server_presenting_another_certificate_is_refused(home: Path, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Something else answers on 5986 (same name, another key): the pin read through Run Command
    in this very run refuses it, the step says so, and nothing runs on the server."""
    import threading

    from wizard.standin.fake_winrm import make_certificate
    from wizard.standin.wsman import WsmanEndpoint

    monkeypatch.setenv("HPCSHARE_ADMIN_PASSWORD", "Adm1n-Pass.word-42")
    impostor_state: dict[str, Any] = {}
    log: list[tuple[str, str, int]] = []
    der, key_pem = make_certificate(["fs01"])
    impostor = WsmanEndpoint("impostor", der, key_pem, {"name": "hpcadmin", "nt_hash": "0" * 32}, tmp_path / "mitm",
                             lambda: impostor_state, threading.RLock(), lambda m, p, s: log.append((m, p, s))).start()
    # The network path to the server now leads to the impostor.
    monkeypatch.setattr(StandIn, "winrm_endpoint", lambda self, vm_id: ("127.0.0.1", impostor.port))
    try:
        answers = write_answers(tmp_path / "it.toml", remote__transport="winrm")
        code, text, _ = run_session(answers, tmp_path / "out")
    finally:
        impostor.stop()
    assert code != 0
    assert "[done] winrm-bootstrap" in text and "WinRM certificate pinned" in text
    assert "did not present the pinned certificate" in text and "[failed] configure-server" in text
    assert log == [] and impostor_state == {}                   # not one SOAP message reached it


def test_the_nsg_rule_builder_never_opens_5986_to_everyone() -> None:
    """Validation refuses these sources already; the rule builder, the last stop before Azure,
    refuses them again rather than trusting that nothing else built the answers."""
    import dataclasses

    from tests.remote.helpers import make_answers
    from wizard.azure.steps import nsg_rules, winrm_nsg_rules
    from wizard.runner import StepFailed

    assert winrm_nsg_rules(make_answers()) == []                           # no WinRM, no 5986
    winrm = make_answers(remote__transport="winrm")
    (rule,) = [r for r in nsg_rules(winrm) if r["properties"]["destinationPortRange"] == "5986"]
    assert rule["properties"]["sourceAddressPrefix"] == "VirtualNetwork" and rule["properties"]["protocol"] == "Tcp"
    for wide in ("Internet", "*", "0.0.0.0/0", "AzureCloud", "internet"):
        forced = dataclasses.replace(winrm, remote=dataclasses.replace(winrm.remote, winrm_source=wide))
        with pytest.raises(StepFailed, match="Refused"):
            nsg_rules(forced)
