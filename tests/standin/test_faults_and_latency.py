"""Fault injection (grammar and each kind through the SDK) and latency profiles."""
from __future__ import annotations

import math
import time

import pytest
from azure.core.exceptions import HttpResponseError, ServiceRequestError, ServiceResponseError

from wizard.standin import StandIn
from wizard.standin.faults import FaultPlan, parse_faults
from wizard.standin.latency import Latency

from .helpers import REGION, Clients, create_network, make_clients, nsg_body, vm_body, nic_body


# -- grammar ---------------------------------------------------------------------------------------
def test_fault_spec_grammar() -> None:
    faults = parse_faults(" vm.put=429*2 , *.get=500, runcommand.*=substep:share*inf, nic.put=lro-fail, subnet.delete=drop ")
    assert [(f.kind, f.verb, f.fault, f.substep, f.remaining) for f in faults] == [
        ("vm", "put", "429", "", 2),
        ("*", "get", "500", "", 1),
        ("runcommand", "*", "substep", "share", math.inf),
        ("nic", "put", "lro-fail", "", 1),
        ("subnet", "delete", "drop", "", 1),
    ]
    assert parse_faults("") == [] and parse_faults(None) == []


@pytest.mark.parametrize("spec, words", [
    ("vm.put", "KIND.VERB=FAULT"),
    ("vmm.put=429", "unknown kind 'vmm'"),
    ("vm.patch=429", "unknown verb 'patch'"),
    ("vm.put=503", "unknown fault '503'"),
    ("vm.put=429*0", "count '0'"),
    ("vm.put=429*x", "count 'x'"),
    ("vm.put=substep:share", "only to runcommand"),
    ("runcommand.put=substep:", "needs a sub-step name"),
    ("vm.get=lro-fail", "does not start a long-running operation"),
    ("resourcegroup.put=lro-fail", "does not start a long-running operation"),
])
def test_bad_fault_specs_name_the_entry(spec: str, words: str) -> None:
    with pytest.raises(ValueError) as err:
        parse_faults(f"vm.get=500,{spec}")
    assert repr(spec) in str(err.value) and words in str(err.value)
    with pytest.raises(ValueError):
        StandIn(faults=spec)


def test_fault_counts_are_used_up_in_order() -> None:
    plan = FaultPlan("vm.put=429*2,*.put=500")
    fired = [getattr(plan.take_immediate("vm", "put"), "fault", None) for _ in range(4)]
    assert fired == ["429", "429", "500", None]
    assert plan.take_immediate("vm", "get") is None


# -- each fault kind through the SDK ----------------------------------------------------------------
def test_429_is_retried_by_the_default_sdk_policy(standin: StandIn) -> None:
    c = make_clients(standin)   # default retry policy
    standin.set_faults("resourcegroup.put=429")
    started = time.monotonic()
    rg = c.rmc.resource_groups.create_or_update("rg-fs", {"location": REGION})
    assert rg.name == "rg-fs"
    assert time.monotonic() - started >= 0.9     # it honoured Retry-After: 1
    assert [s for m, p, s in standin.requests if m == "PUT"] == [429, 201]


def test_429_raw_carries_retry_after(standin: StandIn, clients: Clients) -> None:
    standin.set_faults("subscriptions.get=429")
    with pytest.raises(HttpResponseError) as err:
        list(clients.subs.subscriptions.list())
    assert err.value.status_code == 429 and err.value.error.code == "TooManyRequests"
    assert err.value.response.headers["Retry-After"] == "1"


def test_500(standin: StandIn, clients: Clients) -> None:
    standin.set_faults("skus.get=500*2")
    for _ in range(2):
        with pytest.raises(HttpResponseError) as err:
            list(clients.cmc.resource_skus.list(filter="location eq 'westeurope'"))
        assert err.value.status_code == 500 and err.value.error.code == "InternalServerError"
    assert list(clients.cmc.resource_skus.list(filter="location eq 'westeurope'"))


def test_lro_fail_raises_with_the_code_and_leaves_a_failed_resource(standin: StandIn, clients: Clients) -> None:
    vnet = create_network(clients)
    nic = clients.nmc.network_interfaces.begin_create_or_update("rg-fs", "nic", nic_body(vnet.subnets[0].id)).result()
    standin.set_faults("vm.put=lro-fail")
    with pytest.raises(HttpResponseError) as err:
        clients.cmc.virtual_machines.begin_create_or_update("rg-fs", "fs01", vm_body(nic.id)).result()
    assert err.value.error.code == "AllocationFailed"
    vm = clients.cmc.virtual_machines.get("rg-fs", "fs01", expand="instanceView")
    assert vm.provisioning_state == "Failed"
    assert vm.instance_view.statuses[0].code == "ProvisioningState/failed/AllocationFailed"
    # The fault fired once: a retry converges.
    assert clients.cmc.virtual_machines.begin_create_or_update("rg-fs", "fs01", vm_body(nic.id)).result().provisioning_state == "Succeeded"


