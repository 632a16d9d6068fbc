"""The Retail Prices API as the stand-in serves it, read through hpcshare's azure-core price client
(shape: reference/azure-rest/retail-prices-api.md): no sign-in, OData eq filters, currencyCode,
NextPageLink paging, the on-disk cache with its fetch date, and failures as PricesUnavailable."""
from __future__ import annotations

import datetime as dt
import json
import ssl
import urllib.request
from pathlib import Path

import pytest

from wizard.pricing import DEMO_LABEL, PriceClient, PricesUnavailable
from wizard.standin import StandIn

VM_FILTER = ("serviceName eq 'Virtual Machines' and armRegionName eq 'westeurope' and "
             "armSkuName eq 'Standard_D4s_v5' and priceType eq 'Consumption'")


def client(s: StandIn, tmp_path: Path, **kw: object) -> PriceClient:
    return PriceClient(s.base_url, connection_verify=str(s.ca_path), demo=True, cache=tmp_path / "prices", **kw)


def test_vm_prices_tell_windows_from_linux_and_spot(standin: StandIn, tmp_path: Path) -> None:
    got = client(standin, tmp_path).query(VM_FILTER)
    products = {(i["productName"], i["meterName"]) for i in got.items}
    assert ("Virtual Machines Dsv5 Series Windows", "D4s v5") in products
    assert ("Virtual Machines Dsv5 Series", "D4s v5") in products
    assert ("Virtual Machines Dsv5 Series", "D4s v5 Spot") in products
    assert all(i["armRegionName"] == "westeurope" and i["unitOfMeasure"] == "1 Hour" for i in got.items)
    assert got.label == DEMO_LABEL and got.fetched == dt.date.today().isoformat()


def test_no_sign_in_is_needed(standin: StandIn) -> None:
    # A plain HTTPS GET without an Authorization header, as the public API allows.
    ctx = ssl.create_default_context(cafile=str(standin.ca_path))
    url = f"{standin.base_url}/api/retail/prices?$filter=serviceName%20eq%20%27Virtual%20Network%27"
    with urllib.request.urlopen(url, context=ctx) as resp:
        body = json.load(resp)
    assert body["Items"] and body["Items"][0]["meterName"] == "Standard IPv4 Static Public IP"


def test_paging_follows_next_page_link(standin: StandIn, tmp_path: Path) -> None:
    everything = "serviceName eq 'Virtual Machines' and armRegionName eq 'westeurope'"
    got = client(standin, tmp_path).query(everything)
    assert len(got.items) > 100                      # more than one page of 100
    assert len({(i["productName"], i["meterName"]) for i in got.items}) == len(got.items)
    assert sum(1 for m, p, _ in standin.requests if p == "/api/retail/prices") >= 2


def test_currency_and_case_sensitive_filters(standin: StandIn, tmp_path: Path) -> None:
    c = client(standin, tmp_path)
    usd = c.query(VM_FILTER, "USD").items
    eur = c.query(VM_FILTER, "EUR").items
    assert {i["currencyCode"] for i in eur} == {"EUR"}
    assert eur[0]["unitPrice"] != usd[0]["unitPrice"]
    assert c.query(VM_FILTER.replace("'Virtual Machines'", "'virtual machines'")).items == []


def test_a_bad_filter_or_a_server_error_is_prices_unavailable(standin: StandIn, tmp_path: Path) -> None:
    with pytest.raises(PricesUnavailable, match="HTTP 400"):
        client(standin, tmp_path).query("serviceName ne 'Storage'")
    standin.set_faults("prices.get=500*5")          # more than the client's retries
    with pytest.raises(PricesUnavailable, match="HTTP 500"):
        client(standin, tmp_path).query("serviceName eq 'Storage'")


def test_unreachable_is_prices_unavailable(tmp_path: Path) -> None:
    with StandIn() as s:
        url, ca = s.base_url, str(s.ca_path)
        ca_copy = tmp_path / "ca.pem"
        ca_copy.write_bytes(Path(ca).read_bytes())
    c = PriceClient(url, connection_verify=str(ca_copy), demo=True, cache=tmp_path / "prices")
    with pytest.raises(PricesUnavailable, match="could not be reached"):
        c.query(VM_FILTER)


def test_the_cache_keeps_the_fetch_date_and_expires(tmp_path: Path) -> None:
    day = dt.date(2026, 11, 30)
    with StandIn() as s:
        first = client(s, tmp_path, today=day).query(VM_FILTER)
        ca = tmp_path / "ca.pem"
        ca.write_bytes(s.ca_path.read_bytes())
        url = s.base_url
    # The stand-in is gone: within a week the cache answers, with the date it was fetched.
    later = PriceClient(url, connection_verify=str(ca), demo=True, cache=tmp_path / "prices",
                        today=day + dt.timedelta(days=6)).query(VM_FILTER)
    assert later.items == first.items and later.fetched == "2026-11-30"
    stale = PriceClient(url, connection_verify=str(ca), demo=True, cache=tmp_path / "prices",
                        today=day + dt.timedelta(days=7))
    with pytest.raises(PricesUnavailable):
        stale.query(VM_FILTER)


def test_premium_files_and_private_link_meters(standin: StandIn, tmp_path: Path) -> None:
    """The Azure Files backend's meters: per provisioned GiB a month by region; the private
    endpoint's hour and data processed under armRegionName "Global"."""
    c = client(standin, tmp_path)
    files = c.query("serviceName eq 'Storage' and armRegionName eq 'westeurope' and productName eq 'Premium Files'")
    meters = {i["meterName"]: i for i in files.items}
    assert set(meters) == {"Premium LRS Provisioned", "Premium ZRS Provisioned"}
    assert all(i["unitOfMeasure"] == "1 GB/Month" for i in files.items)
    assert meters["Premium ZRS Provisioned"]["unitPrice"] > meters["Premium LRS Provisioned"]["unitPrice"] > 0
    link = c.query("serviceName eq 'Virtual Network' and productName eq 'Virtual Network Private Link'")
    by_meter = {i["meterName"]: i for i in link.items}
    assert set(by_meter) == {"Standard Private Endpoint", "Standard Data Processed - Ingress",
                             "Standard Data Processed - Egress"}
    assert {i["armRegionName"] for i in link.items} == {"Global"}
    assert by_meter["Standard Private Endpoint"]["unitOfMeasure"] == "1 Hour"
