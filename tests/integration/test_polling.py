"""hpcshare notices a finished operation without waiting for Retry-After, through the real SDK
against the stand-in's realistic profile (which sends Azure's Retry-After values, scaled).

No wall-clock thresholds: the proof is the number of status polls in the stand-in's request log.
A client that waits Retry-After between polls (azure-core's default) polls an operation of
duration D with poll Retry-After R at most ``2 + floor(D / R)`` times (one at once, one per R while
it runs, the one that sees it done); hpcshare's polls must exceed that.
"""
from __future__ import annotations

import math
from pathlib import Path

import pytest

from tests.integration.conftest import run_session
from wizard import polling
from wizard.environment import Environment, standin_client_kwargs
from wizard.standin import StandIn
from wizard.standin.latency import Latency

SCALE = 0.02   # VM create 1.04 s, its polls say Retry-After 1 s; VM delete 1.2 s, polls say 0.6 s
REGION = "westeurope"


def most_polls_when_honouring_retry_after(kind: str, verb: str, scale: float) -> int:
    latency = Latency("realistic", scale)
    header = latency.retry_after(kind, verb, first=False)
    seconds = float(header["Retry-After"]) if "Retry-After" in header else int(header["retry-after-ms"]) / 1000
    return 2 + math.floor(latency.duration(kind, verb) / seconds)


def polls_of(lines: list[tuple[str, str]], method: str, path_end: str) -> int:
    """Status polls of the operation that the first ``method`` on a path ending with ``path_end`` started."""
    start = next(i for i, (m, p) in enumerate(lines) if m == method and p.lower().endswith(path_end.lower()))
    op_path = next(p for m, p in lines[start + 1:] if m == "GET" and "operations/" in p.lower())
    return sum(1 for m, p in lines[start + 1:] if m == "GET" and p == op_path)


def _vm_prerequisites(env: Environment, sub: str) -> tuple[str, str]:
    env.resources(sub).resource_groups.create_or_update("rg-poll", {"location": REGION})
    vnet = env.network(sub).virtual_networks.begin_create_or_update("rg-poll", "vnet", {
        "location": REGION, "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
                                           "subnets": [{"name": "default", "properties": {"addressPrefix": "10.0.0.0/24"}}]}}).result()
    nic = env.network(sub).network_interfaces.begin_create_or_update("rg-poll", "nic", {
        "location": REGION, "properties": {"ipConfigurations": [
            {"name": "ipconfig1", "properties": {"subnet": {"id": vnet.subnets[0].id}}}]}}).result()
    return nic.id, vnet.id


def _vm(nic_id: str, name: str) -> dict:
    return {"location": REGION, "properties": {
        "hardwareProfile": {"vmSize": "Standard_D2s_v5"},
        "storageProfile": {"imageReference": {"publisher": "MicrosoftWindowsServer", "offer": "WindowsServer",
                                              "sku": "2022-datacenter-azure-edition", "version": "latest"},
                           "osDisk": {"createOption": "FromImage", "managedDisk": {"storageAccountType": "StandardSSD_LRS"}}},
        "osProfile": {"computerName": name, "adminUsername": "hpcadmin", "adminPassword": "Zq7!hpcshare-Adm1n"},
        "networkProfile": {"networkInterfaces": [{"id": nic_id, "properties": {"primary": True}}]}}}


