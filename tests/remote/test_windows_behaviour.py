"""Issue 13 on the simulated Windows (wizard/standin/fake_windows.py): the fake behaves as each
Windows Server version and disk bus does, and the script's rules (mirrored there) hold on every
combination: SMB reachable only from the scope, disks found on SCSI and NVMe sizes, re-runs with
changed answers converge or say exactly what to do, no loopback-credential trap."""
from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from tests.remote.helpers import SHARE_PASSWORD, make_answers
from wizard.answers import Answers
from wizard.remote.config import ConfigError, ServerInfo, configure_config, self_test_config, smb_remote_addresses
from wizard.remote.protocol import CONFIGURE_SERVER, SELF_TEST, encode_param, parse_results
from wizard.remote.scripts import load_script
from wizard.standin import fake_windows as fw

CONFIGURE = load_script(CONFIGURE_SERVER)
SELFTEST = load_script(SELF_TEST)
COMBOS = [(w, b) for w in fw.WINDOWS_VERSIONS for b in fw.DISK_BUSES]


def run(script: str, config: dict[str, Any], server: dict[str, Any], password: str = SHARE_PASSWORD
        ) -> tuple[dict[str, tuple[str, str, dict[str, Any]]], int]:
    out, err, code = fw.simulate(script, {"ConfigB64": encode_param(config)},
                                 {"SecretB64": encode_param({"share_password": password})}, server, None)
    assert err == ""
    return {r.step: (r.status, r.message, r.data) for r in parse_results(out)}, code


def new_server(windows: str, bus: str, **extra: Any) -> dict[str, Any]:
    return {"windows": windows, "disk_bus": bus, **extra}


# ---- firewall ------------------------------------------------------------------------------------

EXPECTED_DISABLED = {
    # Share creation enables the classic group (2019/2022) or the Restrictive one (2025); File Server
    # Remote Management (SMB-In) is on from the start.
    "2019": ["FPS-NB_Session-In-TCP", "FPS-NB_Session-In-TCP-NoScope", "FPS-SMB-In-TCP", "FPS-SMB-In-TCP-NoScope",
             "FileServer-ServerManager-SMB-TCP-In"],
    "2022": ["FPS-NB_Session-In-TCP", "FPS-NB_Session-In-TCP-NoScope", "FPS-SMB-In-TCP", "FPS-SMB-In-TCP-NoScope",
             "FileServer-ServerManager-SMB-TCP-In"],
    "2025": ["FPSRestrictive-SMB-In-TCP", "FileServer-ServerManager-SMB-TCP-In"],
}


@pytest.mark.parametrize(("windows", "bus"), COMBOS)
def test_every_combination_converges_with_smb_open_only_to_the_scope(answers: Answers, windows: str, bus: str) -> None:
    server = new_server(windows, bus)
    rows, code = run(CONFIGURE, configure_config(answers), server)
    assert code == 0, rows
    status, message, data = rows["firewall"]
    assert status == "changed"
    assert data["disabled"] == EXPECTED_DISABLED[windows]
    for name in EXPECTED_DISABLED[windows]:
        assert name in message
    assert "TCP 445 allowed from 10.0.0.0/16 only; no other enabled rule admits TCP 445 or 139" in message
    # What the message says is what the server holds.
    assert fw.open_smb_rules(server["firewall_rules"]) == []
    assert server["firewall_rules"]["hpcshare-SMB-In-TCP-445"]["remote"] == ["10.0.0.0/16"]
    assert server["firewall_rules"]["RemoteDesktop-UserMode-In-TCP"]["enabled"]       # other rules untouched
    rows, code = run(CONFIGURE, configure_config(answers), server)
    assert code == 0 and {s for s, _, _ in rows.values()} == {"ok"}, rows
    rows, code = run(SELFTEST, self_test_config(answers), server)
    assert code == 0 and {s for s, _, _ in rows.values()} == {"ok"}, rows


def test_a_rule_windows_enables_again_is_disabled_again(answers: Answers) -> None:
    server = new_server("2025", "scsi")
    run(CONFIGURE, configure_config(answers), server)
    server["firewall_rules"]["FPSRestrictive-SMB-In-TCP"]["enabled"] = True      # e.g. another share created
    rows, _ = run(CONFIGURE, configure_config(answers), server)
    assert rows["firewall"][0] == "changed" and "FPSRestrictive-SMB-In-TCP" in rows["firewall"][1]


