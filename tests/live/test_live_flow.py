"""The full flow, end to end through the command line: run, run again (nothing changes), the
self-test, ``hpcshare verify`` where the network allows, and teardown (always).

Against the stand-in under plain ``pytest``; against a real subscription with ``pytest -m live``
(see conftest.py and README "Before a release"). One test, so one deployment even with xdist.
"""
from __future__ import annotations

import re
import secrets
from pathlib import Path

import pytest

from tests.integration.conftest import write_answers
from tests.live.conftest import Backend
from wizard.remote.protocol import CONFIGURE_SERVER, SELF_TEST

pytestmark = pytest.mark.live


def _answers(path: Path, b: Backend) -> Path:
    changes: dict[str, object] = {
        "subscription__id": b.subscription, "subscription__region": b.region,
        "subscription__resource_group": b.resource_group, "subscription__auth": b.auth,
        # The smallest that works: 2 vCPU / 4 GiB (Windows Server needs more than B1s' 1 GiB) and
        # the smallest Standard SSD data disk.
        "vm__name": "hpclive01", "vm__size": b.vm_size, "vm__image": "win2022-datacenter",
        "disk__sku": "StandardSSD_LRS", "disk__size_gb": 4, "disk__caching": "ReadOnly",
        "endpoints__vnet": "vnet-hpclive",
    }
    if b.smb_source:
        changes.update({"endpoints__public_ip": True, "endpoints__smb_source": b.smb_source,
                        "endpoints__dns_label": b.resource_group.replace("hpcshare-live-", "hpclive-")[:60]})
    return write_answers(path, **changes)


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    from wizard.cli import main

    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_full_flow_twice_then_teardown(backend: Backend, home: Path, tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    # Passwords from the environment: the test needs the share password for verify.
    share_password = "Hs1!" + secrets.token_urlsafe(18)
    monkeypatch.setenv("HPCSHARE_ADMIN_PASSWORD", "Ad1!" + secrets.token_urlsafe(18))
    monkeypatch.setenv("HPCSHARE_SHARE_PASSWORD", share_password)
    answers = _answers(tmp_path / "live.toml", backend)
    base = ["--answers", str(answers)]
    out_dir = tmp_path / "out"
    try:
        code, first = _run(["run", *backend.cli_args, *base, "--yes", "--out", str(out_dir)], capsys)
        assert code == 0, first
        assert f"[done] {CONFIGURE_SERVER}" in first and f"[done] {SELF_TEST}" in first, first
        assert (out_dir / "SUMMARY.md").is_file() and (out_dir / "nodeprep.cmd").is_file()
        created = backend.resource_ids()
        assert any("/microsoft.compute/virtualmachines/hpclive01" in r for r in created), created

        code, second = _run(["run", *backend.cli_args, *base, "--yes", "--out", str(out_dir)], capsys)
        assert code == 0, second
        assert "Nothing changed" in second, second
        assert backend.resource_ids() == created

        if backend.smb_source:
            fqdn = re.search(r"\(([a-z0-9-]+\.[a-z0-9]+\.cloudapp\.azure\.com)\)", first)
            assert fqdn, first
            code, report = _run(["verify", "--server", fqdn[1], "--share", "MyShare", "--user", "MyUser"], capsys)
            assert code == 0, report
    finally:
        code, teardown = _run(["teardown", *backend.cli_args, *base, "--yes"], capsys)
        left = backend.group_exists()
        if left:
            backend.delete_group()     # the group is this test's own: never leave a bill behind
    assert code == 0, teardown
    assert not left, f"teardown left resource group {backend.resource_group}: {teardown}"
