"""Malformed or impossible requests get the ARM-shaped errors Azure would give (through the SDK)."""
from __future__ import annotations

import pytest
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError

from wizard.standin import FakeCredential, StandIn
from wizard.standin.catalog import DISABLED_SUBSCRIPTION_ID

from .helpers import REGION, Clients, create_network, disk_body, nic_body, nsg_body, pip_body, rule, vm_body


def _error(call) -> HttpResponseError:
    with pytest.raises(HttpResponseError) as info:
        result = call()
        if hasattr(result, "result"):
            result.result()
    return info.value


@pytest.fixture
def subnet_id(clients: Clients) -> str:
    return create_network(clients).subnets[0].id


@pytest.mark.parametrize("ip, code", [
    ("10.0.1.4", "PrivateIPAddressNotInSubnet"),
    ("192.168.0.10", "PrivateIPAddressNotInSubnet"),
    ("10.0.0.0", "PrivateIPAddressInReservedRange"),
    ("10.0.0.1", "PrivateIPAddressInReservedRange"),
    ("10.0.0.2", "PrivateIPAddressInReservedRange"),
    ("10.0.0.3", "PrivateIPAddressInReservedRange"),
    ("10.0.0.255", "PrivateIPAddressInReservedRange"),
])
def test_nic_static_ip_must_be_usable(clients: Clients, subnet_id: str, ip: str, code: str) -> None:
    err = _error(lambda: clients.nmc.network_interfaces.begin_create_or_update("rg-fs", "nic", nic_body(subnet_id, ip)))
    assert err.status_code == 400 and err.error.code == code
    assert ip in err.error.message


def test_nic_static_ip_already_used(clients: Clients, subnet_id: str) -> None:
    clients.nmc.network_interfaces.begin_create_or_update("rg-fs", "nic-a", nic_body(subnet_id, "10.0.0.10")).result()
    err = _error(lambda: clients.nmc.network_interfaces.begin_create_or_update("rg-fs", "nic-b", nic_body(subnet_id, "10.0.0.10")))
    assert err.error.code == "PrivateIPAddressIsAllocated"
    assert "nic-a" in err.error.message
    # The first NIC may re-apply its own address.
    nic = clients.nmc.network_interfaces.begin_create_or_update("rg-fs", "nic-a", nic_body(subnet_id, "10.0.0.10")).result()
    assert nic.ip_configurations[0].private_ip_address == "10.0.0.10"


def test_snake_case_body_is_rejected(standin: StandIn, clients: Clients, subnet_id: str) -> None:
    nic = clients.nmc.network_interfaces.begin_create_or_update("rg-fs", "nic", nic_body(subnet_id)).result()
    old_style = {"location": REGION, "hardware_profile": {"vm_size": "Standard_D4s_v5"},
                 "network_profile": {"network_interfaces": [{"id": nic.id}]}}
    err = _error(lambda: clients.cmc.virtual_machines.begin_create_or_update("rg-fs", "fs01", old_style))
    assert err.status_code == 400 and err.error.code == "InvalidRequestContent"
    assert "hardware_profile" in err.error.message
    nested = vm_body(nic.id)
    nested["properties"]["hardwareProfile"] = {"vm_size": "Standard_D4s_v5"}
    err = _error(lambda: clients.cmc.virtual_machines.begin_create_or_update("rg-fs", "fs01", nested))
    assert err.error.code == "InvalidRequestContent" and "properties.hardwareProfile.vm_size" in err.error.message
    # Tag names are user data: underscores there are fine.
    body = nsg_body()
    body["tags"] = {"hpcshare_profile": "demo"}
    assert clients.nmc.network_security_groups.begin_create_or_update("rg-fs", "nsg", body).result().tags == body["tags"]
    assert not any(r["type"] == "Microsoft.Compute/virtualMachines" for r in standin.resources())


