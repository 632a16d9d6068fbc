"""The throughput verdict and the caps table, without Azure (``wizard.throughput``, ``wizard.diskcaps``).

Figures: Premium SSD P-tiers, Standard SSD E-tiers, Standard HDD S-tiers and Premium SSD v2 from
the disks-types page (reference/azure-rest/disk-performance-tiers.md); VM uncached limits as the
resource SKU capabilities report them (D4s_v5: 6,400 IOPS, 145 MB/s).
"""
from __future__ import annotations

import pytest

from wizard import diskcaps, validation
from wizard.catalog import VmSizeInfo
from wizard.throughput import verdict

D2S = VmSizeInfo("Standard_D2s_v5", 2, 8, 4, True, family="standardDSv5Family", uncached_iops=3750, uncached_mbps=85)
D4S = VmSizeInfo("Standard_D4s_v5", 4, 16, 8, True, family="standardDSv5Family", uncached_iops=6400, uncached_mbps=145)
D8S = VmSizeInfo("Standard_D8s_v5", 8, 32, 16, True, family="standardDSv5Family", uncached_iops=12800, uncached_mbps=290)
D8ADS = VmSizeInfo("Standard_D8ads_v5", 8, 32, 16, True, family="standardDADSv5Family", uncached_iops=12800,
                   uncached_mbps=290)
D16S = VmSizeInfo("Standard_D16s_v5", 16, 64, 32, True, family="standardDSv5Family", uncached_iops=25600,
                  uncached_mbps=600)
D4 = VmSizeInfo("Standard_D4_v5", 4, 16, 8, False, family="standardDv5Family", uncached_iops=6400, uncached_mbps=145)
RESTRICTED = VmSizeInfo("Standard_D32s_v5", 32, 128, 32, True, restricted=True, uncached_iops=51200, uncached_mbps=865)
CATALOGUE = [D2S, D4S, D8S, D8ADS, D16S, D4, RESTRICTED]


@pytest.mark.parametrize(("sku", "size", "tier", "iops", "mbps"), [
    ("Premium_LRS", 1024, "P30", 5000, 200), ("Premium_LRS", 1000, "P30", 5000, 200),
    ("Premium_LRS", 1025, "P40", 7500, 250), ("Premium_LRS", 4, "P1", 120, 25), ("Premium_LRS", 32767, "P80", 20000, 900),
    ("StandardSSD_LRS", 200, "E15", 500, 60), ("StandardSSD_LRS", 8192, "E60", 2000, 400),
    ("Standard_LRS", 4, "S4", 500, 60), ("Standard_LRS", 16384, "S70", 2000, 500),
])
def test_tiers_are_the_smallest_at_least_as_large(sku: str, size: int, tier: str, iops: int, mbps: int) -> None:
    c = diskcaps.caps(sku, size)
    assert (c.tier, c.iops, c.mbps) == (tier, iops, mbps)


def test_premium_v2_ranges_follow_the_documented_examples() -> None:
    assert diskcaps.v2_range(8).max_iops == 4000 and diskcaps.v2_range(10).max_iops == 5000
    assert diskcaps.v2_range(6).max_iops == 3000 and diskcaps.v2_range(160).max_iops == 80000
    assert diskcaps.v2_range(1000).max_iops == 80000
    assert diskcaps.v2_range(200, 3000).max_mbps == 750 and diskcaps.v2_range(200, 4000).max_mbps == 1000
    assert diskcaps.v2_range(200, 80000).max_mbps == 1200
    c = diskcaps.caps("PremiumV2_LRS", 200)
    assert (c.iops, c.mbps, c.host_caching) == (3000, 125, False)


def test_host_caching_stops_at_4_tib() -> None:
    assert diskcaps.caps("Premium_LRS", validation.CACHING_MAX_GIB).host_caching
    assert not diskcaps.caps("Premium_LRS", validation.LARGE_DISK_GIB).host_caching


def test_the_caps_table_covers_every_disk_sku_offered() -> None:
    """Every disk type hpcshare offers (the disk.sku choices) has caps with a documentation page, and
    the P/E/S tiers cover every size the answers allow, in ascending order."""
    from wizard.standin import catalog

    assert set(validation.DISK_SKUS) <= set(diskcaps.known_skus())
    # ...and every offered type the stand-in lists as a region's disk SKU (its LRS names).
    listed = {s["name"] for s in catalog.resource_skus(catalog.DEFAULT_SUBSCRIPTION_ID, "westeurope")
              if s["resourceType"] == "disks"}
    assert listed <= set(diskcaps.known_skus())
    for sku in validation.DISK_SKUS:
        assert diskcaps.source(sku).startswith("https://learn.microsoft.com/"), sku
        entry = diskcaps.table()[sku]
        if entry["kind"] == "provisioned":
            assert {"baseline_iops", "max_iops", "baseline_mbps", "max_mbps", "mbps_per_iops"} <= set(entry)
            continue
        sizes = [t["max_gib"] for t in entry["tiers"]]
        assert sizes == sorted(sizes) and sizes[-1] >= validation.DISK_SIZE_RANGE[sku][1], sku
        assert all(t["iops"] > 0 and t["mbps"] > 0 for t in entry["tiers"]), sku


