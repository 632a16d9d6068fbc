"""The whole plan through the real Azure SDK clients over HTTPS against the stand-in."""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from tests.integration.conftest import run_session, write_answers
from wizard.standin import StandIn
from wizard.environment import standin_state_file


def _resources(home: Path) -> list[dict]:
    with StandIn(state_file=standin_state_file()) as s:
        return s.resources()


def _by_type(resources: list[dict]) -> Counter:
    return Counter(r["type"].lower() for r in resources)


def test_full_run_creates_tagged_resources_and_artifacts(home: Path, answers_file: Path, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    log = tmp_path / "standin.log"
    monkeypatch.setenv("HPCSHARE_STANDIN_LOG", str(log))
    code, text, _ = run_session(answers_file, out)
    assert code == 0, text
    # The whole server configuration and the self-test: two remote calls, no more.
    lines = log.read_text().splitlines()
    remote_calls = [ln for ln in lines if ln.startswith("PUT ") and "/runcommands/" in ln.lower()]
    assert len(remote_calls) == 2, remote_calls
    assert not [ln for ln in lines if ln.lower().rstrip().split(" ")[1].endswith("/runcommand")]
    res = _resources(home)
    kinds = _by_type(res)
    for kind in ("microsoft.network/virtualnetworks", "microsoft.network/networksecuritygroups",
                 "microsoft.network/networkinterfaces", "microsoft.compute/virtualmachines"):
        assert kinds[kind] == 1, (kind, kinds)
    disks = sorted(r["name"] for r in res if r["type"].lower() == "microsoft.compute/disks")
    assert disks == ["fs01-data", "fs01-os"]
    tagged = [r for r in res if (r.get("tags") or {}).get("hpcshare-profile") == "it"]
    assert {r["type"].lower() for r in tagged} >= {"microsoft.compute/virtualmachines", "microsoft.compute/disks"}
    assert all((r.get("tags") or {}).get("managed-by") == "hpcshare" for r in tagged)
    for name in ("nodeprep.cmd", "job-template.xml", "SUMMARY.md"):
        assert (out / name).is_file(), name
    # Every configure-server sub-step was reported, from one remote call.
    for sub in ("disk", "user", "file-server-role", "folder-acl", "share", "smb-hardening", "firewall"):
        assert f"configure-server/{sub}" in text, sub
    assert "Share user password for 'hpcshareuser' (generated" in text
    # The same story lands in the profile's run log, one line per state change, mode 0600.
    run_log = home / "logs" / "it.log"
    assert "[done] vm" in run_log.read_text() and "result: succeeded" in run_log.read_text()
    assert run_log.stat().st_mode & 0o777 == 0o600


def test_second_run_changes_nothing_and_says_so(home: Path, answers_file: Path, tmp_path: Path) -> None:
    assert run_session(answers_file, tmp_path / "out")[0] == 0
    before = _resources(home)
    code, text, _ = run_session(answers_file, tmp_path / "out")
    assert code == 0, text
    assert "Nothing changed" in text
    assert "unchanged since the last run" in text
    assert "Share user password" not in text        # not reset, so not shown again
    after = _resources(home)
    assert sorted(r["id"].lower() for r in after) == sorted(r["id"].lower() for r in before)


def test_changed_answer_redoes_only_downstream_steps(home: Path, tmp_path: Path) -> None:
    first = write_answers(tmp_path / "it.toml")
    assert run_session(first, tmp_path / "out")[0] == 0
    write_answers(first, share__name="Data")
    code, text, _ = run_session(first, tmp_path / "out")
    assert code == 0, text
    assert "[done] vm" in text and "no change" in text
    assert "configure-server/share" in text
    assert "unchanged since the last run" not in text.split("[done] configure-server")[0].split("[running] configure-server")[-1]


def test_teardown_removes_exactly_the_tagged_resources(home: Path, answers_file: Path, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    from wizard.cli import main

    assert run_session(answers_file, tmp_path / "out")[0] == 0
    # Something a user added by hand in the same resource group: it must survive, and keep the group.
    with StandIn(state_file=standin_state_file()) as s:
        from azure.mgmt.network import NetworkManagementClient

        from wizard.standin import FakeCredential

        net = NetworkManagementClient(FakeCredential(), s.subscription_id, base_url=s.base_url,
                                      connection_verify=str(s.ca_path), polling_interval=0)
        net.network_security_groups.begin_create_or_update("rg-it", "hand-made", {"location": "westeurope"}).result()
        net.close()
    code = main(["teardown", "--demo", "--answers", str(answers_file), "--yes"])
    assert code == 0, capsys.readouterr()
    left = _resources(home)
    names = {r["name"] for r in left}
    assert "hand-made" in names
    assert not [r for r in left if (r.get("tags") or {}).get("hpcshare-profile") == "it"
                and r["type"].lower() != "microsoft.resources/resourcegroups"]
    out = capsys.readouterr().out
    assert "kept" in out


def test_teardown_of_a_clean_group_deletes_it(home: Path, answers_file: Path, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    from wizard.cli import main

    assert run_session(answers_file, tmp_path / "out")[0] == 0
    assert main(["teardown", "--demo", "--answers", str(answers_file), "--yes"]) == 0
    assert _resources(home) == []
    assert main(["teardown", "--demo", "--answers", str(answers_file), "--yes"]) == 0
    assert "Nothing to delete" in capsys.readouterr().out


def test_state_file_holds_no_secret(home: Path, answers_file: Path, tmp_path: Path,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HPCSHARE_SHARE_PASSWORD", "Share-Pass-1234567")
    monkeypatch.setenv("HPCSHARE_ADMIN_PASSWORD", "Admin-Pass-7654321")
    assert run_session(answers_file, tmp_path / "out")[0] == 0
    for f in home.rglob("*"):
        if f.is_file():
            data = f.read_bytes()
            assert b"Share-Pass-1234567" not in data, f
            assert b"Admin-Pass-7654321" not in data, f
    state = json.loads((home / "state" / "it.json").read_text())
    assert state["last_status"] == "succeeded"


def _make_cluster_vnet() -> None:
    """The HPC cluster's own VNet, in a resource group hpcshare does not manage."""
    from azure.mgmt.network import NetworkManagementClient
    from azure.mgmt.resource.resources import ResourceManagementClient

    from wizard.standin import FakeCredential

    with StandIn(state_file=standin_state_file()) as s:
        kw = dict(base_url=s.base_url, connection_verify=str(s.ca_path), polling_interval=0)
        ResourceManagementClient(FakeCredential(), s.subscription_id, **kw).resource_groups.create_or_update(
            "rg-cluster", {"location": "westeurope"})
        NetworkManagementClient(FakeCredential(), s.subscription_id, **kw).virtual_networks.begin_create_or_update(
            "rg-cluster", "vnet-cluster", {"location": "westeurope", "properties": {
                "addressSpace": {"addressPrefixes": ["172.20.0.0/16"]},
                "subnets": [{"name": "compute", "properties": {"addressPrefix": "172.20.1.0/24"}}]}}).result()


def test_the_clusters_vnet_in_another_group_is_used_and_left_alone(home: Path, tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    from wizard.cli import main

    _make_cluster_vnet()
    answers = write_answers(tmp_path / "it.toml", endpoints__vnet="vnet-cluster",
                            endpoints__vnet_resource_group="rg-cluster", endpoints__vnet_cidr="172.20.0.0/16",
                            endpoints__subnet="compute", endpoints__subnet_cidr="172.20.1.0/24",
                            endpoints__private_ip="172.20.1.10")
    code, text, _ = run_session(answers, tmp_path / "out")
    assert code == 0, text
    res = _resources(home)
    nic = next(r for r in res if r["type"].lower() == "microsoft.network/networkinterfaces")
    subnet_ref = nic["properties"]["ipConfigurations"][0]["properties"]["subnet"]["id"].lower()
    assert "/resourcegroups/rg-cluster/" in subnet_ref and subnet_ref.endswith("/subnets/compute")
    assert [r["name"] for r in res if r["type"].lower() == "microsoft.network/virtualnetworks"] == ["vnet-cluster"]
    assert main(["teardown", "--demo", "--answers", str(answers), "--yes"]) == 0
    assert {r["name"] for r in _resources(home)} == {"rg-cluster", "vnet-cluster"}


def test_a_missing_vnet_in_another_group_stops_the_replay_before_anything_is_created(home: Path, tmp_path: Path) -> None:
    """hpcshare never creates a VNet in another group: the preflight says so (key, screen and
    field), exit 2, and nothing is made (the demo's cluster network aside, which was there)."""
    answers = write_answers(tmp_path / "it.toml", endpoints__vnet_resource_group="rg-nowhere")
    code, text, _ = run_session(answers, tmp_path / "out")
    assert code == 2, text
    assert ("[endpoints.vnet] Network › Virtual network: no VNet 'vnet-hpc' in resource group 'rg-nowhere' "
            "in westeurope (hpcshare never creates a VNet in another group)") in text, text
    assert "[running]" not in text and _resources(home) == []


def test_the_demo_cluster_vnet_by_replay_its_subnet_and_the_head_nodes_address(home: Path, tmp_path: Path) -> None:
    """The demo's cluster network (rg-hpc-cluster): a subnet it lacks and the address the head
    node holds stop the replay before anything is made; with its subnet and a free address the
    server joins it and the VNet is left as it was."""
    cluster = {"endpoints__vnet": "vnet-hpc-cluster", "endpoints__vnet_resource_group": "rg-hpc-cluster",
               "endpoints__vnet_cidr": "10.1.0.0/16", "endpoints__subnet": "compute",
               "endpoints__subnet_cidr": "10.1.0.0/24", "endpoints__private_ip": "10.1.0.4"}
    answers = write_answers(tmp_path / "it.toml", **{**cluster, "endpoints__subnet": "storage"})
    code, text, _ = run_session(answers, tmp_path / "out")
    assert code == 2, text
    assert ("[endpoints.subnet] Network › Subnet: no subnet 'storage' in VNet 'vnet-hpc-cluster' "
            "(resource group 'rg-hpc-cluster'); its subnets: compute") in text, text
    code, text, _ = run_session(write_answers(tmp_path / "it.toml", **cluster), tmp_path / "out")
    assert code == 2, text
    assert ("[endpoints.private_ip] Network › Private IP: 10.1.0.4 is held by NIC 'headnode-nic' "
            "(resource group rg-hpc-cluster)") in text, text
    assert "[running]" not in text and _resources(home) == []
    code, text, _ = run_session(write_answers(tmp_path / "it.toml", **{**cluster, "endpoints__private_ip": "10.1.0.5"}),
                                tmp_path / "out")
    assert code == 0, text
    nic = next(r for r in _resources(home) if r["name"] == "fs01-nic")
    cfg = nic["properties"]["ipConfigurations"][0]["properties"]
    assert cfg["privateIPAddress"] == "10.1.0.5"
    assert cfg["subnet"]["id"].lower().endswith("/resourcegroups/rg-hpc-cluster/providers/microsoft.network/"
                                                "virtualnetworks/vnet-hpc-cluster/subnets/compute")
    assert not [r for r in _resources(home) if r["type"].lower() == "microsoft.network/virtualnetworks"]
    # A re-run: the server's own NIC holds 10.1.0.5 now, which is no conflict.
    code, text, _ = run_session(write_answers(tmp_path / "it.toml", **{**cluster, "endpoints__private_ip": "10.1.0.5"}),
                                tmp_path / "out")
    assert code == 0, text


@pytest.mark.parametrize(("changes", "words"), [
    ({"vm__size": "Standard_E16s_v5"}, "[vm.size] VM size: Standard_E16s_v5 is restricted"),
    ({"vm__size": "Standard_D4_v5", "disk__sku": "Premium_LRS"}, "[disk.sku] Disk type: Standard_D4_v5 cannot attach Premium SSD"),
    ({"vm__size": "Standard_Z99_v9"}, "[vm.size] VM size: Standard_Z99_v9 is not offered"),
])
def test_preflight_refuses_what_azure_would_before_anything_is_made(home: Path, tmp_path: Path,
                                                                   changes: dict, words: str) -> None:
    answers = write_answers(tmp_path / "it.toml", **changes)
    code, text, _ = run_session(answers, tmp_path / "out")
    assert code == 2, text
    assert words in text and "nothing was created" in text
    assert _resources(home) == []
    assert not (tmp_path / "out").exists()
