"""Answers -> script parameters: exact content, mapping rules, and refusal of bad values."""
from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from tests.remote.helpers import HOSTILE, SHARE_PASSWORD, make_answers
from wizard.answers import Answers, Secrets
from wizard.remote import configure_server, self_test
from wizard.remote.config import (
    ConfigError,
    ServerInfo,
    check_config,
    configure_config,
    min_ntfs_cluster_bytes,
    secret_params,
    self_test_config,
    server_info,
)
from wizard.remote.shell import RemoteResult


class SpyShell:
    name = "spy"

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any], dict[str, Any]]] = []

    def run(self, script: str, config: dict[str, Any], secret: dict[str, Any]) -> RemoteResult:
        self.calls.append((script, config, secret))
        return RemoteResult(script="", stdout="", stderr="", exit_code=0)


def test_configure_config_exact(answers: Answers) -> None:
    assert configure_config(answers) == {
        "schema": 1, "computer_name": "myfileserver", "disk_lun": 0, "disk_size_gib": 1024,
        "cluster_bytes": 4096, "drive_letter": "F", "volume_label": "hpcdata", "share_user": "hpcshareuser",
        "share_name": "MyShare", "folder": "MyShare", "access": "change", "encrypt": False,
        "smb_remote": ["10.0.0.0/16"], "udp_445": False, "keep_password": False,
    }


def test_self_test_config_and_secret(answers: Answers, secrets: Secrets) -> None:
    assert self_test_config(answers) == {"schema": 1, "computer_name": "myfileserver", "share_name": "MyShare",
                                         "share_user": "hpcshareuser", "access": "change"}
    assert secret_params(answers, secrets) == {"share_password": SHARE_PASSWORD}


@pytest.mark.parametrize(("gib", "cluster"), [(4, 4096), (16383, 4096), (16384, 8192), (32767, 8192),
                                               (32768, 16384), (65536, 32768)])
def test_min_ntfs_cluster_bytes(gib: int, cluster: int) -> None:
    assert min_ntfs_cluster_bytes(gib) == cluster


def test_cluster_size_follows_the_disk() -> None:
    a = make_answers(disk__size_gb=32767, disk__caching="None")
    assert configure_config(a)["cluster_bytes"] == 8192


def test_drive_letter_upper_case() -> None:
    assert configure_config(make_answers(disk__drive_letter="g"))["drive_letter"] == "G"


@pytest.mark.parametrize(("source", "info", "expected"), [
    ("VirtualNetwork", None, ["10.0.0.0/16"]),
    ("VirtualNetwork", ServerInfo(vnet_prefixes=("10.1.0.0/16", "10.2.0.0/24")), ["10.1.0.0/16", "10.2.0.0/24"]),
    ("203.0.113.0/24", None, ["203.0.113.0/24"]),
    ("10.0.0.5/32", None, ["10.0.0.5/32"]),
    ("AzureLoadBalancer", None, ["168.63.129.16"]),
])
def test_firewall_scope_mapping(source: str, info: Any, expected: list[str]) -> None:
    cfg = configure_config(make_answers(endpoints__smb_source=source), info)
    assert cfg["smb_remote"] == expected
    check_config("configure-server", cfg)


def test_server_info_from_vm_model_and_dict(answers: Answers) -> None:
    from azure.mgmt.compute.models import VirtualMachine

    vm = VirtualMachine({"location": "westeurope", "properties": {"storageProfile": {"dataDisks": [
        {"lun": 3, "createOption": "Attach", "diskSizeGB": 1024}, {"lun": 1, "createOption": "Attach", "diskSizeGB": 8}]}}})
    assert server_info(vm, answers).disk_lun == 3
    assert configure_config(answers, vm)["disk_lun"] == 3
    rest = {"properties": {"storageProfile": {"dataDisks": [{"lun": 5, "diskSizeGB": 64}]}}}
    assert server_info(rest, answers).disk_lun == 5          # the only data disk
    assert server_info({"disk_lun": 2}).disk_lun == 2
    assert server_info(None) == ServerInfo()
    with pytest.raises(ConfigError, match="none is uniquely"):
        server_info({"properties": {"storageProfile": {"dataDisks": [{"lun": 1, "diskSizeGB": 8},
                                                                      {"lun": 2, "diskSizeGB": 9}]}}}, answers)
    with pytest.raises(ConfigError, match="LUN"):
        server_info(ServerInfo(disk_lun=64))
    with pytest.raises(ConfigError, match="vnet_prefixes"):
        server_info(ServerInfo(vnet_prefixes=("10.0.0.0/16; calc",)))


