"""The realistic profile sends Retry-After as Azure does; the instant one sends none.

Source of the values: the real recorded exchange in tests/standin/data (a copy of
reference/azure-rest/recording_excerpt_vnet_vm_runcommand_delete_2023-09-01.json), checked entry by
entry here, and the review reference/reviews/2026-12-02-stand-in-vs-azure.md (row 6) for the rest.
"""
from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests

from wizard.standin import StandIn
from wizard.standin.latency import Latency
from wizard.standin.routing import parse_route

from .helpers import REGION, make_clients, vnet_body

RECORDING = Path(__file__).parent / "data" / "recording_excerpt_vnet_vm_runcommand_delete_2023-09-01.json"


def _retry_after(headers: dict[str, str]) -> str | None:
    return next((v for k, v in headers.items() if k.lower() == "retry-after"), None)


def recorded_retry_afters() -> list[tuple[str, str, bool, str | None]]:
    """(kind, verb, first answer?, Retry-After) for every LRO start and every InProgress poll."""
    entries: list[dict[str, Any]] = json.loads(RECORDING.read_text())["Entries"]
    seen: list[tuple[str, str, bool, str | None]] = []
    current: tuple[str, str] | None = None
    for e in entries:
        route = parse_route(urlsplit(e["RequestUri"]).path)
        headers = e["ResponseHeaders"]
        if e["RequestMethod"] in ("PUT", "POST", "DELETE") and route.kind:
            current = (route.kind, e["RequestMethod"].lower())
            seen.append((*current, True, _retry_after(headers)))
        elif route.target == "operation" and current is not None:
            body = e["ResponseBody"] if isinstance(e["ResponseBody"], dict) else {}
            if body.get("status") == "InProgress":
                seen.append((*current, False, _retry_after(headers)))
    return seen


def test_the_recorded_retry_after_values_are_the_realistic_profile_at_scale_1() -> None:
    recorded = recorded_retry_afters()
    # The excerpt has a VNet PUT, a VM PUT, a Run Command POST and a VM DELETE with their polls.
    assert {(k, v) for k, v, _, _ in recorded} == {("vnet", "put"), ("vm", "put"), ("runcommand-action", "post"),
                                                  ("vm", "delete")}
    assert [ra for *_, ra in recorded if ra] == ["3", "10", "10", "50", "10", "30"]
    latency = Latency("realistic", 1.0)
    for kind, verb, first, ra in recorded:
        expected = {"Retry-After": ra} if ra else {}
        assert latency.retry_after(kind, verb, first=first) == expected, (kind, verb, first)


def test_retry_after_scales_with_the_profile_and_is_never_sent_by_instant() -> None:
    assert Latency("instant").retry_after("vm", "put", first=False) == {}
    assert Latency("realistic", 0.1).retry_after("vm", "put", first=False) == {"Retry-After": "5"}
    # Not whole seconds: the SDK parses Retry-After as an integer, so milliseconds go in retry-after-ms.
    assert Latency("realistic", 0.01).retry_after("vm", "put", first=False) == {"retry-after-ms": "500"}
    assert Latency("realistic", 0).retry_after("vm", "put", first=True) == {}
    assert Latency("realistic", 1).retry_after("runcommand", "put", first=True) == {}   # not recorded: none


def test_realistic_standin_sends_retry_after_on_start_and_polls_until_done() -> None:
    with StandIn(latency="realistic", scale=0.1) as s:    # VNet create: 0.5 s; Retry-After 0.3 s, then 1 s
        c = make_clients(s, retry_total=0)
        c.rmc.resource_groups.create_or_update("rg", {"location": REGION})
        auth = {"Authorization": f"Bearer {s.token}"}
        url = (f"{s.base_url}/subscriptions/{s.subscription_id}/resourceGroups/rg/providers/"
               "Microsoft.Network/virtualNetworks/vnet?api-version=2024-05-01")
        put = requests.put(url, json=vnet_body(), headers=auth, verify=str(s.ca_path), timeout=5)
        assert put.status_code == 201 and put.headers["retry-after-ms"] == "300"
        poll = requests.get(put.headers["Azure-AsyncOperation"], headers=auth, verify=str(s.ca_path), timeout=5)
        assert poll.json()["status"] == "InProgress" and poll.headers["Retry-After"] == "1"
        time.sleep(Latency("realistic", 0.1).duration("vnet", "put") + 0.05)
        done = requests.get(put.headers["Azure-AsyncOperation"], headers=auth, verify=str(s.ca_path), timeout=5)
        # Azure stops sending it once the operation has ended (recording entry 2).
        assert done.json()["status"] == "Succeeded"
        assert "Retry-After" not in done.headers and "retry-after-ms" not in done.headers
