"""The whole wizard driven with keys (fake catalog and fake steps); Back and Review navigation."""
from __future__ import annotations

from pathlib import Path

from screens.dialogs import ConfirmDialog
from screens.finish import FinishScreen
from screens.review import ReviewScreen
from screens.run import RunScreen
from screens.section import SectionScreen
from screens.welcome import WelcomeScreen
from tests.ui.conftest import SIZE, screen_text, settle, wait_run
from tests.ui.fakes import ARTIFACTS, SUB_ID, FakeRun, save_profile
from tests.ui.keys import field_value, pick_existing_vnet, tab_to, type_into
from wizard import profiles
from wizard.questions import SECTION_KEYS, SECTIONS



async def test_walk_every_screen_with_keys(make_app, out_dir: Path) -> None:
    run = FakeRun()
    app = make_app(run=run)
    async with app.run_test(size=SIZE) as pilot:
        # Welcome: no saved profile, so the name field has focus.
        await settle(pilot, app, WelcomeScreen)
        assert app.focused is app.screen.query_one("#new-name")
        await pilot.press("ctrl+u", *"lab1", "enter")
        await settle(pilot, app, SectionScreen)
        assert app.session.profile == "lab1"

        # Subscription: the only usable subscription is chosen when the list arrives.
        assert app.screen.section.key == "subscription"
        assert field_value(app, "subscription.id") == SUB_ID
        assert field_value(app, "subscription.region") == "westeurope"
        await type_into(pilot, app, "#input-resource_group", "rg-lab1")
        await pilot.press("enter")                    # Enter in a text field = Next
        await settle(pilot, app, SectionScreen)

        # Share: the backend first (the VM's, so the VM's sections follow)
        assert app.screen.section.key == "share"
        await type_into(pilot, app, "#input-name", "Data")
        await pilot.press("enter")
        await settle(pilot, app, SectionScreen)

        # VM: filter the size table, pick a size with Enter.
        assert app.screen.section.key == "vm"
        await type_into(pilot, app, "#size-filter-name", "E8", tab=True)   # keyboard only
        table = app.screen.query_one("#size-table")
        assert table.row_count == 1
        await pilot.press("enter")                    # filter -> table
        assert app.focused is table
        await pilot.press("enter")                    # pick the highlighted size
        assert field_value(app, "vm.name") == "myfileserver"
        assert field_value(app, "vm.size") == "Standard_E8s_v5"
        await type_into(pilot, app, "#input-admin_password", "Adm1n-Pass99")
        secret = app.screen.query_one("#input-admin_password")
        assert secret.password and "Adm1n-Pass99" not in screen_text(app)
        await pilot.click("#show-admin_password")             # the "show" toggle
        assert not secret.password and "Adm1n-Pass99" in screen_text(app)
        await pilot.pause(0.3)                                # (a button ignores a double click)
        await pilot.click("#show-admin_password")
        assert secret.password
        await pilot.press("ctrl+n")
        await settle(pilot, app, SectionScreen)

        # Disk: a smaller disk.
        assert app.screen.section.key == "disk"
        await type_into(pilot, app, "#input-size_gb", "512")
        await pilot.press("enter")
        await settle(pilot, app, SectionScreen)

        # Account: keep the user, let hpcshare generate the password.
        assert app.screen.section.key == "account"
        await pilot.press("enter")                    # Next has focus: all answered
        await settle(pilot, app, SectionScreen)

        # Endpoints: pick the cluster's existing VNet; its range, subnet and a free IP follow.
        assert app.screen.section.key == "endpoints"
        filled = await pick_existing_vnet(pilot, app)
        assert (filled["vnet"], filled["vnet_cidr"], filled["subnet"]) == ("vnet-cluster", "10.1.0.0/16", "compute")
        assert filled["private_ip"] == "10.1.0.5"                      # the head node holds .4
        await pilot.press("ctrl+n")
        await settle(pilot, app, SectionScreen)

        # The sections after the network: Enter takes the defaults, except the cluster's node group
        # (the job and clusrun-hosts.cmd target it; rendered from the question table).
        # (Azure Files asks nothing for the VM backend: that screen is passed over.)
        for section in SECTIONS[SECTION_KEYS.index("endpoints") + 1:]:
            if section.key == "files":
                continue
            assert app.screen.section.key == section.key
            if section.key == "cluster":
                await type_into(pilot, app, "#input-node_group", "ComputeNodes")
            await pilot.press("enter")
            await settle(pilot, app)
        await settle(pilot, app, ReviewScreen)

        # Review: every answer, with the password hidden.
        text = screen_text(app)
        assert "rg-lab1" in text and "Standard_E8s_v5" in text
        assert "Adm1n-Pass99" not in text
        table = app.screen.query_one("#answers")
        rows = [" ".join(str(c) for c in table.get_row_at(i)) for i in range(table.row_count)]
        assert any("Admin password" in r and "(typed; hidden)" in r for r in rows), rows
        assert not any("Adm1n-Pass99" in r for r in rows)
        assert app.focused is app.screen.query_one("#run")
        await pilot.press("enter")
        # Against Azure: a confirmation naming where and what, with Create focused.
        await settle(pilot, app, ConfirmDialog)
        text = screen_text(app)
        assert "Create in Azure?" in text and "rg-lab1" in text and SUB_ID in text, text
        assert "Virtual machine" in text and "Data disk" in text
        assert app.focused is app.screen.query_one("#yes")
        await pilot.press("enter")
        await settle(pilot, app, RunScreen)
        assert await wait_run(pilot, app) == "succeeded"
        assert app.focused is app.screen.query_one("#finish")
        await pilot.press("enter")
        await settle(pilot, app, FinishScreen)
        text = screen_text(app)
        assert "nodeprep.cmd" in text and "job-template.xml" in text
        # Only the generated password is shown (the share user's), never the typed admin one.
        assert "Share user password (hpcshareuser): shown once, saved nowhere" in text
        assert app.session.secrets().share_password in text
        assert "Adm1n-Pass99" not in text and "VM admin" not in text
        await pilot.press("q")                         # the password is not copied: asked first
        await settle(pilot, app, ConfirmDialog)
        await pilot.click("#yes")
        await pilot.pause()
    assert app.return_value == 0

    assert sorted(p.name for p in out_dir.iterdir()) == sorted(ARTIFACTS)
    saved_text = profiles.profile_path("lab1").read_text()
    saved = profiles.load(profiles.profile_path("lab1")).values
    assert saved["subscription.resource_group"] == "rg-lab1"
    assert saved["cluster.node_group"] == "ComputeNodes"
    assert saved["vm.size"] == "Standard_E8s_v5"
    assert saved["disk.size_gb"] == 512
    assert saved["share.name"] == "Data"
    assert saved["endpoints.vnet"] == "vnet-cluster"
    assert "Adm1n-Pass99" not in saved_text
    assert len(run.runners) == 1

    # The second run (pre-filled, Enter alone to Review) is in test_screens_80x24.py.


