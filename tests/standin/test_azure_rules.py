"""Stateful rules real Azure enforces, through the real SDK clients against the stand-in: each test
names the source of the rule (see also wizard/standin/handlers/*.py)."""
from __future__ import annotations

import pytest
from azure.core.exceptions import HttpResponseError

from .helpers import REGION, Clients, create_network, create_vm, disk_body, nic_body, vm_body


def _error(exc: pytest.ExceptionInfo[HttpResponseError]) -> tuple[int | None, str, str]:
    err = exc.value.error
    return exc.value.status_code, err.code if err else "", err.message if err else ""


# -- VM PUT with an OS disk name that is taken (review 2026-12-02 row 1) -------------------------------
def test_vm_put_whose_os_disk_name_exists_is_refused_with_conflicting_user_input(clients: Clients) -> None:
    vnet = create_network(clients)
    nic = clients.nmc.network_interfaces.begin_create_or_update("rg-fs", "fs01-nic", nic_body(vnet.subnets[0].id)).result()
    leftover = clients.cmc.disks.begin_create_or_update("rg-fs", "fs01-os", disk_body(128, "StandardSSD_LRS")).result()
    body = vm_body(nic.id)
    body["properties"]["storageProfile"]["osDisk"]["name"] = "fs01-os"
    with pytest.raises(HttpResponseError) as exc:
        clients.cmc.virtual_machines.begin_create_or_update("rg-fs", "fs01", body).result()
    status, code, message = _error(exc)
    assert (status, code) == (400, "ConflictingUserInput")
    assert message == "Disk fs01-os already exists in resource group RG-FS. Only CreateOption.Attach is supported."
    assert exc.value.error.target == leftover.id
    # Nothing was adopted: the disk is still the empty, unattached one.
    disk = clients.cmc.disks.get("rg-fs", "fs01-os")
    assert disk.disk_state == "Unattached" and disk.disk_size_gb == 128
    assert [v.name for v in clients.cmc.virtual_machines.list("rg-fs")] == []


def test_a_re_put_of_the_same_vm_keeps_its_named_os_disk(clients: Clients) -> None:
    vnet = create_network(clients)
    nic = clients.nmc.network_interfaces.begin_create_or_update("rg-fs", "fs01-nic", nic_body(vnet.subnets[0].id)).result()
    body = vm_body(nic.id)
    body["properties"]["storageProfile"]["osDisk"]["name"] = "fs01-os"
    first = clients.cmc.virtual_machines.begin_create_or_update("rg-fs", "fs01", body).result()
    again = clients.cmc.virtual_machines.begin_create_or_update("rg-fs", "fs01", body).result()
    assert again.storage_profile.os_disk.managed_disk.id == first.storage_profile.os_disk.managed_disk.id


# -- managed disk size and type changes ---------------------------------------------------------------
def test_a_disk_cannot_shrink(clients: Clients) -> None:
    clients.rmc.resource_groups.create_or_update("rg-fs", {"location": REGION})
    clients.cmc.disks.begin_create_or_update("rg-fs", "d1", disk_body(128)).result()
    with pytest.raises(HttpResponseError) as exc:
        clients.cmc.disks.begin_create_or_update("rg-fs", "d1", disk_body(64)).result()
    status, code, message = _error(exc)
    assert status == 400 and "cannot be resized down" in message
    assert clients.cmc.disks.get("rg-fs", "d1").disk_size_gb == 128


def test_an_unattached_disk_can_grow_and_change_type(clients: Clients) -> None:
    clients.rmc.resource_groups.create_or_update("rg-fs", {"location": REGION})
    clients.cmc.disks.begin_create_or_update("rg-fs", "d1", disk_body(128, "Standard_LRS")).result()
    disk = clients.cmc.disks.begin_create_or_update("rg-fs", "d1", disk_body(8192, "Premium_LRS")).result()
    assert (disk.disk_size_gb, disk.sku.name) == (8192, "Premium_LRS")