def _replace(answers: Answers, key: str, value: Any) -> Answers:
    section, field = key.split(".")
    return dataclasses.replace(answers, **{section: dataclasses.replace(getattr(answers, section), **{field: value})})


# Answers that validation refuses, set behind its back with dataclasses.replace.
INVALID = [
    ("share.name", "My Share; Remove-Item C:\\"), ("share.name", "IPC$"), ("share.name", "abc\n"),
    ("share.folder", "..\\Windows"), ("share.folder", "CON"), ("share.folder", "data\r\n"),
    ("account.username", "bob'; net user x /add"), ("account.username", "hpcadmin"),
    ("disk.label", "lbl$(calc)"), ("disk.drive_letter", "C"), ("disk.drive_letter", "F:"),
    ("vm.name", "fs01\u202e"), ("vm.name", "fs01&calc"), ("share.access", "everyone"),
    ("disk.size_gb", 0), ("disk.size_gb", "1024"), ("share.encrypt", "yes"),
    ("endpoints.smb_source", "Internet"), ("endpoints.smb_source", "0.0.0.0/0"), ("endpoints.smb_source", "*"),
    ("endpoints.udp_445", 1), ("endpoints.vnet_cidr", "8.8.8.0/24"),
]


@pytest.mark.parametrize(("key", "value"), INVALID)
def test_invalid_answer_never_reaches_a_transport(answers: Answers, secrets: Secrets, key: str, value: Any) -> None:
    bad = _replace(answers, key, value)
    shell = SpyShell()
    with pytest.raises(ValueError) as info:
        configure_server(shell, bad, None, secrets)
    assert isinstance(info.value, ConfigError)
    assert info.value.field == key
    assert str(info.value).startswith(f"{key}: ")
    assert shell.calls == []


def test_invalid_answer_for_self_test(answers: Answers, secrets: Secrets) -> None:
    shell = SpyShell()
    with pytest.raises(ConfigError, match=r"^share\.name: Share name: "):
        self_test(shell, _replace(answers, "share.name", "x'y"), secrets)
    assert shell.calls == []


STRING_FIELDS = ["vm.name", "disk.label", "disk.drive_letter", "account.username", "share.name", "share.folder",
                 "share.access", "endpoints.smb_source"]


@pytest.mark.parametrize("key", STRING_FIELDS)
def test_hostile_values_are_refused_or_travel_verbatim(answers: Answers, secrets: Secrets, key: str) -> None:
    """Whatever a string answer holds: either ConfigError naming it, or a config the script accepts."""
    for value in HOSTILE:
        bad = _replace(answers, key, value)
        shell = SpyShell()
        try:
            configure_server(shell, bad, None, secrets)
        except ConfigError as e:
            assert e.field == key, (value, e)
            assert shell.calls == []
            continue
        (_, cfg, _), = shell.calls
        check_config("configure-server", cfg)


def test_secret_checked(answers: Answers) -> None:
    for pw in ("", "short", "line\nbreak-Aa1", "Aa1-" + "x" * 200, "hpcshareuser-Aa1!"):
        with pytest.raises(ConfigError) as info:
            secret_params(answers, Secrets("Adm1n.Pa55-w0rd_Long", pw))
        assert info.value.field == "account.password"
        assert pw not in str(info.value) or pw == ""


def test_config_error_is_a_value_error() -> None:
    e = ConfigError("share.name", "bad")
    assert isinstance(e, ValueError) and e.field == "share.name" and str(e) == "share.name: bad"
