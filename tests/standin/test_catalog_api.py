"""Subscriptions, locations and resource SKUs through the real SDK clients."""
from __future__ import annotations

from collections import defaultdict

from wizard.standin import StandIn
from wizard.standin.catalog import DEFAULT_SUBSCRIPTION_ID, DISABLED_SUBSCRIPTION_ID

from .helpers import Clients


def test_subscriptions_list_two_and_no_next_link(standin: StandIn, clients: Clients) -> None:
    subs = list(clients.subs.subscriptions.list())
    states = {s.subscription_id: str(s.state.value if hasattr(s.state, "value") else s.state) for s in subs}
    assert states == {DEFAULT_SUBSCRIPTION_ID: "Enabled", DISABLED_SUBSCRIPTION_ID: "Disabled"}
    assert standin.subscription_id == DEFAULT_SUBSCRIPTION_ID
    # One page only: the pager would have issued a second GET had there been a nextLink.
    assert [r for r in standin.requests if r[1] == "/subscriptions"] == [("GET", "/subscriptions", 200)]


def test_locations_have_display_names(standin: StandIn, clients: Clients) -> None:
    locs = {loc.name: loc.display_name for loc in clients.subs.subscriptions.list_locations(standin.subscription_id)}
    assert len(locs) >= 10
    assert locs["westeurope"] == "West Europe"
    assert locs["uksouth"] == "UK South"
    assert {"eastus", "northeurope"} <= set(locs)


def _caps(sku) -> dict[str, str]:
    return {c.name: c.value for c in sku.capabilities}


def test_resource_skus_for_a_region(clients: Clients) -> None:
    skus = list(clients.cmc.resource_skus.list(filter="location eq 'westeurope'"))
    vms = [s for s in skus if s.resource_type == "virtualMachines"]
    assert len(vms) >= 25
    families: dict[str, int] = defaultdict(int)
    for s in vms:
        families[s.name.split("_")[1][0]] += 1
        assert s.locations == ["westeurope"]
        caps = _caps(s)
        for name in ("vCPUs", "MemoryGB", "MaxDataDiskCount", "PremiumIO"):
            assert isinstance(caps[name], str), (s.name, name)
        assert caps["PremiumIO"] in ("True", "False")
    assert {"B", "D", "E", "F", "L"} <= set(families)
    d4 = next(s for s in vms if s.name == "Standard_D4s_v5")
    assert _caps(d4)["vCPUs"] == "4" and _caps(d4)["MemoryGB"] == "16" and _caps(d4)["MaxDataDiskCount"] == "8"
    restricted = [s for s in vms if s.restrictions]
    assert restricted, "some sizes must be restricted"
    r = restricted[0].restrictions[0]
    assert str(r.reason_code.value if hasattr(r.reason_code, "value") else r.reason_code) == "NotAvailableForSubscription"
    assert r["values"] == ["westeurope"]  # .values is the mapping method on hybrid models
    assert any(s.resource_type == "disks" and s.name == "Premium_LRS" for s in skus)


def test_resource_skus_differ_by_region_and_unknown_region_is_empty(clients: Clients) -> None:
    west = {s.name for s in clients.cmc.resource_skus.list(filter="location eq 'westeurope'")}
    japan = {s.name for s in clients.cmc.resource_skus.list(filter="location eq 'japaneast'")}
    assert "Standard_L8s_v3" in west and "Standard_L8s_v3" not in japan
    assert list(clients.cmc.resource_skus.list(filter="location eq 'atlantis'")) == []
