"""Both Run Command transports through the real ComputeManagementClient against the real stand-in
(HTTPS, ARM long-running operations), whose Run Command handlers execute fake_windows."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.remote.helpers import ADMIN_PASSWORD, make_answers
from wizard.answers import Answers, Secrets
from wizard.remote import ActionRunCommandShell, ManagedRunCommandShell, configure_server, self_test
from wizard.remote.protocol import CONFIGURE_SERVER, SELF_TEST, SUBSTEPS

import wizard.standin as standin_mod
REGION = "westeurope"
RG = "rg-hpcshare-remote"


@pytest.fixture
def standin(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    for var in ("HPCSHARE_STANDIN_LATENCY", "HPCSHARE_STANDIN_SCALE", "HPCSHARE_STANDIN_FAULTS", "HPCSHARE_STANDIN_LOG"):
        monkeypatch.delenv(var, raising=False)
    with standin_mod.StandIn() as s:
        yield s


def _clients(s: Any) -> tuple[Any, Any, Any]:
    from azure.mgmt.compute import ComputeManagementClient
    from azure.mgmt.network import NetworkManagementClient
    from azure.mgmt.resource.resources import ResourceManagementClient

    kw = dict(base_url=s.base_url, connection_verify=str(s.ca_path), polling_interval=0)
    cred = standin_mod.FakeCredential()
    return (ResourceManagementClient(cred, s.subscription_id, **kw), NetworkManagementClient(cred, s.subscription_id, **kw),
            ComputeManagementClient(cred, s.subscription_id, **kw))


def _create_vm(s: Any, answers: Answers) -> Any:
    rmc, nmc, cmc = _clients(s)
    vm = answers.vm.name
    rmc.resource_groups.create_or_update(RG, {"location": REGION})
    vnet = nmc.virtual_networks.begin_create_or_update(RG, "vnet-hpc", {"location": REGION, "properties": {
        "addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
        "subnets": [{"name": "default", "properties": {"addressPrefix": "10.0.0.0/24"}}]}}).result()
    nic = nmc.network_interfaces.begin_create_or_update(RG, f"{vm}-nic", {"location": REGION, "properties": {
        "ipConfigurations": [{"name": "ipconfig1", "properties": {
            "subnet": {"id": vnet.subnets[0].id}, "privateIPAllocationMethod": "Static",
            "privateIPAddress": "10.0.0.4"}}]}}).result()
    disk = cmc.disks.begin_create_or_update(RG, f"{vm}-data", {"location": REGION, "sku": {"name": "Premium_LRS"},
        "properties": {"creationData": {"createOption": "Empty"}, "diskSizeGB": answers.disk.size_gb}}).result()
    cmc.virtual_machines.begin_create_or_update(RG, vm, {"location": REGION, "properties": {
        "hardwareProfile": {"vmSize": "Standard_D4s_v5"},
        "storageProfile": {
            "imageReference": {"publisher": "MicrosoftWindowsServer", "offer": "WindowsServer",
                               "sku": "2022-datacenter-azure-edition", "version": "latest"},
            "osDisk": {"createOption": "FromImage", "managedDisk": {"storageAccountType": "Premium_LRS"}},
            "dataDisks": [{"lun": 0, "createOption": "Attach", "caching": "ReadOnly",
                           "managedDisk": {"id": disk.id}}]},
        "osProfile": {"computerName": vm, "adminUsername": answers.vm.admin_username, "adminPassword": ADMIN_PASSWORD},
        "networkProfile": {"networkInterfaces": [{"id": nic.id}]}}}).result()
    return cmc


def _run_commands(s: Any) -> list[tuple[str, str, int]]:
    return [r for r in s.requests if "/runCommand" in r[1]]


def test_managed_and_action_through_the_real_sdk_and_standin(standin: Any, secrets: Secrets) -> None:
    answers = make_answers(vm__name="fs01")
    cmc = _create_vm(standin, answers)

    managed = ManagedRunCommandShell(cmc, RG, "fs01", REGION)
    first = configure_server(managed, answers, None, secrets)
    assert first.ok, first.summary()
    assert [(r.step, r.status) for r in first.results] == [(s, "changed") for s in SUBSTEPS[CONFIGURE_SERVER]]
    assert first.exit_code == 0 and first.results[0].message.startswith("Disk at LUN 0 (1024 GiB): initialized GPT, partitioned as F:")
    test = self_test(managed, answers, secrets)
    assert test.ok and [r.status for r in test.results] == ["ok"] * len(SUBSTEPS[SELF_TEST])
    puts = [r for r in _run_commands(standin) if r[0] == "PUT"]
    deletes = [r for r in _run_commands(standin) if r[0] == "DELETE"]
    assert len(puts) == 2 and len(deletes) == 2             # two remote calls, both cleaned up
    assert not [r for r in standin.resources() if r.get("type", "").endswith("runCommands")]

    action = ActionRunCommandShell(cmc, RG, "fs01")
    again = configure_server(action, answers, None, secrets)
    assert again.ok and [r.status for r in again.results] == ["ok"] * len(SUBSTEPS[CONFIGURE_SERVER])
    assert again.exit_code is None
    wrong = self_test(action, answers, Secrets(ADMIN_PASSWORD, "Wr0ng-password.xyz"))
    assert not wrong.ok and wrong.failed_step is not None and wrong.failed_step.step == "connect"
    assert "user name or password is incorrect" in wrong.failed_step.message
    assert len([r for r in _run_commands(standin) if r[0] == "POST"]) == 2


def test_injected_substep_fault_through_the_standin(standin: Any, secrets: Secrets) -> None:
    answers = make_answers(vm__name="fs01")
    cmc = _create_vm(standin, answers)
    standin.set_faults("runcommand.put=substep:firewall")
    result = configure_server(ManagedRunCommandShell(cmc, RG, "fs01", REGION), answers, None, secrets)
    assert not result.ok and result.failed_step is not None and result.failed_step.step == "firewall"
    assert result.exit_code == 1
