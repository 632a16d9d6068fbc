"""Each screen rejects an invalid value: the rule shows beside the field as it is typed, and Next
is blocked (the screen stays, focus goes to the field, the profile on disk is unchanged)."""
from __future__ import annotations

import pytest

from screens.section import SectionScreen
from screens.welcome import WelcomeScreen
from tests.ui.conftest import SIZE, field_message, screen_text, settle
from tests.ui.fakes import SUB_ID, save_profile
from tests.ui.keys import type_into
from wizard import profiles

# section -> the bad values typed there: (field selector, key, value, rule shown)
CASES: dict[str, list[tuple[str, str, str, str]]] = {
    "subscription": [("#input-resource_group", "subscription.resource_group", "rg/x", "Resource group: 1-90 letters")],
    "vm": [("#input-name", "vm.name", "-bad-", "VM name: 1-15 letters"),
           ("#input-admin_password", "vm.admin_password", "Sh0rt!", "Admin password: 12-123 characters")],
    "disk": [("#input-size_gb", "disk.size_gb", "2", "Size (GiB): a whole number of GiB from 4")],
    "account": [("#input-username", "account.username", "guest", "reserved Windows account"),
                ("#input-password", "account.password", "nouppercase", "Share user password: 12-127")],
    "share": [("#input-name", "share.name", "IPC$", "reserved Windows share name")],
    "endpoints": [("#input-private_ip", "endpoints.private_ip", "10.5.2.9", "must lie inside the subnet 10.5.1.0/24"),
                  ("#input-rdp_source", "endpoints.rdp_source", "0.0.0.0/0", "RDP allowed from: at most a /24")],
}


@pytest.mark.parametrize("section", list(CASES))
async def test_screen_rejects_invalid_values(make_app, section: str) -> None:
    save_profile("default")
    before = profiles.profile_path("default").read_text()
    cases = CASES[section]
    app = make_app(start=section)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app, SectionScreen)
        screen = app.screen
        assert screen.section.key == section
        assert app.focused is screen.query_one("#next")      # a saved profile: Next is the default
        for selector, key, bad, rule in cases:
            await type_into(pilot, app, selector, bad)
            assert rule in field_message(app, key)            # shown while typing
        await pilot.press("ctrl+n")
        await settle(pilot, app)
        assert app.screen is screen, "Next must be blocked"
        for _selector, key, _bad, rule in cases:
            assert rule in field_message(app, key)
        assert app.focused is screen.query_one(cases[0][0])   # the first field to fix, in view
        assert cases[0][3] in " ".join(screen_text(app).split())   # the message may wrap
    assert profiles.profile_path("default").read_text() == before


async def test_dns_label_appears_with_public_ip_and_is_required(make_app) -> None:
    save_profile("default")
    app = make_app(start="endpoints")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app, SectionScreen)
        dns = app.screen.query_one("#field-endpoints-dns_label")
        assert not dns.display                                 # asked only with a public IP
        await pilot.click("#toggle-public_ip")
        await pilot.press("down", "enter")                     # no -> yes
        await settle(pilot, app)
        assert dns.display
        await pilot.press("ctrl+n")
        await settle(pilot, app)
        assert isinstance(app.screen, SectionScreen) and app.screen.section.key == "endpoints"
        assert "DNS label: required when a public IP is requested" in field_message(app, "endpoints.dns_label")
        await type_into(pilot, app, "#input-dns_label", "hpcfiles")
        await pilot.press("enter")
        await settle(pilot, app, SectionScreen)
        assert app.screen.section.key == "remote"
    saved = profiles.load(profiles.profile_path("default")).values
    assert saved["endpoints.public_ip"] is True and saved["endpoints.dns_label"] == "hpcfiles"


async def test_vm_size_restricted_for_the_subscription_blocks_next(make_app) -> None:
    save_profile("default", vm__size="Standard_M128s")
    app = make_app(start="vm")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app, SectionScreen)
        rule = "VM size: Standard_M128s is restricted in northeurope for this subscription"
        assert rule in field_message(app, "vm.size")
        assert app.focused is app.screen.query_one("#size-table")   # the field to fix has focus
        await pilot.press("ctrl+n")
        await settle(pilot, app)
        assert app.screen.section.key == "vm"
        await pilot.press("enter")                                  # pick the highlighted size
        await pilot.press("ctrl+n")
        await settle(pilot, app, SectionScreen)
        assert app.screen.section.key == "disk"


async def test_premium_disk_needs_a_premium_capable_size(make_app) -> None:
    save_profile("default", vm__size="Standard_D2_v5", disk__sku="Premium_LRS")
    app = make_app(start="disk")
    app.lists.load("vm-sizes", (SUB_ID, "northeurope"))      # as if the VM screen had loaded it
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app, SectionScreen)
        await pilot.press("ctrl+n")
        await settle(pilot, app)
        assert app.screen.section.key == "disk"
        assert "Disk type: Standard_D2_v5 cannot attach Premium SSD" in field_message(app, "disk.sku")


async def test_welcome_rejects_a_bad_profile_name(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app, WelcomeScreen)
        await pilot.press("ctrl+u", *"my lab", "enter")
        await settle(pilot, app)
        assert isinstance(app.screen, WelcomeScreen)
        assert "Profile name: 1-40 letters" in screen_text(app)


async def test_stale_saved_value_is_replaced_and_flagged(make_app) -> None:
    save_profile("default")
    path = profiles.profile_path("default")
    path.write_text(path.read_text().replace('label = "jobs"', 'label = "bad/label"'))
    app = make_app(start="disk")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app, SectionScreen)
        message = field_message(app, "disk.label")
        assert "saved value 'bad/label' replaced by the default" in message
        assert app.focused is app.screen.query_one("#input-label")   # look here first
        await pilot.press("enter")                                   # the default is fine
        await settle(pilot, app, SectionScreen)
        assert app.screen.section.key == "account"
    assert profiles.load(path).values["disk.label"] == "hpcdata"


async def test_welcome_preselects_a_saved_profile_so_enter_goes_on_with_it(make_app) -> None:
    save_profile("hpc1")
    app = make_app()                                     # the session's own name, "default", is not saved
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app, WelcomeScreen)
        assert app.screen.chosen == "hpc1"
        await pilot.press("enter")
        await settle(pilot, app, SectionScreen)
        assert app.session.profile == "hpc1"
