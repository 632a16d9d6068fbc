"""share.backend = "azure-files" end to end: `hpcshare run --demo --yes` through the real SDK
clients against the stand-in creates the account, the share, the private endpoint and the private
DNS record; the HPC Pack files point at the account's share; a re-run changes nothing; teardown
removes it all."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.integration.conftest import run_session, write_answers
from wizard.environment import standin_state_file
from wizard.standin import FakeCredential, StandIn

FILES = {"share.backend": "azure-files", "share.name": "hpcdata", "files.account": "hpcfilesit",
         "files.private_ip": "10.0.0.20", "files.quota_gib": 512}
ZONE = "privatelink.file.core.windows.net"


def test_azure_files_run_rerun_and_teardown(home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from azure.mgmt.network import NetworkManagementClient
    from azure.mgmt.privatedns import PrivateDnsManagementClient
    from azure.mgmt.storage import StorageManagementClient

    from wizard.cli import main

    answers = write_answers(tmp_path / "files.toml", **FILES)
    out = tmp_path / "out"
    code, text, _ = run_session(answers, out)
    assert code == 0, text
    assert not re.search(r"\[(running|done)\] (vm|nic|nsg|data-disk|configure-server)\b", text), text

    with StandIn(state_file=standin_state_file()) as s:
        kw = {"base_url": s.base_url, "connection_verify": str(s.ca_path), "polling_interval": 0}
        st = StorageManagementClient(FakeCredential(), s.subscription_id, **kw)
        net = NetworkManagementClient(FakeCredential(), s.subscription_id, **kw)
        dns = PrivateDnsManagementClient(FakeCredential(), s.subscription_id, **kw)
        account = st.storage_accounts.get_properties("rg-it", "hpcfilesit")
        assert (account.kind, account.sku.name, account.public_network_access, account.minimum_tls_version) == \
            ("FileStorage", "Premium_LRS", "Disabled", "TLS1_2")
        assert account.enable_https_traffic_only is True and account.allow_shared_key_access is True
        assert account.tags == {"managed-by": "hpcshare", "hpcshare-profile": "files"}
        smb = st.file_services.get_service_properties("rg-it", "hpcfilesit").protocol_settings.smb
        assert smb.versions == "SMB3.1.1"
        share = st.file_shares.get("rg-it", "hpcfilesit", "hpcdata")
        assert share.share_quota == 512 and share.enabled_protocols == "SMB"
        pe = net.private_endpoints.get("rg-it", "hpcfilesit-file-pe")
        assert pe.private_link_service_connections[0].group_ids == ["file"]
        assert pe.subnet.id.lower().endswith("/virtualnetworks/vnet-hpc/subnets/default")
        record = dns.record_sets.get("rg-it", ZONE, "A", "hpcfilesit")
        assert [r.ipv4_address for r in record.a_records] == ["10.0.0.20"]
        assert [link.virtual_network.id.lower() for link in dns.virtual_network_links.list("rg-it", ZONE)] == \
            [net.virtual_networks.get("rg-it", "vnet-hpc").id.lower()]
        key = st.storage_accounts.list_keys("rg-it", "hpcfilesit")["keys"][0]["value"]
        for client in (st, net, dns):
            client.close()

    texts = {p.name: p.read_text(encoding="utf-8") for p in out.iterdir()}
    assert "10.0.0.20" in texts["nodeprep.cmd"] and "hpcfilesit.file.core.windows.net" in texts["nodeprep.cmd"]
    job = texts["job-template.xml"]
    assert r"\\hpcfilesit.file.core.windows.net\hpcdata" in job and r"/user:localhost\hpcfilesit" in job
    ET.fromstring(job.encode())
    assert ZONE in texts["SUMMARY.md"] and "no hosts entry" in texts["SUMMARY.md"]
    # Files from a demo run say so in every command they give (issue 22's consistency rule).
    for verb in ("generate", "teardown"):
        assert f"hpcshare {verb} --demo --profile files" in texts["SUMMARY.md"], verb
    # The account key is a secret: in no file, no state, no log (the stand-in's saved state included).
    for where in [*out.iterdir(), *home.rglob("*")]:
        if where.is_file():
            assert key not in where.read_text(encoding="utf-8", errors="replace"), where
    # This output is not a terminal (a log would keep it): the key is not printed, the command that reads it is.
    assert key not in text
    assert "Storage account key (hpcfilesit): not printed, as this output is not a terminal" in text, text
    assert ("az storage account keys list --resource-group rg-it --account-name hpcfilesit "
            "--query [0].value --output tsv") in text

    # A second run changes nothing.
    code, text, _ = run_session(answers, out)
    assert code == 0, text
    for step in ("resource-group", "network", "storage-account", "file-share", "private-endpoint", "files-dns"):
        assert re.search(rf"\[done\] {step} \([0-9.]+s\): already in place: no change", text), (step, text)
    assert "Nothing changed: everything was already in place." in text

    assert main(["teardown", "--demo", "--answers", str(answers), "--yes"]) == 0
    said = capsys.readouterr().out
    for what in ("Microsoft.Network/privateEndpoints", "Microsoft.Storage/storageAccounts",
                 "Microsoft.Network/privateDnsZones ", "Microsoft.Network/virtualNetworks"):
        assert f"deleted  {what}" in said, said
    with StandIn(state_file=standin_state_file()) as s:
        assert [r["type"] for r in s.resources()] == []


def issued_key(account: str) -> str:
    """key1 as the stand-in issues it, read through the SDK like a user's 'az storage account keys list'."""
    from azure.mgmt.storage import StorageManagementClient

    with StandIn(state_file=standin_state_file()) as s:
        st = StorageManagementClient(FakeCredential(), s.subscription_id, base_url=s.base_url,
                                     connection_verify=str(s.ca_path))
        try:
            return str(st.storage_accounts.list_keys("rg-it", account)["keys"][0]["value"])
        finally:
            st.close()


