"""Is the chosen disk type offered where the VM goes? Premium SSD v2 is "only available in select
regions" and zones, and only for premium-storage VM sizes on zonal VMs (Learn, "Deploy a Premium
SSD v2", Limitations); the region's resource SKU list says where (the page's own CLI check).

For the run's preflight: ``problems += disk_offer_problems(env, answers)`` ("[key] ..." lines).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from wizard.diskcaps import PREMIUM_V2

if TYPE_CHECKING:
    from wizard.answers import Answers
    from wizard.azure.catalog import AzureCatalog
    from wizard.environment import Environment


def disk_offer_problems(env: "Environment", answers: "Answers") -> list[str]:
    """Empty when the disk type is offered (or the catalogue cannot be read: the create then
    reports Azure's own error)."""
    d, region = answers.disk, answers.subscription.region
    if d.sku != PREMIUM_V2:
        return []
    try:
        offered = {s.name: s for s in _catalog(env).disk_skus(answers.subscription.id, region)}
    except Exception:  # noqa: BLE001 - an unreadable catalogue is not a reason to stop here
        return []
    sku = offered.get(PREMIUM_V2)
    if sku is None:
        return [f"[disk.sku] Disk type: Premium SSD v2 is not offered in {region}; choose Premium_LRS or another "
                "region (see 'Products available by region')"]
    zone = answers.vm.zone
    if sku.zones and zone not in sku.zones:
        return [f"[vm.zone] Availability zone: Premium SSD v2 is offered in zones {', '.join(sku.zones)} of {region}, "
                f"not in zone {zone or '(none)'}"]
    return []


def _catalog(env: "Environment") -> "AzureCatalog":
    """The region's live lists, read through the same environment (Azure or the stand-in)."""
    from wizard.azure.catalog import AzureCatalog

    return AzureCatalog(env)