def test_the_vm_caps_a_p30_on_a_d4s_v5_and_a_bigger_vm_is_faster() -> None:
    v = verdict(D4S, diskcaps.caps("Premium_LRS", 1024), catalogue=CATALOGUE)
    assert (v.bottleneck, v.share_mbps, v.share_iops) == ("vm", 145, 5000)
    faster = [s for s in v.suggestions if s.kind == "faster"]
    # The same family first among equally sized VMs; the restricted D32s_v5 never.
    assert [s.vm_size for s in faster] == ["Standard_D8s_v5"] and faster[0].share_mbps == 200
    assert not any(s.kind == "cheaper" for s in v.suggestions)


def test_the_disk_caps_a_p10_and_a_smaller_vm_is_cheaper() -> None:
    v = verdict(D8S, diskcaps.caps("Premium_LRS", 128), catalogue=CATALOGUE)
    assert (v.bottleneck, v.share_mbps, v.share_iops) == ("disk", 100, 500)
    kinds = {s.kind: s for s in v.suggestions}
    assert kinds["cheaper"].vm_size == "Standard_D4s_v5" and kinds["cheaper"].share_mbps == 100
    # The smallest Premium tier that lets the D8s_v5 run at its 290 MB/s: P50 (4 TiB, 250) does not, P60 does.
    assert (kinds["faster"].disk_sku, kinds["faster"].disk_size_gb, kinds["faster"].disk_mbps) == ("Premium_LRS", 8192, 500)


def test_a_standard_disk_on_a_premium_vm_suggests_premium_at_the_same_size() -> None:
    v = verdict(D4S, diskcaps.caps("StandardSSD_LRS", 1024), catalogue=CATALOGUE)
    faster = next(s for s in v.suggestions if s.kind == "faster")
    assert (faster.disk_sku, faster.disk_size_gb, faster.share_mbps) == ("Premium_LRS", 1024, 145)


def test_a_vm_without_premium_storage_never_gets_a_premium_pairing() -> None:
    v = verdict(D4, diskcaps.caps("StandardSSD_LRS", 1024), catalogue=CATALOGUE)
    assert all(s.disk_sku == "StandardSSD_LRS" for s in v.suggestions)
    cheaper = [s for s in v.suggestions if s.kind == "cheaper"]
    assert all(not s.vm_size.endswith("s_v5") or s.vm_size == "Standard_D2s_v5" for s in cheaper)


def test_premium_v2_suggestion_raises_mbps_within_its_range() -> None:
    v = verdict(D8S, diskcaps.caps("PremiumV2_LRS", 200), catalogue=CATALOGUE)
    assert (v.bottleneck, v.share_mbps) == ("disk", 125)
    faster = next(s for s in v.suggestions if s.kind == "faster")
    assert faster.disk_mbps == 290 and faster.disk_iops >= 290 * 4
    assert faster.disk_mbps <= diskcaps.v2_range(200, faster.disk_iops).max_mbps
    assert any("No host caching" in n for n in v.notes)


def test_the_cluster_demand_is_judged() -> None:
    disk = diskcaps.caps("Premium_LRS", 1024)
    assert verdict(D4S, disk, nodes=10, node_mbps=10).meets_demand is True
    short = verdict(D4S, disk, nodes=10, node_mbps=20, catalogue=CATALOGUE)
    assert short.demand_mbps == 200 and short.meets_demand is False
    assert next(s for s in short.suggestions if s.kind == "faster").share_mbps >= 200
    assert verdict(D4S, disk).meets_demand is None       # not given
    assert "NOT enough" in "\n".join(short.text_lines())


def test_no_suggestion_when_nothing_in_the_region_is_better() -> None:
    v = verdict(D16S, diskcaps.caps("Premium_LRS", 32767), catalogue=[D16S, RESTRICTED])
    assert (v.bottleneck, v.share_mbps) == ("vm", 600) and v.suggestions == ()


def test_a_demand_above_both_caps_gets_a_vm_and_disk_pairing() -> None:
    # 16 nodes x 20 MB/s = 320: a D8s_v5 (290) alone lifts the P30 pairing to 200 only.
    v = verdict(D4S, diskcaps.caps("Premium_LRS", 1024), nodes=16, node_mbps=20, catalogue=CATALOGUE)
    both = [s for s in v.suggestions if s.vm_size != "Standard_D4s_v5" and s.disk_mbps > 200]
    assert len(both) == 1
    pair = both[0]
    assert pair.vm_size == "Standard_D16s_v5" and pair.share_mbps >= 320
    assert (pair.disk_sku, pair.disk_size_gb) == ("Premium_LRS", 8192)     # P60: 500 MB/s, the first >= 320
