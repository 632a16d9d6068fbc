"""A premium (provisioned v1) file share's IOPS and throughput from its size, against the examples
Microsoft publishes, and the verdict Review and ``plan`` show for the Azure Files backend."""
from __future__ import annotations

import pytest

from wizard.filescaps import files_verdict, share_caps, size_for_mbps

# "Understand Azure Files billing", "Provisioned v1 credit-based bursting", the example table
# (learn.microsoft.com/azure/storage/files/understanding-billing#provisioned-v1-credit-based-bursting):
# capacity GiB -> baseline IOPS, burst IOPS, burst credits, throughput MiB/s. The 33,792 and 51,200
# GiB rows are left out of the burst columns: their credits still use the old 100,000 IOPS cap
# (36,792 baseline: (100,000 - 36,792) x 3,600) while the page's formula caps at 102,400.
DOCUMENTED = [
    (100, 3_100, 10_000, 24_840_000, 110),
    (500, 3_500, 10_000, 23_400_000, 150),
    (1_024, 4_024, 10_000, 21_513_600, 203),
    (5_120, 8_120, 15_360, 26_064_000, 613),
    (10_240, 13_240, 30_720, 62_928_000, 1_125),
    (102_400, 102_400, 102_400, 0, 10_340),
]


@pytest.mark.parametrize(("gib", "baseline", "burst", "credits", "mibps"), DOCUMENTED)
def test_share_caps_match_the_documented_examples(gib: int, baseline: int, burst: int, credits: int,
                                                  mibps: int) -> None:
    c = share_caps(gib)
    assert (c.baseline_iops, c.burst_iops, c.burst_credits, c.mibps) == (baseline, burst, credits, mibps)


@pytest.mark.parametrize(("gib", "baseline", "mibps"), [(33_792, 36_792, 3_480), (51_200, 54_200, 5_220)])
def test_baseline_and_throughput_of_the_large_documented_rows(gib: int, baseline: int, mibps: int) -> None:
    c = share_caps(gib)
    assert (c.baseline_iops, c.mibps) == (baseline, mibps)


def test_mib_per_second_is_converted_to_the_demands_mb_per_second() -> None:
    assert share_caps(1_024).mbps == 212            # 203 MiB/s = 212.9 MB/s, rounded down
    assert share_caps(100).mbps == 115              # 110 MiB/s = 115.3 MB/s


def test_size_for_mbps_is_the_smallest_size_that_reaches_it() -> None:
    size = size_for_mbps(360)
    assert size is not None
    assert share_caps(size).mbps >= 360 and share_caps(size - 1).mbps < 360
    assert size_for_mbps(50) == 100                  # the smallest share already does it
    assert size_for_mbps(share_caps(102_400).mbps + 1) is None


def test_verdict_enough_names_the_share_and_its_burst() -> None:
    v = files_verdict("Premium_ZRS", 5_120, nodes=10, node_mbps=40)
    text = "\n".join(v.text_lines())
    assert v.bottleneck == "share" and v.meets_demand is True and v.suggested_gib is None
    assert "the premium share (5,120 GiB provisioned, Premium_ZRS) caps it at 613 MiB/s (642 MB/s) and 8,120 IOPS" in text
    assert "Bursts to 15,360 IOPS" in text
    assert "The cluster needs 400 MB/s at peak: enough." in text
    assert v.headline() == "the premium share's provisioned size caps it at 642 MB/s"


def test_verdict_not_enough_suggests_the_size_that_is() -> None:
    v = files_verdict("Premium_LRS", 1_024, nodes=24, node_mbps=15)
    text = "\n".join(v.text_lines())
    assert v.meets_demand is False and v.suggested_gib == size_for_mbps(360)
    assert "The cluster needs 360 MB/s at peak: NOT enough." in text
    assert f"Faster: provision {v.suggested_gib:,} GiB (files.quota_gib)" in text
    assert v.as_dict()["suggested_quota_gib"] == v.suggested_gib


def test_a_demand_above_one_share_says_to_split() -> None:
    v = files_verdict("Premium_LRS", 102_400, nodes=400, node_mbps=100)
    text = "\n".join(v.text_lines())
    assert v.meets_demand is False and v.suggested_gib is None
    assert "One premium share tops out at 10,842 MB/s (102,400 GiB)" in text
    assert "No burst above the baseline" in text


def test_no_demand_given_judges_nothing() -> None:
    v = files_verdict("Premium_LRS", 1_024)
    assert v.demand_mbps is None and v.meets_demand is None
    assert not any("cluster needs" in line for line in v.text_lines())