def test_missing_location_is_rejected(clients: Clients) -> None:
    err = _error(lambda: clients.rmc.resource_groups.create_or_update("rg-x", {"tags": {}}))
    assert err.status_code == 400 and err.error.code == "LocationRequired"
    clients.rmc.resource_groups.create_or_update("rg-x", {"location": REGION})
    err = _error(lambda: clients.nmc.virtual_networks.begin_create_or_update(
        "rg-x", "vnet", {"properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}}}))
    assert err.error.code == "LocationRequired"
    err = _error(lambda: clients.nmc.network_security_groups.begin_create_or_update("rg-x", "nsg", {"location": "moon"}))
    assert err.error.code == "LocationNotAvailableForResourceType"


def test_dangling_ids_are_rejected(clients: Clients, subnet_id: str) -> None:
    ghost_subnet = subnet_id.replace("/subnets/default", "/subnets/nope")
    err = _error(lambda: clients.nmc.network_interfaces.begin_create_or_update("rg-fs", "nic", nic_body(ghost_subnet)))
    assert err.status_code == 400 and err.error.code == "InvalidResourceReference" and ghost_subnet in err.error.message
    ghost_nsg = subnet_id.split("/providers/")[0] + "/providers/Microsoft.Network/networkSecurityGroups/ghost"
    err = _error(lambda: clients.nmc.network_interfaces.begin_create_or_update("rg-fs", "nic", nic_body(subnet_id, nsg_id=ghost_nsg)))
    assert err.error.code == "InvalidResourceReference"
    nic = clients.nmc.network_interfaces.begin_create_or_update("rg-fs", "nic", nic_body(subnet_id)).result()
    ghost_disk = nic.id.split("/providers/")[0] + "/providers/Microsoft.Compute/disks/ghost"
    err = _error(lambda: clients.cmc.virtual_machines.begin_create_or_update("rg-fs", "fs01", vm_body(nic.id, ghost_disk)))
    assert err.error.code == "InvalidResourceReference" and ghost_disk in err.error.message
    err = _error(lambda: clients.cmc.virtual_machines.begin_create_or_update("rg-fs", "fs01", vm_body(nic.id + "x")))
    assert err.error.code == "InvalidResourceReference"


def test_not_found_codes(clients: Clients) -> None:
    with pytest.raises(ResourceNotFoundError) as err:
        clients.rmc.resource_groups.get("rg-none")
    assert err.value.error.code == "ResourceGroupNotFound"
    with pytest.raises(ResourceNotFoundError) as err:
        clients.nmc.virtual_networks.get("rg-none", "vnet")
    assert err.value.error.code == "ResourceGroupNotFound"
    clients.rmc.resource_groups.create_or_update("rg-x", {"location": REGION})
    with pytest.raises(ResourceNotFoundError) as err:
        clients.cmc.virtual_machines.get("rg-x", "fs99")
    assert err.value.error.code == "ResourceNotFound" and "fs99" in err.value.error.message


def test_public_ip_rules(clients: Clients) -> None:
    clients.rmc.resource_groups.create_or_update("rg-fs", {"location": REGION})
    err = _error(lambda: clients.nmc.public_ip_addresses.begin_create_or_update("rg-fs", "pip", pip_body(sku="Basic")))
    assert err.error.code == "IPv4BasicSkuPublicIpCountLimitReached"
    err = _error(lambda: clients.nmc.public_ip_addresses.begin_create_or_update("rg-fs", "pip", pip_body(sku=None)))
    assert err.error.code == "IPv4BasicSkuPublicIpCountLimitReached"   # no sku = Basic
    dynamic = pip_body()
    dynamic["properties"]["publicIPAllocationMethod"] = "Dynamic"
    err = _error(lambda: clients.nmc.public_ip_addresses.begin_create_or_update("rg-fs", "pip", dynamic))
    assert err.error.code == "StandardSkuPublicIPAddressesMustBeStatic"
    err = _error(lambda: clients.nmc.public_ip_addresses.begin_create_or_update("rg-fs", "pip", pip_body("Bad_Label")))
    assert err.error.code == "InvalidDomainNameLabel"
    clients.nmc.public_ip_addresses.begin_create_or_update("rg-fs", "pip1", pip_body("hpc-taken")).result()
    err = _error(lambda: clients.nmc.public_ip_addresses.begin_create_or_update("rg-fs", "pip2", pip_body("hpc-taken")))
    assert err.error.code == "DnsRecordInUse" and "hpc-taken.westeurope.cloudapp.azure.com" in err.error.message
    assert clients.nmc.check_dns_name_availability(REGION, domain_name_label="www").available is False
    assert clients.nmc.check_dns_name_availability("northeurope", domain_name_label="hpc-taken").available is True


@pytest.mark.parametrize("rules, code", [
    ([rule("r", 99)], "SecurityRuleInvalidPriority"),
    ([rule("r", 4097)], "SecurityRuleInvalidPriority"),
    ([rule("a", 100), rule("b", 100, "3389")], "SecurityRuleConflict"),
    ([rule("r", 100, "70000")], "SecurityRuleInvalidPortRange"),
])
def test_nsg_rules_are_checked(clients: Clients, rules: list, code: str) -> None:
    clients.rmc.resource_groups.create_or_update("rg-fs", {"location": REGION})
    err = _error(lambda: clients.nmc.network_security_groups.begin_create_or_update("rg-fs", "nsg", nsg_body(*rules)))
    assert err.status_code == 400 and err.error.code == code


def test_nsg_same_priority_in_other_direction_is_fine(clients: Clients) -> None:
    clients.rmc.resource_groups.create_or_update("rg-fs", {"location": REGION})
    nsg = clients.nmc.network_security_groups.begin_create_or_update(
        "rg-fs", "nsg", nsg_body(rule("in", 100), rule("out", 100, direction="Outbound"))).result()
    assert len(nsg.security_rules) == 2


def test_vm_rules(clients: Clients, subnet_id: str) -> None:
    nic = clients.nmc.network_interfaces.begin_create_or_update("rg-fs", "nic", nic_body(subnet_id)).result()
    restricted = _error(lambda: clients.cmc.virtual_machines.begin_create_or_update("rg-fs", "fs01", vm_body(nic.id, size="Standard_E16s_v5")))
    assert restricted.status_code == 409 and restricted.error.code == "SkuNotAvailable"
    unknown = _error(lambda: clients.cmc.virtual_machines.begin_create_or_update("rg-fs", "fs01", vm_body(nic.id, size="Standard_Z9")))
    assert unknown.error.code == "InvalidParameter"
    disk = clients.cmc.disks.begin_create_or_update("rg-fs", "d", disk_body(sku="Premium_LRS")).result()
    body = vm_body(nic.id, disk.id, size="Standard_D4_v5")   # no "s": no premium storage
    body["properties"]["storageProfile"]["osDisk"]["managedDisk"]["storageAccountType"] = "StandardSSD_LRS"
    err = _error(lambda: clients.cmc.virtual_machines.begin_create_or_update("rg-fs", "fs01", body))
    assert err.error.code == "OperationNotAllowed" and "Premium" in err.error.message
    weak = vm_body(nic.id)
    weak["properties"]["osProfile"]["adminPassword"] = "password"
    assert _error(lambda: clients.cmc.virtual_machines.begin_create_or_update("rg-fs", "fs01", weak)).error.code == "InvalidParameter"
    long_name = vm_body(nic.id, computer_name="a-very-long-computer-name")
    err = _error(lambda: clients.cmc.virtual_machines.begin_create_or_update("rg-fs", "fs01", long_name))
    assert "15 characters" in err.error.message
    # Nothing was created by the failed attempts (no VM, no implicit OS disk).
    assert [d.name for d in clients.cmc.disks.list_by_resource_group("rg-fs")] == ["d"]


def test_resource_group_location_cannot_change(clients: Clients) -> None:
    clients.rmc.resource_groups.create_or_update("rg-fs", {"location": REGION})
    err = _error(lambda: clients.rmc.resource_groups.create_or_update("rg-fs", {"location": "eastus"}))
    assert err.status_code == 409 and err.error.code == "InvalidResourceGroupLocation"


def test_disabled_subscription_is_read_only(standin: StandIn, clients: Clients) -> None:
    from azure.mgmt.resource.resources import ResourceManagementClient

    rmc = ResourceManagementClient(FakeCredential(), DISABLED_SUBSCRIPTION_ID, base_url=standin.base_url,
                                   connection_verify=str(standin.ca_path), retry_total=0)
    err = _error(lambda: rmc.resource_groups.create_or_update("rg", {"location": REGION}))
    assert err.status_code == 409 and err.error.code == "ReadOnlyDisabledSubscription"
    assert list(rmc.resource_groups.list()) == []          # reads still work
    assert list(clients.rmc.resource_groups.list()) == []  # and nothing was created in the default one