def test_rules_are_chosen_by_what_they_open() -> None:
    def rule(**kw: Any) -> dict[str, Any]:
        return {"enabled": True, "direction": "Inbound", "action": "Allow", "protocol": "TCP", "program": "Any", **kw}

    assert fw.admits_smb(rule(local_ports=["100-500"]))
    assert fw.admits_smb(rule(local_ports=["80", "139"]))
    assert fw.admits_smb(rule(local_ports=["Any"]))                              # every port, every program
    assert not fw.admits_smb(rule(local_ports=["Any"], program="C:\\app\\web.exe"))
    assert not fw.admits_smb(rule(local_ports=["137"], protocol="UDP"))
    assert not fw.admits_smb(rule(local_ports=["3389"]))
    rules = {"custom": rule(local_ports=["440-450"]), "blocked": rule(local_ports=["445"], action="Block"),
             "outbound": rule(local_ports=["445"], direction="Outbound"), "off": rule(local_ports=["445"], enabled=False),
             "hpcshare-SMB-In-TCP-445": rule(local_ports=["445"])}
    assert fw.open_smb_rules(rules) == ["custom"]


def test_a_group_policy_rule_fails_the_step_instead_of_a_false_message(answers: Answers) -> None:
    server = new_server("2022", "scsi")
    rules = fw.builtin_rules("2022")
    rules["{6A8F4C1E-GPO}"] = dict(fw._rule("{6A8F4C1E-GPO}", "Corp SMB", "Corp", "445", enabled=True),
                                   store="GroupPolicy")
    server["firewall_rules"] = rules
    rows, code = run(CONFIGURE, configure_config(answers), server)
    assert code == 1 and rows["firewall"][0] == "failed"
    assert "{6A8F4C1E-GPO} (Corp SMB)" in rows["firewall"][1] and "Group Policy" in rows["firewall"][1]


def test_smb_source_list_reaches_the_firewall_rule(answers: Answers) -> None:
    """issue 14: every entry of a comma-separated endpoints.smb_source is on the one rule. (The
    answer's validation accepting lists is another change; the mapping is tested on its own.)"""
    listed = dataclasses.replace(answers, endpoints=dataclasses.replace(
        answers.endpoints, smb_source="10.1.0.0/16, 192.168.10.0/24,VirtualNetwork,10.1.0.0/16"))
    info = ServerInfo(vnet_prefixes=("10.0.0.0/16", "172.16.0.0/24"))
    remote = smb_remote_addresses(listed, info)
    assert remote == ["10.1.0.0/16", "192.168.10.0/24", "10.0.0.0/16", "172.16.0.0/24"]
    server = new_server("2022", "scsi")
    rows, code = run(CONFIGURE, configure_config(answers) | {"smb_remote": remote}, server)
    assert code == 0
    assert server["firewall_rules"]["hpcshare-SMB-In-TCP-445"]["remote"] == remote
    assert "allowed from 10.1.0.0/16, 192.168.10.0/24, 10.0.0.0/16, 172.16.0.0/24 only" in rows["firewall"][1]
    bad = dataclasses.replace(answers, endpoints=dataclasses.replace(answers.endpoints, smb_source="10.1.0.0/16,nope"))
    with pytest.raises(ConfigError, match="'nope' cannot be mapped"):
        smb_remote_addresses(bad, info)


# ---- disks ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(("bus", "how"), [("scsi", "location"), ("nvme", "NVMe namespace 3")])
def test_disk_found_by_lun_on_both_buses_next_to_a_temp_disk_of_equal_size(bus: str, how: str) -> None:
    answers = make_answers(disk__size_gb=256)
    server = new_server("2022", bus, data_disks=[{"lun": 1, "size_gib": 256}, {"lun": 2, "size_gib": 256}])
    rows, code = run(CONFIGURE, configure_config(answers, ServerInfo(disk_lun=1)), server)
    assert code == 0, rows
    assert f"(LUN 1 checked by {how})" in rows["disk"][1]
    assert rows["disk"][2]["disk"] == 2                     # not the temp disk (1), not LUN 2 (3)
    temp = server["disk_state"]["temp"]
    if bus == "scsi":                                      # D: 'Temporary Storage' untouched
        assert temp["partitions"][0]["volume"]["label"] == "Temporary Storage"
    else:                                                  # the raw local NVMe disk stays raw
        assert temp == {"style": "RAW", "partitions": []}


