"""Delete what a profile created: only resources tagged with its name, in reverse dependency order.

The resource group goes too when hpcshare created it (tagged) and nothing else is left in it;
anything a user added there by hand keeps the group alive.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from wizard.azure.steps import Target, get_or_none


@dataclass(frozen=True)
class TeardownTarget:
    type: str
    name: str
    id: str
    delete: Callable[[], Any]


def find_targets(t: Target) -> list[TeardownTarget]:
    """Tagged resources of this profile, in the order they must be deleted."""
    compute, net = t.env.compute(t.sub), t.env.network(t.sub)
    rgs = t.env.resources(t.sub).resource_groups
    rg = get_or_none(rgs.get, t.rg)
    if rg is None:
        return []
    n, ep = t.names, t.answers.endpoints
    candidates: list[tuple[str, str, Callable[[], Any], Callable[[], Any]]] = [
        ("Microsoft.Compute/virtualMachines", n.vm,
         lambda: compute.virtual_machines.get(t.rg, n.vm),
         lambda: compute.virtual_machines.begin_delete(t.rg, n.vm).result()),
        ("Microsoft.Network/networkInterfaces", n.nic,
         lambda: net.network_interfaces.get(t.rg, n.nic),
         lambda: net.network_interfaces.begin_delete(t.rg, n.nic).result()),
        ("Microsoft.Network/publicIPAddresses", n.public_ip,
         lambda: net.public_ip_addresses.get(t.rg, n.public_ip),
         lambda: net.public_ip_addresses.begin_delete(t.rg, n.public_ip).result()),
        ("Microsoft.Network/networkSecurityGroups", n.nsg,
         lambda: net.network_security_groups.get(t.rg, n.nsg),
         lambda: net.network_security_groups.begin_delete(t.rg, n.nsg).result()),
        ("Microsoft.Compute/disks", n.data_disk,
         lambda: compute.disks.get(t.rg, n.data_disk),
         lambda: compute.disks.begin_delete(t.rg, n.data_disk).result()),
        ("Microsoft.Compute/disks", n.os_disk,
         lambda: compute.disks.get(t.rg, n.os_disk),
         lambda: compute.disks.begin_delete(t.rg, n.os_disk).result()),
        ("Microsoft.Network/virtualNetworks", ep.vnet,
         lambda: net.virtual_networks.get(t.rg, ep.vnet),
         lambda: net.virtual_networks.begin_delete(t.rg, ep.vnet).result()),
    ]
    found: list[TeardownTarget] = []
    for rtype, name, get, delete in candidates:
        resource = get_or_none(get)
        if resource is not None and t.owns(resource):
            found.append(TeardownTarget(rtype, name, resource.id, delete))
    if t.owns(rg):
        found.append(TeardownTarget("Microsoft.Resources/resourceGroups", t.rg, rg.id,
                                    lambda: _delete_group_if_empty(t)))
    return found


def _delete_group_if_empty(t: Target) -> str:
    client = t.env.resources(t.sub)
    left = [r.name for r in client.resources.list_by_resource_group(t.rg)]
    if left:
        return f"kept: {len(left)} resource(s) hpcshare did not create are still in it ({', '.join(left[:3])})"
    client.resource_groups.begin_delete(t.rg).result()
    return "deleted"