def test_on_a_terminal_the_key_is_printed_once_when_its_step_is_done(home: Path, tmp_path: Path) -> None:
    """Issue 18: the account key is shown once, as generated passwords are; it is the key Azure
    (here the stand-in) issued, and it comes right after the storage account step."""
    answers = write_answers(tmp_path / "keyed.toml", **{**FILES, "files.account": "hpcfileskey"})
    code, raw, _ = run_session(answers, tmp_path / "out", terminal=True)
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", raw)      # the colours and the live table's moves
    assert code == 0, text
    key = issued_key("hpcfileskey")
    line = f"Storage account key (hpcfileskey) (shown once, not saved anywhere): {key}"
    assert line in text and text.count(key) == 1, text
    assert "To read it again: az storage account keys list --resource-group rg-it --account-name hpcfileskey" in text


def test_a_taken_account_name_stops_the_run_before_anything_is_created(home: Path, tmp_path: Path) -> None:
    # "contoso" stands for an account of another tenant (wizard/standin/handlers/storage.py).
    answers = write_answers(tmp_path / "taken.toml", **{**FILES, "files.account": "contoso"})
    code, text, _ = run_session(answers, tmp_path / "out")
    assert code != 0
    assert "already taken" in text and "files.account" in text, text
    assert "[running]" not in text, text
    with StandIn(state_file=standin_state_file()) as s:
        assert s.resources() == []


@pytest.mark.parametrize(("faults", "failed_step"), [
    ("storageaccount.put=500*2", None), ("fileshare.put=429", None),
    # azure-core does not retry a POST whose connection dropped. The first drop hits the preflight's
    # name check (which then leaves the check to the step), the second the step: it fails, the next run resumes.
    ("storageaccount.post=drop*2", "storage-account"),
    ("privateendpoint.put=lro-fail", "private-endpoint"), ("fileservice.put=500*inf", "storage-account"),
    ("fileshare.put=500*inf", "file-share")])
