"""Live choice lists from Azure (or the stand-in) as plain ``wizard.catalog`` data."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from wizard.catalog import RegionInfo, SubscriptionInfo, VmSizeInfo, VnetInfo

if TYPE_CHECKING:
    from wizard.environment import Environment


def _capabilities(sku: Any) -> dict[str, str]:
    return {c.name: c.value for c in (sku.capabilities or [])}


def _restricted(sku: Any, region: str) -> bool:
    for r in sku.restrictions or []:
        if str(r.reason_code) == "NotAvailableForSubscription":
            values = [v.lower() for v in (r.values or [])]
            if not values or region.lower() in values or str(r.type) == "Zone":
                # A zone restriction leaves the size usable without a zone: only a Location one hides it.
                if str(r.type) == "Location" or str(r.type).endswith("LOCATION"):
                    return True
    return False


class AzureCatalog:
    def __init__(self, env: "Environment") -> None:
        self.env = env

    def subscriptions(self) -> list[SubscriptionInfo]:
        out = [SubscriptionInfo(s.subscription_id, s.display_name or s.subscription_id, str(s.state or ""))
               for s in self.env.subscriptions().subscriptions.list()]
        return sorted(out, key=lambda s: (not s.usable, s.name.lower()))

    def regions(self, subscription_id: str) -> list[RegionInfo]:
        out = [RegionInfo(loc.name, loc.display_name or loc.name)
               for loc in self.env.subscriptions().subscriptions.list_locations(subscription_id)]
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
                ))
            except ValueError:
                continue  # a SKU with capabilities we cannot read is not one to offer
        return sorted(out, key=lambda s: (s.vcpus, s.memory_gb, s.name))

    def vnets(self, subscription_id: str, region: str) -> list[VnetInfo]:
        out: list[VnetInfo] = []
        for vnet in self.env.network(subscription_id).virtual_networks.list_all():
            if (vnet.location or "").lower() != region.lower():
                continue
            rg = vnet.id.split("/resourceGroups/", 1)[1].split("/", 1)[0] if "/resourceGroups/" in vnet.id else ""
            prefixes = tuple(vnet.address_space.address_prefixes or []) if vnet.address_space else ()
            subnets = tuple((s.name, s.address_prefix or "") for s in (vnet.subnets or []))
            out.append(VnetInfo(vnet.name, rg, prefixes, subnets))
        return sorted(out, key=lambda v: v.name.lower())