def test_an_attached_data_disk_grows_online_below_4_tib(clients: Clients) -> None:
    vm = create_vm(clients)   # data disk fs01-data: 1024 GiB Premium_LRS, attached at LUN 0
    disk = clients.cmc.disks.begin_create_or_update("rg-fs", "fs01-data", disk_body(2048)).result()
    assert disk.disk_size_gb == 2048 and disk.managed_by == vm.id


def test_an_attached_disk_cannot_change_type(clients: Clients) -> None:
    create_vm(clients)
    with pytest.raises(HttpResponseError) as exc:
        clients.cmc.disks.begin_create_or_update("rg-fs", "fs01-data", disk_body(1024, "StandardSSD_LRS")).result()
    status, code, message = _error(exc)
    assert (status, code) == (409, "OperationNotAllowed")
    assert "deallocated" in message
    assert clients.cmc.disks.get("rg-fs", "fs01-data").sku.name == "Premium_LRS"


def test_an_attached_disk_cannot_cross_4_tib_online(clients: Clients) -> None:
    create_vm(clients)
    with pytest.raises(HttpResponseError) as exc:
        clients.cmc.disks.begin_create_or_update("rg-fs", "fs01-data", disk_body(8192)).result()
    status, code, message = _error(exc)
    assert (status, code) == (409, "OperationNotAllowed")
    assert message == "Disk resizing is allowed only when creating a VM or when the VM is deallocated."


def test_an_attached_disk_above_4_tib_grows_online(clients: Clients) -> None:
    vnet = create_network(clients)
    nic = clients.nmc.network_interfaces.begin_create_or_update("rg-fs", "n1", nic_body(vnet.subnets[0].id)).result()
    big = clients.cmc.disks.begin_create_or_update("rg-fs", "big", disk_body(4096)).result()
    clients.cmc.virtual_machines.begin_create_or_update("rg-fs", "fs01", vm_body(nic.id, big.id)).result()
    assert clients.cmc.disks.begin_create_or_update("rg-fs", "big", disk_body(8192)).result().disk_size_gb == 8192


def test_the_os_disk_of_a_running_vm_cannot_be_resized(clients: Clients) -> None:
    vm = create_vm(clients)
    os_name = vm.storage_profile.os_disk.name
    with pytest.raises(HttpResponseError) as exc:
        clients.cmc.disks.begin_update("rg-fs", os_name, {"properties": {"diskSizeGB": 256}}).result()
    status, code, message = _error(exc)
    assert (status, code) == (409, "OperationNotAllowed")
    assert message == f"Change in disk property of OS disk '{os_name}' is not allowed when VM is running"


# -- tags PATCH (review row 7) -------------------------------------------------------------------------
def test_update_tags_on_network_resources_answers_at_once(standin, clients: Clients) -> None:
    vnet = create_network(clients)
    updated = clients.nmc.virtual_networks.update_tags("rg-fs", "vnet-hpc", {"tags": {"env": "lab"}})
    assert updated.tags == {"env": "lab"} and updated.id == vnet.id
    assert clients.nmc.virtual_networks.get("rg-fs", "vnet-hpc").tags == {"env": "lab"}
    patches = [(m, st) for m, p, st in standin.requests if m == "PATCH"]
    assert patches == [("PATCH", 200)]


def test_begin_update_tags_on_a_vm_and_a_disk(standin, clients: Clients) -> None:
    vm = create_vm(clients)
    vm2 = clients.cmc.virtual_machines.begin_update("rg-fs", "fs01", {"tags": {"owner": "hpc"}}).result()
    assert vm2.tags == {"owner": "hpc"} and vm2.provisioning_state == "Succeeded"
    os_name = vm.storage_profile.os_disk.name
    disk = clients.cmc.disks.begin_update("rg-fs", os_name, {"tags": {"owner": "hpc"}}).result()
    assert disk.tags == {"owner": "hpc"} and disk.disk_state == "Attached"
    statuses = [st for m, p, st in standin.requests if m == "PATCH"]
    assert statuses == [200, 202]   # VM: 200 + Updating body; disk: 202 + both operation headers


