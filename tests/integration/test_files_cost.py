"""Issue 18's cost, quota and throughput for ``share.backend = "azure-files"`` against the stand-in:
``hpcshare plan --demo --answers FILE`` (text and JSON) prices the premium share by provisioned
GiB and the private endpoint by the hour, through the same Retail Prices API client as the VM
path; the storage-account quota is read with azure-mgmt-storage's ``usages.list_by_location``."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from wizard.cli import EXIT_OK, main
from wizard.filescaps import share_caps
from wizard.session import Session

from .conftest import run_session, write_answers

FILES = {"share.backend": "azure-files", "share.name": "hpcdata", "files.account": "hpcfilescost",
         "files.quota_gib": 1024, "cluster.nodes": 24, "cluster.node_mbps": 15}


def _answers(tmp_path: Path, **changes: object) -> Path:
    return write_answers(tmp_path / "files.toml", **{**FILES, **changes})


def test_plan_text_shows_the_share_cost_quota_and_throughput(home: Path, tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", "--demo", "--answers", str(_answers(tmp_path))]) == EXIT_OK
    text = capsys.readouterr().out
    assert "Premium file share 1,024 GiB (Premium_LRS)" in text and "1,024 GiB-month" in text
    assert "Private endpoint (file)" in text and "730 hour" in text
    assert "Total per month" in text and "hpcshare demo price list" in text
    assert "data it processes (per GB, in and out); usage-based, not included" in text
    assert "Quota Storage Accounts: 0 used + 1 = 1 of 250 (ok)" in text
    assert "the premium share (1,024 GiB provisioned, Premium_LRS) caps it at 203 MiB/s (212 MB/s) and 4,024 IOPS" in text
    assert "The cluster needs 360 MB/s at peak: NOT enough." in text
    assert "Faster: provision" in text
    # Nothing of the VM backend: no VM, disk or vCPU line.
    assert "VM Standard" not in text and "vCPUs" not in text and "Data disk" not in text


def test_plan_json_prices_by_provisioned_gib_and_endpoint_hours(home: Path, tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    answers = _answers(tmp_path, files__sku="Premium_ZRS", files__quota_gib=5120, subscription__currency="EUR")
    assert main(["plan", "--demo", "--answers", str(answers), "--format", "json"]) == EXIT_OK
    doc = json.loads(capsys.readouterr().out)
    cost = doc["cost"]
    assert cost["available"] and cost["currency"] == "EUR"
    share, pe = cost["lines"]
    assert (share["meter"], share["quantity"], share["unit"]) == ("Premium ZRS Provisioned", 5120, "GiB-month")
    assert share["monthly"] == round(share["unit_price"] * 5120, 2)
    assert (pe["meter"], pe["quantity"], pe["unit"]) == ("Standard Private Endpoint", 730, "hour")
    assert cost["total_monthly"] == round(share["monthly"] + pe["monthly"], 2)
    t = doc["throughput"]
    assert t["bottleneck"] == "share" and t["share"]["mibps"] == 613 and t["share"]["baseline_iops"] == 8120
    assert t["share_mbps"] == share_caps(5120).mbps and t["meets_demand"] is True
    assert doc["quota"]["storage_accounts"]["limit"] == 250


def test_zrs_costs_more_than_lrs_for_the_same_size(home: Path, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    totals = {}
    for sku in ("Premium_LRS", "Premium_ZRS"):
        assert main(["plan", "--demo", "--answers", str(_answers(tmp_path, files__sku=sku)), "--format", "json"]) == 0
        totals[sku] = json.loads(capsys.readouterr().out)["cost"]["lines"][0]["unit_price"]
    assert totals["Premium_ZRS"] > totals["Premium_LRS"] > 0


def test_storage_quota_counts_the_account_once_it_exists(home: Path, tmp_path: Path) -> None:
    from wizard.quota import check_storage_quota

    answers_file = _answers(tmp_path)

    def check():  # type: ignore[no-untyped-def]
        session = Session("files", demo=True, answers_file=answers_file)
        try:
            return check_storage_quota(session.environment, session.answers(require=True))
        finally:
            session.close()

    before = check()
    assert before.known and before.ok
    assert (before.regional.used, before.regional.limit, before.regional.needed) == (0, 250, 1)
    code, out, _ = run_session(answers_file, tmp_path / "out")
    assert code == 0, out
    summary = (tmp_path / "out" / "SUMMARY.md").read_text(encoding="utf-8")   # the preflight's assessment
    assert "Premium file share 1,024 GiB (Premium_LRS)" in summary and "caps it at 203 MiB/s" in summary
    assert "Quota Storage Accounts: 1 of 250 in use" in summary
    after = check()                        # a re-run: the account is there, nothing more is needed
    assert (after.regional.used, after.regional.needed) == (1, 0) and after.ok
    assert after.problems() == []


def test_unreadable_storage_usages_are_not_a_stop(home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("HPCSHARE_STANDIN_FAULTS", "usages.get=403*100")
    assert main(["plan", "--demo", "--answers", str(_answers(tmp_path))]) == EXIT_OK
    text = capsys.readouterr().out
    assert "Quota: not checked (usages could not be read: " in text
    assert "Total per month" in text and "caps it at 203 MiB/s" in text


def test_a_full_region_names_the_account_the_count_and_how_to_ask() -> None:
    from wizard.quota import QuotaLine, StorageQuotaCheck

    full = StorageQuotaCheck("westeurope", "", 0, None, QuotaLine("StorageAccounts", "Storage Accounts", 250, 250, 1),
                             account="hpcfilescost")
    assert not full.ok
    [problem] = full.problems()
    assert problem.startswith("[files.account] Storage account: the storage account hpcfilescost")
    assert "250 of 250 storage accounts are in use" in problem and "Quotas > Storage" in problem