async def test_back_keeps_what_was_typed(make_app) -> None:
    save_profile("default")
    app = make_app(start="vm")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app, SectionScreen)
        await pilot.press("enter")                       # VM -> Disk
        await settle(pilot, app, SectionScreen)
        await type_into(pilot, app, "#input-label", "scratch")
        await pilot.press("escape")                      # Back to the VM screen
        await settle(pilot, app, SectionScreen)
        assert app.screen.section.key == "vm"
        await pilot.press("ctrl+n")
        await settle(pilot, app, SectionScreen)
        assert field_value(app, "disk.label") == "scratch"   # the draft survived Back
    assert profiles.load(profiles.profile_path("default")).values["disk.label"] == "jobs"  # not submitted


async def test_review_reopens_a_section_and_comes_back(make_app) -> None:
    save_profile("default")
    app = make_app(start="review")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app, ReviewScreen)
        assert app.focused is app.screen.query_one("#run")
        # The arrow keys reach the answers; Enter on one reopens its screen; saving returns to Review.
        table = app.screen.query_one("#answers")
        await pilot.press("down")
        assert app.focused is table
        while table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value != "share.name":
            await pilot.press("down")
        await pilot.press("enter")
        await settle(pilot, app, SectionScreen)
        assert app.screen.section.key == "share"
        assert "Save, back to Review" in screen_text(app)
        await type_into(pilot, app, "#input-name", "Scratch")
        await pilot.press("enter")
        await settle(pilot, app, ReviewScreen)
        assert "Scratch" in screen_text(app)          # its rows are in view
        assert app.focused is app.screen.query_one("#run"), "returning from a section: Run has focus"
        # `e` edits the section under the answers' cursor too, and Cancel also comes back to Run.
        await pilot.press("e")
        await settle(pilot, app, SectionScreen)
        await pilot.press("escape")
        await settle(pilot, app, ReviewScreen)
        assert app.focused is app.screen.query_one("#run")
        # Back from Review goes to the last section; Next returns.
        await pilot.press("escape")
        await settle(pilot, app, SectionScreen)
        assert app.screen.section.key == SECTIONS[-1].key
        await pilot.press("enter")
        await settle(pilot, app, ReviewScreen)
    assert profiles.load(profiles.profile_path("default")).values["share.name"] == "Scratch"


