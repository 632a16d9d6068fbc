"""Compute quota of the demo subscription: per-family and regional vCPU limits, one source for the
usages list (``GET .../locations/{region}/usages``) and for the VM create check (QuotaExceeded).

Limits come from ``HPCSHARE_STANDIN_QUOTA``, e.g. ``standardDSv5Family=2,cores=10`` (``cores`` is
the regional total); anything not named keeps the default below. The defaults are an assumption
for the demo subscription (real defaults vary by offer and are raised on request).
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from . import ENV_QUOTA, catalog
from .errors import conflict
from .routing import VM
from .store import Store

REGIONAL = "cores"
DEFAULT_FAMILY_LIMIT = 32
DEFAULT_REGIONAL_LIMIT = 100
VM_COUNT_LIMIT = 25000
_ENTRY = re.compile(r"^\s*([A-Za-z][A-Za-z0-9]*)\s*=\s*([0-9]+)\s*$")


def parse(spec: str | None) -> dict[str, int]:
    """``name=limit,...`` -> limits by canonical usage name; ValueError naming the bad entry."""
    known = {name.lower(): name for name in (REGIONAL, *catalog.families())}
    out: dict[str, int] = {}
    for part in (spec or "").split(","):
        if not part.strip():
            continue
        m = _ENTRY.match(part)
        if m is None:
            raise ValueError(f"{ENV_QUOTA}: {part.strip()!r} is not NAME=LIMIT (e.g. standardDSv5Family=2,cores=10)")
        name = known.get(m.group(1).lower())
        if name is None:
            raise ValueError(f"{ENV_QUOTA}: unknown quota {m.group(1)!r}; use cores or a VM family such as "
                             "standardDSv5Family")
        out[name] = int(m.group(2))
    return out


class Quota:
    def __init__(self, limits: Mapping[str, int] | None = None) -> None:
        self.limits = dict(limits or {})

    def limit(self, name: str) -> int:
        return self.limits.get(name, DEFAULT_REGIONAL_LIMIT if name == REGIONAL else DEFAULT_FAMILY_LIMIT)

    def used(self, store: Store, location: str, *, skip_id: str = "") -> tuple[dict[str, int], int, int]:
        """vCPUs in use by family, in all, and the VM count, in one region (a VM being re-PUT skipped)."""
        by_family: dict[str, int] = {}
        total = count = 0
        for vm in store.of_type(VM.full):
            if vm["location"] != location or vm["id"].lower() == skip_id.lower():
                continue
            size = catalog.vm_size(vm["properties"]["hardwareProfile"]["vmSize"])
            if size is None:
                continue
            by_family[size.family] = by_family.get(size.family, 0) + size.vcpus
            total += size.vcpus
            count += 1
        return by_family, total, count

    def usages(self, store: Store, location: str) -> list[dict[str, Any]]:
        """The Usage_List body items (shape: compute_Usage_List_MaximumSet_Gen example)."""
        by_family, total, count = self.used(store, location)

        def item(name: str, localized: str, current: int, limit: int) -> dict[str, Any]:
            return {"unit": "Count", "currentValue": current, "limit": limit,
                    "name": {"value": name, "localizedValue": localized}}

        out = [item(REGIONAL, "Total Regional vCPUs", total, self.limit(REGIONAL)),
               item("virtualMachines", "Virtual Machines", count, VM_COUNT_LIMIT)]
        for family in catalog.families():
            out.append(item(family, f"{_display(family)} vCPUs", by_family.get(family, 0), self.limit(family)))
        return out

    def check_create(self, store: Store, size: catalog.VmSize, location: str, rid: str) -> None:
        """Refuse a VM that would exceed its family's or the region's vCPU quota. The wording is ARM's
        (code QuotaExceeded, as seen in public CLI and Terraform logs; older answers say
        OperationNotAllowed with the same message)."""
        by_family, total, _ = self.used(store, location, skip_id=rid)
        for what, usage, limit in ((f"{size.family} Cores", by_family.get(size.family, 0), self.limit(size.family)),
                                   ("Total Regional Cores", total, self.limit(REGIONAL))):
            if usage + size.vcpus > limit:
                raise conflict(
                    "QuotaExceeded",
                    f"Operation could not be completed as it results in exceeding approved {what} quota. "
                    f"Additional details - Deployment Model: Resource Manager, Location: {location}, Current Limit: "
                    f"{limit}, Current Usage: {usage}, Additional Required: {size.vcpus}, (Minimum) New Limit "
                    f"Required: {usage + size.vcpus}. Submit a request for Quota increase at "
                    "https://aka.ms/ProdportalCRP.",
                )


def _display(family: str) -> str:
    """standardDSv5Family -> Standard DSv5 Family (the portal's localized name)."""
    core = family.removeprefix("standard").removesuffix("Family")
    return f"Standard {core} Family"
