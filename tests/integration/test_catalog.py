"""The live lists the wizard offers, read through the real SDK from the stand-in."""
from __future__ import annotations

from pathlib import Path

from wizard.azure.catalog import AzureCatalog
from wizard.catalog import NicInfo, VnetInfo
from wizard.environment import open_environment


def test_catalog_lists_through_the_sdk(home: Path) -> None:
    env = open_environment(demo=True)
    try:
        cat = AzureCatalog(env)
        subs = cat.subscriptions()
        assert subs[0].usable and subs[0].id == env.default_subscription
        assert any(not s.usable for s in subs)
        regions = {r.name for r in cat.regions(env.default_subscription)}
        assert {"westeurope", "eastus"} <= regions
        # ARM lists logical regions too (regionType Logical); the wizard offers none of them.
        listed = list(env.subscriptions().subscriptions.list_locations(env.default_subscription))
        logical = {loc.name for loc in listed if loc.metadata.region_type == "Logical"}
        assert {"global", "europe"} <= logical
        assert not regions & logical and regions == {loc.name for loc in listed} - logical
        sizes = cat.vm_sizes(env.default_subscription, "westeurope")
        assert len(sizes) >= 25
        by_name = {s.name: s for s in sizes}
        assert by_name["Standard_D4s_v5"].vcpus == 4 and by_name["Standard_D4s_v5"].premium_io
        assert by_name["Standard_E16s_v5"].restricted          # not offered in westeurope to this subscription
        assert not by_name["Standard_D4s_v5"].restricted
        assert {s.name[9] for s in sizes} >= {"B", "D", "E", "F", "L"}
        # The demo's cluster network (wizard/standin/demo_world.py), in its own group, and the
        # head node's NIC holding an address in it; none in another region.
        assert cat.vnets(env.default_subscription, "westeurope") == [
            VnetInfo("vnet-hpc-cluster", "rg-hpc-cluster", ("10.1.0.0/16",), (("compute", "10.1.0.0/24"),))]
        assert cat.nics(env.default_subscription, "westeurope") == [
            NicInfo("headnode-nic", "rg-hpc-cluster", "vnet-hpc-cluster", "rg-hpc-cluster", ("10.1.0.4",))]
        assert cat.vnets(env.default_subscription, "eastus") == [] and cat.nics(env.default_subscription, "eastus") == []
    finally:
        env.close()
