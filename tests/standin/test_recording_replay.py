"""Replay the request bodies of a real recorded exchange (azure-sdk-assets, 2023-12-28) through today's
SDK against the stand-in, and compare what comes back with what real Azure answered."""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from wizard.standin import StandIn

from .conftest import FakeSimulator
from .helpers import Clients

RECORDING = Path(__file__).parent / "data" / "recording_excerpt_vnet_vm_runcommand_delete_2023-09-01.json"
RECORDED_SUB = "00000000-0000-0000-0000-000000000000"


def _entries() -> list[dict[str, Any]]:
    return json.loads(RECORDING.read_text(encoding="utf-8"))["Entries"]


def _entry(method: str, path_end: str) -> dict[str, Any]:
    return next(e for e in _entries()
                if e["RequestMethod"] == method and e["RequestUri"].split("?")[0].endswith(path_end))


def _rewrite(value: Any, sub: str) -> Any:
    """Point the recording's ids at the stand-in's subscription (same resource group name)."""
    return json.loads(json.dumps(value).replace(RECORDED_SUB, sub))


def _keys(d: dict[str, Any]) -> set[str]:
    return set(d)


def test_replay_vnet_vm_and_run_command(standin: StandIn, clients: Clients, simulator: FakeSimulator) -> None:
    simulator.answer = lambda call: ("This is a sample script with parameters  ", "", 0)
    sub = standin.subscription_id
    vnet_put = _entry("PUT", "/virtualNetworks/networknamexeb772750")
    vm_put = _entry("PUT", "/virtualMachines/virtualmachinexeb772750")
    rc_post = _entry("POST", "/runCommand")
    vm_final = next(e for e in _entries() if e["RequestMethod"] == "GET"
                    and e["RequestUri"].split("?")[0].endswith("/virtualmachinexeb772750"))

    clients.rmc.resource_groups.create_or_update("rgname", {"location": "eastus"})
    vnet = clients.nmc.virtual_networks.begin_create_or_update(
        "rgname", "networknamexeb772750", vnet_put["RequestBody"]).result()
    recorded_vnet = vnet_put["ResponseBody"]
    assert _keys(recorded_vnet) <= _keys(vnet.as_dict())
    assert _keys(recorded_vnet["properties"]) <= _keys(vnet.as_dict()["properties"])
    assert vnet.as_dict()["properties"]["provisioningState"] == "Succeeded"

    # The recorded test created a subnet and the NIC between these entries; do the same.
    subnet = clients.nmc.subnets.begin_create_or_update("rgname", "networknamexeb772750", "subnetxeb772750",
                                                        {"properties": {"addressPrefix": "10.0.0.0/24"}}).result()
    clients.nmc.network_interfaces.begin_create_or_update("rgname", "interfacexeb772750", {
        "location": "eastus", "properties": {"ipConfigurations": [{"name": "MyIpConfig", "properties": {"subnet": {"id": subnet.id}}}]}}).result()

    vm = clients.cmc.virtual_machines.begin_create_or_update(
        "rgname", "virtualmachinexeb772750", _rewrite(vm_put["RequestBody"], sub)).result()
    got, want = vm.as_dict(), vm_final["ResponseBody"]
    assert _keys(want) - {"tags"} <= _keys(got)
    assert _keys(want["properties"]) <= _keys(got["properties"])
    assert got["properties"]["provisioningState"] == "Succeeded"
    for key in ("osDisk", "dataDisks", "imageReference"):
        assert key in got["properties"]["storageProfile"]
    recorded_disks = want["properties"]["storageProfile"]["dataDisks"]
    disks = got["properties"]["storageProfile"]["dataDisks"]
    assert [(d["lun"], d["diskSizeGB"], d["createOption"]) for d in disks] == \
           [(d["lun"], d["diskSizeGB"], d["createOption"]) for d in recorded_disks]
    for mine, theirs in zip(disks, recorded_disks):       # generated names follow Azure's pattern
        pattern = re.sub(r"[0-9a-f]{32}$", "[0-9a-f]{32}", theirs["name"])
        assert re.fullmatch(pattern, mine["name"]), (mine["name"], theirs["name"])
    assert "adminPassword" not in got["properties"]["osProfile"]
    assert got["properties"]["osProfile"]["windowsConfiguration"]["provisionVMAgent"] is True

    result = clients.cmc.virtual_machines.begin_run_command(
        "rgname", "virtualmachinexeb772750", rc_post["RequestBody"]).result()
    final_get = next(e for e in _entries() if "monitor=true" in e["RequestUri"] and e["RequestMethod"] == "GET")
    recorded = final_get["ResponseBody"]["value"]          # what the Location URL answered
    assert [(v.code, v.level, v.display_status, v.message) for v in result.value] == \
           [(v["code"], v["level"], v["displayStatus"], v["message"]) for v in recorded]
    assert simulator.calls[0]["script"] == ""               # the recording ran the command with no script

    # Same protocol shape as recorded: initial answer, status polls (200), final GET.
    def shape(path_end: str) -> list[tuple[str, int]]:
        i = next(n for n, (m, p, _) in enumerate(standin.requests) if p.endswith(path_end) and m in ("PUT", "POST"))
        out = [(standin.requests[i][0], standin.requests[i][2])]
        for m, p, s in standin.requests[i + 1:]:
            if "/operations/" not in p and not p.endswith(path_end):
                break
            out.append((m, s))
        return out

    assert shape("/virtualMachines/virtualmachinexeb772750") == [("PUT", 201), ("GET", 200), ("GET", 200)]
    assert shape("/runCommand") == [("POST", 202), ("GET", 200), ("GET", 200)]
    clients.cmc.virtual_machines.begin_delete("rgname", "virtualmachinexeb772750").result()
    assert not any(r["name"] == "virtualmachinexeb772750" for r in standin.resources())
