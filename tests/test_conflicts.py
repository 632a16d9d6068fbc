"""The conflict rules (wizard/conflicts.py) on plain data, and how their messages name a field."""
from __future__ import annotations

from typing import Any

from wizard.catalog import NicInfo, VnetInfo
from wizard.conflicts import OtherProfile, for_preflight, network_conflicts, on_field, profile_conflicts
from wizard.provision import on_screen
from wizard.questions import QUESTIONS, defaults, refer

CLUSTER = VnetInfo("vnet-cluster", "rg-cluster", ("10.1.0.0/16",), (("compute", "10.1.0.0/24"),))
HEAD = NicInfo("headnode-nic", "rg-cluster", "vnet-cluster", "rg-cluster", ("10.1.0.4",))


def ctx(**changes: Any) -> dict[str, Any]:
    values = {**defaults(), "subscription.id": "sub-1", "subscription.resource_group": "rg-hpcshare",
              "subscription.region": "westeurope", "vm.name": "fs01", "endpoints.vnet": "vnet-cluster",
              "endpoints.vnet_resource_group": "rg-cluster", "endpoints.subnet": "compute",
              "endpoints.subnet_cidr": "10.1.0.0/24", "endpoints.private_ip": "10.1.0.4"}
    return {**values, **{k.replace("__", "."): v for k, v in changes.items()}}


def test_a_vnet_in_the_servers_own_group_may_be_missing_one_elsewhere_must_exist() -> None:
    assert network_conflicts(ctx(endpoints__vnet="vnet-new", endpoints__vnet_resource_group=""), [CLUSTER], []) == {}
    found = network_conflicts(ctx(endpoints__vnet_resource_group="rg-other"), [CLUSTER], [])
    assert found == {"endpoints.vnet": "no VNet 'vnet-cluster' in resource group 'rg-other' in westeurope (hpcshare "
                                       "never creates a VNet in another group); there is one in rg-cluster"}
    # Group and names compare without case, as Azure does; nothing is judged before the list loads.
    assert network_conflicts(ctx(endpoints__vnet_resource_group="RG-Cluster", endpoints__private_ip="10.1.0.9"),
                             [CLUSTER], [HEAD]) == {}
    assert network_conflicts(ctx(endpoints__vnet_resource_group="rg-other"), None, None) == {}


def test_the_subnet_and_its_range_must_match_an_existing_vnet() -> None:
    assert "its subnets: compute" in network_conflicts(ctx(endpoints__subnet="storage"), [CLUSTER], [])["endpoints.subnet"]
    # In the server's own group a missing subnet is added by the network step: no conflict.
    own = VnetInfo("vnet-cluster", "rg-hpcshare", ("10.1.0.0/16",), (("compute", "10.1.0.0/24"),))
    assert network_conflicts(ctx(endpoints__vnet_resource_group="", endpoints__subnet="storage"), [own], []) == {}
    assert network_conflicts(ctx(endpoints__subnet_cidr="10.1.0.0/25"), [CLUSTER], []) == {
        "endpoints.subnet_cidr": "subnet 'compute' of VNet 'vnet-cluster' is 10.1.0.0/24, not 10.1.0.0/25"}


def test_a_held_address_names_its_holder_unless_it_is_this_profiles_own_nic() -> None:
    assert network_conflicts(ctx(), [CLUSTER], [HEAD])["endpoints.private_ip"].startswith(
        "10.1.0.4 is held by NIC 'headnode-nic' (resource group rg-cluster)")
    # The same address in another VNet is no conflict.
    elsewhere = NicInfo("x-nic", "rg-x", "vnet-x", "rg-x", ("10.1.0.4",))
    assert network_conflicts(ctx(), [CLUSTER], [elsewhere]) == {}
    # A re-run: the server's own NIC (fs01-nic in its group) holds it.
    own = NicInfo("fs01-nic", "rg-hpcshare", "vnet-cluster", "rg-cluster", ("10.1.0.4",))
    assert network_conflicts(ctx(), [CLUSTER], [own]) == {}
    # Azure Files: the endpoint's address, and the profile's own endpoint NIC exempt.
    files = ctx(share__backend="azure-files", files__account="hpcfiles", files__private_ip="10.1.0.4")
    assert set(network_conflicts(files, [CLUSTER], [HEAD])) == {"files.private_ip"}
    pe = NicInfo("hpcfiles-file-pe-nic", "rg-hpcshare", "vnet-cluster", "rg-cluster", ("10.1.0.4",))
    assert network_conflicts(files, [CLUSTER], [pe]) == {}


def test_another_profiles_server_or_account() -> None:
    other = OtherProfile("lab", ctx(), has_run=True)
    errors, warnings = profile_conflicts(ctx(vm__name="FS01"), [other])
    assert set(errors) == {"vm.name"} and "profile 'lab'" in errors["vm.name"] and warnings == {}
    assert profile_conflicts(ctx(), [OtherProfile("lab", ctx(), has_run=False)])[1].keys() == {"vm.name"}
    # Another subscription or group: another server.
    assert profile_conflicts(ctx(subscription__id="sub-2"), [other]) == ({}, {})
    assert profile_conflicts(ctx(subscription__resource_group="rg-2"), [other]) == ({}, {})
    # A storage account name is unique across Azure: any group.
    files = {"share__backend": "azure-files", "files__account": "hpcfiles"}
    theirs = OtherProfile("lab", ctx(**files, subscription__resource_group="rg-2"), has_run=True)
    assert set(profile_conflicts(ctx(**files), [theirs])[0]) == {"files.account"}


def test_messages_name_the_field_on_the_form_screen_and_field_elsewhere() -> None:
    found = {"endpoints.private_ip": "10.1.0.4 is held by NIC 'headnode-nic' (resource group rg-cluster)"}
    assert on_field(found) == {"endpoints.private_ip": "Private IP: " + found["endpoints.private_ip"]}
    line = for_preflight(found)[0]
    assert line == "[endpoints.private_ip] Network › Private IP: " + found["endpoints.private_ip"]
    assert on_screen(line) == "Network › Private IP: " + found["endpoints.private_ip"]
    assert on_screen("[vm.size] VM size: Standard_X is not offered") == "File server VM › VM size: Standard_X is not offered"
    assert on_screen("[files.account] The name is taken.") == "Azure Files › Storage account: The name is taken."
    assert on_screen("no key here") == "no key here"
    # A rule pointing to another answer names that field, never its key.
    assert refer("set {vm.zone} to 1, 2 or 3") == "set File server VM › Availability zone to 1, 2 or 3"
    message = QUESTIONS["disk.sku"].check("PremiumV2_LRS", {"vm.zone": ""})
    assert message is not None and "vm.zone" not in message and "Availability zone" in message
