"""State file (a second stand-in sees what the first created) and the request log."""
from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from wizard.standin import StandIn

from .helpers import PASSWORD, REGION, create_vm, make_clients


def test_second_stand_in_sees_what_the_first_created(tmp_path: Path, simulator) -> None:
    state = tmp_path / "state" / "standin.json"

    def remember(call):
        call["server"]["visits"] = call["server"].get("visits", 0) + 1
        return "visit %d" % call["server"]["visits"], "", 0

    simulator.answer = remember
    with StandIn(state_file=state) as first:
        c = make_clients(first, retry_total=0)
        vm = create_vm(c)
        rc = c.cmc.virtual_machines.begin_run_command("rg-fs", "fs01", {"commandId": "RunPowerShellScript", "script": ["x"]}).result()
        assert rc.value[0].message == "visit 1"
    assert state.is_file()
    assert [p.name for p in state.parent.iterdir()] == ["standin.json"]   # no temp files left behind
    assert PASSWORD not in state.read_text()

    before = StandIn(state_file=state).resources()          # readable without starting
    assert any(r["id"] == vm.id for r in before)

    with StandIn(state_file=state) as second:
        c = make_clients(second, retry_total=0)
        again = c.cmc.virtual_machines.get("rg-fs", "fs01")
        assert again.id == vm.id and again.properties.vm_id == vm.properties.vm_id
        assert c.nmc.network_interfaces.get("rg-fs", "fs01-nic").ip_configurations[0].private_ip_address == "10.0.0.4"
        # The simulated Windows state survived the restart.
        rc = c.cmc.virtual_machines.begin_run_command("rg-fs", "fs01", {"commandId": "RunPowerShellScript", "script": ["x"]}).result()
        assert rc.value[0].message == "visit 2"
        c.rmc.resource_groups.begin_delete("rg-fs").result()
    assert StandIn(state_file=state).resources() == []


def test_operation_in_flight_survives_a_restart(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    with StandIn(state_file=state, latency="realistic", scale=0.2) as first:   # VNet: 1 s
        c = make_clients(first, retry_total=0)
        c.rmc.resource_groups.create_or_update("rg", {"location": REGION})
        c.nmc.virtual_networks.begin_create_or_update("rg", "vnet", {
            "location": REGION, "properties": {"addressSpace": {"addressPrefixes": ["10.1.0.0/16"]}}})
        due = time.monotonic() + 1.0
    with StandIn(state_file=state, latency="realistic", scale=0.2) as second:
        c = make_clients(second, retry_total=0)
        state_now = c.nmc.virtual_networks.get("rg", "vnet").provisioning_state
        assert time.monotonic() < due, "the restart took longer than the operation"
        assert str(getattr(state_now, "value", state_now)) == "Updating"
        time.sleep(max(0.0, due - time.monotonic()) + 0.05)
        done = c.nmc.virtual_networks.get("rg", "vnet").provisioning_state
        assert str(getattr(done, "value", done)) == "Succeeded"


def test_corrupt_state_file_is_reported(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    state.write_text("{not json", encoding="utf-8")
    with pytest.raises(ValueError, match="state file"):
        StandIn(state_file=state).start()


def test_request_log_file(tmp_path: Path) -> None:
    log = tmp_path / "logs" / "standin.log"
    with StandIn(log_file=log) as s:
        c = make_clients(s, retry_total=0)
        c.rmc.resource_groups.create_or_update("rg-log", {"location": REGION, "tags": {"secret-ish": "tag-value-123"}})
        assert c.rmc.resource_groups.check_existence("rg-nope") is False
    lines = log.read_text().splitlines()
    sub = s.subscription_id
    assert lines == [
        f"PUT /subscriptions/{sub}/resourcegroups/rg-log 201",
        f"HEAD /subscriptions/{sub}/resourcegroups/rg-nope 404",
    ]
    assert s.requests == [tuple(line.rsplit(" ", 1)[0].split(" ", 1)) + (int(line.rsplit(" ", 1)[1]),) for line in lines]
    assert "tag-value-123" not in log.read_text() and "api-version" not in log.read_text()


def test_log_file_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    log = tmp_path / "env.log"
    monkeypatch.setenv("HPCSHARE_STANDIN_LOG", str(log))
    with StandIn.from_env() as s:
        list(make_clients(s, retry_total=0).subs.subscriptions.list())
    assert log.read_text() == "GET /subscriptions 200\n"


def test_start_is_idempotent_and_stop_really_stops(tmp_path: Path) -> None:
    import requests

    s = StandIn()
    assert s.start() is s.start()
    url = s.base_url + "/subscriptions?api-version=2022-12-01"
    session = requests.Session()
    assert session.get(url, headers={"Authorization": f"Bearer {s.token}"}, verify=str(s.ca_path), timeout=5).status_code == 200
    s.stop()
    s.stop()
    with pytest.raises(requests.ConnectionError):
        session.get(url, headers={"Authorization": f"Bearer {s.token}"}, verify=False, timeout=5)
    assert json.dumps(s.requests) == json.dumps([["GET", "/subscriptions", 200]])
