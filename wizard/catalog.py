"""Live choice lists (subscriptions, regions, VM sizes, existing VNets) as plain data.

The screens and prompts load these in the background; ``wizard.azure.catalog.AzureCatalog`` fills
them from Azure (or the stand-in). Everything here is free of Azure imports.
"""
from __future__ import annotations

import ipaddress
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from wizard.questions import QUESTIONS


@dataclass(frozen=True)
class SubscriptionInfo:
    id: str
    name: str
    state: str

    @property
    def usable(self) -> bool:
        return self.state == "Enabled"


@dataclass(frozen=True)
class RegionInfo:
    name: str
    display_name: str


@dataclass(frozen=True)
class VmSizeInfo:
    name: str
    vcpus: int
    memory_gb: float
    max_data_disks: int
    premium_io: bool
    restricted: bool = False      # not offered to this subscription in this region
    family: str = ""              # the quota family, e.g. standardDSv5Family
    uncached_iops: int = 0        # VM-level caps on uncached disk I/O (0 = not reported)
    uncached_mbps: int = 0
    zones: tuple[str, ...] = ()   # availability zones offering the size here


@dataclass(frozen=True)
class DiskSkuInfo:
    name: str
    zones: tuple[str, ...]


@dataclass(frozen=True)
class VnetInfo:
    name: str
    resource_group: str
    address_prefixes: tuple[str, ...]
    subnets: tuple[tuple[str, str], ...]      # (name, prefix)


@dataclass(frozen=True)
class NicInfo:
    """A network interface and the private addresses it holds, with where they are."""
    name: str
    resource_group: str
    vnet: str                                 # the VNet of its subnet ("" when unknown)
    vnet_resource_group: str
    private_ips: tuple[str, ...]


class SignInFailed(Exception):
    """Azure sign-in, or reading the chosen subscription with it, failed: nothing was attempted.
    The message names the sign-in method and what to do (``wizard.azure.signin``)."""


@runtime_checkable
class Catalog(Protocol):
    def check_sign_in(self, subscription_id: str) -> None:
        """Get a token and read the subscription; raise ``SignInFailed`` if either fails."""
        ...

    def subscriptions(self) -> list[SubscriptionInfo]: ...
    def regions(self, subscription_id: str) -> list[RegionInfo]: ...
    def vm_sizes(self, subscription_id: str, region: str) -> list[VmSizeInfo]: ...
    def vnets(self, subscription_id: str, region: str) -> list[VnetInfo]: ...
    def nics(self, subscription_id: str, region: str) -> list[NicInfo]: ...


def filter_sizes(sizes: list[VmSizeInfo], text: str = "", min_vcpus: int = 0, min_memory_gb: float = 0,
                 *, include_restricted: bool = False) -> list[VmSizeInfo]:
    """The VM-size table's filter: name contains ``text`` (case-insensitive), at least the given
    vCPUs and memory; restricted sizes hidden unless asked for. Sorted by vCPUs, memory, name."""
    needle = text.strip().lower()
    kept = [s for s in sizes
            if (include_restricted or not s.restricted)
            and needle in s.name.lower()
            and s.vcpus >= min_vcpus and s.memory_gb >= min_memory_gb]
    return sorted(kept, key=lambda s: (s.vcpus, s.memory_gb, s.name))


def size_problems(ctx: Mapping[str, Any], sizes: Iterable[VmSizeInfo], *, where: str = "") -> dict[str, str]:
    """The VM size rule, once for every front end and the preflight: the size must be offered to
    this subscription in this region, and support Premium SSD when the disk is Premium
    (https://learn.microsoft.com/azure/virtual-machines/sizes "Premium Storage: Supported").
    Returns {answer key: message naming the field}; empty when the answers fit the sizes."""
    name = str(ctx.get("vm.size", ""))
    where = where or f"{ctx.get('subscription.region', 'this region')} for this subscription"
    size = next((s for s in sizes if s.name.lower() == name.lower()), None)
    vm_label, disk_label = QUESTIONS["vm.size"].label, QUESTIONS["disk.sku"].label
    if size is None:
        return {"vm.size": f"{vm_label}: {name} is not offered in {where}"}
    if size.restricted:
        return {"vm.size": f"{vm_label}: {name} is restricted in {where}; choose another size"}
    if str(ctx.get("disk.sku", "")).startswith("Premium") and not size.premium_io:   # Premium SSD and v2
        return {"disk.sku": f"{disk_label}: {name} cannot attach Premium SSD; choose an 's' size "
                            "(e.g. Standard_D4s_v5) or StandardSSD_LRS"}
    return {}


def vnet_hints(v: VnetInfo, ctx: Mapping[str, Any], held: Collection[str] = ()) -> dict[str, Any]:
    """Defaults for the rest of the network section once an existing VNet is chosen: its range,
    the current subnet if the VNet has it (else its first one), and a private IP inside it that
    no other NIC holds (``held``: addresses taken in that VNet)."""
    hints: dict[str, Any] = {"endpoints.vnet": v.name}
    # The cluster's VNet often lives in a resource group of its own.
    own_group = str(ctx.get("subscription.resource_group", "")).lower()
    hints["endpoints.vnet_resource_group"] = "" if v.resource_group.lower() == own_group else v.resource_group
    if v.address_prefixes and ctx.get("endpoints.vnet_cidr") not in v.address_prefixes:
        hints["endpoints.vnet_cidr"] = v.address_prefixes[0]
    if not v.subnets:
        return hints
    subnets = dict(v.subnets)
    name = ctx.get("endpoints.subnet")
    if name not in subnets:
        name = v.subnets[0][0]
        hints["endpoints.subnet"] = name
    prefix = subnets[name]
    if prefix:
        hints["endpoints.subnet_cidr"] = prefix
        try:
            net = ipaddress.IPv4Network(prefix)
            current = ipaddress.IPv4Address(str(ctx.get("endpoints.private_ip", "")))
        except ValueError:
            net, current = None, None
        if net is not None and (current is None or current not in net or str(current) in held):
            # Azure keeps the first four addresses and the last one of every subnet.
            free = (net.network_address + i for i in range(4, net.num_addresses - 1))
            hints["endpoints.private_ip"] = str(next((a for a in free if str(a) not in held),
                                                     net.network_address + 4))
    return hints