def test_the_files_steps_survive_faults_and_resume(faults: str, failed_step: str | None, home: Path,
                                                   tmp_path: Path) -> None:
    answers = write_answers(tmp_path / "faults.toml", **FILES)
    out = tmp_path / "out"
    code, text, standin_session = run_session(answers, out, faults=faults)
    assert "Traceback" not in text, text
    if failed_step is None:        # transient: retried by azure-core, the run succeeds
        assert code == 0, text
    else:                          # permanent: the step says why, and the next run resumes from there
        assert code != 0 and f"[failed] {failed_step}" in text and f"Failed at {failed_step}" in text, text
        code, text, _ = run_session(answers, out)
        assert code == 0, text
        assert "[done] resource-group (" in text and "[done] resource-group" in text
    assert (out / "job-template.xml").exists()


def test_a_bigger_quota_changes_only_the_share(home: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, text, _ = run_session(write_answers(tmp_path / "grow.toml", **FILES), out)
    assert code == 0, text
    code, text, _ = run_session(write_answers(tmp_path / "grow.toml", **{**FILES, "files.quota_gib": 2048}), out)
    assert code == 0, text
    assert "Share hpcdata: 2048 GiB provisioned." in text
    for step in ("storage-account", "private-endpoint", "files-dns"):
        assert re.search(rf"\[done\] {step} \([0-9.]+s\): already in place: no change", text), (step, text)


def test_an_account_of_another_profile_is_not_taken_over(home: Path, tmp_path: Path) -> None:
    code, text, _ = run_session(write_answers(tmp_path / "first.toml", **FILES), tmp_path / "out1")
    assert code == 0, text
    code, text, _ = run_session(write_answers(tmp_path / "second.toml", **FILES), tmp_path / "out2")
    assert code != 0
    assert "Storage account hpcfilesit already exists and is not managed by hpcshare profile 'second'" in text, text


def test_plan_json_does_not_price_a_vm_for_azure_files(home: Path, tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    """No VM or managed disk with this backend: the cost, quota and throughput describe the premium
    share, its private endpoint and the storage account, not a server that is not there."""
    import json

    from wizard.cli import main

    answers = write_answers(tmp_path / "files.toml", **FILES)
    assert main(["plan", "--demo", "--answers", str(answers), "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [line["meter"] for line in doc["cost"]["lines"]] == ["Premium LRS Provisioned", "Standard Private Endpoint"]
    assert "vm_size" not in doc["quota"] and doc["quota"]["storage_accounts"]["name"] == "StorageAccounts"
    assert doc["throughput"]["bottleneck"] == "share" and "vm" not in doc["throughput"]


def test_embed_password_embeds_the_account_key_only_when_asked(home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    """`generate --embed-password` for Azure Files: the credential is the account key, asked under
    that name (HPCSHARE_SHARE_PASSWORD carries it), written into job-template.xml only (mode 0600)."""
    from wizard.cli import main

    answers = write_answers(tmp_path / "embed.toml", **{**FILES, "files.account": "hpcfilesemb"})
    code, text, _ = run_session(answers, tmp_path / "out")
    assert code == 0, text
    monkeypatch.setattr("wizard.commands.interactive", lambda: False)
    gen = ["generate", "--demo", "--answers", str(answers), "--embed-password", "--out", str(tmp_path / "gen")]
    assert main(gen) == 2
    assert "--embed-password needs the storage account key: set HPCSHARE_SHARE_PASSWORD" in capsys.readouterr().err
    key = issued_key("hpcfilesemb")
    monkeypatch.setenv("HPCSHARE_SHARE_PASSWORD", key)
    assert main(gen) == 0
    holding = sorted(p.name for p in (tmp_path / "gen").iterdir() if key in p.read_text(encoding="utf-8"))
    assert holding == ["job-template.xml"]
    assert (tmp_path / "gen" / "job-template.xml").stat().st_mode & 0o777 == 0o600
