"""Every hint in wizard/azure/errors.py, triggered through the real SDK against the stand-in: the
codes the tool keys on are the codes Azure sends."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.integration.conftest import run_session, write_answers
from tests.standin.helpers import (
    REGION, Clients, create_network, create_vm, disk_body, make_clients, nic_body, pip_body, vm_body,
)
from wizard.azure import errors
from wizard.runner import StepFailed
from wizard.standin import FakeCredential, StandIn


@pytest.fixture
def standin(monkeypatch: pytest.MonkeyPatch) -> Iterator[StandIn]:
    for var in ("HPCSHARE_STANDIN_LATENCY", "HPCSHARE_STANDIN_SCALE", "HPCSHARE_STANDIN_FAULTS"):
        monkeypatch.delenv(var, raising=False)
    with StandIn() as s:
        yield s


@pytest.fixture
def c(standin: StandIn) -> Clients:
    return make_clients(standin, retry_total=0)


def failure(call: Callable[[], Any]) -> StepFailed:
    """What the tool tells the user when Azure refuses ``call``."""
    with pytest.raises(Exception) as exc:
        call()
    return errors.explain(exc.value)


def code_of(call: Callable[[], Any]) -> str:
    with pytest.raises(Exception) as exc:
        call()
    return exc.value.error.code


def hint(code: str) -> str:
    return errors._HINTS[code]


def test_authorization_failed(standin: StandIn, c: Clients) -> None:
    standin.set_faults("resourcegroup.put=403")
    f = failure(lambda: c.rmc.resource_groups.create_or_update("rg-fs", {"location": REGION}))
    assert f.message.startswith("Azure refused (AuthorizationFailed)") and f.hint == hint("AuthorizationFailed")


def test_quota_exceeded(c: Clients) -> None:
    vnet = create_network(c)
    big = c.nmc.network_interfaces.begin_create_or_update("rg-fs", "n1", nic_body(vnet.subnets[0].id, "10.0.0.4")).result()
    small = c.nmc.network_interfaces.begin_create_or_update("rg-fs", "n2", nic_body(vnet.subnets[0].id, "10.0.0.5")).result()
    c.cmc.virtual_machines.begin_create_or_update("rg-fs", "big", vm_body(big.id, size="Standard_D32s_v5", computer_name="big")).result()
    f = failure(lambda: c.cmc.virtual_machines.begin_create_or_update(
        "rg-fs", "small", vm_body(small.id, computer_name="small")).result())
    assert "(QuotaExceeded)" in f.message and "standardDSv5Family Cores quota" in f.message
    assert f.hint == hint("QuotaExceeded")


def test_operation_not_allowed_names_what_azure_needs(c: Clients) -> None:
    create_vm(c)
    # A disk in use cannot be deleted: the generic hint points at the message.
    f = failure(lambda: c.cmc.disks.begin_delete("rg-fs", "fs01-data").result())
    assert "is attached to VM" in f.message and f.hint == hint("OperationNotAllowed")
    # A type change on a disk of a running VM: the message asks for a deallocated VM.
    f = failure(lambda: c.cmc.disks.begin_create_or_update("rg-fs", "fs01-data", disk_body(1024, "StandardSSD_LRS")).result())
    assert "deallocated" in f.message and f.hint == dict(errors._NOT_ALLOWED_HINTS)["deallocated"]


def test_operation_not_allowed_while_the_vm_is_being_created() -> None:
    with StandIn(latency="realistic", scale=1) as s:      # the VM create takes 52 s: still Creating below
        c = make_clients(s, retry_total=0)
        vnet = create_network(c)
        nic = c.nmc.network_interfaces.begin_create_or_update("rg-fs", "n1", nic_body(vnet.subnets[0].id)).result()
        c.cmc.virtual_machines.begin_create_or_update("rg-fs", "fs01", vm_body(nic.id))  # not awaited
        f = failure(lambda: c.cmc.virtual_machines.begin_run_command(
            "rg-fs", "fs01", {"commandId": "RunPowerShellScript", "script": ["hostname"]}))
    assert "provisioning state 'Creating'" in f.message
    assert f.hint == dict(errors._NOT_ALLOWED_HINTS)["provisioning state"]


def test_sku_not_available(c: Clients) -> None:
    vnet = create_network(c)
    nic = c.nmc.network_interfaces.begin_create_or_update("rg-fs", "n1", nic_body(vnet.subnets[0].id)).result()
    f = failure(lambda: c.cmc.virtual_machines.begin_create_or_update(
        "rg-fs", "fs01", vm_body(nic.id, size="Standard_E16s_v5")).result())
    assert "(SkuNotAvailable)" in f.message and f.hint == hint("SkuNotAvailable")


def test_invalid_resource_reference(c: Clients) -> None:
    vnet = create_network(c)
    missing = vnet.subnets[0].id.replace("/subnets/default", "/subnets/nope")
    f = failure(lambda: c.nmc.network_interfaces.begin_create_or_update("rg-fs", "n1", nic_body(missing)).result())
    assert "(InvalidResourceReference)" in f.message and f.hint == hint("InvalidResourceReference")


def test_private_ip_address_is_allocated(c: Clients) -> None:
    vnet = create_network(c)
    c.nmc.network_interfaces.begin_create_or_update("rg-fs", "n1", nic_body(vnet.subnets[0].id, "10.0.0.10")).result()
    f = failure(lambda: c.nmc.network_interfaces.begin_create_or_update(
        "rg-fs", "n2", nic_body(vnet.subnets[0].id, "10.0.0.10")).result())
    assert "(PrivateIPAddressIsAllocated)" in f.message and f.hint == hint("PrivateIPAddressIsAllocated")


def test_private_ip_address_not_in_subnet(c: Clients) -> None:
    vnet = create_network(c)
    f = failure(lambda: c.nmc.network_interfaces.begin_create_or_update(
        "rg-fs", "n1", nic_body(vnet.subnets[0].id, "10.0.5.4")).result())
    assert "(PrivateIPAddressNotInSubnet)" in f.message and f.hint == hint("PrivateIPAddressNotInSubnet")


def test_dns_record_in_use(c: Clients) -> None:
    c.rmc.resource_groups.create_or_update("rg-fs", {"location": REGION})
    c.nmc.public_ip_addresses.begin_create_or_update("rg-fs", "pip1", pip_body("hpcfs-demo")).result()
    f = failure(lambda: c.nmc.public_ip_addresses.begin_create_or_update("rg-fs", "pip2", pip_body("hpcfs-demo")).result())
    assert "(DnsRecordInUse)" in f.message and f.hint == hint("DnsRecordInUse")


def test_resource_group_not_found(c: Clients) -> None:
    f = failure(lambda: c.nmc.virtual_networks.get("rg-gone", "vnet-hpc"))
    assert "(ResourceGroupNotFound)" in f.message and f.hint == hint("ResourceGroupNotFound")


def test_conflict_while_a_run_command_runs(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    with StandIn(state_file=state) as s:                   # instant: the VM is ready at once
        create_vm(make_clients(s, retry_total=0))
    with StandIn(latency="realistic", scale=1, state_file=state) as s:   # a run command takes 27 s
        c = make_clients(s, retry_total=0)
        body = {"commandId": "RunPowerShellScript", "script": ["hostname"]}
        c.cmc.virtual_machines.begin_run_command("rg-fs", "fs01", body)    # not awaited: still running below
        f = failure(lambda: c.cmc.virtual_machines.begin_run_command("rg-fs", "fs01", body))
    assert "(Conflict)" in f.message and f.hint == hint("Conflict")


def test_nic_reserved_for_another_vm() -> None:
    with StandIn(latency="instant", scale=1000) as s:     # a 180 s hold: certainly still on below
        c = make_clients(s, retry_total=0)
        create_vm(c)
        c.cmc.virtual_machines.begin_delete("rg-fs", "fs01").result()
        f = failure(lambda: c.nmc.network_interfaces.begin_delete("rg-fs", "fs01-nic").result())
    assert "(NicReservedForAnotherVm)" in f.message and f.hint == hint("NicReservedForAnotherVm")


def test_every_hint_has_a_trigger_here() -> None:
    """A hint added to errors.py without a test above that triggers it fails here."""
    triggered = {
        "AuthorizationFailed": test_authorization_failed, "QuotaExceeded": test_quota_exceeded,
        "OperationNotAllowed": test_operation_not_allowed_names_what_azure_needs,
        "SkuNotAvailable": test_sku_not_available, "InvalidResourceReference": test_invalid_resource_reference,
        "PrivateIPAddressIsAllocated": test_private_ip_address_is_allocated,
        "PrivateIPAddressNotInSubnet": test_private_ip_address_not_in_subnet,
        "DnsRecordInUse": test_dns_record_in_use, "ResourceGroupNotFound": test_resource_group_not_found,
        "Conflict": test_conflict_while_a_run_command_runs, "NicReservedForAnotherVm": test_nic_reserved_for_another_vm,
    }
    assert set(triggered) == set(errors._HINTS)
    assert set(dict(errors._NOT_ALLOWED_HINTS)) == {"quota", "provisioning state", "deallocated"}


def test_server_error_after_retries(standin: StandIn, c: Clients) -> None:
    standin.set_faults("vnet.get=500")
    c.rmc.resource_groups.create_or_update("rg-fs", {"location": REGION})
    f = failure(lambda: c.nmc.virtual_networks.get("rg-fs", "vnet-hpc"))
    assert "InternalServerError" in f.message and "internal error" in f.hint


def test_sign_in_refused(standin: StandIn) -> None:
    import time

    from azure.core.credentials import AccessToken
    from azure.mgmt.resource.resources import ResourceManagementClient

    class EmptyToken:
        """A credential whose token is empty: ARM answers 401 InvalidAuthenticationToken."""

        def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
            return AccessToken("", int(time.time()) + 3600)

    client = ResourceManagementClient(EmptyToken(), standin.subscription_id, base_url=standin.base_url,
                                      connection_verify=str(standin.ca_path), retry_total=0)
    f = failure(lambda: list(client.resource_groups.list()))
    assert f.message.startswith("Azure sign-in failed") and "az login" in f.hint


def test_azure_unreachable(standin: StandIn, tmp_path: Path) -> None:
    from azure.mgmt.resource.resources import ResourceManagementClient

    ca = tmp_path / "ca.pem"          # the stand-in's own copy goes when it stops
    ca.write_bytes(standin.ca_path.read_bytes())
    client = ResourceManagementClient(FakeCredential(), standin.subscription_id, base_url=standin.base_url,
                                      connection_verify=str(ca), retry_total=0)
    standin.stop()
    f = failure(lambda: list(client.resource_groups.list()))
    assert f.message.startswith("Could not reach Azure") and "network" in f.hint


def test_a_run_shows_the_hint_for_a_taken_private_ip(home: Path, tmp_path: Path) -> None:
    """The whole tool: another NIC already holds endpoints.private_ip in the cluster's subnet."""
    from wizard.environment import standin_state_file

    with StandIn(state_file=standin_state_file()) as s:
        c = make_clients(s)
        vnet = create_network(c, "rg-it")
        c.nmc.network_interfaces.begin_create_or_update("rg-it", "someone-else", nic_body(vnet.subnets[0].id, "10.0.0.4")).result()
    answers = write_answers(tmp_path / "it.toml", endpoints__vnet="vnet-hpc", endpoints__subnet="default",
                            endpoints__vnet_cidr="10.0.0.0/16", endpoints__subnet_cidr="10.0.0.0/24",
                            endpoints__private_ip="10.0.0.4")
    # The preflight sees the holder in the NIC list first: nothing is made, exit 2.
    code, text, _ = run_session(answers, tmp_path / "out")
    assert code == 2, text
    assert "[endpoints.private_ip] Network › Private IP: 10.0.0.4 is held by NIC 'someone-else'" in text, text
    # When that list cannot be read (403 once: the caller may not list NICs), the NIC step meets
    # Azure's refusal and shows its hint.
    code, text, _ = run_session(answers, tmp_path / "out", faults="nic.get=403")
    assert code == 1, text
    after = text.split("[failed] nic", 1)[1]
    assert "PrivateIPAddressIsAllocated" in after.splitlines()[0]
    assert errors._HINTS["PrivateIPAddressIsAllocated"] in after
