"""Issue 17's front-end half against the stand-in: the text ``plan`` shows the cost total, quota
and throughput; a run writes them into SUMMARY.md from the preflight's one assessment (each
price query reaches the price list once in the run); ``generate`` (no Azure call)
writes the same section from the run's recorded outputs."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.conftest import write_answers
from wizard.cli import EXIT_OK, main

SECTION = "## Cost, quota and throughput"


def _price_gets(log: Path) -> list[str]:
    return [line for line in log.read_text().splitlines()
            if line.split()[:1] == ["GET"] and "/api/retail/prices" in line]


def _section(text: str) -> str:
    return text.split(SECTION + "\n", 1)[1].split("\n## ", 1)[0]


def test_text_plan_shows_the_cost_total_quota_and_bottleneck(home: Path, tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    answers = write_answers(tmp_path / "it.toml", cluster__nodes=16, cluster__node_mbps=20)
    assert main(["plan", "--demo", "--answers", str(answers)]) == EXIT_OK
    out = capsys.readouterr().out
    assert "1. resource-group" in out                              # the plan itself comes first
    assert out.index("1. resource-group") < out.index("Monthly cost (USD):")
    [total] = [line for line in out.splitlines() if "Total per month" in line]
    assert float(total.split()[-2].replace(",", "")) > 0 and total.endswith(" USD")
    assert "Prices: hpcshare demo price list (illustrative, not Azure's prices), fetched " in out
    assert "Quota Standard DSv5 Family vCPUs: 0 used + 4 = 4 of " in out and "(ok)" in out
    assert "Throughput: the VM (Standard_D4s_v5: 145 MB/s" in out and "caps the share at 145 MB/s" in out
    assert "The cluster needs 320 MB/s at peak: NOT enough." in out


def test_text_plan_with_prices_unavailable_still_shows_quota_and_throughput(
        home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("HPCSHARE_STANDIN_FAULTS", "prices.get=500*100")
    assert main(["plan", "--demo", "--answers", str(write_answers(tmp_path / "it.toml"))]) == EXIT_OK
    out = capsys.readouterr().out
    assert "Monthly cost: prices unavailable (the price list answered HTTP 500" in out
    assert "Quota Total Regional vCPUs" in out and "Throughput: the VM" in out


def test_a_run_writes_the_section_from_one_price_read_and_generate_keeps_it(
        home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    log = tmp_path / "standin.log"
    monkeypatch.setenv("HPCSHARE_STANDIN_LOG", str(log))
    answers = write_answers(tmp_path / "it.toml")
    out_dir = tmp_path / "out"
    code = main(["run", "--demo", "--answers", str(answers), "--yes", "--out", str(out_dir),
                 "--password-file", str(tmp_path / "pw")])
    assert code == EXIT_OK, capsys.readouterr()
    summary = (out_dir / "SUMMARY.md").read_text(encoding="ascii")
    section = _section(summary)
    assert "Prices: hpcshare demo price list (illustrative, not Azure's prices), fetched " in section
    assert "Total per month" in section and "Data disk 1024 GiB Premium SSD (P30)" in section
    assert "Quota Standard DSv5 Family vCPUs" in section and "caps the share at 145 MB/s" in section
    # The whole run asked the price list once per query (VM, OS disk, data disk).
    assert len(_price_gets(log)) == 3, _price_gets(log)

    # generate: no Azure call, the same section from the run's recorded outputs.
    (out_dir / "SUMMARY.md").unlink()
    capsys.readouterr()
    assert main(["generate", "--demo", "--answers", str(answers), "--out", str(out_dir)]) == EXIT_OK
    assert _section((out_dir / "SUMMARY.md").read_text(encoding="ascii")) == section