def test_lro_fail_on_resource_group_delete(standin: StandIn, clients: Clients) -> None:
    clients.rmc.resource_groups.create_or_update("rg-fs", {"location": REGION})
    standin.set_faults("resourcegroup.delete=lro-fail")
    with pytest.raises(HttpResponseError) as err:
        clients.rmc.resource_groups.begin_delete("rg-fs").result()
    assert err.value.status_code == 409 and err.value.error.code == "ResourceGroupDeletionBlocked"
    assert clients.rmc.resource_groups.check_existence("rg-fs") is True


def test_drop_closes_the_connection(standin: StandIn, clients: Clients) -> None:
    clients.rmc.resource_groups.create_or_update("rg-fs", {"location": REGION})
    standin.set_faults("nsg.put=drop")
    with pytest.raises((ServiceRequestError, ServiceResponseError)):
        clients.nmc.network_security_groups.begin_create_or_update("rg-fs", "nsg", nsg_body()).result()
    assert ("PUT", "/subscriptions/%s/resourceGroups/rg-fs/providers/Microsoft.Network/networkSecurityGroups/nsg" % standin.subscription_id, 0) in standin.requests
    # Only once: the next attempt goes through on a fresh connection.
    assert clients.nmc.network_security_groups.begin_create_or_update("rg-fs", "nsg", nsg_body()).result().name == "nsg"


def test_faults_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HPCSHARE_STANDIN_FAULTS", "locations.get=500*inf")
    monkeypatch.setenv("HPCSHARE_STANDIN_LATENCY", "realistic")
    monkeypatch.setenv("HPCSHARE_STANDIN_SCALE", "0.5")
    s = StandIn.from_env()
    assert s._faults.entries[0].remaining == math.inf
    assert s._latency.duration("vm", "put") == pytest.approx(26)
    assert StandIn.from_env(latency="instant")._latency.duration("vm", "put") == 0
    monkeypatch.setenv("HPCSHARE_STANDIN_SCALE", "fast")
    with pytest.raises(ValueError, match="HPCSHARE_STANDIN_SCALE"):
        StandIn.from_env()


# -- latency ---------------------------------------------------------------------------------------
def test_latency_profiles() -> None:
    assert Latency("instant").duration("vm", "put") == 0
    realistic = Latency("realistic", 0.01)
    assert realistic.duration("vm", "put") == pytest.approx(0.52)
    assert realistic.duration("runcommand-action", "post") == pytest.approx(0.27)
    assert realistic.duration("resourcegroup", "delete") == pytest.approx(0.9)
    with pytest.raises(ValueError):
        Latency("glacial")
    with pytest.raises(ValueError):
        Latency("realistic", -1)


def test_realistic_latency_shows_in_progress_then_succeeded() -> None:
    with StandIn(latency="realistic", scale=0.01) as s:   # VM create: 0.52 s
        c = make_clients(s, retry_total=0)
        vnet = create_network(c)
        nic = c.nmc.network_interfaces.begin_create_or_update("rg-fs", "nic", nic_body(vnet.subnets[0].id)).result()
        started = time.monotonic()
        poller = c.cmc.virtual_machines.begin_create_or_update("rg-fs", "fs01", vm_body(nic.id))
        assert c.cmc.virtual_machines.get("rg-fs", "fs01").provisioning_state == "Creating"
        vm = poller.result()
        assert time.monotonic() - started >= 0.5
        assert vm.provisioning_state == "Succeeded"
        polls = [p for m, p, st in s.requests if "/Microsoft.Compute/locations/" in p]
        assert len(polls) >= 2          # at least one InProgress before Succeeded
        assert c.cmc.virtual_machines.get("rg-fs", "fs01").provisioning_state == "Succeeded"


def test_instant_latency_still_uses_the_lro_protocol(standin: StandIn, clients: Clients) -> None:
    import requests

    create_network(clients)
    url = f"{standin.base_url}/subscriptions/{standin.subscription_id}/resourceGroups/rg-fs/providers/Microsoft.Network/networkSecurityGroups/nsg?api-version=2024-05-01"
    resp = requests.put(url, json=nsg_body(), headers={"Authorization": f"Bearer {standin.token}"}, verify=str(standin.ca_path), timeout=5)
    assert resp.status_code == 201
    assert resp.json()["properties"]["provisioningState"] == "Updating"
    assert "Retry-After" not in resp.headers
    poll = resp.headers["Azure-AsyncOperation"]
    assert poll.startswith(standin.base_url + "/subscriptions/")
    status = requests.get(poll, headers={"Authorization": f"Bearer {standin.token}"}, verify=str(standin.ca_path), timeout=5)
    assert status.status_code == 200 and status.json()["status"] == "Succeeded"
    assert "Retry-After" not in status.headers and "startTime" in status.json() and "endTime" in status.json()
