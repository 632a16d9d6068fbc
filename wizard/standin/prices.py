"""The Azure Retail Prices API (``GET /api/retail/prices``) served from the bundled demo price
list (``demo_prices.json``: illustrative figures, labelled as a demo list wherever hpcshare shows
them). Shape from reference/azure-rest/retail-prices-api.md: ``Items`` and ``NextPageLink``,
``$filter`` of ``field eq 'value'`` joined by ``and`` (values case-sensitive, as from
2023-01-01-preview), ``currencyCode='EUR'``, no sign-in, paging with ``$skip``.
"""
from __future__ import annotations

import json
import re
import uuid
from functools import lru_cache
from importlib import resources
from typing import Any
from urllib.parse import urlencode

from . import catalog

PATH = "/api/retail/prices"
PAGE_SIZE = 100
# Fields $filter accepts (the 2021 page's list); each item reports priceType as ``type``.
FILTER_FIELDS = {"armRegionName", "Location", "meterId", "meterName", "productid", "skuId", "productName",
                 "skuName", "serviceName", "serviceId", "serviceFamily", "priceType", "armSkuName"}
_CLAUSE = re.compile(r"^\s*([A-Za-z]+)\s+eq\s+'([^']*)'\s*$")
_ITEM_FIELD = {"priceType": "type", "productid": "productId", "Location": "location"}


class PriceQueryError(ValueError):
    pass


@lru_cache(maxsize=1)
def price_list() -> dict[str, Any]:
    return json.loads(resources.files("wizard.standin").joinpath("demo_prices.json").read_text(encoding="utf-8"))


def _display(region: str) -> str:
    for loc in catalog.locations(catalog.DEFAULT_SUBSCRIPTION_ID):
        if loc["name"] == region:
            return str(loc["displayName"])
    return region


def _item(region: str, currency: str, rate: float, price: float, **fields: Any) -> dict[str, Any]:
    p = price_list()
    # "Global" meters (Private Link) are one price for every region.
    value = round(price * p["region_factor"].get(region, 1.0) * rate, 6)
    key = f"{region}/{fields['productName']}/{fields['meterName']}"
    return {"currencyCode": currency, "tierMinimumUnits": 0.0, "retailPrice": value, "unitPrice": value,
            "armRegionName": region, "location": _display(region), "effectiveStartDate": p["effectiveStartDate"],
            "meterId": str(uuid.uuid5(uuid.NAMESPACE_URL, key)), "productId": "DEMO", "skuId": "DEMO/0001",
            "type": "Consumption", "isPrimaryMeterRegion": True, "armSkuName": "", **fields}


def _product(entry: dict[str, Any], region: str, currency: str, rate: float, **fields: str) -> list[dict[str, Any]]:
    """A product's meters (each with its own skuName, or the product's)."""
    return [_item(region, currency, rate, m["price"], productName=entry["productName"], meterName=m["meterName"],
                  skuName=m.get("skuName", entry.get("skuName")), unitOfMeasure=m["unitOfMeasure"], **fields)
            for m in entry["meters"]]


@lru_cache(maxsize=4)
def all_items(currency: str) -> list[dict[str, Any]]:
    p = price_list()
    rate = p["currency_rate"][currency]
    out: list[dict[str, Any]] = []
    for region in p["region_factor"]:
        for size, vm in p["vms"].items():
            short = size.removeprefix("Standard_").replace("_", " ")
            common = {"serviceName": "Virtual Machines", "serviceFamily": "Compute", "armSkuName": size,
                      "unitOfMeasure": "1 Hour"}
            out.append(_item(region, currency, rate, vm["linux"], productName=f"Virtual Machines {vm['series']} Series",
                             meterName=short, skuName=short, **common))
            out.append(_item(region, currency, rate, vm["windows"],
                             productName=f"Virtual Machines {vm['series']} Series Windows", meterName=short,
                             skuName=short, **common))
            out.append(_item(region, currency, rate, vm["linux"] * 0.2, productName=f"Virtual Machines {vm['series']} Series",
                             meterName=f"{short} Spot", skuName=f"{short} Spot", **common))
        for meter, d in p["disks"].items():
            out.append(_item(region, currency, rate, d["price"], serviceName="Storage", serviceFamily="Storage",
                             productName=d["productName"], meterName=meter, skuName=d["skuName"],
                             unitOfMeasure=d["unitOfMeasure"]))
        out += _product(p["premium_v2"], region, currency, rate, serviceName="Storage", serviceFamily="Storage")
        ip = p["public_ip"]
        out.append(_item(region, currency, rate, ip["price"], serviceName="Virtual Network", serviceFamily="Networking",
                         productName=ip["productName"], meterName=ip["meterName"], skuName=ip["skuName"],
                         unitOfMeasure=ip["unitOfMeasure"]))
        out += _product(p["premium_files"], region, currency, rate, serviceName="Storage", serviceFamily="Storage")
    link = p["private_link"]
    out += _product(link, link["armRegionName"], currency, rate, serviceName="Virtual Network",
                    serviceFamily="Networking")
    return out


def parse_filter(text: str) -> list[tuple[str, str]]:
    if not text.strip():
        return []
    out = []
    for clause in re.split(r"\s+and\s+", text.strip()):
        m = _CLAUSE.match(clause)
        if m is None or m.group(1) not in FILTER_FIELDS:
            raise PriceQueryError(f"Invalid OData filter clause: {clause!r}")
        out.append((_ITEM_FIELD.get(m.group(1), m.group(1)), m.group(2)))
    return out


def query(params: dict[str, str], base_url: str) -> tuple[int, dict[str, Any]]:
    """(status, body) for one GET; ``params`` as received (keys lower-cased)."""
    currency = params.get("currencycode", "'USD'").strip("'\"").upper() or "USD"
    if currency not in price_list()["currency_rate"]:
        return 400, {"Error": {"Code": "InvalidCurrencyCode", "Message": f"Invalid currency code '{currency}'."}}
    try:
        clauses = parse_filter(params.get("$filter", ""))
        skip = int(params.get("$skip", "0") or 0)
    except (PriceQueryError, ValueError) as exc:
        return 400, {"Error": {"Code": "BadRequest", "Message": str(exc)}}
    items = [i for i in all_items(currency) if all(str(i.get(f)) == v for f, v in clauses)]
    page = items[skip:skip + PAGE_SIZE]
    next_link = None
    if skip + PAGE_SIZE < len(items):
        rest = {k: v for k, v in params.items() if k != "$skip"}
        next_link = f"{base_url}{PATH}?{urlencode({**rest, '$skip': skip + PAGE_SIZE})}"
    return 200, {"BillingCurrency": currency, "CustomerEntityId": "Default", "CustomerEntityType": "Retail",
                 "Items": page, "NextPageLink": next_link, "Count": len(page)}
