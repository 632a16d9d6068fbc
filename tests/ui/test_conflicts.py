"""Conflicts with what exists, caught on the screen that can fix them (issue 22): a VNet named in
another resource group must exist, an address another NIC holds names the holder, a server
another profile has made names that profile; and in the demo, the cluster's ready-made VNet
taken end to end into a run."""
from __future__ import annotations

from pathlib import Path

import pytest

from screens.review import ReviewScreen
from screens.run import RunScreen
from screens.section import SectionScreen
from screens.widgets.live import VnetField
from tests.ui.conftest import SIZE, field_message, screen_text, settle, until, wait_run
from tests.ui.fakes import save_profile
from tests.ui.keys import pick_existing_vnet, type_into
from wizard import profiles
from wizard.environment import standin_state_file
from wizard.questions import SECTIONS
from wizard.state import RunState


def _vnet_note(app) -> str:
    """The note under the VNet field (shown only when it has text)."""
    from textual.widgets import Static

    status = app.screen.query_one("#field-endpoints-vnet .live-status")
    return str(status.query_one(".live-note", Static).render()) if status.display else ""


def _section(app) -> str:
    return app.screen.section.key if isinstance(app.screen, SectionScreen) else type(app.screen).__name__


async def test_a_vnet_named_in_another_group_must_exist_and_blocks_next(make_app) -> None:
    save_profile("default")                 # vnet-x, in the server's own group (rg-saved): created if missing
    app = make_app(start="endpoints")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app, SectionScreen)
        await until(pilot, lambda: _vnet_note(app) != "", "the 'created' note")
        assert _vnet_note(app) == "Not in rg-saved yet: hpcshare creates it there."

        # Named in the cluster's group, where no such VNet is: an error, and no "created" note.
        await type_into(pilot, app, "#input-vnet_resource_group", "rg-cluster")
        await until(pilot, lambda: "no VNet" in field_message(app, "endpoints.vnet"), "the VNet error")
        assert field_message(app, "endpoints.vnet") == (
            "✗ Virtual network: no VNet 'vnet-x' in resource group 'rg-cluster' in northeurope (hpcshare never "
            "creates a VNet in another group)")
        assert _vnet_note(app) == ""
        assert "endpoints.vnet" not in screen_text(app)            # the label, never the key
        await pilot.press("ctrl+n")
        await settle(pilot, app)
        assert _section(app) == "endpoints"                          # Next is blocked
        assert app.focused is app.screen.query_one("#input-vnet")
        assert profiles.load(profiles.profile_path("default")).values["endpoints.vnet_resource_group"] == ""

        # The cluster's VNet from the list: its group, range, subnet and a free address follow.
        filled = await pick_existing_vnet(pilot, app)
        assert (filled["vnet"], filled["vnet_resource_group"], filled["subnet"]) == ("vnet-cluster", "rg-cluster",
                                                                                   "compute")
        assert filled["private_ip"] == "10.1.0.5"                          # headnode-nic holds .4
        assert field_message(app, "endpoints.vnet") == ""
        await pilot.press("ctrl+n")
        await settle(pilot, app)
        assert _section(app) == "remote"
    saved = profiles.load(profiles.profile_path("default")).values
    assert (saved["endpoints.vnet"], saved["endpoints.vnet_resource_group"]) == ("vnet-cluster", "rg-cluster")


# The fake catalogue's cluster VNet (tests/ui/fakes.py), with the head node's address.
IN_CLUSTER = {"endpoints__vnet": "vnet-cluster", "endpoints__vnet_resource_group": "rg-cluster",
              "endpoints__vnet_cidr": "10.1.0.0/16", "endpoints__subnet": "compute",
              "endpoints__subnet_cidr": "10.1.0.0/24", "endpoints__private_ip": "10.1.0.4"}


async def _says_then_next(pilot, app, key: str, message: str, lands_on: str = "endpoints") -> None:
    """``key``'s field shows ``message`` once the lists load; Next then lands on ``lands_on``
    (the same screen: Next is blocked)."""
    await settle(pilot, app, SectionScreen)
    await until(pilot, lambda: field_message(app, key) != "", f"a message on {key}")
    assert field_message(app, key) == message
    await pilot.press("ctrl+n")
    await settle(pilot, app)
    assert _section(app) == lands_on


async def _fix_and_go_on(pilot, app, selector: str, value: str, key: str, then: str) -> None:
    """Type a value that fits into the field that was refused: its message goes, Next goes on."""
    await type_into(pilot, app, selector, value)
    assert field_message(app, key) == ""
    await pilot.press("ctrl+n")
    await settle(pilot, app)
    assert _section(app) == then


async def test_a_subnet_the_other_groups_vnet_lacks_is_named_with_the_ones_it_has(make_app) -> None:
    save_profile("default", **{**IN_CLUSTER, "endpoints__subnet": "storage", "endpoints__subnet_cidr": "10.1.1.0/24",
                               "endpoints__private_ip": "10.1.1.10"})
    app = make_app(start="endpoints")
    async with app.run_test(size=SIZE) as pilot:
        await _says_then_next(pilot, app, "endpoints.subnet", "✗ Subnet: no subnet 'storage' in VNet 'vnet-cluster' "
                                                            "(resource group 'rg-cluster'); its subnets: compute")


