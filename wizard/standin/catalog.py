"""What the stand-in "offers": subscriptions, regions, VM sizes, disk SKUs and platform images.

Shapes follow the saved official examples (GetSubscriptions, GetLocations,
ListAvailableResourceSkusForARegion). Capability values are strings, as real ARM sends them.
The figures are realistic for the named sizes but are a fixed catalogue, not a live price list.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

TENANT_ID = "7c3f5a1e-2b9d-4e6f-8a0c-1d2e3f4a5b6c"
DEFAULT_SUBSCRIPTION_ID = "5e0f1a2b-3c4d-4e5f-9a6b-7c8d9e0f1a2b"
DISABLED_SUBSCRIPTION_ID = "8b7a6c5d-4e3f-4a2b-8c1d-0e9f8a7b6c5d"

_SUBSCRIPTIONS: tuple[tuple[str, str, str], ...] = (
    (DEFAULT_SUBSCRIPTION_ID, "hpcshare demo subscription", "Enabled"),
    (DISABLED_SUBSCRIPTION_ID, "hpcshare old lab subscription", "Disabled"),
)


def subscriptions() -> list[dict[str, Any]]:
    return [_subscription_body(*entry) for entry in _SUBSCRIPTIONS]


def subscription(sub_id: str) -> dict[str, Any] | None:
    for entry in _SUBSCRIPTIONS:
        if entry[0].lower() == sub_id.lower():
            return _subscription_body(*entry)
    return None


def _subscription_body(known: str, name: str, state: str) -> dict[str, Any]:
    return {
        "id": f"/subscriptions/{known}",
        "subscriptionId": known,
        "tenantId": TENANT_ID,
        "displayName": name,
        "state": state,
        "subscriptionPolicies": {
            "locationPlacementId": "Public_2014-09-01",
            "quotaId": "PayAsYouGo_2014-09-01",
            "spendingLimit": "Off",
        },
        "authorizationSource": "RoleBased",
        "managedByTenants": [],
        "tags": {},
    }


# name, displayName, geography, geographyGroup, physical location, paired region, longitude, latitude
_REGIONS: tuple[tuple[str, str, str, str, str, str, str, str], ...] = (
    ("eastus", "East US", "United States", "US", "Virginia", "westus", "-79.8164", "37.3719"),
    ("eastus2", "East US 2", "United States", "US", "Virginia", "centralus", "-78.3889", "36.6681"),
    ("westus2", "West US 2", "United States", "US", "Washington", "westcentralus", "-119.852", "47.233"),
    ("centralus", "Central US", "United States", "US", "Iowa", "eastus2", "-93.6208", "41.5908"),
    ("northeurope", "North Europe", "Europe", "Europe", "Ireland", "westeurope", "-6.2597", "53.3478"),
    ("westeurope", "West Europe", "Europe", "Europe", "Netherlands", "northeurope", "4.9", "52.3667"),
    ("uksouth", "UK South", "United Kingdom", "Europe", "London", "ukwest", "-0.799", "50.941"),
    ("francecentral", "France Central", "France", "Europe", "Paris", "francesouth", "2.373", "46.3772"),
    ("germanywestcentral", "Germany West Central", "Germany", "Europe", "Frankfurt", "germanynorth", "8.682127", "50.110924"),
    ("swedencentral", "Sweden Central", "Sweden", "Europe", "Gävle", "swedensouth", "17.14127", "60.67488"),
    ("southeastasia", "Southeast Asia", "Asia Pacific", "Asia Pacific", "Singapore", "eastasia", "103.833", "1.283"),
    ("japaneast", "Japan East", "Japan", "Asia Pacific", "Tokyo, Saitama", "japanwest", "139.77", "35.68"),
)
_REGION_NAMES = {r[0] for r in _REGIONS}
_DISPLAY_TO_NAME = {r[1].replace(" ", "").lower(): r[0] for r in _REGIONS}


# Logical regions: ARM lists them too (about a third of a real subscription's 90 locations, review
# 2026-12-02 row 5), with regionType Logical, regionCategory Other and no coordinates or pair.
# Nothing can be created in them, so normalize_location does not know them.
# name, displayName, regionalDisplayName, geographyGroup (None = none)
_LOGICAL: tuple[tuple[str, str, str, str | None], ...] = (
    ("global", "Global", "Global", None),
    ("asia", "Asia", "Asia", None),
    ("europe", "Europe", "Europe", None),
    ("unitedstates", "United States", "United States", None),
    ("unitedstateseuap", "United States EUAP", "United States EUAP", None),
    ("eastusstage", "East US (Stage)", "(US) East US (Stage)", "US"),
)


def location_names() -> list[str]:
    return [r[0] for r in _REGIONS]


def normalize_location(value: str) -> str | None:
    """'West Europe' / 'westeurope' / 'WestEurope' -> 'westeurope'; None when not a known region (ARM normalizes the same way)."""
    key = value.replace(" ", "").lower()
    if key in _REGION_NAMES:
        return key
    return _DISPLAY_TO_NAME.get(key)


def locations(sub_id: str) -> list[dict[str, Any]]:
    out = []
    for name, display, geography, group, physical, paired, lon, lat in _REGIONS:
        out.append({
            "id": f"/subscriptions/{sub_id}/locations/{name}",
            "name": name,
            "type": "Region",
            "displayName": display,
            "regionalDisplayName": f"({group}) {display}",
            "metadata": {
                "regionType": "Physical",
                "regionCategory": "Recommended",
                "geography": geography,
                "geographyGroup": group,
                "longitude": lon,
                "latitude": lat,
                "physicalLocation": physical,
                "pairedRegion": [{"name": paired, "id": f"/subscriptions/{sub_id}/locations/{paired}"}],
            },
        })
    for name, display, regional, logical_group in _LOGICAL:
        metadata: dict[str, Any] = {"regionType": "Logical", "regionCategory": "Other"}
        if logical_group:
            metadata["geographyGroup"] = logical_group
        out.append({"id": f"/subscriptions/{sub_id}/locations/{name}", "name": name, "type": "Region",
                    "displayName": display, "regionalDisplayName": regional, "metadata": metadata})
    return out


@dataclass(frozen=True)
class VmSize:
    name: str
    family: str
    vcpus: int
    memory_gb: float
    max_data_disks: int
    premium_io: bool
    temp_disk_mb: int = 0
    acus: int = 195
    nics: int = 2
    # Uncached disk limits across all data disks (size pages' "Max uncached disk throughput").
    uncached_iops: int = 0
    uncached_mbps: int = 0
    # Regions where it is not offered at all; None = everywhere.
    only_in: tuple[str, ...] | None = None
    # Regions where it is listed but restricted (NotAvailableForSubscription); "*" = all.
    restricted_in: tuple[str, ...] = ()

    @property
    def size(self) -> str:
        return self.name.removeprefix("Standard_")

    def offered_in(self, location: str) -> bool:
        return self.only_in is None or location in self.only_in

    def restricted(self, location: str) -> bool:
        return "*" in self.restricted_in or location in self.restricted_in


_EU_US = ("eastus", "eastus2", "westus2", "westeurope", "northeurope", "uksouth")

VM_SIZES: tuple[VmSize, ...] = (
    VmSize("Standard_B1s", "standardBSFamily", 1, 1, 2, True, 4096, 100),
    VmSize("Standard_B1ms", "standardBSFamily", 1, 2, 2, True, 4096, 100),
    VmSize("Standard_B2s", "standardBSFamily", 2, 4, 4, True, 8192, 100, 3),
    VmSize("Standard_B2ms", "standardBSFamily", 2, 8, 4, True, 16384, 100, 3),
    VmSize("Standard_B4ms", "standardBSFamily", 4, 16, 8, True, 32768, 100, 4),
    VmSize("Standard_B8ms", "standardBSFamily", 8, 32, 16, True, 65536, 100, 4),
    VmSize("Standard_D2_v2", "standardDv2Family", 2, 7, 8, False, 102400, 210, 2),
    VmSize("Standard_D3_v2", "standardDv2Family", 4, 14, 16, False, 204800, 210, 4),
    VmSize("Standard_DS2_v2", "standardDSv2Family", 2, 7, 8, True, 14336, 210, 2),
    VmSize("Standard_D2s_v3", "standardDSv3Family", 2, 8, 4, True, 16384, 160),
    VmSize("Standard_D4s_v3", "standardDSv3Family", 4, 16, 8, True, 32768, 160),
    VmSize("Standard_D2_v3", "standardDv3Family", 2, 8, 4, False, 51200, 160),
    VmSize("Standard_D2s_v5", "standardDSv5Family", 2, 8, 4, True),
    VmSize("Standard_D4s_v5", "standardDSv5Family", 4, 16, 8, True),
    VmSize("Standard_D8s_v5", "standardDSv5Family", 8, 32, 16, True, nics=4),
    VmSize("Standard_D16s_v5", "standardDSv5Family", 16, 64, 32, True, nics=8),
    VmSize("Standard_D32s_v5", "standardDSv5Family", 32, 128, 32, True, nics=8, restricted_in=("uksouth",)),
    VmSize("Standard_D2_v5", "standardDv5Family", 2, 8, 4, False),
    VmSize("Standard_D4_v5", "standardDv5Family", 4, 16, 8, False),
    VmSize("Standard_D8_v5", "standardDv5Family", 8, 32, 16, False, nics=4),
    VmSize("Standard_D4ads_v5", "standardDADSv5Family", 4, 16, 8, True, 153600, 230),
    VmSize("Standard_D8ads_v5", "standardDADSv5Family", 8, 32, 16, True, 307200, 230, 4),
    VmSize("Standard_E2s_v5", "standardESv5Family", 2, 16, 4, True),
    VmSize("Standard_E4s_v5", "standardESv5Family", 4, 32, 8, True),
    VmSize("Standard_E8s_v5", "standardESv5Family", 8, 64, 16, True, nics=4),
    VmSize("Standard_E16s_v5", "standardESv5Family", 16, 128, 32, True, nics=8, restricted_in=("westeurope",)),
    VmSize("Standard_E4_v5", "standardEv5Family", 4, 32, 8, False),
    VmSize("Standard_F2s_v2", "standardFSv2Family", 2, 4, 4, True, 16384),
    VmSize("Standard_F4s_v2", "standardFSv2Family", 4, 8, 8, True, 32768),
    VmSize("Standard_F8s_v2", "standardFSv2Family", 8, 16, 16, True, 65536, nics=4),
    VmSize("Standard_F16s_v2", "standardFSv2Family", 16, 32, 32, True, 131072, nics=4),
    VmSize("Standard_L8s_v3", "standardLSv3Family", 8, 64, 16, True, 81920, 150, 4, only_in=_EU_US),
    VmSize("Standard_L16s_v3", "standardLSv3Family", 16, 128, 32, True, 163840, 150, 8, only_in=_EU_US),
    VmSize("Standard_L32s_v3", "standardLSv3Family", 32, 256, 32, True, 327680, 150, 8, only_in=_EU_US, restricted_in=("*",)),
)
# Uncached disk IOPS / MB/s per size, from the Learn size pages (Dsv5/Dv5/Esv5/Ev5, Dasv5, Dsv3,
# Fsv2, Lsv3, B-series, Dv2/DSv2). Sizes without premium storage list a per-disk figure there;
# these are the VM-level totals the resource SKU capabilities carry.
_UNCACHED: dict[str, tuple[int, int]] = {
    "Standard_B1s": (320, 10), "Standard_B1ms": (640, 10), "Standard_B2s": (1280, 15),
    "Standard_B2ms": (1920, 22), "Standard_B4ms": (2880, 35), "Standard_B8ms": (4320, 50),
    "Standard_D2_v2": (6000, 96), "Standard_D3_v2": (12000, 192), "Standard_DS2_v2": (6400, 96),
    "Standard_D2s_v3": (3200, 48), "Standard_D4s_v3": (6400, 96), "Standard_D2_v3": (3000, 46),
    "Standard_D2s_v5": (3750, 85), "Standard_D4s_v5": (6400, 145), "Standard_D8s_v5": (12800, 290),
    "Standard_D16s_v5": (25600, 600), "Standard_D32s_v5": (51200, 865),
    "Standard_D2_v5": (3750, 85), "Standard_D4_v5": (6400, 145), "Standard_D8_v5": (12800, 290),
    "Standard_D4ads_v5": (6400, 145), "Standard_D8ads_v5": (12800, 290),
    "Standard_E2s_v5": (3750, 85), "Standard_E4s_v5": (6400, 145), "Standard_E8s_v5": (12800, 290),
    "Standard_E16s_v5": (25600, 600), "Standard_E4_v5": (6400, 145),
    "Standard_F2s_v2": (3200, 47), "Standard_F4s_v2": (6400, 95), "Standard_F8s_v2": (12800, 190),
    "Standard_F16s_v2": (25600, 380),
    "Standard_L8s_v3": (12800, 290), "Standard_L16s_v3": (25600, 600), "Standard_L32s_v3": (51200, 865),
}
VM_SIZES = tuple(replace(s, uncached_iops=_UNCACHED[s.name][0], uncached_mbps=_UNCACHED[s.name][1])
                 for s in VM_SIZES)
_VM_SIZES_BY_NAME = {s.name.lower(): s for s in VM_SIZES}


def families() -> tuple[str, ...]:
    """Every VM family the catalogue offers (the names quota usages use)."""
    return tuple(dict.fromkeys(s.family for s in VM_SIZES))


def vm_size(name: str) -> VmSize | None:
    return _VM_SIZES_BY_NAME.get(name.lower())


def _vm_sku(size: VmSize, location: str, sub_id: str) -> dict[str, Any]:
    caps = {
        "MaxResourceVolumeMB": str(size.temp_disk_mb),
        "OSVhdSizeMB": "1047552",
        "vCPUs": str(size.vcpus),
        "MemoryPreservingMaintenanceSupported": "True",
        "HyperVGenerations": "V1,V2",
        "MemoryGB": f"{size.memory_gb:g}",
        "MaxDataDiskCount": str(size.max_data_disks),
        "CpuArchitectureType": "x64",
        "LowPriorityCapable": "True",
        "PremiumIO": str(size.premium_io),
        "VMDeploymentTypes": "IaaS",
        "vCPUsAvailable": str(size.vcpus),
        "ACUs": str(size.acus),
        "vCPUsPerCore": "1" if size.family.startswith("standardB") else "2",
        "EphemeralOSDiskSupported": str(size.temp_disk_mb > 0),
        "AcceleratedNetworkingEnabled": str(size.vcpus >= 2),
        "RdmaEnabled": "False",
        "MaxNetworkInterfaces": str(size.nics),
        "UncachedDiskIOPS": str(size.uncached_iops),
        # Bytes per second, in MiB: D4s_v5's 145 MB/s is 152043520.
        "UncachedDiskBytesPerSecond": str(size.uncached_mbps * 1024 * 1024),
    }
    restrictions = []
    if size.restricted(location):
        restrictions.append({
            "type": "Location",
            "values": [location],
            "restrictionInfo": {"locations": [location]},
            "reasonCode": "NotAvailableForSubscription",
        })
    return {
        "resourceType": "virtualMachines",
        "name": size.name,
        "tier": "Standard",
        "size": size.size,
        "family": size.family,
        "locations": [location],
        "locationInfo": [{"location": location, "zones": ["1", "2", "3"], "zoneDetails": []}],
        "capabilities": [{"name": k, "value": v} for k, v in caps.items()],
        "restrictions": restrictions,
    }


def _tier_entry(name: str, tier: str, size: str, min_gib: int, max_gib: int) -> tuple[str, str, str, int, int, int, int]:
    # IOPS and MB/s from hpcshare's caps table (one source for the disk figures).
    from wizard.diskcaps import caps

    c = caps(name, max_gib)
    return (name, tier, size, min_gib, max_gib, c.iops, c.mbps)


# name, tier, size, min GiB, max GiB, IOPS, MBps
_DISK_SKUS: tuple[tuple[str, str, str, int, int, int, int], ...] = (
    _tier_entry("Standard_LRS", "Standard", "S30", 513, 1024),
    _tier_entry("StandardSSD_LRS", "Standard", "E30", 513, 1024),
    _tier_entry("Premium_LRS", "Premium", "P30", 513, 1024),
    _tier_entry("Premium_LRS", "Premium", "P40", 1025, 2048),
)
DISK_SKU_NAMES = ("Standard_LRS", "StandardSSD_LRS", "Premium_LRS", "StandardSSD_ZRS", "Premium_ZRS", "UltraSSD_LRS", "PremiumV2_LRS")
# "Premium SSD v2 disks are only available in select regions" (disks-deploy-premium-v2, Limitations).
# The demo offers it in these regions (not in the others, so the "not offered here" path is real)
# and, as the Learn page's CLI check reads it, in the zones of locationInfo.
PREMIUM_V2_REGIONS = ("eastus", "eastus2", "westus2", "northeurope", "westeurope", "swedencentral", "uksouth")


def _disk_sku(entry: tuple[str, str, str, int, int, int, int], location: str) -> dict[str, Any]:
    name, tier, size, min_gib, max_gib, iops, mbps = entry
    return {
        "resourceType": "disks",
        "name": name,
        "tier": tier,
        "size": size,
        "family": name.split("_")[0],
        "locations": [location],
        "locationInfo": [{"location": location, "zones": ["1", "2", "3"], "zoneDetails": []}],
        "capabilities": [
            {"name": "MaxSizeGiB", "value": str(max_gib)},
            {"name": "MinSizeGiB", "value": str(min_gib)},
            {"name": "MaxIOps", "value": str(iops)},
            {"name": "MaxBandwidthMBps", "value": str(mbps)},
        ],
        "restrictions": [],
    }


def premium_v2_offered(location: str) -> bool:
    return location in PREMIUM_V2_REGIONS


def _premium_v2_sku(location: str) -> dict[str, Any]:
    return _disk_sku(("PremiumV2_LRS", "Ultra", "Premium_v2", 1, 65536, 80000, 1200), location)


def resource_skus(sub_id: str, location: str | None) -> list[dict[str, Any]]:
    """Resource SKUs for one region (or every region when location is None)."""
    regions = location_names() if location is None else [location]
    out: list[dict[str, Any]] = []
    for loc in regions:
        if loc not in _REGION_NAMES:
            continue
        out.extend(_vm_sku(s, loc, sub_id) for s in VM_SIZES if s.offered_in(loc))
        out.extend(_disk_sku(d, loc) for d in _DISK_SKUS)
        if premium_v2_offered(loc):
            out.append(_premium_v2_sku(loc))
    return out


def vm_sizes_list(location: str) -> list[dict[str, Any]]:
    """The deprecated per-region vmSizes list (VirtualMachineSize items)."""
    return [
        {
            "name": s.name,
            "numberOfCores": s.vcpus,
            "osDiskSizeInMB": 1047552,
            "resourceDiskSizeInMB": s.temp_disk_mb,
            "memoryInMB": int(s.memory_gb * 1024),
            "maxDataDiskCount": s.max_data_disks,
        }
        for s in VM_SIZES
        if s.offered_in(location)
    ]


# Windows Server platform images: sku (lower-case) -> (exact version, OS name shown in the instance view).
WINDOWS_IMAGES: dict[str, tuple[str, str]] = {
    "2016-datacenter": ("14393.7336.240830", "Windows Server 2016 Datacenter"),
    "2019-datacenter": ("17763.6293.240905", "Windows Server 2019 Datacenter"),
    "2019-datacenter-gensecond": ("17763.6293.240905", "Windows Server 2019 Datacenter"),
    "2019-datacenter-smalldisk": ("17763.6293.240905", "Windows Server 2019 Datacenter"),
    "2022-datacenter": ("20348.2700.240907", "Windows Server 2022 Datacenter"),
    "2022-datacenter-g2": ("20348.2700.240907", "Windows Server 2022 Datacenter"),
    "2022-datacenter-azure-edition": ("20348.2700.240907", "Windows Server 2022 Datacenter: Azure Edition"),
    "2022-datacenter-azure-edition-hotpatch": ("20348.2700.240907", "Windows Server 2022 Datacenter: Azure Edition"),
    "2022-datacenter-smalldisk-g2": ("20348.2700.240907", "Windows Server 2022 Datacenter"),
    "2025-datacenter": ("26100.1742.240906", "Windows Server 2025 Datacenter"),
    "2025-datacenter-g2": ("26100.1742.240906", "Windows Server 2025 Datacenter"),
    "2025-datacenter-azure-edition": ("26100.1742.240906", "Windows Server 2025 Datacenter: Azure Edition"),
}
WINDOWS_PUBLISHER = "microsoftwindowsserver"
WINDOWS_OFFER = "windowsserver"
