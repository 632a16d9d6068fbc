"""Issue 17's engine half end to end against the stand-in: ``hpcshare plan --demo --format json``
(cost, quota, throughput), the quota check the preflight will call, prices unavailable, and a
Premium SSD v2 run whose requests carry zones and provisioned performance."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from wizard.cli import EXIT_OK, main
from wizard.session import Session

from .conftest import run_session, write_answers


def plan_json(answers: Path, capsys: pytest.CaptureFixture[str]) -> dict:
    assert main(["plan", "--demo", "--answers", str(answers), "--format", "json"]) == EXIT_OK
    return json.loads(capsys.readouterr().out)


def test_plan_json_has_cost_quota_and_throughput(home: Path, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    doc = plan_json(write_answers(tmp_path / "it.toml", cluster__nodes=16, cluster__node_mbps=20), capsys)
    assert [s["id"] for s in doc["plan"]][:2] == ["resource-group", "network"]
    cost = doc["cost"]
    assert cost["currency"] == "USD" and cost["total_monthly"] > 0
    assert "demo price list" in cost["source"] and cost["fetched"]
    items = [line["item"] for line in cost["lines"]]
    assert items[0].startswith("VM Standard_D4s_v5 (Windows") and any("P30" in i for i in items)
    assert round(sum(line["monthly"] for line in cost["lines"]), 2) == cost["total_monthly"]
    assert all(line["unit_price"] > 0 for line in cost["lines"])
    quota = doc["quota"]
    assert quota["family"]["name"] == "standardDSv5Family" and quota["regional"]["name"] == "cores"
    assert quota["ok"] is True and quota["family"]["needed"] == 4
    t = doc["throughput"]
    assert t["bottleneck"] in ("vm", "disk") and t["vm"]["mbps"] == 145 and t["disk"]["mbps"] == 200
    assert t["share_mbps"] == 145 and t["demand_mbps"] == 320 and t["meets_demand"] is False
    # Cached with the fetch date under HPCSHARE_HOME.
    assert list((home / "prices" / "demo").glob("*.json"))


def test_plan_json_in_another_currency_with_a_public_ip(home: Path, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    answers = write_answers(tmp_path / "it.toml", subscription__currency="EUR", endpoints__public_ip=True,
                            endpoints__dns_label="fs01-demo")
    doc = plan_json(answers, capsys)
    assert doc["cost"]["currency"] == "EUR"
    assert any(line["item"].startswith("Public IP") and line["quantity"] == 730 for line in doc["cost"]["lines"])


def test_prices_unavailable_leave_the_rest(home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("HPCSHARE_STANDIN_FAULTS", "prices.get=500*100")
    doc = plan_json(write_answers(tmp_path / "it.toml"), capsys)
    assert doc["cost"]["available"] is False and doc["cost"]["total_monthly"] is None
    assert "HTTP 500" in doc["cost"]["problem"]
    assert doc["quota"]["ok"] is True and doc["throughput"]["bottleneck"] == "vm"


def test_check_quota_names_the_family_used_limit_and_how_to_ask(home: Path, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    from wizard.quota import check_quota

    monkeypatch.setenv("HPCSHARE_STANDIN_QUOTA", "standardDSv5Family=2,cores=10")
    answers_file = write_answers(tmp_path / "it.toml")
    session = Session("it", demo=True, answers_file=answers_file)
    try:
        result = check_quota(session.environment, session.answers(require=True))
    finally:
        session.close()
    assert result.known and not result.ok
    assert (result.family.used, result.family.limit, result.family.needed) == (0, 2, 4)
    assert result.regional.fits
    [problem] = result.problems()
    assert problem.startswith("[vm.size] VM size: ") and "standardDSv5Family" in problem
    assert "0 of 2" in problem and "quota" in problem.lower() and "portal" in problem


def test_premium_v2_run_sends_zones_and_provisioned_performance(home: Path, tmp_path: Path) -> None:
    answers = write_answers(tmp_path / "v2.toml", vm__zone="2", disk__sku="PremiumV2_LRS", disk__size_gb=512,
                            disk__caching="None", disk__iops=8000, disk__mbps=500)
    code, out, _ = run_session(answers, tmp_path / "out")
    assert code == 0, out
    from wizard.environment import standin_state_file
    from wizard.standin import StandIn

    stored = {r["name"]: r for r in StandIn(state_file=standin_state_file()).resources()}
    disk, vm = stored["fs01-data"], stored["fs01"]
    assert disk["sku"]["name"] == "PremiumV2_LRS" and disk["zones"] == ["2"]
    assert (disk["properties"]["diskIOPSReadWrite"], disk["properties"]["diskMBpsReadWrite"]) == (8000, 500)
    assert vm["zones"] == ["2"] and vm["properties"]["storageProfile"]["dataDisks"][0]["caching"] == "None"


def test_premium_v2_offer_problems(home: Path, tmp_path: Path) -> None:
    from wizard.diskoffer import disk_offer_problems

    answers_file = write_answers(tmp_path / "it.toml", subscription__region="japaneast", vm__zone="1",
                                 disk__sku="PremiumV2_LRS", disk__caching="None")
    session = Session("it", demo=True, answers_file=answers_file)
    try:
        [problem] = disk_offer_problems(session.environment, session.answers(require=True))
    finally:
        session.close()
    assert problem.startswith("[disk.sku]") and "japaneast" in problem


def test_a_rerun_does_not_count_the_existing_vm_twice(home: Path, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from wizard.quota import check_quota

    answers_file = write_answers(tmp_path / "it.toml")
    code, out, _ = run_session(answers_file, tmp_path / "out")
    assert code == 0, out
    # The family's 4 vCPUs are all used, by this profile's own VM: a re-run adds nothing.
    monkeypatch.setenv("HPCSHARE_STANDIN_QUOTA", "standardDSv5Family=4")
    session = Session("it", demo=True, answers_file=answers_file)
    try:
        result = check_quota(session.environment, session.answers(require=True))
        other = check_quota(session.environment, session.answers(require=True).replace(vm__name="fs02"))
    finally:
        session.close()
    assert result.ok and (result.family.used, result.family.needed) == (4, 0)
    assert not other.ok and "4 of 4 are in use" in other.messages()[0]


def test_unreadable_usages_are_not_a_stop(home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from wizard.quota import check_quota

    monkeypatch.setenv("HPCSHARE_STANDIN_FAULTS", "usages.get=403*100")
    session = Session("it", demo=True, answers_file=write_answers(tmp_path / "it.toml"))
    try:
        result = check_quota(session.environment, session.answers(require=True))
    finally:
        session.close()
    assert not result.known and result.problems() == [] and "could not be read" in result.problem


def test_premium_v2_is_priced_by_provisioned_gib_iops_and_mbps(home: Path, tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    answers = write_answers(tmp_path / "v2.toml", vm__zone="1", disk__sku="PremiumV2_LRS", disk__size_gb=512,
                            disk__caching="None", disk__iops=8000, disk__mbps=500)
    doc = plan_json(answers, capsys)
    lines = {line["meter"]: line for line in doc["cost"]["lines"]}
    capacity = lines["Premium LRS Provisioned Capacity"]
    iops = lines["Premium LRS Provisioned IOPS"]
    mbps = lines["Premium LRS Provisioned Throughput (MBps)"]
    # Billed by the hour: GiB x 730, and only what lies above the free 3,000 IOPS / 125 MB/s.
    assert (capacity["quantity"], iops["quantity"], mbps["quantity"]) == (512 * 730, 5000 * 730, 375 * 730)
    assert capacity["monthly"] == round(capacity["unit_price"] * 512 * 730, 2)
    t = doc["throughput"]
    assert (t["disk"]["mbps"], t["disk"]["iops"], t["bottleneck"]) == (500, 8000, "vm")
    assert doc["disk_offer"] == []
