"""Live choice lists (subscriptions, regions, VM sizes, existing VNets) as plain data.

The screens and prompts load these in the background; ``wizard.azure.catalog.AzureCatalog`` fills
them from Azure (or the stand-in). Everything here is free of Azure imports.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


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


@dataclass(frozen=True)
class VnetInfo:
    name: str
    resource_group: str
    address_prefixes: tuple[str, ...]
    subnets: tuple[tuple[str, str], ...]      # (name, prefix)


class Catalog(Protocol):
    def subscriptions(self) -> list[SubscriptionInfo]: ...
    def regions(self, subscription_id: str) -> list[RegionInfo]: ...
    def vm_sizes(self, subscription_id: str, region: str) -> list[VmSizeInfo]: ...
    def vnets(self, subscription_id: str, region: str) -> list[VnetInfo]: ...


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
