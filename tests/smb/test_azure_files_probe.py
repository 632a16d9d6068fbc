"""Issue 18, verification: an Azure Files demo run probes the share with the same smbprotocol probe
as `hpcshare verify`, with <account>.file.core.windows.net reached at the endpoint's address; in a
demo that address is a local Samba server (HPCSHARE_DEMO_SMB) whose user is the account and whose
password is the key the stand-in issued. Where nothing answers, the step says so and prints the
exact `hpcshare verify` command to run from a node."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.conftest import write_answers
from tests.samba_server import SambaServer, closed_port, ensure_samba_installed
from wizard import cli
from wizard.standin.catalog import DEFAULT_SUBSCRIPTION_ID
from wizard.standin.handlers.storage import account_keys

ACCOUNT, SHARE = "hpcfilessmb", "smbdata"
VERIFY = (f"hpcshare verify --server {ACCOUNT}.file.core.windows.net --share {SHARE} "
          f"--user localhost\\{ACCOUNT}")


def _run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    answers = write_answers(tmp_path / "smbfiles.toml", share__backend="azure-files", share__name=SHARE,
                            files__account=ACCOUNT)
    code = cli.main(["run", "--demo", "--yes", "--answers", str(answers), "--out", str(tmp_path / "out")])
    return code, capsys.readouterr().out


def test_the_run_probes_the_share_on_the_local_samba(home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    ensure_samba_installed()
    # The key the stand-in issues for this account (derived from its resource id, in this process).
    account_id = (f"/subscriptions/{DEFAULT_SUBSCRIPTION_ID}/resourceGroups/rg-it/providers/"
                  f"Microsoft.Storage/storageAccounts/{ACCOUNT}")
    key = account_keys(account_id)[0]
    with SambaServer(account=(ACCOUNT, key, SHARE)) as samba:
        monkeypatch.setenv("HPCSHARE_DEMO_SMB", f"{samba.host}:{samba.port}")
        code, out = _run(tmp_path, capsys)
        left = list(samba.share_dir(SHARE).iterdir())
    assert code == 0, out
    for sub in ("connect", "write", "read", "delete"):
        assert f"[done] probe/{sub}" in out, out
    assert f"as 'localhost\\{ACCOUNT}' on \\\\{ACCOUNT}.file.core.windows.net\\{SHARE}" in out
    assert f"probe passed: wrote, read and deleted a file on \\\\{ACCOUNT}.file.core.windows.net\\{SHARE}" in out
    assert left == []                                    # the probe file was deleted
    assert key not in out


@pytest.mark.parametrize("smb", ["", "closed"])
def test_where_nothing_answers_the_step_prints_the_verify_command(home: Path, tmp_path: Path, smb: str,
                                                                   monkeypatch: pytest.MonkeyPatch,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """No local SMB server named (a demo without Samba), or one that does not answer (like a
    private endpoint seen from outside its VNet): a warning, not a failure."""
    if smb:
        monkeypatch.setenv("HPCSHARE_DEMO_SMB", f"127.0.0.1:{closed_port()}")
    code, out = _run(tmp_path, capsys)
    assert code == 0, out
    assert "[warning] probe: Not reachable from here" in out and f"From a node, run: {VERIFY}" in out, out
    assert "[done] probe/" not in out
