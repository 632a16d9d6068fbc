"""The whole provisioning chain through the real SDK: RG -> VNet+subnet -> NSG -> public IP with DNS
label -> NIC with a static IP -> disk -> VM with the disk attached -> instance view; then deletes."""
from __future__ import annotations

import json

import pytest
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError

from wizard.standin import StandIn

from .helpers import PASSWORD, REGION, Clients, create_network, create_vm, disk_body, nic_body, nsg_body, pip_body, vm_body


def _value(enum_or_str) -> str:
    return str(getattr(enum_or_str, "value", enum_or_str))


def test_full_create_chain(standin: StandIn, clients: Clients) -> None:
    c = clients
    rg = c.rmc.resource_groups.create_or_update("rg-fs", {"location": "West Europe", "tags": {"managed-by": "hpcshare"}})
    assert rg.location == "westeurope" and rg.tags == {"managed-by": "hpcshare"}
    assert c.rmc.resource_groups.check_existence("rg-fs") is True
    assert c.rmc.resource_groups.check_existence("rg-other") is False

    vnet = c.nmc.virtual_networks.begin_create_or_update("rg-fs", "vnet-hpc", {
        "location": REGION, "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}}}).result()
    assert _value(vnet.provisioning_state) == "Succeeded" and vnet.subnets == []
    subnet = c.nmc.subnets.begin_create_or_update("rg-fs", "vnet-hpc", "default", {
        "properties": {"addressPrefix": "10.0.0.0/24"}}).result()
    assert subnet.address_prefix == "10.0.0.0/24" and _value(subnet.provisioning_state) == "Succeeded"
    assert [s.name for s in c.nmc.virtual_networks.get("rg-fs", "vnet-hpc").subnets] == ["default"]

    nsg = c.nmc.network_security_groups.begin_create_or_update("rg-fs", "fs01-nsg", nsg_body()).result()
    assert [r.name for r in nsg.security_rules] == ["allow-smb"]
    assert sorted(r.priority for r in nsg.default_security_rules) == [65000, 65000, 65001, 65001, 65500, 65500]

    assert c.nmc.check_dns_name_availability(REGION, domain_name_label="hpcfs-demo").available is True
    pip = c.nmc.public_ip_addresses.begin_create_or_update("rg-fs", "fs01-pip", pip_body("hpcfs-demo")).result()
    assert pip.ip_address and pip.ip_address.startswith("20.")
    assert pip.dns_settings.fqdn == "hpcfs-demo.westeurope.cloudapp.azure.com"
    assert _value(pip.sku.name) == "Standard" and _value(pip.public_ip_allocation_method) == "Static"
    assert c.nmc.check_dns_name_availability(REGION, domain_name_label="hpcfs-demo").available is False

    nic = c.nmc.network_interfaces.begin_create_or_update(
        "rg-fs", "fs01-nic", nic_body(subnet.id, "10.0.0.4", nsg_id=nsg.id, pip_id=pip.id)).result()
    cfg = nic.ip_configurations[0]
    assert cfg.private_ip_address == "10.0.0.4" and _value(cfg.private_ip_allocation_method) == "Static"
    assert nic.network_security_group.id == nsg.id

    disk = c.cmc.disks.begin_create_or_update("rg-fs", "fs01-data", disk_body(1024)).result()
    assert disk.disk_size_gb == 1024 and _value(disk.disk_state) == "Unattached"

    vm = c.cmc.virtual_machines.begin_create_or_update("rg-fs", "fs01", vm_body(nic.id, disk.id)).result()
    assert vm.provisioning_state == "Succeeded"
    assert vm.os_profile.admin_password is None and vm.os_profile.admin_username == "hpcadmin"
    data = vm.storage_profile.data_disks[0]
    assert data.lun == 0 and data.managed_disk.id == disk.id and data.disk_size_gb == 1024
    assert vm.network_profile.network_interfaces[0].id == nic.id

    # Back-references, as ARM shows them.
    disk = c.cmc.disks.get("rg-fs", "fs01-data")
    assert _value(disk.disk_state) == "Attached" and disk.managed_by == vm.id
    assert c.nmc.network_interfaces.get("rg-fs", "fs01-nic").virtual_machine.id == vm.id
    assert c.nmc.public_ip_addresses.get("rg-fs", "fs01-pip").ip_configuration.id == cfg.id

    expanded = c.cmc.virtual_machines.get("rg-fs", "fs01", expand="instanceView")
    codes = [s.code for s in expanded.instance_view.statuses]
    assert codes == ["ProvisioningState/succeeded", "PowerState/running"]
    assert [s.code for s in c.cmc.virtual_machines.instance_view("rg-fs", "fs01").statuses] == codes
    assert c.cmc.virtual_machines.get("rg-fs", "fs01").instance_view is None

    # The admin password is nowhere in what the stand-in keeps.
    assert PASSWORD not in json.dumps(standin.resources())


def test_vnet_lists_in_group_and_subscription(clients: Clients) -> None:
    create_network(clients, "rg-a")
    create_network(clients, "rg-b")
    assert [v.name for v in clients.nmc.virtual_networks.list("rg-a")] == ["vnet-hpc"]
    ids = sorted(v.id.split("/")[4] for v in clients.nmc.virtual_networks.list_all())
    assert ids == ["rg-a", "rg-b"]


def test_put_twice_answers_200_and_keeps_readonly_fields(standin: StandIn, clients: Clients) -> None:
    vnet = create_network(clients)
    pip1 = clients.nmc.public_ip_addresses.begin_create_or_update("rg-fs", "pip", pip_body("hpcfs-again")).result()
    pip2 = clients.nmc.public_ip_addresses.begin_create_or_update("rg-fs", "pip", pip_body("hpcfs-again")).result()
    assert pip1.ip_address == pip2.ip_address
    puts = [s for m, p, s in standin.requests if m == "PUT" and p.endswith("/publicIPAddresses/pip")]
    assert puts == [201, 200]
    nic1 = clients.nmc.network_interfaces.begin_create_or_update("rg-fs", "nic", nic_body(vnet.subnets[0].id, None)).result()
    nic2 = clients.nmc.network_interfaces.begin_create_or_update("rg-fs", "nic", nic_body(vnet.subnets[0].id, None)).result()
    assert nic1.ip_configurations[0].private_ip_address == nic2.ip_configurations[0].private_ip_address == "10.0.0.4"


def test_dynamic_nic_gets_next_free_address(clients: Clients) -> None:
    vnet = create_network(clients)
    subnet_id = vnet.subnets[0].id
    clients.nmc.network_interfaces.begin_create_or_update("rg-fs", "a", nic_body(subnet_id, "10.0.0.4")).result()
    b = clients.nmc.network_interfaces.begin_create_or_update("rg-fs", "b", nic_body(subnet_id, None)).result()
    assert b.ip_configurations[0].private_ip_address == "10.0.0.5"
    assert _value(b.ip_configurations[0].private_ip_allocation_method) == "Dynamic"
    subnet = clients.nmc.subnets.get("rg-fs", "vnet-hpc", "default")
    assert len(subnet.ip_configurations) == 2


def test_vm_delete_keeps_detached_disk_and_nic(standin: StandIn, clients: Clients) -> None:
    vm = create_vm(clients)
    clients.cmc.virtual_machines.begin_delete("rg-fs", "fs01").result()
    with pytest.raises(ResourceNotFoundError) as err:
        clients.cmc.virtual_machines.get("rg-fs", "fs01")
    assert err.value.error.code == "ResourceNotFound"
    disk = clients.cmc.disks.get("rg-fs", "fs01-data")
    assert _value(disk.disk_state) == "Unattached"      # deleteOption defaults to Detach
    assert clients.nmc.network_interfaces.get("rg-fs", "fs01-nic").virtual_machine is None
    os_disk = vm.storage_profile.os_disk.managed_disk.id
    assert clients.cmc.disks.get("rg-fs", os_disk.rsplit("/", 1)[1]).os_type is not None
    delete = [(m, s) for m, p, s in standin.requests if p.endswith("/virtualMachines/fs01") and m == "DELETE"]
    assert delete == [("DELETE", 202)]


def test_vm_delete_option_delete_removes_disks_and_nic(standin: StandIn, clients: Clients) -> None:
    vnet = create_network(clients)
    nic = clients.nmc.network_interfaces.begin_create_or_update("rg-fs", "nic", nic_body(vnet.subnets[0].id)).result()
    body = vm_body(nic.id, data_disks=[{"lun": 0, "createOption": "Empty", "diskSizeGB": 256, "deleteOption": "Delete"}])
    body["properties"]["storageProfile"]["osDisk"]["deleteOption"] = "Delete"
    body["properties"]["networkProfile"]["networkInterfaces"][0]["properties"] = {"deleteOption": "Delete"}
    vm = clients.cmc.virtual_machines.begin_create_or_update("rg-fs", "fs02", body).result()
    assert vm.storage_profile.data_disks[0].name.startswith("fs02_disk2_")
    assert len(list(clients.cmc.disks.list_by_resource_group("rg-fs"))) == 2
    clients.cmc.virtual_machines.begin_delete("rg-fs", "fs02").result()
    assert list(clients.cmc.disks.list_by_resource_group("rg-fs")) == []
    assert list(clients.nmc.network_interfaces.list("rg-fs")) == []


def test_in_use_resources_cannot_be_deleted(clients: Clients) -> None:
    create_vm(clients)
    with pytest.raises(HttpResponseError) as err:
        clients.nmc.network_interfaces.begin_delete("rg-fs", "fs01-nic").result()
    assert err.value.status_code == 400 and err.value.error.code == "NicInUse"
    with pytest.raises(HttpResponseError) as err:
        clients.cmc.disks.begin_delete("rg-fs", "fs01-data").result()
    assert err.value.status_code == 409 and err.value.error.code == "OperationNotAllowed"
    with pytest.raises(HttpResponseError) as err:
        clients.nmc.subnets.begin_delete("rg-fs", "vnet-hpc", "default").result()
    assert err.value.error.code == "InUseSubnetCannotBeDeleted"


def test_resource_group_delete_cascades(standin: StandIn, clients: Clients) -> None:
    create_vm(clients)
    create_network(clients, "rg-keep")
    assert any(r["type"] == "Microsoft.Compute/virtualMachines" for r in standin.resources())
    clients.rmc.resource_groups.begin_delete("rg-fs").result()
    assert clients.rmc.resource_groups.check_existence("rg-fs") is False
    left = {r["id"].split("/")[4].lower() for r in standin.resources()}
    assert left == {"rg-keep"}
    with pytest.raises(ResourceNotFoundError) as err:
        clients.rmc.resource_groups.get("rg-fs")
    assert err.value.error.code == "ResourceGroupNotFound"
    statuses = [(m, s) for m, p, s in standin.requests if "/operationresults/" in p or (m == "DELETE" and p.endswith("/rg-fs"))]
    assert statuses[0] == ("DELETE", 202) and statuses[-1] == ("GET", 200)


def test_generic_lists_filter_by_tag(clients: Clients) -> None:
    create_vm(clients)
    clients.rmc.resource_groups.create_or_update("rg-other", {"location": REGION, "tags": {"managed-by": "someone"}})
    clients.rmc.resource_groups.create_or_update("rg-fs", {"location": REGION, "tags": {"managed-by": "hpcshare"}})
    mine = clients.rmc.resource_groups.list(filter="tagName eq 'managed-by' and tagValue eq 'hpcshare'")
    assert [g.name for g in mine] == ["rg-fs"]
    tagged = clients.rmc.resources.list_by_resource_group("rg-fs", filter="tagName eq 'managed-by' and tagValue eq 'hpcshare'")
    assert sorted(r.type for r in tagged) == ["Microsoft.Compute/virtualMachines", "Microsoft.Network/virtualNetworks"]
    everything = {r.type for r in clients.rmc.resources.list_by_resource_group("rg-fs")}
    assert "Microsoft.Compute/disks" in everything and "Microsoft.Network/networkInterfaces" in everything
    vms = list(clients.rmc.resources.list(filter="resourceType eq 'Microsoft.Compute/virtualMachines'"))
    assert [r.name for r in vms] == ["fs01"]