async def test_enter_alone_reaches_finish_against_azure(make_app, out_dir: Path) -> None:
    """A fresh home, Azure mode (fake catalog and steps): Enter alone, through the "Create in
    Azure?" confirmation (Create has the focus), reaches Finish."""
    from screens.dialogs import ConfirmDialog

    app = make_app(run=FakeRun())
    seen: list[str] = []
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        while not isinstance(app.screen, FinishScreen):
            assert len(seen) < 40, seen
            if app.run_active:
                await wait_run(pilot, app)
            seen.append(type(app.screen).__name__)
            await pilot.press("enter")
            await settle(pilot, app)
    assert seen.count("ConfirmDialog") == 1 and seen.count("ReviewScreen") == 1, seen
    defaults = {q.key: q.default for s in SECTIONS for q in s.questions}
    asked = [s for s in SECTIONS if any(q.applies(defaults) for q in s.questions)]   # not Azure Files'
    assert seen == ["WelcomeScreen", *["SectionScreen"] * len(asked), "ReviewScreen", "ConfirmDialog",
                    "RunScreen"], seen


async def test_new_session_choosing_azure_files_never_sees_the_vm_screens(make_app, out_dir: Path) -> None:
    """Issue 18: the backend is asked first, right after the subscription, so a new session that
    picks Azure Files goes Subscription -> Share -> Network -> Azure Files -> Cluster -> Review
    without a VM, data disk, share user or remote screen."""
    app = make_app(run=FakeRun())
    visited: list[str] = []
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app, WelcomeScreen)
        await pilot.press("ctrl+u", *"af1", "enter")
        await settle(pilot, app, SectionScreen)
        while isinstance(app.screen, SectionScreen):
            assert len(visited) < len(SECTIONS), visited
            key = app.screen.section.key
            visited.append(key)
            if key == "share":
                assert field_value(app, "share.backend") == "vm"           # the default
                await tab_to(pilot, app, "#select-backend")
                await pilot.press("enter", "down", "enter")
                await settle(pilot, app)
                assert field_value(app, "share.backend") == "azure-files"
                await type_into(pilot, app, "#input-name", "jobs")
                # The step bar already leaves out the VM's pages.
                bar = screen_text(app).splitlines()
                assert any("Files" in row and "Share" in row and "Disk" not in row for row in bar), bar
            elif key == "files":
                await type_into(pilot, app, "#input-account", "hpcfilesaf1")
            await pilot.press("ctrl+n")
            await settle(pilot, app)
        await settle(pilot, app, ReviewScreen)
    assert visited == ["subscription", "share", "endpoints", "files", "cluster"], visited
    saved = profiles.load(profiles.profile_path("af1")).values
    assert saved["share.backend"] == "azure-files" and saved["files.account"] == "hpcfilesaf1"
