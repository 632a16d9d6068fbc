"""Issue 13's acceptance: `hpcshare run --demo --yes` on every Windows Server version x disk bus the
fake Windows server models (HPCSHARE_STANDIN_WINDOWS / HPCSHARE_STANDIN_DISKS): the run succeeds,
its log's firewall line names the scope and the rules it disabled, the simulated server then has
no enabled inbound rule but hpcshare's that admits TCP 445 or 139, and the whole server
configuration plus the self-test took two remote calls."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.conftest import write_answers
from tests.remote.test_windows_behaviour import EXPECTED_DISABLED
from wizard.environment import standin_state_file
from wizard.standin import fake_windows as fw
from wizard.standin.store import Store

COMBOS = [(w, b) for w in fw.WINDOWS_VERSIONS for b in fw.DISK_BUSES]


def _servers() -> list[dict]:
    store = Store(standin_state_file())
    return [data["server"] for data in store.internal.values() if isinstance(data, dict) and "server" in data]


@pytest.mark.slow
@pytest.mark.parametrize(("windows", "bus"), COMBOS)
def test_demo_run_on_each_windows_and_disk_bus(home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str], windows: str, bus: str) -> None:
    from wizard.cli import main

    monkeypatch.setenv(fw.ENV_WINDOWS, windows)
    monkeypatch.setenv(fw.ENV_DISKS, bus)
    log = tmp_path / "standin.log"
    monkeypatch.setenv("HPCSHARE_STANDIN_LOG", str(log))
    answers = write_answers(tmp_path / "it.toml")
    # Output is not a terminal here: the generated passwords go to a 0600 file (security review, finding 2).
    code = main(["run", "--demo", "--answers", str(answers), "--yes", "--out", str(tmp_path / "out"),
                 "--password-file", str(tmp_path / "passwords")])
    assert code == 0, capsys.readouterr()

    (server,) = _servers()
    assert (server["windows"], server["disk_bus"]) == (windows, bus)
    rules = server["firewall_rules"]
    assert fw.open_smb_rules(rules) == []
    ours = rules["hpcshare-SMB-In-TCP-445"]
    assert ours["enabled"] and ours["local_ports"] == ["445"]
    scope = ", ".join(ours["remote"])

    run_log = (home / "logs" / "it.log").read_text()
    (line,) = [ln for ln in run_log.splitlines() if "configure-server/firewall" in ln and "[done]" in ln]
    assert f"TCP 445 allowed from {scope} only" in line
    assert f"disabled {len(EXPECTED_DISABLED[windows])} other rule(s) admitting TCP 445/139: " in line
    for name in EXPECTED_DISABLED[windows]:
        assert name in line and rules[name]["enabled"] is False
    disk_line = next(ln for ln in run_log.splitlines() if "configure-server/disk" in ln)
    assert ("NVMe namespace 2" if bus == "nvme" else "LUN 0 checked by location") in disk_line

    remote_calls = [ln for ln in log.read_text().splitlines() if ln.startswith("PUT ") and "/runcommands/" in ln.lower()]
    assert len(remote_calls) == 2, remote_calls