def test_nvme_path_and_model_strings_decide(answers: Answers) -> None:
    r = fw._Run(new_server("2022", "nvme"), configure_config(answers), {})
    disks = r.disks()
    facts = [fw._disk_facts(d) for d in disks]
    assert [f["local"] for f in facts] == [False, True, False]
    assert facts[0]["lun"] == -1 and facts[2]["lun"] == 0         # OS: namespace 1; data disk LUN 0: namespace 2
    assert "LUN" not in disks[2]["location"] and disks[2]["path"].split("#")[2].endswith("&0&000001")


def test_scsi_temp_disk_on_the_os_adapter_is_skipped_even_unformatted(answers: Answers) -> None:
    """The temporary disk reports 'LUN 1' too (on adapter 0); with the data disk at LUN 1, equal size
    and no 'Temporary Storage' volume, only its adapter tells them apart (azuredisk-csi-driver #2661)."""
    server = new_server("2022", "scsi", data_disks=[{"lun": 1, "size_gib": 1024}])
    server["disk_state"] = {"temp": {"style": "RAW", "partitions": []}}
    rows, code = run(CONFIGURE, configure_config(answers, ServerInfo(disk_lun=1)), server)
    assert code == 0 and rows["disk"][2]["disk"] == 2, rows
    assert server["disk_state"]["temp"] == {"style": "RAW", "partitions": []}


@pytest.mark.parametrize("file_system", ["", "RAW", "Unknown"])
def test_resumed_run_formats_an_unformatted_partition(answers: Answers, file_system: str) -> None:
    server = new_server("2022", "scsi")
    server["disk_state"] = {"lun0": {"style": "GPT", "partitions": [
        {"number": 2, "size_gib": 1024, "letter": None, "volume": {"id": "v", "file_system": file_system, "label": ""}}]}}
    rows, code = run(CONFIGURE, configure_config(answers), server)
    assert code == 0 and "formatted NTFS 'hpcdata'" in rows["disk"][1] and "partitioned" not in rows["disk"][1]


def test_grown_disk_gets_its_partition_extended(answers: Answers) -> None:
    server = new_server("2022", "nvme", data_disks=[{"lun": 0, "size_gib": 1024}])
    run(CONFIGURE, configure_config(answers), server)
    server["data_disks"] = [{"lun": 0, "size_gib": 2048}]                 # the data-disk step grew it in Azure
    rows, code = run(CONFIGURE, configure_config(make_answers(disk__size_gb=2048)), server)
    assert code == 0 and rows["disk"][0] == "changed"
    assert "partition extended from 1024 GiB to 2048 GiB" in rows["disk"][1]
    rows, _ = run(CONFIGURE, configure_config(make_answers(disk__size_gb=2048)), server)
    assert rows["disk"][0] == "ok"


def test_changed_label_relabels_our_volume_only(answers: Answers) -> None:
    server = new_server("2025", "scsi")
    run(CONFIGURE, configure_config(answers), server)
    rows, code = run(CONFIGURE, configure_config(make_answers(disk__label="scratch")), server)
    assert code == 0 and "relabelled 'hpcdata' -> 'scratch'" in rows["disk"][1]
    assert server["disk_state"]["temp"]["partitions"][0]["volume"]["label"] == "Temporary Storage"
    rows, _ = run(CONFIGURE, configure_config(make_answers(disk__label="scratch")), server)
    assert rows["disk"][0] == "ok"


def test_changed_drive_letter_says_exactly_what_to_do(answers: Answers) -> None:
    server = new_server("2022", "scsi")
    run(CONFIGURE, configure_config(answers), server)
    rows, code = run(CONFIGURE, configure_config(make_answers(disk__drive_letter="G")), server)
    assert code == 1 and rows["disk"][0] == "failed"
    msg = rows["disk"][1]
    assert "mounted as F:, not G:" in msg and "set disk.drive_letter back to F" in msg
    assert "Remove-SmbShare -Name MyShare -Force" in msg and "Set-Partition -DriveLetter F -NewDriveLetter G" in msg
    assert [s for s, _, _ in rows.values()][1:] == ["skipped"] * 6
    # With the share gone (as the message says), the volume moves and everything follows.
    del server["shares"]["myshare"]
    rows, code = run(CONFIGURE, configure_config(make_answers(disk__drive_letter="G")), server)
    assert code == 0 and "moved from F: to G: (no share used it)" in rows["disk"][1], rows
    assert r"\\MYFILESERVER\MyShare -> G:\MyShare created" in rows["share"][1]


