"""Plain mode's review shows the monthly cost, quota and throughput on request, worked out
through the SDK against the demo stand-in (``hpcshare --plain --demo``), here for the Azure Files
backend (issue 18): the premium share's provisioned GiB and the private endpoint priced, the
storage-account quota, the share's provisioned throughput against the cluster's demand."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.conftest import write_answers
from tests.plain.conftest import DOWN, ENTER, keys
from wizard import cli
from wizard.questions import SECTIONS

REVIEW_SAVED = ENTER                                   # "Review the saved answers and run"
SHOW_COST = DOWN * (len(SECTIONS) + 2) + ENTER        # Run, one "Change:" per section, az, the cost
QUIT = DOWN * (len(SECTIONS) + 3) + ENTER


def test_plain_review_shows_the_premium_share_figures(home: Path, tty: None,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    write_answers(home / "profiles" / "files.toml", share__backend="azure-files", share__name="hpcdata",
                  files__account="hpcfilesplain", files__sku="Premium_ZRS", files__quota_gib=2048,
                  cluster__nodes=8, cluster__node_mbps=20)
    with keys(REVIEW_SAVED, SHOW_COST, QUIT):
        rc = cli.main(["--plain", "--demo", "--profile", "files"])
    out = capsys.readouterr().out
    assert rc == 130, out                                  # quit at the review: nothing created
    assert "Premium file share 2,048 GiB (Premium_ZRS)" in out and "Private endpoint (file)" in out
    assert "Total per month" in out and "usage-based, not included" in out
    assert "Quota Storage Accounts: 0 used + 1 = 1 of 250 (ok)" in out
    # 2,048 GiB: 100 + 82 + 123 = 305 MiB/s (319 MB/s) and 5,048 IOPS, for 160 MB/s of demand.
    assert "caps it at 305 MiB/s (319 MB/s) and 5,048 IOPS" in out
    assert "The cluster needs 160 MB/s at peak: enough." in out
