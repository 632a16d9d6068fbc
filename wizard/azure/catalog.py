"""Live choice lists from Azure (or the stand-in) as plain ``wizard.catalog`` data."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from wizard.azure.steps import text
from wizard.catalog import DiskSkuInfo, NicInfo, RegionInfo, SubscriptionInfo, VmSizeInfo, VnetInfo

if TYPE_CHECKING:
    from wizard.environment import Environment


def _capabilities(sku: Any) -> dict[str, str]:
    return {c.name: c.value for c in (sku.capabilities or [])}


def _restricted(sku: Any, region: str) -> bool:
    """Hidden when not offered to this subscription in this region; a zone-only restriction
    leaves the size usable without a zone."""
    for r in sku.restrictions or []:
        if str(text(r.reason_code)) != "NotAvailableForSubscription" or str(text(r.type)) != "Location":
            continue
        # The hybrid model's ``values`` is the Mapping method; the REST field is ``values_property``.
        values = [v.lower() for v in (r.values_property or [])]
        if not values or region.lower() in values:
            return True
    return False


def _zones(sku: Any, region: str) -> tuple[str, ...]:
    for info in sku.location_info or []:
        if (info.location or "").lower() == region.lower():
            return tuple(sorted(info.zones or ()))
    return ()


def _id_part(resource_id: str, part: str) -> str:
    """One part of an ARM id as azure-mgmt-core parses it ("resource_group"; "name": for a
    subnet's id, its VNet's), or ""."""
    from azure.mgmt.core.tools import parse_resource_id      # the engine loads no Azure SDK at import

    return str(parse_resource_id(resource_id or "").get(part, ""))


def _physical(location: Any) -> bool:
    region_type = getattr(getattr(location, "metadata", None), "region_type", None)
    return str(text(region_type) or "Physical") == "Physical"


class AzureCatalog:
    def __init__(self, env: "Environment") -> None:
        self.env = env

    def check_sign_in(self, subscription_id: str) -> None:
        from wizard.azure.signin import check_sign_in

        check_sign_in(self.env, subscription_id)

    def subscriptions(self) -> list[SubscriptionInfo]:
        out = [SubscriptionInfo(s.subscription_id, s.display_name or s.subscription_id, str(text(s.state) or ""))
               for s in self.env.subscriptions().subscriptions.list()]
        return sorted(out, key=lambda s: (not s.usable, s.name.lower()))

    def regions(self, subscription_id: str) -> list[RegionInfo]:
        """Physical regions only: ARM also lists logical ones (global, europe, ...; regionType
        Logical) where nothing can be created (LocationNotAvailableForResourceType)."""
        out = [RegionInfo(loc.name, loc.display_name or loc.name)
               for loc in self.env.subscriptions().subscriptions.list_locations(subscription_id)
               if _physical(loc)]
        return sorted(out, key=lambda r: r.display_name.lower())

    def vm_sizes(self, subscription_id: str, region: str) -> list[VmSizeInfo]:
        skus = self.env.compute(subscription_id).resource_skus.list(filter=f"location eq '{region}'")
        out: list[VmSizeInfo] = []
        for sku in skus:
            if sku.resource_type != "virtualMachines":
                continue
            caps = _capabilities(sku)
            try:
                out.append(VmSizeInfo(
                    name=sku.name,
                    vcpus=int(caps.get("vCPUs", "0")),
                    memory_gb=float(caps.get("MemoryGB", "0")),
                    max_data_disks=int(caps.get("MaxDataDiskCount", "0")),
                    premium_io=caps.get("PremiumIO", "False").lower() == "true",
                    restricted=_restricted(sku, region),
                    family=sku.family or "",
                    uncached_iops=int(caps.get("UncachedDiskIOPS", "0")),
                    # Bytes per second (MiB-based: 145 MB/s is 152043520) -> MB/s.
                    uncached_mbps=int(caps.get("UncachedDiskBytesPerSecond", "0")) // (1024 * 1024),
                    zones=_zones(sku, region),
                ))
            except ValueError:
                continue  # a SKU with capabilities we cannot read is not one to offer
        return sorted(out, key=lambda s: (s.vcpus, s.memory_gb, s.name))

    def disk_skus(self, subscription_id: str, region: str) -> list[DiskSkuInfo]:
        """Managed disk types offered in the region (deduplicated), with their zones; the way
        "Deploy a Premium SSD v2" checks where Premium SSD v2 is available."""
        skus = self.env.compute(subscription_id).resource_skus.list(filter=f"location eq '{region}'")
        out: dict[str, DiskSkuInfo] = {}
        for sku in skus:
            if sku.resource_type == "disks" and not _restricted(sku, region) and sku.name not in out:
                out[sku.name] = DiskSkuInfo(sku.name, _zones(sku, region))
        return sorted(out.values(), key=lambda d: d.name)

    def vnets(self, subscription_id: str, region: str) -> list[VnetInfo]:
        out: list[VnetInfo] = []
        for vnet in self.env.network(subscription_id).virtual_networks.list_all():
            if (vnet.location or "").lower() != region.lower():
                continue
            rg = _id_part(vnet.id, "resource_group")
            prefixes = tuple(vnet.address_space.address_prefixes or []) if vnet.address_space else ()
            subnets = tuple((s.name, s.address_prefix or "") for s in (vnet.subnets or []))
            out.append(VnetInfo(vnet.name, rg, prefixes, subnets))
        return sorted(out, key=lambda v: v.name.lower())

    def nics(self, subscription_id: str, region: str) -> list[NicInfo]:
        """The region's network interfaces with their private addresses (a VM's, a private
        endpoint's): who holds an address the server is meant to take."""
        out: list[NicInfo] = []
        for nic in self.env.network(subscription_id).network_interfaces.list_all():
            if (nic.location or "").lower() != region.lower():
                continue
            configs = nic.ip_configurations or []
            subnet_id = next((c.subnet.id for c in configs if c.subnet is not None and c.subnet.id), "")
            out.append(NicInfo(nic.name, _id_part(nic.id, "resource_group"), _id_part(subnet_id, "name"),
                               _id_part(subnet_id, "resource_group"),
                               tuple(c.private_ip_address for c in configs if c.private_ip_address)))
        return sorted(out, key=lambda n: (n.resource_group.lower(), n.name.lower()))
