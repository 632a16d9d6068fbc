"""What a premium (SSD, provisioned v1) Azure file share can do, from its provisioned size alone,
and whether that meets the cluster's demand (``cluster.nodes`` x ``cluster.node_mbps``).

The formulas are Microsoft's, "Understand Azure Files billing", sections "Provisioned v1
provisioning detail" and "Provisioned v1 credit-based bursting":
https://learn.microsoft.com/azure/storage/files/understanding-billing#provisioned-v1-provisioning-detail

- baseline IOPS = MIN(3000 + 1 * GiB, 102400)
- throughput (ingress + egress, MiB/s) = 100 + CEILING(0.04 * GiB) + CEILING(0.06 * GiB)
- burst IOPS = MIN(MAX(3 * GiB, 10000), 102400); burst credits = (burst - baseline) * 3600

A storage account's own limits (102,400 IOPS, 10,340 MiB/s used) equal the largest share's, so
with one share per account the share is always what caps it. Pure: unit-tested without Azure.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal

from wizard.throughput import MeetsDemand
from wizard.validation import FILES_QUOTA_GIB

SOURCE = ("Azure Files provisioned v1 formulas (learn.microsoft.com/azure/storage/files/understanding-billing"
          "#provisioned-v1-provisioning-detail)")
MAX_IOPS = 102_400
BURST_FLOOR_IOPS = 10_000
BURST_SECONDS = 3600
# The same page's performance notes: what one node sees is also bound by its own network.
CLIENT_NOTE = "Each node's own network limit, IO size and parallelism also bound what it sees of the share."
MB_PER_MIB = 1.048576     # the formulas give MiB/s; hpcshare's demand (cluster.node_mbps) is in MB/s


@dataclass(frozen=True)
class ShareCaps:
    quota_gib: int
    baseline_iops: int
    burst_iops: int
    burst_credits: int
    mibps: int

    @property
    def mbps(self) -> int:
        return int(self.mibps * MB_PER_MIB)


def share_caps(quota_gib: int) -> ShareCaps:
    """The provisioned v1 figures of a premium share of ``quota_gib`` GiB."""
    baseline = min(3000 + quota_gib, MAX_IOPS)
    burst = min(max(3 * quota_gib, BURST_FLOOR_IOPS), MAX_IOPS)
    mibps = 100 + math.ceil(0.04 * quota_gib) + math.ceil(0.06 * quota_gib)
    return ShareCaps(quota_gib, baseline, burst, (burst - baseline) * BURST_SECONDS, mibps)


def size_for_mbps(mbps: int) -> int | None:
    """The smallest provisioned size whose throughput reaches ``mbps`` MB/s; None when even the
    largest share (102,400 GiB) does not."""
    low, high = FILES_QUOTA_GIB
    if share_caps(high).mbps < mbps:
        return None
    # The throughput grows with the size: a binary search over the allowed sizes.
    while low < high:
        mid = (low + high) // 2
        if share_caps(mid).mbps >= mbps:
            high = mid
        else:
            low = mid + 1
    return low


@dataclass(frozen=True)
class FilesVerdict(MeetsDemand):
    sku: str
    caps: ShareCaps
    demand_mbps: int | None = None
    suggested_gib: int | None = None     # the size that meets the demand, when this one does not
    bottleneck: Literal["share"] = "share"
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def share_mbps(self) -> int:
        return self.caps.mbps

    @property
    def share_iops(self) -> int:
        return self.caps.baseline_iops

    def headline(self) -> str:
        return f"the premium share's provisioned size caps it at {self.share_mbps} MB/s"

    def as_dict(self) -> dict[str, Any]:
        c = self.caps
        return {"bottleneck": self.bottleneck, "share_mbps": self.share_mbps, "share_iops": self.share_iops,
                "share": {"sku": self.sku, "quota_gib": c.quota_gib, "mibps": c.mibps,
                          "baseline_iops": c.baseline_iops, "burst_iops": c.burst_iops,
                          "burst_credits": c.burst_credits, "source": SOURCE},
                "demand_mbps": self.demand_mbps, "meets_demand": self.meets_demand,
                "suggested_quota_gib": self.suggested_gib, "notes": list(self.notes)}

    def text_lines(self) -> list[str]:
        c = self.caps
        out = [f"Throughput: the premium share ({c.quota_gib:,} GiB provisioned, {self.sku}) caps it at "
               f"{c.mibps:,} MiB/s ({self.share_mbps:,} MB/s) and {c.baseline_iops:,} IOPS.",
               f"  Bursts to {c.burst_iops:,} IOPS on credits ({c.burst_credits:,}, about an hour at full burst)."
               if c.burst_iops > c.baseline_iops else "  No burst above the baseline at this size."]
        if self.demand_mbps is not None:
            verdict = "enough" if self.meets_demand else "NOT enough"
            out.append(f"The cluster needs {self.demand_mbps:,} MB/s at peak: {verdict}.")
        if self.meets_demand is False:
            if self.suggested_gib is not None:
                more = share_caps(self.suggested_gib)
                out.append(f"Faster: provision {self.suggested_gib:,} GiB (files.quota_gib) to reach {more.mbps:,} MB/s "
                           f"and {more.baseline_iops:,} IOPS; the price grows with the size.")
            else:
                top = share_caps(FILES_QUOTA_GIB[1])
                out.append(f"One premium share tops out at {top.mbps:,} MB/s ({FILES_QUOTA_GIB[1]:,} GiB): "
                           "split the data over several shares and storage accounts.")
        out += list(self.notes)
        return out


def files_verdict(sku: str, quota_gib: int, *, nodes: int = 0, node_mbps: int = 0) -> FilesVerdict:
    demand = nodes * node_mbps if nodes and node_mbps else None
    caps = share_caps(quota_gib)
    suggested = size_for_mbps(demand) if demand and caps.mbps < demand else None
    return FilesVerdict(sku, caps, demand, suggested, notes=(CLIENT_NOTE,))
