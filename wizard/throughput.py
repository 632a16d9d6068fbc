"""Which caps the share first: the VM's uncached disk limits (resource SKU capabilities
UncachedDiskBytesPerSecond / UncachedDiskIOPS) or the data disk's own caps (the caps table in
``wizard.diskcaps``), against what the cluster needs (``cluster.nodes`` x ``cluster.node_mbps``),
and a faster or cheaper pairing from the region's catalogue when one exists.

Pure: the catalogue comes in as ``VmSizeInfo`` values, so this is unit-tested without Azure.
Uncached figures are used because a file server's working set rarely fits the host cache, and
disks of 4 TiB or more (and Premium SSD v2) have none.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from wizard import diskcaps
from wizard.catalog import VmSizeInfo
from wizard.diskcaps import PREMIUM_V2, DiskCaps

VM_SOURCE = "resource SKU capabilities UncachedDiskBytesPerSecond / UncachedDiskIOPS (Microsoft.Compute/skus)"


@dataclass(frozen=True)
class Pairing:
    kind: Literal["faster", "cheaper"]
    vm_size: str
    disk_sku: str
    disk_size_gb: int
    disk_iops: int       # Premium SSD v2 provisioning; else the tier's figure
    disk_mbps: int
    share_mbps: int
    share_iops: int
    why: str


class MeetsDemand:
    """What the share reaches (``share_mbps``) against what the cluster needs (``demand_mbps``)."""
    demand_mbps: int | None
    if TYPE_CHECKING:   # a field of one verdict, a property of the other: not a default for either
        @property
        def share_mbps(self) -> int: ...

    @property
    def meets_demand(self) -> bool | None:
        return None if self.demand_mbps is None else self.share_mbps >= self.demand_mbps


@dataclass(frozen=True)
class Verdict(MeetsDemand):
    vm_size: str
    vm_mbps: int
    vm_iops: int
    disk: DiskCaps
    bottleneck: Literal["vm", "disk"]
    share_mbps: int
    share_iops: int
    demand_mbps: int | None = None
    suggestions: tuple[Pairing, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)

    def headline(self) -> str:
        return f"the {'VM' if self.bottleneck == 'vm' else 'disk'} caps the share at {self.share_mbps} MB/s"

    def as_dict(self) -> dict[str, Any]:
        return {"bottleneck": self.bottleneck, "share_mbps": self.share_mbps, "share_iops": self.share_iops,
                "vm": {"size": self.vm_size, "mbps": self.vm_mbps, "iops": self.vm_iops, "source": VM_SOURCE},
                "disk": {"sku": self.disk.sku, "tier": self.disk.tier, "size_gb": self.disk.size_gb,
                         "mbps": self.disk.mbps, "iops": self.disk.iops, "source": self.disk.source},
                "demand_mbps": self.demand_mbps, "meets_demand": self.meets_demand,
                "suggestions": [asdict(s) for s in self.suggestions], "notes": list(self.notes)}

    def text_lines(self) -> list[str]:
        which = {"vm": f"the VM ({self.vm_size}: {self.vm_mbps} MB/s, {self.vm_iops:,} IOPS uncached)",
                 "disk": f"the disk ({self.disk.tier or self.disk.sku}: {self.disk.mbps} MB/s, {self.disk.iops:,} IOPS)"}
        out = [f"Throughput: {which[self.bottleneck]} caps the share at {self.share_mbps} MB/s and "
               f"{self.share_iops:,} IOPS."]
        if self.demand_mbps is not None:
            verdict = "enough" if self.meets_demand else "NOT enough"
            out.append(f"The cluster needs {self.demand_mbps:,} MB/s at peak: {verdict}.")
        for s in self.suggestions:
            out.append(f"{s.kind.capitalize()}: {s.why}")
        out += list(self.notes)
        return out


def _needs_premium(sku: str) -> bool:
    return sku.startswith("Premium")


def _usable(s: VmSizeInfo, disk_sku: str) -> bool:
    return (not s.restricted and s.max_data_disks >= 1 and s.uncached_mbps > 0
            and (s.premium_io or not _needs_premium(disk_sku)))


def verdict(vm: VmSizeInfo, disk: DiskCaps, *, caching: str = "None", nodes: int = 0, node_mbps: int = 0,
            catalogue: Sequence[VmSizeInfo] = ()) -> Verdict:
    demand = nodes * node_mbps if nodes and node_mbps else None
    vm_mbps, vm_iops = vm.uncached_mbps, vm.uncached_iops
    notes: list[str] = []
    if vm_mbps <= 0:
        notes.append(f"{vm.name} reports no uncached disk limits: only the disk's caps are known.")
        bottleneck: Literal["vm", "disk"] = "disk"
    else:
        bottleneck = "vm" if vm_mbps < disk.mbps else "disk"
    share_mbps = disk.mbps if vm_mbps <= 0 else min(vm_mbps, disk.mbps)
    share_iops = disk.iops if vm_iops <= 0 else min(vm_iops, disk.iops)
    if caching != "None" and disk.host_caching:
        notes.append(f"Host caching {caching} may serve repeated reads above these uncached figures.")
    if disk.sku == PREMIUM_V2 or not disk.host_caching:
        notes.append("No host caching on this disk (Premium SSD v2, or 4 TiB and larger): every read hits the disk.")
    suggestions = _suggest(vm, disk, bottleneck, share_mbps, demand, catalogue)
    return Verdict(vm.name, vm_mbps, vm_iops, disk, bottleneck, share_mbps, share_iops, demand,
                   tuple(suggestions), tuple(notes))


def _pair(kind: Literal["faster", "cheaper"], vm: VmSizeInfo, disk: DiskCaps, why: str) -> Pairing:
    return Pairing(kind, vm.name, disk.sku, disk.size_gb, disk.iops, disk.mbps,
                   min(vm.uncached_mbps, disk.mbps), min(vm.uncached_iops, disk.iops), why)


def _suggest(vm: VmSizeInfo, disk: DiskCaps, bottleneck: str, share_mbps: int, demand: int | None,
             catalogue: Sequence[VmSizeInfo]) -> list[Pairing]:
    out: list[Pairing] = []
    sizes = [s for s in catalogue if _usable(s, disk.sku) and s.name != vm.name]
    # vCPUs as the price proxy; the VM's own family first among equals.
    by_cost = sorted(sizes, key=lambda s: (s.vcpus, s.family != vm.family, s.memory_gb, s.name))
    if bottleneck == "vm":
        # A VM that lets the disk run at its cap (or the demand, when lower), with the fewest vCPUs.
        target = min(disk.mbps, demand) if demand else disk.mbps
        above = [s for s in by_cost if s.uncached_mbps > vm.uncached_mbps]
        reaching = [s for s in above if s.uncached_mbps >= target]
        # None reaches the target: the fastest there is, with the fewest vCPUs among equals.
        best = reaching[:1] or sorted(above, key=lambda s: (-s.uncached_mbps, s.vcpus, s.name))[:1]
        if best:
            s = best[0]
            out.append(_pair("faster", s, disk, f"{s.name} ({s.vcpus} vCPUs, {s.uncached_mbps} MB/s uncached) with the "
                             f"same disk reaches {min(s.uncached_mbps, disk.mbps)} MB/s instead of {share_mbps}."))
    else:
        faster = _faster_disk(vm, disk, demand)
        if faster is not None:
            out.append(_pair("faster", vm, faster, f"{_disk_words(faster)} on the same VM reaches "
                             f"{min(vm.uncached_mbps or faster.mbps, faster.mbps)} MB/s instead of {share_mbps}."))
        # The same throughput from a VM with fewer vCPUs: the disk caps it anyway.
        need = max(disk.mbps, demand or 0)
        cheaper = [s for s in by_cost if s.vcpus < vm.vcpus and s.uncached_mbps >= need]
        if cheaper and vm.uncached_mbps > 0:
            s = cheaper[0]
            out.append(_pair("cheaper", s, disk, f"{s.name} ({s.vcpus} vCPUs instead of {vm.vcpus}) still feeds the "
                             f"disk's {disk.mbps} MB/s: same throughput, smaller VM."))
    both = _both(vm, disk, demand, by_cost, out)
    return out + ([both] if both else [])


def _both(vm: VmSizeInfo, disk: DiskCaps, demand: int | None, by_cost: Sequence[VmSizeInfo],
          found: Sequence[Pairing]) -> Pairing | None:
    """When the demand is above what changing one side reaches: a larger VM and a faster disk together."""
    best = max([min(vm.uncached_mbps, disk.mbps), *(p.share_mbps for p in found)])
    if not demand or best >= demand:
        return None
    vms = [s for s in by_cost if s.uncached_mbps > vm.uncached_mbps]
    pick = next((s for s in vms if s.uncached_mbps >= demand), None) or max(vms, key=lambda s: s.uncached_mbps,
                                                                         default=None)
    if pick is None:
        return None
    new_disk = _faster_disk(pick, disk, demand) or disk
    share = min(pick.uncached_mbps, new_disk.mbps)
    if share <= best:
        return None
    return _pair("faster", pick, new_disk, f"{pick.name} with {_disk_words(new_disk)} together reach {share} MB/s "
                 f"(the cluster needs {demand:,}).")


def _disk_words(d: DiskCaps) -> str:
    if d.sku == PREMIUM_V2:
        return f"Premium SSD v2 {d.size_gb} GiB provisioned at {d.iops:,} IOPS / {d.mbps} MB/s"
    return f"{diskcaps.title(d.sku)} {d.tier} ({d.size_gb} GiB, {d.mbps} MB/s)"


def _faster_disk(vm: VmSizeInfo, disk: DiskCaps, demand: int | None) -> DiskCaps | None:
    """The smallest step up in the same disk type that lifts the cap towards the VM's (or the demand)."""
    target = vm.uncached_mbps or (demand or 0)
    if demand:
        target = min(target, demand) if vm.uncached_mbps else demand
    if target <= disk.mbps:
        return None
    if disk.sku == PREMIUM_V2:
        r = diskcaps.v2_range(disk.size_gb)
        mbps = min(target, r.max_mbps)
        iops = max(disk.iops, min(r.max_iops, -(-mbps * 4 // 1)))    # 0.25 MB/s per IOPS
        mbps = min(mbps, diskcaps.v2_range(disk.size_gb, iops).max_mbps)
        if mbps <= disk.mbps:
            return None
        return diskcaps.caps(PREMIUM_V2, disk.size_gb, iops=int(iops), mbps=int(mbps))
    # Larger tiers of the same type, and (for a premium-capable VM) Premium SSD at the same size:
    # the smallest disk that reaches the target, else the fastest step there is.
    steps = [diskcaps.caps(disk.sku, t["max_gib"]) for t in diskcaps.table()[disk.sku]["tiers"]
             if t["max_gib"] > disk.size_gb]
    if vm.premium_io and disk.sku != "Premium_LRS":
        steps.append(diskcaps.caps("Premium_LRS", disk.size_gb))
    steps = [d for d in steps if d.mbps > disk.mbps]
    if not steps:
        return None
    reaching = sorted((d for d in steps if d.mbps >= target), key=lambda d: (d.size_gb, d.mbps))
    return reaching[0] if reaching else max(steps, key=lambda d: (d.mbps, -d.size_gb))
