"""Monthly cost of what a plan creates: the VM (Windows, pay-as-you-go, 730 hours), its OS disk,
the data disk (by tier, or Premium SSD v2 by provisioned GiB, IOPS and MB/s) and a public IP when
asked for. Each line keeps its meter and unit price; prices come from ``wizard.pricing``.

``estimate_cost(answers, client)`` never raises for a price problem: the estimate then says
prices are unavailable (``available`` False, ``problem`` why) and the rest of hpcshare goes on.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Callable

from wizard import diskcaps
from wizard.diskcaps import PREMIUM_V2

if TYPE_CHECKING:
    from wizard.answers import Answers
    from wizard.pricing import PriceClient, PriceItems

HOURS_PER_MONTH = 730
# What hpcshare's VM step asks for (wizard.azure.steps.vm_body): a Standard SSD OS disk, sized by the
# Windows Server image (127 GiB), so billed as E10.
OS_DISK_SKU = "StandardSSD_LRS"
OS_DISK_GIB = 127
# The Azure Files backend's meters (Retail Prices API): a premium share bills its provisioned GiB
# ("Premium LRS Provisioned" / "Premium ZRS Provisioned", product "Premium Files"; the provisioned v1
# billing meters of learn.microsoft.com/azure/storage/files/understanding-billing), and the private
# endpoint bills by the hour plus the data it processes (azure.microsoft.com/pricing/details/private-link).
# The Private Link meters are listed under armRegionName "Global" (as public price-list tools read them).
FILES_PRODUCT = "Premium Files"
PRIVATE_LINK_PRODUCT = "Virtual Network Private Link"
PRIVATE_ENDPOINT_METER = "Standard Private Endpoint"
GLOBAL_REGION = "Global"
PRIVATE_LINK_DATA_NOTE = ("The private endpoint also bills the data it processes (per GB, in and out); "
                          "usage-based, not included.")


@dataclass(frozen=True)
class CostLine:
    item: str            # what it is: "VM Standard_D4s_v5 (Windows)"
    meter: str           # the price list's meter: "D4s v5" / "P30 LRS Disk"
    quantity: float      # units billed per month
    unit: str            # "hour", "month", "GiB-hour", ...
    unit_price: float
    monthly: float


@dataclass(frozen=True)
class CostEstimate:
    currency: str
    lines: tuple[CostLine, ...]
    available: bool
    source: str = ""       # the price list's label (a demo list says so)
    fetched: str = ""      # date the prices were fetched
    problem: str = ""      # why prices are unavailable
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def total_monthly(self) -> float | None:
        return round(sum(line.monthly for line in self.lines), 2) if self.available else None

    def as_dict(self) -> dict[str, Any]:
        return {"currency": self.currency, "available": self.available, "total_monthly": self.total_monthly,
                "hours_per_month": HOURS_PER_MONTH, "source": self.source, "fetched": self.fetched,
                "problem": self.problem, "notes": list(self.notes),
                "lines": [asdict(line) for line in self.lines]}

    def text_lines(self) -> list[str]:
        """What Review, plan and SUMMARY.md show: one line per item, the total, where prices come from."""
        if not self.available:
            return [f"Monthly cost: prices unavailable ({self.problem})"]
        out = [f"{line.item:<44} {line.quantity:>9,.0f} {line.unit:<9} x {line.unit_price:>10.6f}"
               f" = {line.monthly:>10,.2f} {self.currency}" for line in self.lines]
        out.append(f"{'Total per month':<44} {'':>9} {'':<9}   {'':>10}   {self.total_monthly:>10,.2f} {self.currency}")
        out.append(f"Prices: {self.source}, fetched {self.fetched}.")
        out += list(self.notes)
        return out


_UNIT = re.compile(r"^\s*([0-9]+)?\s*(?:(GiB|GB)/)?\s*(Hour|Hours|Month|Months)\s*$", re.IGNORECASE)


def _per_month(item: dict[str, Any]) -> tuple[float, str]:
    """An item's price per unit-month and the unit's name ("1 GiB/Hour" -> price x 730, "GiB-hour")."""
    m = _UNIT.match(str(item.get("unitOfMeasure", "")).replace("1/", "1 /").replace(" /", " "))
    if m is None:
        raise ValueError(f"unknown unit of measure {item.get('unitOfMeasure')!r}")
    per = float(m.group(1) or 1)
    hourly = m.group(3).lower().startswith("hour")
    return float(item["unitPrice"]) / per, ("hour" if hourly else "month")


def _q(**clauses: str) -> str:
    return " and ".join(f"{k} eq '{v}'" for k, v in clauses.items())


def _consumption(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [i for i in items if i.get("type", "Consumption") == "Consumption"
            and i.get("isPrimaryMeterRegion", True)
            and not str(i.get("meterName", "")).endswith((" Spot", " Low Priority"))]


class _Missing(Exception):
    pass


def _one(items: list[dict[str, Any]], what: str) -> dict[str, Any]:
    if not items:
        raise _Missing(f"no price for {what}")
    return min(items, key=lambda i: float(i["unitPrice"]))


def estimate_cost(answers: "Answers", client: "PriceClient") -> CostEstimate:
    from wizard.pricing import PricesUnavailable

    currency = answers.subscription.currency
    try:
        if answers.azure_files:
            lines, sources = _files_lines(answers, client, currency)
            notes = [PRIVATE_LINK_DATA_NOTE]
        else:
            lines, sources = _lines(answers, client, currency)
            # The OS disk is always Standard SSD, so there are always transaction meters to mention.
            notes = ["Standard SSD/HDD disks also bill transactions (per 10,000); not included."]
    except (PricesUnavailable, _Missing, ValueError, KeyError) as exc:
        return CostEstimate(currency, (), False, client.label, problem=str(exc))
    fetched = min(s.fetched for s in sources)
    return CostEstimate(currency, tuple(lines), True, client.label, fetched, notes=tuple(notes))


Ask = Callable[..., list[dict[str, Any]]]


def _asker(client: "PriceClient", currency: str) -> tuple[Ask, list["PriceItems"]]:
    """A query function for one estimate, and the price lists it read (for their fetch dates)."""
    sources: list[PriceItems] = []

    def ask(**clauses: str) -> list[dict[str, Any]]:
        got = client.query(_q(**clauses, priceType="Consumption"), currency)
        sources.append(got)
        return _consumption(got.items)

    return ask, sources


def _lines(answers: "Answers", client: "PriceClient", currency: str) -> tuple[list[CostLine], list["PriceItems"]]:
    region, size = answers.subscription.region, answers.vm.size
    ask, sources = _asker(client, currency)
    lines: list[CostLine] = []
    vm_items = [i for i in ask(serviceName="Virtual Machines", armRegionName=region, armSkuName=size)
                if str(i.get("productName", "")).endswith(" Windows")]
    vm = _one(vm_items, f"{size} (Windows) in {region}")
    lines.append(_line(f"VM {size} (Windows, pay-as-you-go)", vm, HOURS_PER_MONTH))
    lines.append(_disk_line("OS disk", OS_DISK_SKU, OS_DISK_GIB, region, ask))
    d = answers.disk
    if d.sku == PREMIUM_V2:
        lines += _premium_v2_lines(d.size_gb, d.iops, d.mbps, region, ask)
    else:
        lines.append(_disk_line("Data disk", d.sku, d.size_gb, region, ask))
    if answers.endpoints.public_ip:
        ip = _one(ask(serviceName="Virtual Network", armRegionName=region, meterName="Standard IPv4 Static Public IP"),
                  f"a Standard public IP in {region}")
        lines.append(_line("Public IP (Standard, static)", ip, HOURS_PER_MONTH))
    return lines, sources


def _line(item: str, price: dict[str, Any], quantity: float) -> CostLine:
    unit_price, unit = _per_month(price)
    qty = quantity if unit == "hour" else 1
    return CostLine(item, str(price.get("meterName", "")), qty, unit, unit_price, round(unit_price * qty, 2))


def _disk_line(label: str, sku: str, size_gb: int, region: str, ask: Any) -> CostLine:
    tier = diskcaps.tier_for(sku, size_gb)["tier"]
    meter = f"{tier} LRS Disk"
    item = _one(ask(serviceName="Storage", armRegionName=region, productName=diskcaps.meter_product(sku),
                    meterName=meter), f"{meter} in {region}")
    return _line(f"{label} {size_gb} GiB {diskcaps.title(sku)} ({tier})", item, 1)


def _premium_v2_lines(size_gb: int, iops: int, mbps: int, region: str, ask: Any) -> list[CostLine]:
    """Premium SSD v2 bills provisioned GiB, and IOPS and MB/s above the free baseline, by the hour."""
    items = ask(serviceName="Storage", armRegionName=region, productName=diskcaps.meter_product(PREMIUM_V2))
    base = diskcaps.caps(PREMIUM_V2, size_gb)
    wanted = (("Capacity", "GiB", size_gb), ("IOPS", "IOPS", max(0, (iops or base.iops) - base.iops)),
              ("Throughput", "MB/s", max(0, (mbps or base.mbps) - base.mbps)))
    out = []
    for word, unit, amount in wanted:
        price = _one([i for i in items if word in str(i.get("meterName", ""))], f"Premium SSD v2 {word} in {region}")
        unit_price, per = _per_month(price)
        qty = amount * (HOURS_PER_MONTH if per == "hour" else 1)
        label = {"Capacity": f"Data disk {size_gb} GiB Premium SSD v2",
                 "IOPS": f"  provisioned IOPS above {base.iops:,}: {amount:,}",
                 "Throughput": f"  provisioned MB/s above {base.mbps}: {amount:,}"}[word]
        out.append(CostLine(label, str(price.get("meterName", "")), qty, f"{unit}-{per}", unit_price,
                            round(unit_price * qty, 2)))
    return out


def _files_lines(answers: "Answers", client: "PriceClient", currency: str) -> tuple[list[CostLine], list["PriceItems"]]:
    """A premium file share (per provisioned GiB a month) and its private endpoint (by the hour)."""
    region, f = answers.subscription.region, answers.files
    ask, sources = _asker(client, currency)
    redundancy = f.sku.removeprefix("Premium_")            # LRS | ZRS
    meter = f"Premium {redundancy} Provisioned"
    share = _one(ask(serviceName="Storage", armRegionName=region, productName=FILES_PRODUCT, meterName=meter),
                 f"{meter} ({FILES_PRODUCT}) in {region}")
    unit_price, per = _per_month(share)
    if per != "month":
        raise ValueError(f"unexpected unit of measure {share.get('unitOfMeasure')!r} for {meter}")
    lines = [CostLine(f"Premium file share {f.quota_gib:,} GiB ({f.sku})", str(share.get("meterName", "")),
                      f.quota_gib, "GiB-month", unit_price, round(unit_price * f.quota_gib, 2))]
    endpoints = ask(serviceName="Virtual Network", productName=PRIVATE_LINK_PRODUCT, meterName=PRIVATE_ENDPOINT_METER)
    # A regional meter when the list has one, else the global one every region is billed by.
    local = [i for i in endpoints if i.get("armRegionName") == region]
    pe = _one(local or [i for i in endpoints if i.get("armRegionName") == GLOBAL_REGION],
              f"{PRIVATE_ENDPOINT_METER} ({PRIVATE_LINK_PRODUCT})")
    lines.append(_line("Private endpoint (file)", pe, HOURS_PER_MONTH))
    return lines, sources