def test_a_disk_patch_goes_through_the_resize_rules(clients: Clients) -> None:
    clients.rmc.resource_groups.create_or_update("rg-fs", {"location": REGION})
    clients.cmc.disks.begin_create_or_update("rg-fs", "d1", disk_body(128)).result()
    assert clients.cmc.disks.begin_update("rg-fs", "d1", {"properties": {"diskSizeGB": 256}}).result().disk_size_gb == 256
    with pytest.raises(HttpResponseError) as exc:
        clients.cmc.disks.begin_update("rg-fs", "d1", {"properties": {"diskSizeGB": 64}}).result()
    assert "cannot be resized down" in _error(exc)[2]


# -- NIC held 180 s after its VM went away (review row 3) ---------------------------------------------
@pytest.fixture
def held():
    """A stand-in whose NIC hold lasts 180 s x 0.001 x 1000 = 180 s: long enough to observe for sure."""
    from wizard.standin import StandIn

    with StandIn(latency="instant", scale=1000) as s:
        yield s


@pytest.fixture
def held_clients(held) -> Clients:
    from .helpers import make_clients

    return make_clients(held, retry_total=0)


def test_a_nic_released_by_a_deleted_vm_is_reserved(held_clients: Clients) -> None:
    c = held_clients
    vm = create_vm(c)
    nic_id = vm.network_profile.network_interfaces[0].id
    c.cmc.virtual_machines.begin_delete("rg-fs", "fs01").result()
    with pytest.raises(HttpResponseError) as exc:
        c.nmc.network_interfaces.begin_delete("rg-fs", "fs01-nic").result()
    status, code, message = _error(exc)
    assert (status, code) == (400, "NicReservedForAnotherVm")
    assert message.startswith("Nic(s) in request is reserved for another Virtual Machine for 180 seconds.")
    assert message.endswith(f"Reserved VM: {vm.id}")
    # A new VM, even one of the same name, cannot take it either.
    with pytest.raises(HttpResponseError) as exc:
        c.cmc.virtual_machines.begin_create_or_update("rg-fs", "fs01", vm_body(nic_id)).result()
    assert _error(exc)[1] == "NicReservedForAnotherVm"
    assert c.nmc.network_interfaces.get("rg-fs", "fs01-nic").virtual_machine is None


def test_a_failed_vm_create_reserves_its_nic_but_may_retry_itself(held, held_clients: Clients) -> None:
    c = held_clients
    vnet = create_network(c)
    nic = c.nmc.network_interfaces.begin_create_or_update("rg-fs", "n1", nic_body(vnet.subnets[0].id)).result()
    held.set_faults("vm.put=lro-fail")
    with pytest.raises(HttpResponseError):
        c.cmc.virtual_machines.begin_create_or_update("rg-fs", "fs01", vm_body(nic.id)).result()
    with pytest.raises(HttpResponseError) as exc:
        c.nmc.network_interfaces.begin_delete("rg-fs", "n1").result()
    assert _error(exc)[1] == "NicReservedForAnotherVm"
    with pytest.raises(HttpResponseError) as exc:
        c.cmc.virtual_machines.begin_create_or_update("rg-fs", "other", vm_body(nic.id, computer_name="other")).result()
    assert _error(exc)[1] == "NicReservedForAnotherVm"
    # The failed VM itself is PUT again, as ARM expects, and gets its NIC.
    again = c.cmc.virtual_machines.begin_create_or_update("rg-fs", "fs01", vm_body(nic.id)).result()
    assert again.provisioning_state == "Succeeded"


def test_the_nic_hold_ends(clients: Clients) -> None:
    """Default instant stand-in: the hold is 0.18 s; a client that retries gets the NIC deleted."""
    from wizard.azure.reservations import while_nic_reserved

    create_vm(clients)
    clients.cmc.virtual_machines.begin_delete("rg-fs", "fs01").result()
    said: list[str] = []
    while_nic_reserved(lambda: clients.nmc.network_interfaces.begin_delete("rg-fs", "fs01-nic").result(),
                       said.append, "fs01-nic")
    assert [n.name for n in clients.nmc.network_interfaces.list("rg-fs")] == []