def test_changed_share_folder_says_exactly_what_to_do(answers: Answers) -> None:
    server = new_server("2022", "scsi")
    run(CONFIGURE, configure_config(answers), server)
    rows, code = run(CONFIGURE, configure_config(make_answers(share__folder="Other")), server)
    assert code == 1 and rows["share"][0] == "failed"
    assert "already exists for F:\\MyShare, not F:\\Other" in rows["share"][1]
    assert "Remove-SmbShare -Name MyShare -Force" in rows["share"][1] and "share.name" in rows["share"][1]


def test_a_drive_letter_taken_by_someone_else_is_refused(answers: Answers) -> None:
    server = new_server("2022", "scsi")
    server["disk_state"] = {"lun5": {"style": "GPT", "partitions": [
        {"number": 2, "size_gib": 8, "letter": "G", "volume": {"id": "x", "file_system": "NTFS", "label": "payroll"}}]}}
    server["data_disks"] = [{"lun": 0, "size_gib": 1024}, {"lun": 5, "size_gib": 8}]
    rows, code = run(CONFIGURE, configure_config(make_answers(disk__drive_letter="G")), server)
    assert code == 1 and "drive G: is already used by another volume ('payroll', NTFS)" in rows["disk"][1]


# ---- credentials and the self-test -----------------------------------------------------------------

def test_second_credential_for_one_server_is_error_1219() -> None:
    server: dict[str, Any] = {}
    fw.add_connection(server, "\\\\FS01\\IPC$", "FS01\\olduser")
    with pytest.raises(fw._Fail, match="Multiple connections to a server"):
        fw.add_connection(server, "\\\\fs01\\data", "FS01\\shareuser")
    fw.add_connection(server, "\\\\OTHER\\data", "OTHER\\shareuser")          # another server name: fine


def test_self_test_clears_leftover_connections_and_proves_the_credential(answers: Answers) -> None:
    server = new_server("2022", "scsi")
    run(CONFIGURE, configure_config(answers), server)
    # Left in SYSTEM's logon session by a killed self-test, or a renamed share user.
    server["smb_client_connections"] = [{"remote": "\\\\MYFILESERVER\\MyShare", "credential": "myfileserver\\olduser"}]
    rows, code = run(SELFTEST, self_test_config(answers), server)
    assert code == 0
    assert "credential myfileserver\\hpcshareuser" in rows["connect"][1]
    assert "removed earlier connection(s) \\\\MYFILESERVER\\MyShare" in rows["connect"][1]
    assert server["smb_client_connections"] == []                            # the self-test disconnects


def test_password_check_leaves_no_connection_behind(answers: Answers) -> None:
    server = new_server("2022", "scsi")
    run(CONFIGURE, configure_config(answers), server)
    rows, _ = run(CONFIGURE, configure_config(answers), server)
    assert rows["user"][0] == "ok" and "password already matches" in rows["user"][1]
    assert server.get("smb_client_connections", []) == []


def test_environment_chooses_windows_and_disks(monkeypatch: pytest.MonkeyPatch, answers: Answers) -> None:
    monkeypatch.setenv(fw.ENV_WINDOWS, "2025")
    monkeypatch.setenv(fw.ENV_DISKS, "nvme")
    server: dict[str, Any] = {}
    run(CONFIGURE, configure_config(answers), server)
    assert server["windows"] == "2025" and server["disk_bus"] == "nvme"
    assert "FPSRestrictive-SMB-In-TCP" in server["firewall_rules"]
    monkeypatch.setenv(fw.ENV_WINDOWS, "2016")
    with pytest.raises(ValueError, match="HPCSHARE_STANDIN_WINDOWS must be one of 2019, 2022, 2025, not '2016'"):
        fw.simulate(CONFIGURE, {"ConfigB64": encode_param(configure_config(answers))},
                    {"SecretB64": encode_param({"share_password": SHARE_PASSWORD})}, {}, None)


def test_a_volume_from_before_the_registry_mark_is_adopted_and_says_so(answers: Answers) -> None:
    server = new_server("2022", "scsi")
    server["disk_state"] = {"lun0": {"style": "GPT", "partitions": [
        {"number": 2, "size_gib": 1024, "letter": "F", "volume": {"id": "old", "file_system": "NTFS", "label": "hpcdata"}}]}}
    rows, _ = run(CONFIGURE, configure_config(answers), server)
    assert rows["disk"][0] == "changed" and "recorded as hpcshare's volume" in rows["disk"][1]
    assert server["registry"]["HKLM:\\SOFTWARE\\hpcshare"]["DataVolume"] == "old"
    rows, _ = run(CONFIGURE, configure_config(answers), server)
    assert rows["disk"][0] == "ok"
