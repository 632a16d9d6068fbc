"""Real SDK clients against a stand-in, and REST-shaped (camelCase) request bodies for the chain."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from wizard.standin import FakeCredential, StandIn

REGION = "westeurope"
PASSWORD = "Zq7!hpcshare-Adm1n"


@dataclass
class Clients:
    subs: Any
    rmc: Any
    cmc: Any
    nmc: Any


def make_clients(standin: StandIn, **overrides: Any) -> Clients:
    from azure.mgmt.compute import ComputeManagementClient
    from azure.mgmt.network import NetworkManagementClient
    from azure.mgmt.resource.resources import ResourceManagementClient
    from azure.mgmt.resource.subscriptions import SubscriptionClient

    kw = dict(base_url=standin.base_url, connection_verify=str(standin.ca_path), polling_interval=0)
    kw.update(overrides)
    cred, sub = FakeCredential(), standin.subscription_id
    return Clients(SubscriptionClient(cred, **kw), ResourceManagementClient(cred, sub, **kw),
                   ComputeManagementClient(cred, sub, **kw), NetworkManagementClient(cred, sub, **kw))


def vnet_body(prefix: str = "10.0.0.0/16", subnet: str = "10.0.0.0/24") -> dict[str, Any]:
    return {"location": REGION, "tags": {"managed-by": "hpcshare"}, "properties": {
        "addressSpace": {"addressPrefixes": [prefix]},
        "subnets": [{"name": "default", "properties": {"addressPrefix": subnet}}]}}


def rule(name: str, priority: int, port: str = "445", direction: str = "Inbound") -> dict[str, Any]:
    return {"name": name, "properties": {
        "priority": priority, "direction": direction, "access": "Allow", "protocol": "Tcp",
        "sourceAddressPrefix": "VirtualNetwork", "sourcePortRange": "*",
        "destinationAddressPrefix": "*", "destinationPortRange": port}}


def nsg_body(*rules: dict[str, Any]) -> dict[str, Any]:
    return {"location": REGION, "properties": {"securityRules": list(rules) or [rule("allow-smb", 100)]}}


def pip_body(label: str | None = "hpcfs-demo", sku: str | None = "Standard") -> dict[str, Any]:
    body: dict[str, Any] = {"location": REGION, "properties": {"publicIPAllocationMethod": "Static"}}
    if sku:
        body["sku"] = {"name": sku}
    if label:
        body["properties"]["dnsSettings"] = {"domainNameLabel": label}
    return body


def nic_body(subnet_id: str, ip: str | None = "10.0.0.4", *, nsg_id: str | None = None,
             pip_id: str | None = None) -> dict[str, Any]:
    cfg: dict[str, Any] = {"subnet": {"id": subnet_id}}
    if ip:
        cfg.update(privateIPAllocationMethod="Static", privateIPAddress=ip)
    if pip_id:
        cfg["publicIPAddress"] = {"id": pip_id}
    props: dict[str, Any] = {"ipConfigurations": [{"name": "ipconfig1", "properties": cfg}]}
    if nsg_id:
        props["networkSecurityGroup"] = {"id": nsg_id}
    return {"location": REGION, "properties": props}


def disk_body(size_gb: int = 1024, sku: str = "Premium_LRS") -> dict[str, Any]:
    return {"location": REGION, "sku": {"name": sku},
            "properties": {"creationData": {"createOption": "Empty"}, "diskSizeGB": size_gb}}


def vm_body(nic_id: str, disk_id: str | None = None, *, size: str = "Standard_D4s_v5",
            data_disks: list[dict[str, Any]] | None = None, computer_name: str = "fs01") -> dict[str, Any]:
    if data_disks is None:
        data_disks = [{"lun": 0, "createOption": "Attach", "caching": "ReadOnly", "managedDisk": {"id": disk_id}}] if disk_id else []
    return {"location": REGION, "tags": {"managed-by": "hpcshare"}, "properties": {
        "hardwareProfile": {"vmSize": size},
        "storageProfile": {
            "imageReference": {"publisher": "MicrosoftWindowsServer", "offer": "WindowsServer",
                               "sku": "2022-datacenter-azure-edition", "version": "latest"},
            "osDisk": {"createOption": "FromImage", "managedDisk": {"storageAccountType": "Premium_LRS"}},
            "dataDisks": data_disks},
        "osProfile": {"computerName": computer_name, "adminUsername": "hpcadmin", "adminPassword": PASSWORD},
        "networkProfile": {"networkInterfaces": [{"id": nic_id}]}}}


def create_network(c: Clients, rg: str = "rg-fs") -> Any:
    """Resource group + VNet with subnet 'default'; returns the VNet model."""
    c.rmc.resource_groups.create_or_update(rg, {"location": REGION})
    return c.nmc.virtual_networks.begin_create_or_update(rg, "vnet-hpc", vnet_body()).result()


def create_vm(c: Clients, rg: str = "rg-fs", name: str = "fs01") -> Any:
    """The whole chain up to a VM with an attached data disk; returns the VM model."""
    vnet = create_network(c, rg)
    nic = c.nmc.network_interfaces.begin_create_or_update(rg, f"{name}-nic", nic_body(vnet.subnets[0].id)).result()
    disk = c.cmc.disks.begin_create_or_update(rg, f"{name}-data", disk_body()).result()
    return c.cmc.virtual_machines.begin_create_or_update(rg, name, vm_body(nic.id, disk.id)).result()