# -- names: decoding and the characters each type allows (review rows 4 and 8) ------------------------
def test_encoded_path_segments_are_decoded_in_every_id(clients: Clients) -> None:
    rg = clients.rmc.resource_groups.create_or_update("hpc(test)", {"location": REGION})
    assert rg.name == "hpc(test)" and rg.id.endswith("/resourceGroups/hpc(test)")
    vnet = create_network(clients, "hpc(test)")
    assert "/resourceGroups/hpc(test)/" in vnet.id and "/resourceGroups/hpc(test)/" in vnet.subnets[0].id
    nic = clients.nmc.network_interfaces.begin_create_or_update("hpc(test)", "fs01-nic", nic_body(vnet.subnets[0].id)).result()
    assert "%28" not in nic.id and nic.ip_configurations[0].subnet.id == vnet.subnets[0].id
    assert [g.name for g in clients.rmc.resource_groups.list()] == ["hpc(test)"]


@pytest.mark.parametrize(("name", "bad"), [("rg bad!", " !"), ("rgdot.", "."), ("a/b", "/")])
def test_a_resource_group_name_with_characters_arm_refuses(clients: Clients, name: str, bad: str) -> None:
    with pytest.raises(HttpResponseError) as exc:
        clients.rmc.resource_groups.create_or_update(name, {"location": REGION})
    status, code, message = _error(exc)
    assert (status, code) == (400, "InvalidResourceGroup")
    assert message.startswith(f"The provided resource group name '{name}' has these invalid characters: '{bad}'.")
    assert list(clients.rmc.resource_groups.list()) == []


@pytest.mark.parametrize("name", ["bad name!", "v", "-vnet", "vnet.", "x" * 65])
def test_a_vnet_name_with_characters_the_network_provider_refuses(clients: Clients, name: str) -> None:
    clients.rmc.resource_groups.create_or_update("rg-fs", {"location": REGION})
    from .helpers import vnet_body

    with pytest.raises(HttpResponseError) as exc:
        clients.nmc.virtual_networks.begin_create_or_update("rg-fs", name, vnet_body()).result()
    status, code, message = _error(exc)
    assert (status, code) == (400, "InvalidResourceName")
    assert message.startswith(f"Resource name {name} is invalid.")


def test_nic_subnet_and_nsg_names_follow_the_network_rules(clients: Clients) -> None:
    vnet = create_network(clients)
    for call in (
        lambda: clients.nmc.network_interfaces.begin_create_or_update("rg-fs", "nic!", nic_body(vnet.subnets[0].id)),
        lambda: clients.nmc.subnets.begin_create_or_update("rg-fs", "vnet-hpc", "sub net", {"properties": {"addressPrefix": "10.0.1.0/24"}}),
        lambda: clients.nmc.network_security_groups.begin_create_or_update("rg-fs", "nsg#1", {"location": REGION}),
    ):
        with pytest.raises(HttpResponseError) as exc:
            call().result()
        assert _error(exc)[1] == "InvalidResourceName"
    # One-character names and '_' at the end are fine outside VNets.
    assert clients.nmc.network_security_groups.begin_create_or_update("rg-fs", "n_", {"location": REGION}).result().name == "n_"


# -- locations: logical regions are listed but cannot hold resources (review row 5) --------------------
def test_locations_include_logical_regions_that_hold_nothing(standin, clients: Clients) -> None:
    locs = {loc.name: loc for loc in clients.subs.subscriptions.list_locations(standin.subscription_id)}
    assert locs["global"].metadata.region_type == "Logical" and locs["global"].metadata.region_category == "Other"
    assert locs["europe"].display_name == "Europe" and locs["europe"].metadata.paired_region is None
    assert locs["uksouth"].metadata.geography_group == "Europe"
    assert locs["westeurope"].metadata.region_type == "Physical"
    with pytest.raises(HttpResponseError) as exc:
        clients.rmc.resource_groups.create_or_update("rg-global", {"location": "europe"})
    assert _error(exc)[1] == "LocationNotAvailableForResourceGroup"


# -- first responses and each provider's operation URLs (review rows 9-11) ------------------------------
def _responses() -> tuple[list, dict]:
    seen: list = []
    return seen, {"raw_response_hook": lambda r: seen.append(r.http_response)}


