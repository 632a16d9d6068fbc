"""What one managed disk can do: its tier, IOPS and MB/s cap, from the caps table in
``wizard/data/disk_caps.json`` (package data; every figure names its documentation page).

P/E/S disks perform (and are billed) as the smallest tier at least as large as the disk; a
Premium SSD v2 disk performs as provisioned, inside ranges that grow with its size.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

PREMIUM_V2 = "PremiumV2_LRS"
# Disks of 4 TiB (4096 GiB) and more live on another storage back end: no host caching there
# (learn.microsoft.com/azure/virtual-machines/premium-storage-performance#disk-caching), and a
# disk crosses that boundary only detached from a deallocated VM ("Expand without downtime",
# learn.microsoft.com/azure/virtual-machines/windows/expand-os-disk).
LARGE_DISK_GIB = 4096
CACHING_MAX_GIB = LARGE_DISK_GIB - 1


@lru_cache(maxsize=1)
def table() -> dict[str, Any]:
    """The caps table as loaded (SKU name -> entry)."""
    raw = resources.files("wizard").joinpath("data/disk_caps.json").read_text(encoding="utf-8")
    return json.loads(raw)["skus"]


def known_skus() -> tuple[str, ...]:
    return tuple(table())


def source(sku: str) -> str:
    return str(table()[sku]["source"])


def title(sku: str) -> str:
    return str(table()[sku]["title"])


@dataclass(frozen=True)
class DiskCaps:
    sku: str
    size_gb: int
    tier: str          # "P30", or "" for Premium SSD v2
    iops: int
    mbps: int
    host_caching: bool  # may a host cache (ReadOnly/ReadWrite) sit in front of it
    source: str


@dataclass(frozen=True)
class V2Range:
    """Premium SSD v2: what a disk of this size may be provisioned with."""
    min_iops: int
    max_iops: int
    min_mbps: int
    max_mbps: int


def tier_for(sku: str, size_gb: int) -> dict[str, Any]:
    """The smallest tier of a P/E/S SKU whose size is at least ``size_gb`` (the largest if none)."""
    tiers = table()[sku]["tiers"]
    for t in tiers:
        if size_gb <= t["max_gib"]:
            return t
    return tiers[-1]


def v2_range(size_gb: int, iops: int | None = None) -> V2Range:
    """Premium SSD v2 limits for a size (and, for MB/s, the IOPS provisioned): 3,000 IOPS up to
    6 GiB then 500 more per GiB to 80,000; 125 MB/s baseline, up to 0.25 MB/s per IOPS, 1,200 max."""
    e = table()[PREMIUM_V2]
    max_iops = e["baseline_iops"] + e["iops_per_gib"] * max(0, size_gb - e["iops_flat_up_to_gib"])
    max_iops = min(e["max_iops"], max_iops)
    basis = max_iops if iops is None else iops
    max_mbps = int(min(e["max_mbps"], max(e["baseline_mbps"], basis * e["mbps_per_iops"])))
    return V2Range(e["baseline_iops"], max_iops, e["baseline_mbps"], max_mbps)


def v2_size_range() -> tuple[int, int]:
    e = table()[PREMIUM_V2]
    return int(e["min_gib"]), int(e["max_gib"])


def caps(sku: str, size_gb: int, *, iops: int = 0, mbps: int = 0) -> DiskCaps:
    """The performance caps of one disk. For Premium SSD v2, ``iops``/``mbps`` are what is
    provisioned (0 = the free baseline)."""
    entry = table()[sku]
    if entry["kind"] == "provisioned":
        return DiskCaps(sku, size_gb, "", iops or entry["baseline_iops"], mbps or entry["baseline_mbps"],
                        bool(entry["host_caching"]), entry["source"])
    t = tier_for(sku, size_gb)
    return DiskCaps(sku, size_gb, t["tier"], t["iops"], t["mbps"], size_gb <= CACHING_MAX_GIB, entry["source"])


def meter_product(sku: str) -> str:
    """The Retail Prices API productName of a disk SKU's meters."""
    return str(table()[sku]["meter_product"])
