"""Live lists: they load in workers without blocking typing, a failure shows inline with Retry,
and the VM-size table filters as you type and hides sizes restricted for the subscription."""
from __future__ import annotations

import threading

from textual.widgets import Button, DataTable, Select, Static

from screens.section import SectionScreen
from tests.ui.conftest import SIZE, field_message, screen_text, settle
from tests.ui.fakes import SUB_ID, FakeCatalog, save_profile
from tests.ui.keys import field_value, type_into


async def test_failed_list_shows_inline_and_retry_loads_it(make_app) -> None:
    catalog = FakeCatalog(fail_first={"subscriptions"})
    app = make_app(catalog=catalog, start="subscription")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app, SectionScreen)
        field = app.screen.query_one("#field-subscription-id")
        note = field.query_one(".live-note", Static)
        retry = field.query_one(".live-retry", Button)
        assert "Could not load subscriptions: ConnectionError: could not reach Azure" in str(note.render())
        assert retry.display
        # The rest of the screen still works while the list is missing.
        await type_into(pilot, app, "#input-resource_group", "rg-retry")
        assert field_value(app, "subscription.resource_group") == "rg-retry"
        await pilot.click(retry)
        await settle(pilot, app)
        assert not retry.display
        assert field_value(app, "subscription.id") == SUB_ID       # the only usable one
        assert field_value(app, "subscription.region") == "westeurope"
        assert "Could not load" not in screen_text(app)
    assert [c[0] for c in catalog.calls].count("subscriptions") == 2


async def test_lists_load_in_the_background_without_blocking_typing(make_app) -> None:
    gate = threading.Event()
    catalog = FakeCatalog(gate=gate)
    app = make_app(catalog=catalog, start="subscription")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause(0.1)
        select = app.screen.query_one("#select-id", Select)
        assert select.loading                                       # loading indicator shown
        assert "Loading subscriptions" in screen_text(app)
        await type_into(pilot, app, "#input-resource_group", "rg-x")  # typing is not blocked
        assert field_value(app, "subscription.resource_group") == "rg-x"
        gate.set()
        await settle(pilot, app)
        assert not select.loading
        assert field_value(app, "subscription.id") == SUB_ID


async def test_saved_region_not_offered_is_flagged(make_app) -> None:
    save_profile("default", subscription__region="mars1")
    app = make_app(start="subscription")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app, SectionScreen)
        assert "Region: this region is not offered" in field_message(app, "subscription.region")
        await pilot.press("ctrl+n")
        await settle(pilot, app)
        assert app.screen.section.key == "subscription"


def _rows(table: DataTable) -> list[list[str]]:
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


async def test_vm_size_table_filters_as_you_type(make_app) -> None:
    save_profile("default")
    app = make_app(start="vm")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app, SectionScreen)
        table = app.screen.query_one("#size-table", DataTable)
        names = [r[1] for r in _rows(table)]
        assert "Standard_M128s" not in names                     # restricted: hidden
        assert len(names) == 7
        assert "1 restricted for this subscription: hidden" in " ".join(screen_text(app).split())  # may wrap
        d8 = next(r for r in _rows(table) if r[1] == "Standard_D8s_v5")
        assert d8 == ["●", "Standard_D8s_v5", "8", "32", "16", "yes"]   # chosen, vCPUs, GiB, disks, premium
        d2 = next(r for r in _rows(table) if r[1] == "Standard_D2_v5")
        assert d2[-1] == "no"

        await type_into(pilot, app, "#size-filter-name", "s_v5")
        assert [r[1] for r in _rows(table)] == ["Standard_D2s_v5", "Standard_D4s_v5", "Standard_D8s_v5",
                                                "Standard_E8s_v5"]
        await type_into(pilot, app, "#size-filter-mem", "64")
        assert [r[1] for r in _rows(table)] == ["Standard_E8s_v5"]
        await type_into(pilot, app, "#size-filter-mem", "")
        await type_into(pilot, app, "#size-filter-cpu", "8")
        assert [r[1] for r in _rows(table)] == ["Standard_D8s_v5", "Standard_E8s_v5"]
        await pilot.press("enter")                                # filter -> table (cursor on the chosen one)
        await pilot.press("down", "enter")
        assert field_value(app, "vm.size") == "Standard_E8s_v5"
        assert "Chosen: Standard_E8s_v5 · 8 vCPUs, 64 GiB" in screen_text(app)