async def test_an_address_another_nic_holds_names_the_holder(make_app) -> None:
    save_profile("default", **IN_CLUSTER)
    app = make_app(start="endpoints")
    async with app.run_test(size=SIZE) as pilot:
        await _says_then_next(pilot, app, "endpoints.private_ip",
                            "✗ Private IP: 10.1.0.4 is held by NIC 'headnode-nic' (resource group rg-cluster); "
                            "choose a free address in the subnet")
        assert app.focused is app.screen.query_one("#input-private_ip")
        await _fix_and_go_on(pilot, app, "#input-private_ip", "10.1.0.9", "endpoints.private_ip", "remote")


async def test_a_held_address_saved_earlier_stops_the_run_naming_screen_and_field(make_app) -> None:
    """Run from Review without visiting the Network screen: the preflight catches it, and the Run
    screen names the screen and the field, not the answers-file key."""
    save_profile("default", **IN_CLUSTER)
    app = make_app(start="review")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app, ReviewScreen)
        await pilot.press("ctrl+r")
        await settle(pilot, app)
        if not isinstance(app.screen, RunScreen):
            await pilot.press("enter")                              # "Create in Azure?": Create
        await settle(pilot, app, RunScreen)
        assert await wait_run(pilot, app) == "failed"
        assert app.run_model.refused == (
            "Network › Private IP: 10.1.0.4 is held by NIC 'headnode-nic' (resource group rg-cluster); choose a "
            "free address in the subnet",)
        assert "[endpoints.private_ip]" not in screen_text(app)


async def test_a_server_another_profile_made_names_that_profile(make_app) -> None:
    save_profile("lab")                                 # savedfs in rg-saved, and it has run
    RunState.for_profile("lab").record("vm", "fingerprint", {"id": "vm-id"})
    save_profile("default")                             # the same server
    app = make_app(start="vm")
    async with app.run_test(size=SIZE) as pilot:
        await _says_then_next(pilot, app, "vm.name", "✗ VM name: already used by profile 'lab' in resource group "
                              "rg-saved, which created it; choose another name, or tear that profile down first", "vm")
        await _fix_and_go_on(pilot, app, "#input-name", "labfs2", "vm.name", "disk")


async def test_a_profile_that_has_not_run_only_warns_and_a_rerun_is_no_conflict(make_app) -> None:
    save_profile("lab")                                 # the same server, never run
    save_profile("default")
    app = make_app(start="vm")
    async with app.run_test(size=SIZE) as pilot:
        # A warning does not stop Next.
        await _says_then_next(pilot, app, "vm.name", "! VM name: also named by profile 'lab' in resource group "
                              "rg-saved (not run yet): only one of the two can be run", "disk")

    # The profile itself, re-run after it made its server (the only other one gone): nothing to say.
    profiles.profile_path("default").unlink()
    RunState.for_profile("lab").record("vm", "fingerprint", {"id": "vm-id"})
    app = make_app("lab", start="vm")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app, SectionScreen)
        assert field_message(app, "vm.name") == ""


@pytest.fixture
def demo_env(monkeypatch: pytest.MonkeyPatch, hpcshare_home: Path) -> Path:
    monkeypatch.setenv("HPCSHARE_STANDIN_LATENCY", "instant")
    return hpcshare_home


async def test_demo_the_clusters_vnet_end_to_end(demo_env: Path, tmp_path: Path) -> None:
    """The demo's ready-made cluster network: picked on the Network screen, the head node's
    address refused by name, a free one taken, and the run puts the server in that VNet."""
    from screens.app import HpcShareApp
    from wizard.session import Session
    from wizard.standin import StandIn

    app = HpcShareApp(Session("default", demo=True, out_dir=tmp_path / "out"))
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot, app, timeout=20)
            await pilot.press("enter")                                  # Welcome
            for section in SECTIONS:
                if section.key == "files":
                    continue
                await settle(pilot, app, SectionScreen, timeout=20)
                assert _section(app) == section.key
                if section.key == "endpoints":
                    vnets = app.screen.query_one("#field-endpoints-vnet", VnetField)
                    await until(pilot, lambda: vnets.items is not None, "the demo's VNet list", 20)
                    filled = await pick_existing_vnet(pilot, app)
                    assert (filled["vnet_resource_group"], filled["private_ip"]) == ("rg-hpc-cluster", "10.1.0.5")
                    await type_into(pilot, app, "#input-private_ip", "10.1.0.4")
                    assert field_message(app, "endpoints.private_ip").startswith(
                        "✗ Private IP: 10.1.0.4 is held by NIC 'headnode-nic' (resource group rg-hpc-cluster)")
                    await pilot.press("ctrl+n")
                    await settle(pilot, app)
                    assert _section(app) == "endpoints"
                    await type_into(pilot, app, "#input-private_ip", "10.1.0.10")
                    await pilot.press("ctrl+n")
                    continue
                await pilot.press("enter")
            await settle(pilot, app, ReviewScreen, timeout=20)
            await pilot.press("ctrl+r")                                 # demo: runs at once
            await settle(pilot, app, RunScreen, timeout=20)
            assert await wait_run(pilot, app, timeout=60) == "succeeded", screen_text(app)
    finally:
        app.session.close()
    with StandIn(state_file=standin_state_file()) as s:
        made = s.resources()
    nic = next(r for r in made if r["name"] == "myfileserver-nic")
    cfg = nic["properties"]["ipConfigurations"][0]["properties"]
    assert cfg["privateIPAddress"] == "10.1.0.10"
    assert "/resourcegroups/rg-hpc-cluster/" in cfg["subnet"]["id"].lower()
    assert not [r for r in made if r["type"].lower() == "microsoft.network/virtualnetworks"]   # none created
