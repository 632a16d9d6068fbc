"""The wire protocol seen without the SDK: front-door rules, case-insensitive routing, LRO headers,
and `hpcshare standin` (serve_forever) as a process."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

from wizard.standin import StandIn
from wizard.standin.credential import process_token

from .helpers import REGION

API = "api-version=2025-04-01"
AUTH = {"Authorization": f"Bearer {process_token()}"}     # what every stand-in of this process accepts


def _call(s: StandIn, method: str, path: str, body=None, *, headers=AUTH, query: str = API) -> requests.Response:
    url = f"{s.base_url}{path}" + (f"?{query}" if query else "")
    return requests.request(method, url, json=body, headers=headers, verify=str(s.ca_path), timeout=5)


def test_front_door_rules(standin: StandIn) -> None:
    resp = _call(standin, "GET", "/subscriptions", headers={})
    assert resp.status_code == 401 and resp.json()["error"]["code"] == "AuthenticationFailed"
    resp = _call(standin, "GET", "/subscriptions", query="")
    assert resp.status_code == 400 and resp.json()["error"]["code"] == "MissingApiVersionParameter"
    resp = _call(standin, "GET", "/subscriptions/11111111-2222-3333-4444-555555555555/resourcegroups")
    assert resp.status_code == 404 and resp.json()["error"]["code"] == "SubscriptionNotFound"
    resp = _call(standin, "GET", "/providers/Microsoft.Foo")
    assert resp.status_code == 404 and set(resp.json()["error"]) >= {"code", "message"}
    resp = _call(standin, "GET", f"/subscriptions/{standin.subscription_id}/resourceGroups/rg/providers/Microsoft.Web/sites/x")
    assert resp.status_code == 404 and resp.json()["error"]["code"] == "InvalidResourceType"
    resp = requests.put(f"{standin.base_url}/subscriptions/{standin.subscription_id}/resourcegroups/rg?{API}",
                        data=b"{not json", headers={**AUTH, "Content-Type": "application/json"},
                        verify=str(standin.ca_path), timeout=5)
    assert resp.status_code == 400 and resp.json()["error"]["code"] == "InvalidRequestContent"


def test_routing_is_case_insensitive_and_names_keep_their_case(standin: StandIn) -> None:
    sub = standin.subscription_id
    assert _call(standin, "PUT", f"/subscriptions/{sub}/RESOURCEGROUPS/Rg-Mixed", {"location": REGION}).status_code == 201
    body = {"location": REGION, "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}}}
    resp = _call(standin, "PUT", f"/subscriptions/{sub}/resourcegroups/rg-mixed/providers/microsoft.network/VIRTUALNETWORKS/VNet-A", body)
    assert resp.status_code == 201
    assert resp.json()["id"] == f"/subscriptions/{sub}/resourceGroups/Rg-Mixed/providers/Microsoft.Network/virtualNetworks/VNet-A"
    got = _call(standin, "GET", f"/subscriptions/{sub}/resourceGroups/RG-MIXED/providers/Microsoft.Network/virtualNetworks/vnet-a")
    assert got.status_code == 200 and got.json()["name"] == "VNet-A"
    assert _call(standin, "HEAD", f"/subscriptions/{sub}/resourcegroups/rg-MIXED").status_code == 204
    assert _call(standin, "PATCH", f"/subscriptions/{sub}/providers/Microsoft.Compute/skus").status_code == 405


def test_lro_headers_and_monitor_url() -> None:
    with StandIn(latency="realistic", scale=0.2) as s:   # disk create and delete: 0.6 s each
        sub = s.subscription_id
        _call(s, "PUT", f"/subscriptions/{sub}/resourcegroups/rg", {"location": REGION})
        disk = f"/subscriptions/{sub}/resourceGroups/rg/providers/Microsoft.Compute/disks/d1"
        resp = _call(s, "PUT", disk, {"location": REGION, "properties": {"creationData": {"createOption": "Empty"}, "diskSizeGB": 64}})
        assert resp.status_code == 202                               # disks answer a create with 202
        assert resp.json()["properties"]["provisioningState"] == "Updating"
        # Azure's disk PUT says Retry-After: 2 (see latency.py); x0.2 is 0.4 s, not whole: in ms.
        assert resp.headers["retry-after-ms"] == "400" and "Retry-After" not in resp.headers
        status = requests.get(resp.headers["Azure-AsyncOperation"], headers=AUTH, verify=str(s.ca_path), timeout=5).json()
        assert status["status"] == "InProgress" and "endTime" not in status
        monitor = requests.get(resp.headers["Location"], headers=AUTH, verify=str(s.ca_path), timeout=5)
        assert monitor.status_code == 202 and monitor.headers["retry-after-ms"] == "400"
        time.sleep(0.65)
        status = requests.get(resp.headers["Azure-AsyncOperation"], headers=AUTH, verify=str(s.ca_path), timeout=5).json()
        assert status["status"] == "Succeeded" and status["endTime"] >= status["startTime"]
        assert _call(s, "GET", disk).json()["properties"]["provisioningState"] == "Succeeded"

        delete = _call(s, "DELETE", disk)
        assert delete.status_code == 202 and delete.headers["Location"].startswith(s.base_url)
        assert "monitor=true" in delete.headers["Location"] and "Azure-AsyncOperation" in delete.headers
        assert _call(s, "GET", disk).json()["properties"]["provisioningState"] == "Deleting"
        assert _call(s, "DELETE", f"/subscriptions/{sub}/resourceGroups/rg/providers/Microsoft.Compute/disks/none").status_code == 204


def test_serve_forever_prints_and_stops_quietly(tmp_path: Path) -> None:
    code = ("from pathlib import Path; from wizard.standin import serve_forever; "
            f"serve_forever(port=0, latency='instant', scale=1.0, state_file=Path({str(tmp_path / 'st.json')!r}), "
            f"faults=None, log_file=Path({str(tmp_path / 'req.log')!r}))")
    env = {k: v for k, v in os.environ.items() if not k.startswith("HPCSHARE_")}
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[2])
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        lines = [proc.stdout.readline() for _ in range(6)]  # type: ignore[union-attr]
        url = lines[0].split()[-1]
        ca = lines[1].split(":", 1)[1].strip()
        sub = lines[2].split(":", 1)[1].strip()
        token = lines[3].split(":", 1)[1].split()[0]
        assert url.startswith("https://127.0.0.1:") and Path(ca).is_file()
        assert "Ctrl+C" in lines[5]
        put = f"{url}/subscriptions/{sub}/resourcegroups/rg-cli?{API}"
        # Another process's token (this test's own) is refused as ARM refuses a token it cannot validate.
        resp = requests.put(put, json={"location": REGION}, headers=AUTH, verify=ca, timeout=5)
        assert resp.status_code == 401 and resp.json()["error"]["code"] == "InvalidAuthenticationToken"
        assert token != AUTH["Authorization"].split()[1]
        resp = requests.put(put, json={"location": REGION}, headers={"Authorization": f"Bearer {token}"}, verify=ca,
                            timeout=5)
        assert resp.status_code == 201
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=10)
    finally:
        proc.kill()
    assert proc.returncode == 0 and "Traceback" not in err
    assert (tmp_path / "req.log").read_text() == (f"PUT /subscriptions/{sub}/resourcegroups/rg-cli 401\n"
                                                  f"PUT /subscriptions/{sub}/resourcegroups/rg-cli 201\n")
    assert "rg-cli" in (tmp_path / "st.json").read_text()
