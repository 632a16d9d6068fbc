"""Premium SSD v2 and provisioned-performance rules the stand-in enforces, and each disk's
performance figures from hpcshare's caps table (``wizard.diskcaps``, one source for both).

Sources: "Deploy a Premium SSD v2" (learn.microsoft.com/azure/virtual-machines/disks-deploy-premium-v2,
Limitations: not an OS disk, only select regions, zonal VMs only, no host caching); the Premium
SSD v2 ranges on the disks-types page (via the caps table); the caching error's wording and
target from kubernetes-sigs/azuredisk-csi-driver issue #1715 (a real ARM response). Wordings
marked [unverified] are modelled on ARM's InvalidParameter messages but not seen verbatim.
"""
from __future__ import annotations

from typing import Any

from wizard import diskcaps
from wizard.diskcaps import PREMIUM_V2

from . import catalog
from .errors import ArmError

PROVISIONED = frozenset({PREMIUM_V2, "UltraSSD_LRS"})


def _invalid(message: str, target: str) -> ArmError:
    return ArmError(400, "InvalidParameter", message, target=target)


def _caps_sku(sku: str) -> str | None:
    """The caps-table entry of a SKU (ZRS disks perform as their LRS tiers)."""
    base = sku.replace("_ZRS", "_LRS")
    return base if base in diskcaps.known_skus() else None


def performance(sku: str, size_gb: int, props: dict[str, Any]) -> dict[str, Any]:
    """diskIOPSReadWrite / diskMBpsReadWrite (and tier) as a GET shows them."""
    if sku in PROVISIONED:
        base = diskcaps.caps(PREMIUM_V2, size_gb)
        return {"diskIOPSReadWrite": props.get("diskIOPSReadWrite") or base.iops,
                "diskMBpsReadWrite": props.get("diskMBpsReadWrite") or base.mbps}
    entry = _caps_sku(sku)
    if entry is None:
        return {"diskIOPSReadWrite": 500, "diskMBpsReadWrite": 60}
    c = diskcaps.caps(entry, size_gb)
    out: dict[str, Any] = {"diskIOPSReadWrite": c.iops, "diskMBpsReadWrite": c.mbps}
    if not sku.startswith("Standard_"):
        out["tier"] = c.tier   # ARM reports a performance tier for Premium and Standard SSD
    return out


def check_disk(sku: str, size_gb: int, props: dict[str, Any], zones: Any, location: str, *,
               creating: bool) -> list[str]:
    """A disk PUT's provisioned-performance rules; returns the zones to store. On an update the
    body carries the figures a GET showed, so only a create is checked for stray ones."""
    iops, mbps = props.get("diskIOPSReadWrite"), props.get("diskMBpsReadWrite")
    if sku not in PROVISIONED and not creating:
        props.pop("diskIOPSReadWrite", None)
        props.pop("diskMBpsReadWrite", None)
        return list(zones) if isinstance(zones, list) else []
    if sku not in PROVISIONED:
        for field, value in (("diskIOPSReadWrite", iops), ("diskMBpsReadWrite", mbps)):
            if value is not None:
                # [unverified] wording.
                raise _invalid(f"Property '{field}' can be set only for disks of type UltraSSD_LRS or PremiumV2_LRS.",
                               f"properties.{field}")
        return list(zones) if isinstance(zones, list) else []
    if sku != PREMIUM_V2:
        return list(zones) if isinstance(zones, list) else []
    if not catalog.premium_v2_offered(location):
        # [unverified] wording; the rule is "only available in select regions".
        raise ArmError(409, "SkuNotAvailable", f"The requested disk SKU PremiumV2_LRS is not available in location "
                       f"'{location}'. See https://aka.ms/azureskunotavailable for details.")
    if not (isinstance(zones, list) and len(zones) == 1 and zones[0] in ("1", "2", "3")):
        # [unverified] wording; the rule: zonal VMs only, so the disk is created in one zone.
        raise _invalid("PremiumV2_LRS disks must be created in an availability zone: set 'zones' to one zone.", "zones")
    lo, hi = diskcaps.v2_size_range()
    if not lo <= size_gb <= hi:
        raise _invalid(f"Disk size {size_gb} GB is invalid for PremiumV2_LRS: it must be between {lo} and {hi}.",
                       "properties.diskSizeGB")
    r = diskcaps.v2_range(size_gb)
    if iops is not None and (not isinstance(iops, int) or not r.min_iops <= iops <= r.max_iops):
        # [unverified] wording.
        raise _invalid(f"The value {iops} of 'diskIOPSReadWrite' is invalid for a {size_gb} GB PremiumV2_LRS disk: "
                       f"it must be between {r.min_iops} and {r.max_iops}.", "properties.diskIOPSReadWrite")
    m = diskcaps.v2_range(size_gb, iops or r.min_iops)
    if mbps is not None and (not isinstance(mbps, int) or not m.min_mbps <= mbps <= m.max_mbps):
        # [unverified] wording.
        raise _invalid(f"The value {mbps} of 'diskMBpsReadWrite' is invalid for a PremiumV2_LRS disk with "
                       f"{iops or r.min_iops} IOPS: it must be between {m.min_mbps} and {m.max_mbps}.",
                       "properties.diskMBpsReadWrite")
    return list(zones)


def check_os_disk(sku: str) -> None:
    if sku == PREMIUM_V2:
        # [unverified] wording; the rule: "Premium SSD v2 disks can't be used as an OS disk".
        raise _invalid("Storage Account type PremiumV2_LRS is not supported for OS disks.", "osDisk.managedDisk.storageAccountType")


def check_attach(disk: dict[str, Any], caching: str, vm_zones: Any, vm_name: str) -> None:
    """A Premium SSD v2 data disk: no host caching, and only on a VM in the disk's zone."""
    if disk["sku"]["name"] != PREMIUM_V2:
        return
    if caching != "None":
        # Seen verbatim: azuredisk-csi-driver issue #1715.
        raise _invalid(f"Storage Account type PremiumV2_LRS is not supported with caching type {caching}. "
                       "Please use caching type None.", "dataDisk.caching")
    disk_zones = disk.get("zones") or []
    zones = vm_zones if isinstance(vm_zones, list) else []
    if not zones or zones != disk_zones:
        # [unverified] wording.
        raise ArmError(400, "BadRequest",
                       f"Disk {disk['id']} cannot be attached to the VM {vm_name} because it is not in the same zone "
                       f"as the VM. VM zone: '{','.join(zones) or 'none'}'. Disk zone: '{','.join(disk_zones)}'. "
                       "Premium SSD v2 disks can only be attached to zonal VMs.")