def test_a_vm_create_answers_first_with_what_it_accepted(clients: Clients) -> None:
    vnet = create_network(clients)
    nic = clients.nmc.network_interfaces.begin_create_or_update("rg-fs", "n1", nic_body(vnet.subnets[0].id)).result()
    seen, hook = _responses()
    body = vm_body(nic.id, data_disks=[{"lun": 0, "createOption": "Empty", "diskSizeGB": 64}])
    vm = clients.cmc.virtual_machines.begin_create_or_update("rg-fs", "fs01", body, **hook).result()
    first = seen[0]
    assert first.status_code == 201
    props = first.json()["properties"]
    assert props["provisioningState"] == "Creating"
    assert props["storageProfile"]["osDisk"]["managedDisk"] == {"storageAccountType": "Premium_LRS"}
    assert "name" not in props["storageProfile"]["dataDisks"][0]
    assert "id" not in props["storageProfile"]["dataDisks"][0]["managedDisk"]
    assert "diskControllerType" not in props["storageProfile"]
    # The finished VM names its disks.
    assert vm.storage_profile.os_disk.managed_disk.id and vm.storage_profile.data_disks[0].managed_disk.id


def test_disk_operations_follow_the_disk_providers_pattern(clients: Clients) -> None:
    clients.rmc.resource_groups.create_or_update("rg-fs", {"location": REGION})
    seen, hook = _responses()
    body = {"location": REGION, "properties": {"creationData": {"createOption": "Empty"}, "diskSizeGB": 200}}
    disk = clients.cmc.disks.begin_create_or_update("rg-fs", "d1", body, **hook).result()
    first = seen[0]
    assert first.status_code == 202
    assert "/providers/Microsoft.Compute/locations/westeurope/DiskOperations/" in first.headers["Azure-AsyncOperation"]
    assert "/DiskOperations/" in first.headers["Location"] and "monitor=true" in first.headers["Location"]
    assert first.json()["properties"] == {"creationData": {"createOption": "Empty"}, "diskSizeGB": 200,
                                          "provisioningState": "Updating"}
    assert "sku" not in first.json()                     # none was sent
    done = next(r.json() for r in seen if "/DiskOperations/" in r.request.url and r.json().get("status") == "Succeeded")
    assert done["properties"]["output"]["name"] == "d1" and done["properties"]["output"]["properties"]["diskSizeGB"] == 200
    assert disk.sku.name == "Standard_LRS"
    seen.clear()
    clients.cmc.disks.begin_create_or_update("rg-fs", "d1", {**body, "properties": {**body["properties"], "diskSizeGB": 256}}, **hook).result()
    assert seen[0].status_code == 202 and "Location" in seen[0].headers   # an update answers like a create


def test_a_nic_create_answers_succeeded_at_once(clients: Clients) -> None:
    vnet = create_network(clients)
    seen, hook = _responses()
    clients.nmc.network_interfaces.begin_create_or_update("rg-fs", "n1", nic_body(vnet.subnets[0].id), **hook).result()
    assert seen[0].status_code == 201 and seen[0].json()["properties"]["provisioningState"] == "Succeeded"
    assert "/providers/Microsoft.Network/locations/westeurope/operations/" in seen[0].headers["Azure-AsyncOperation"]


def test_a_network_delete_ends_at_operation_results_with_204(clients: Clients) -> None:
    create_network(clients)
    seen, hook = _responses()
    clients.nmc.virtual_networks.begin_delete("rg-fs", "vnet-hpc", **hook).result()
    assert seen[0].status_code == 202
    assert "/providers/Microsoft.Network/locations/westeurope/operationResults/" in seen[0].headers["Location"]
    assert "/operations/" in seen[0].headers["Azure-AsyncOperation"]
    # The SDK returns once the status says Succeeded; the Location answers what the delete did.
    from azure.core.rest import HttpRequest

    final = clients.nmc.send_request(HttpRequest("GET", seen[0].headers["Location"]))
    assert final.status_code == 204 and final.content == b""
    assert [v.name for v in clients.nmc.virtual_networks.list("rg-fs")] == []
