"""Delete what a profile created: only resources tagged with its name, in reverse dependency order.

The resource group goes too when hpcshare created it (tagged) and nothing else is left in it;
anything a user added there by hand keeps the group alive.
"""
from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from wizard.azure.files import teardown_candidates as files_candidates
from wizard.azure.privatedns import teardown_candidates as private_dns_candidates
from wizard.azure.steps import Target, get_or_none


@dataclass(frozen=True)
class TeardownTarget:
    type: str
    name: str
    id: str
    delete: Callable[[Callable[[str], None]], Any]   # called with a status-line writer


def find_targets(t: Target) -> list[TeardownTarget]:
    """Tagged resources of this profile, in the order they must be deleted."""
    compute, net = t.env.compute(t.sub), t.env.network(t.sub)
    rgs = t.env.resources(t.sub).resource_groups
    rg = get_or_none(rgs.get, t.rg)
    if rg is None:
        return []
    n, ep = t.names, t.answers.endpoints
    # (ARM type, name, the client's operations group): deleted in this order.
    candidates = [
        ("Microsoft.Compute/virtualMachines", n.vm, compute.virtual_machines),
        ("Microsoft.Network/networkInterfaces", n.nic, net.network_interfaces),
        ("Microsoft.Network/publicIPAddresses", n.public_ip, net.public_ip_addresses),
        ("Microsoft.Network/networkSecurityGroups", n.nsg, net.network_security_groups),
        ("Microsoft.Compute/disks", n.data_disk, compute.disks),
        ("Microsoft.Compute/disks", n.os_disk, compute.disks),
        ("Microsoft.Network/virtualNetworks", ep.vnet, net.virtual_networks),
    ]
    found: list[TeardownTarget] = []
    for rtype, name, ops in candidates:
        if rtype == "Microsoft.Network/virtualNetworks":
            # The Azure Files endpoint (its NIC is in the subnet) and account, then Private DNS
            # (records, links, zones), before the VNet they point at.
            found += [TeardownTarget(*c) for c in files_candidates(t)]
            found += [TeardownTarget(*c) for c in private_dns_candidates(t)]
        resource = get_or_none(ops.get, t.rg, name)
        if resource is not None and t.owns(resource):
            found.append(TeardownTarget(rtype, name, resource.id, functools.partial(_delete, ops, t.rg, name)))
    if t.owns(rg):
        found.append(TeardownTarget("Microsoft.Resources/resourceGroups", t.rg, rg.id,
                                    lambda say: _delete_group_if_empty(t)))
    return found


def _delete(ops: Any, group: str, name: str, say: Callable[[str], None]) -> None:
    from wizard.azure.reservations import while_nic_reserved

    # Right after the VM delete, Azure still holds its NIC (NicReservedForAnotherVm): wait it out.
    while_nic_reserved(lambda: ops.begin_delete(group, name).result(), say, name)


def _delete_group_if_empty(t: Target) -> str:
    client = t.env.resources(t.sub)
    left = [r.name for r in client.resources.list_by_resource_group(t.rg)]
    if left:
        return f"kept: {len(left)} resource(s) hpcshare did not create are still in it ({', '.join(left[:3])})"
    client.resource_groups.begin_delete(t.rg).result()
    return "deleted"
