"""The tool against Azure's stateful rules (as the stand-in enforces them), through whole runs:
a leftover OS disk, data-disk changes on a running VM, the NIC hold after a VM went away."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.conftest import run_session, write_answers
from tests.standin.helpers import make_clients
from wizard.environment import standin_state_file
from wizard.standin import StandIn

# Instant stand-in, NIC hold 180 s x 0.001 x 40 = 7.2 s: long enough to be met right after a VM
# delete, short enough for a test.
HOLD_SCALE = "40"


def _resources() -> list[dict]:
    with StandIn(state_file=standin_state_file()) as s:
        return s.resources()


def _by_name() -> dict[str, dict]:
    return {r["name"]: r for r in _resources()}


def _line_after(text: str, marker: str) -> str:
    return text.split(marker, 1)[1].splitlines()[0]


def test_the_os_disk_is_tagged_and_a_leftover_one_is_replaced(home: Path, answers_file: Path, tmp_path: Path) -> None:
    assert run_session(answers_file, tmp_path / "out")[0] == 0
    os_disk = _by_name()["fs01-os"]
    assert os_disk["tags"] == {"managed-by": "hpcshare", "hpcshare-profile": "it"}
    # The VM goes (deleted in the portal, say) and leaves its tagged OS disk behind, detached.
    with StandIn(state_file=standin_state_file()) as s:
        c = make_clients(s)
        c.cmc.virtual_machines.begin_delete("rg-it", "fs01").result()
        c.cmc.disks.begin_create_or_update("rg-it", "fs01-os", {
            "location": "westeurope", "tags": os_disk["tags"], "sku": {"name": "StandardSSD_LRS"},
            "properties": {"creationData": {"createOption": "Empty"}, "diskSizeGB": 127}}).result()
    code, text, _ = run_session(answers_file, tmp_path / "out")
    assert code == 0, text
    assert "Deleting the leftover OS disk fs01-os" in text
    fresh = _by_name()["fs01-os"]
    assert fresh["properties"]["creationData"]["createOption"] == "FromImage"
    assert fresh["properties"]["diskState"] == "Attached" and fresh["tags"] == os_disk["tags"]


def test_an_untagged_disk_with_the_os_disk_name_stops_the_vm_step(home: Path, answers_file: Path, tmp_path: Path) -> None:
    with StandIn(state_file=standin_state_file()) as s:
        c = make_clients(s)
        c.rmc.resource_groups.create_or_update("rg-it", {"location": "westeurope"})
        c.cmc.disks.begin_create_or_update("rg-it", "fs01-os", {
            "location": "westeurope", "properties": {"creationData": {"createOption": "Empty"}, "diskSizeGB": 64}}).result()
    code, text, _ = run_session(answers_file, tmp_path / "out")
    assert code == 1, text
    line = _line_after(text, "[failed] vm")
    assert "Disk fs01-os already exists and is not managed by hpcshare" in line
    assert "az disk delete -g rg-it -n fs01-os" in text.split("[failed] vm", 1)[1]
    assert "Traceback" not in text and "ConflictingUserInput" not in text     # never sent to Azure
    assert _by_name()["fs01-os"]["properties"]["diskSizeGB"] == 64


def test_a_bigger_data_disk_grows_online(home: Path, tmp_path: Path) -> None:
    answers = write_answers(tmp_path / "it.toml")
    assert run_session(answers, tmp_path / "out")[0] == 0
    write_answers(answers, disk__size_gb=2048)
    code, text, _ = run_session(answers, tmp_path / "out")
    # Azure grows the disk online; configure-server then extends hpcshare's partition to it.
    assert code == 0, text
    assert "partition extended from 1024 GiB to 2048 GiB" in text
    assert "Growing disk fs01-data from 1024 to 2048 GiB while its VM runs" in text
    assert "[done] data-disk" in text and "[failed] data-disk" not in text
    assert _by_name()["fs01-data"]["properties"]["diskSizeGB"] == 2048


@pytest.mark.parametrize(("change", "words", "hint"), [
    ({"disk__sku": "StandardSSD_LRS"}, "Azure changes a disk's type (Premium_LRS -> StandardSSD_LRS) only while its VM "
     "is deallocated", "Set Data disk › Disk type (disk.sku) back to Premium_LRS, or stop the VM first (az vm deallocate -g rg-it -n fs01)"),
    ({"disk__size_gb": 8192, "disk__caching": "None"}, "cannot grow to 8192 GiB while VM fs01 runs",
     "Set Data disk › Size (GiB) (disk.size_gb) to 4095 or less"),
])
def test_a_data_disk_change_azure_refuses_online_stops_with_what_to_do(home: Path, tmp_path: Path, change: dict,
                                                                       words: str, hint: str) -> None:
    answers = write_answers(tmp_path / "it.toml")
    assert run_session(answers, tmp_path / "out")[0] == 0
    write_answers(answers, **change)
    code, text, _ = run_session(answers, tmp_path / "out")
    assert code == 1, text
    assert words in _line_after(text, "[failed] data-disk")
    assert hint in text.split("[failed] data-disk", 1)[1]
    assert "OperationNotAllowed" not in text       # the tool stopped before Azure had to refuse
    disk = _by_name()["fs01-data"]
    assert (disk["sku"]["name"], disk["properties"]["diskSizeGB"]) == ("Premium_LRS", 1024)


def test_a_rerun_after_a_failed_vm_create_waits_out_the_nic_hold(home: Path, answers_file: Path, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    code, text, _ = run_session(answers_file, tmp_path / "out", faults="vm.put=lro-fail")
    assert code == 1 and "[failed] vm" in text
    monkeypatch.setenv("HPCSHARE_STANDIN_SCALE", HOLD_SCALE)
    # Someone deletes the failed VM before the re-run: Azure now holds its NIC.
    with StandIn.from_env(state_file=standin_state_file()) as s:
        make_clients(s).cmc.virtual_machines.begin_delete("rg-it", "fs01").result()
    code, text, _ = run_session(answers_file, tmp_path / "out")
    assert code == 0, text
    assert "VM fs01 waits for NIC fs01-nic: Azure holds the NIC for 180 s after its previous VM went away" in text
    vm = _by_name()["fs01"]
    assert vm["properties"]["provisioningState"] == "Succeeded"


def test_teardown_waits_out_the_nic_hold(home: Path, answers_file: Path, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from wizard.cli import main

    assert run_session(answers_file, tmp_path / "out")[0] == 0
    monkeypatch.setenv("HPCSHARE_STANDIN_SCALE", HOLD_SCALE)
    assert main(["teardown", "--demo", "--answers", str(answers_file), "--yes"]) == 0
    out = capsys.readouterr().out
    assert "waiting  fs01-nic: Azure holds the NIC for 180 s" in out
    assert "failed" not in out and _resources() == []


def test_a_group_named_with_parentheses_keeps_its_name_everywhere(home: Path, tmp_path: Path) -> None:
    answers = write_answers(tmp_path / "it.toml", subscription__resource_group="hpc(test)")
    code, text, _ = run_session(answers, tmp_path / "out")
    assert code == 0, text
    ids = [r["id"] for r in _resources()]
    assert ids and all("/resourceGroups/hpc(test)" in i for i in ids)
    files = [*(home / "state").glob("*.json"), *(tmp_path / "out").iterdir()]
    texts = {f: f.read_text(encoding="utf-8", errors="replace") for f in files if f.is_file()}
    assert any("hpc(test)" in t for t in texts.values())       # the run state records the ids
    assert not [f for f, t in texts.items() if "%28" in t]