def test_a_vm_create_is_polled_faster_than_retry_after_and_the_sdk_default_is_not(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(polling.ENV_POLLING, raising=False)
    bound = most_polls_when_honouring_retry_after("vm", "put", SCALE)
    with StandIn(latency="realistic", scale=SCALE) as s:
        env = Environment(demo=True, auth="standin", client_kwargs=standin_client_kwargs(s, "realistic"))
        try:
            sub = s.subscription_id
            nic_id, vnet_id = _vm_prerequisites(env, sub)
            vms = env.compute(sub).virtual_machines
            assert vms.begin_create_or_update("rg-poll", "fs01", _vm(nic_id, "fs01")).result().provisioning_state == "Succeeded"
            # The same client, told to use the SDK's own polling: it waits the Retry-After it is sent.
            nic2 = env.network(sub).network_interfaces.begin_create_or_update("rg-poll", "nic2", {
                "location": REGION, "properties": {"ipConfigurations": [{"name": "ipconfig1", "properties": {
                    "subnet": {"id": f"{vnet_id}/subnets/default"}}}]}}).result()
            assert vms.begin_create_or_update("rg-poll", "fs02", _vm(nic2.id, "fs02"),
                                              polling=True).result().provisioning_state == "Succeeded"
        finally:
            env.close()
        lines = [(m, p) for m, p, _status in s.requests]
    ours = polls_of(lines, "PUT", "/virtualMachines/fs01")
    sdk_default = polls_of(lines, "PUT", "/virtualMachines/fs02")
    assert ours > bound, (ours, bound)
    assert sdk_default <= bound, (sdk_default, bound)


def test_every_lro_of_a_full_run_and_its_teardown_uses_the_prompt_polling(
        home: Path, answers_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    from wizard.cli import main

    monkeypatch.delenv(polling.ENV_POLLING, raising=False)
    monkeypatch.setenv("HPCSHARE_STANDIN_LATENCY", "realistic")
    monkeypatch.setenv("HPCSHARE_STANDIN_SCALE", str(SCALE))
    log = tmp_path / "standin.log"
    monkeypatch.setenv("HPCSHARE_STANDIN_LOG", str(log))
    code, text, _ = run_session(answers_file, tmp_path / "out")
    assert code == 0, text
    assert main(["teardown", "--demo", "--answers", str(answers_file), "--yes"]) == 0, capsys.readouterr()
    lines = [tuple(line.split(" ")[:2]) for line in log.read_text().splitlines()]
    # The two operations long enough to tell (steps.vm and teardown's VM delete).
    assert polls_of(lines, "PUT", "/virtualMachines/fs01") > most_polls_when_honouring_retry_after("vm", "put", SCALE)
    assert polls_of(lines, "DELETE", "/virtualMachines/fs01") > most_polls_when_honouring_retry_after("vm", "delete", SCALE)


@pytest.mark.parametrize("kind", ["subscriptions", "resources", "network", "compute", "privatedns"])
def test_every_begin_method_of_every_client_gets_the_prompt_polling(kind: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(polling.ENV_POLLING, raising=False)
    env = Environment(demo=True, auth="standin", client_kwargs={"base_url": "https://127.0.0.1:9", "polling_interval": 0})
    client = env._client(kind, "" if kind == "subscriptions" else "00000000-0000-0000-0000-000000000000")
    holders = [client, *(g for n, g in vars(client).items() if not n.startswith("_"))]
    begins = [getattr(h, n) for h in holders for n in dir(type(h)) if n.startswith("begin_")]
    assert all(getattr(b, "prompt_polling_interval", None) == 0 for b in begins)
    if kind != "subscriptions":
        assert begins                  # the clients hpcshare uses for LROs really have them
    env.close()


def test_sdk_polling_mode_leaves_the_clients_alone_and_a_bad_mode_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    env = Environment(demo=True, auth="standin", client_kwargs={"base_url": "https://127.0.0.1:9", "polling_interval": 0})
    monkeypatch.setenv(polling.ENV_POLLING, "sdk")
    compute = env._client("compute", "00000000-0000-0000-0000-000000000000")
    assert not hasattr(compute.virtual_machines.begin_create_or_update, "prompt_polling_interval")
    monkeypatch.setenv(polling.ENV_POLLING, "fast")
    with pytest.raises(ValueError, match=polling.ENV_POLLING):
        env._client("network", "00000000-0000-0000-0000-000000000000")
    env.close()


def test_real_azure_polls_every_two_seconds() -> None:
    env = Environment(demo=False, auth="cli", client_kwargs={})
    assert env.poll_interval == polling.POLL_EVERY_S == 2.0


@pytest.mark.parametrize(("headers", "delay"), [
    ({"Retry-After": "50"}, 2.0),          # a VM create's polls: not waited for
    ({"Retry-After": "1"}, 1.0),           # shorter than the interval (a public IP PUT): honoured
    ({"retry-after-ms": "300"}, 0.3),
    ({"Retry-After": "0"}, 2.0),           # azure-core reads 0 as "none sent"
    ({}, 2.0),
])
def test_the_delay_between_polls_is_the_shorter_of_retry_after_and_the_interval(headers: dict, delay: float) -> None:
    from types import SimpleNamespace

    method = polling.polling_method(2.0)
    method._pipeline_response = SimpleNamespace(http_response=SimpleNamespace(headers=headers))
    assert method._extract_delay() == pytest.approx(delay)
