"""Issue 14 through the real SDK clients against the stand-in: the private DNS zone, its VNet link
and A record (azure-mgmt-privatedns), removed by teardown; several SMB source ranges on the NSG
rule; a node group in the generated job; the stand-in's Private DNS rules."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.integration.conftest import run_session, write_answers
from wizard.environment import standin_state_file
from wizard.standin import FakeCredential, StandIn

NS = "{http://schemas.microsoft.com/HPCS2008R2/scheduler/}"


def _clients(s: StandIn):
    from azure.mgmt.network import NetworkManagementClient
    from azure.mgmt.privatedns import PrivateDnsManagementClient

    kw = {"base_url": s.base_url, "connection_verify": str(s.ca_path), "polling_interval": 0}
    return (PrivateDnsManagementClient(FakeCredential(), s.subscription_id, **kw),
            NetworkManagementClient(FakeCredential(), s.subscription_id, **kw))


def test_private_dns_zone_link_and_record_then_teardown(home: Path, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    from wizard.cli import main

    answers = write_answers(tmp_path / "it.toml", endpoints__private_dns_zone="hpc.internal",
                            cluster__node_group="ComputeNodes")
    out = tmp_path / "out"
    code, text, _ = run_session(answers, out)
    assert code == 0, text
    with StandIn(state_file=standin_state_file()) as s:
        dns, net = _clients(s)
        zone = dns.private_zones.get("rg-it", "hpc.internal")
        assert zone.location == "global"
        assert zone.tags == {"managed-by": "hpcshare", "hpcshare-profile": "it"}
        vnet = net.virtual_networks.get("rg-it", "vnet-hpc")
        links = list(dns.virtual_network_links.list("rg-it", "hpc.internal"))
        assert [(link.virtual_network.id.lower(), link.registration_enabled) for link in links] == [(vnet.id.lower(), False)]
        record = dns.record_sets.get("rg-it", "hpc.internal", "A", "fs01")
        assert [r.ipv4_address for r in record.a_records] == ["10.0.0.4"]
        assert record.fqdn == "fs01.hpc.internal."
        assert dns.private_zones.get("rg-it", "hpc.internal").number_of_virtual_network_links == 1
        dns.close()
        net.close()
    # The files use the FQDN; the job targets the node group.
    for name in ("nodeprep.cmd", "job-template.xml", "SUMMARY.md", "clusrun-hosts.cmd"):
        assert "fs01.hpc.internal" in (out / name).read_text(encoding="utf-8"), name
    job = ET.fromstring((out / "job-template.xml").read_bytes())
    assert job.get("NodeGroups") == "ComputeNodes"
    assert "\\\\fs01\\" not in (out / "job-template.xml").read_text(encoding="utf-8")

    # A second run finds all three in place.
    code, text, _ = run_session(answers, out)
    assert code == 0 and "private-dns" in text

    assert main(["teardown", "--demo", "--answers", str(answers), "--yes"]) == 0
    said = capsys.readouterr().out
    for what in ("Microsoft.Network/privateDnsZones/A", "Microsoft.Network/privateDnsZones/virtualNetworkLinks",
                 "Microsoft.Network/privateDnsZones "):
        assert f"deleted  {what}" in said, said
    with StandIn(state_file=standin_state_file()) as s:
        assert not [r for r in s.resources() if "privatednszones" in r["type"].lower()]


def test_several_smb_ranges_reach_the_nsg_rule(home: Path, tmp_path: Path) -> None:
    from wizard.azure.steps import nsg_rules
    from wizard.answers import build_answers, resolve

    values = {"endpoints.smb_source": "10.1.0.0/16,192.168.10.0/24", "endpoints.udp_445": True}
    answers = write_answers(tmp_path / "it.toml", **{k.replace(".", "__"): v for k, v in values.items()})
    rules = nsg_rules(build_answers("it", resolve(saved=values).values))
    assert rules[0]["properties"]["sourceAddressPrefixes"] == ["10.1.0.0/16", "192.168.10.0/24"]
    assert "sourceAddressPrefix" not in rules[0]["properties"]
    # The NSG step alone, through the SDK (the Windows Firewall side is configure-server's).
    from wizard.azure.steps import Target, nsg, resource_group
    from wizard.environment import open_environment
    from wizard.plan import Names
    from wizard.answers import Secrets
    from wizard import profiles

    loaded = build_answers("it", resolve(saved=profiles.load(answers).values).values)
    env = open_environment(demo=True)
    try:
        target = Target(env, loaded, Names.of(loaded), Secrets("", ""))

        class Ctx:
            outputs: dict = {}

            def log(self, _m: str) -> None: ...

            def warn(self, _m: str) -> None: ...

            def check_cancelled(self) -> None: ...

        resource_group(Ctx(), target)
        assert nsg(Ctx(), target)["changed"] is True
        assert nsg(Ctx(), target)["changed"] is False  # the same rules read back: nothing to do
        group = env.network(loaded.subscription.id).network_security_groups.get("rg-it", "fs01-nsg")
        smb = [r for r in group.security_rules if r.name.startswith("allow-smb")]
        assert {r.name for r in smb} == {"allow-smb-tcp-445", "allow-smb-udp-445"}
        assert all(r.source_address_prefixes == ["10.1.0.0/16", "192.168.10.0/24"] for r in smb)
    finally:
        env.close()


def test_standin_private_dns_rules(home: Path, tmp_path: Path) -> None:
    from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
    from azure.mgmt.resource.resources import ResourceManagementClient

    with StandIn(state_file=standin_state_file()) as s:
        dns, net = _clients(s)
        rm = ResourceManagementClient(FakeCredential(), s.subscription_id, base_url=s.base_url,
                                      connection_verify=str(s.ca_path), polling_interval=0)
        rm.resource_groups.create_or_update("rg-dns", {"location": "westeurope"})
        vnet = net.virtual_networks.begin_create_or_update(
            "rg-dns", "v1", {"location": "westeurope",
                             "properties": {"addressSpace": {"addressPrefixes": ["10.9.0.0/16"]}}}).result()
        # Global only (PrivateZonePut example).
        with pytest.raises(HttpResponseError) as err:
            dns.private_zones.begin_create_or_update("rg-dns", "a.internal", {"location": "westeurope"}).result()
        assert err.value.error.code == "LocationNotAvailableForResourceType"
        # At least two labels; reserved names refused (Private DNS zone restrictions).
        for bad in ("internal", "azure.com"):
            with pytest.raises(HttpResponseError) as err:
                dns.private_zones.begin_create_or_update("rg-dns", bad, {"location": "Global"}).result()
            assert err.value.status_code == 400
        dns.private_zones.begin_create_or_update("rg-dns", "a.internal", {"location": "Global"}).result()
        # A link to a VNet that does not exist; then a real one, and the same VNet twice.
        missing = vnet.id.replace("/v1", "/nope")
        with pytest.raises(HttpResponseError) as err:
            dns.virtual_network_links.begin_create_or_update(
                "rg-dns", "a.internal", "l0", {"location": "Global", "properties": {
                    "virtualNetwork": {"id": missing}, "registrationEnabled": False}}).result()
        assert err.value.error.code == "InvalidResourceReference"
        link = {"location": "Global", "properties": {"virtualNetwork": {"id": vnet.id}, "registrationEnabled": False}}
        dns.virtual_network_links.begin_create_or_update("rg-dns", "a.internal", "l1", link).result()
        with pytest.raises(HttpResponseError) as err:
            dns.virtual_network_links.begin_create_or_update("rg-dns", "a.internal", "l2", link).result()
        assert err.value.status_code == 409
        # A record sets: name lower-cased, fqdn with a dot (RecordSetAPut); a record in a missing zone.
        rec = dns.record_sets.create_or_update("rg-dns", "a.internal", "A", "Srv", {
            "properties": {"ttl": 60, "aRecords": [{"ipv4Address": "10.9.0.4"}]}})
        assert (rec.name, rec.fqdn) == ("srv", "srv.a.internal.")
        with pytest.raises(HttpResponseError) as err:
            dns.record_sets.create_or_update("rg-dns", "a.internal", "A", "bad", {
                "properties": {"aRecords": [{"ipv4Address": "10.9.0.999"}]}})
        assert err.value.status_code == 400
        with pytest.raises(ResourceNotFoundError):
            dns.record_sets.get("rg-dns", "b.internal", "A", "srv")
        # A zone with a link cannot be deleted (CannotDeleteResource); without it, it can, records and all.
        with pytest.raises(HttpResponseError) as err:
            dns.private_zones.begin_delete("rg-dns", "a.internal").result()
        assert err.value.error.code == "CannotDeleteResource"
        assert "nested resources exist" in err.value.error.message
        dns.virtual_network_links.begin_delete("rg-dns", "a.internal", "l1").result()
        dns.private_zones.begin_delete("rg-dns", "a.internal").result()
        with pytest.raises(ResourceNotFoundError):
            dns.record_sets.get("rg-dns", "a.internal", "A", "srv")
        dns.close()
        net.close()
        rm.close()


def test_smb_range_list_reaches_nsg_and_windows_firewall_end_to_end(home: Path, tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 14's acceptance through the command line: `--set endpoints.smb_source=A,B` reaches the
    NSG rule (sourceAddressPrefixes) and the server's Windows Firewall rule (the fake's state)."""
    from wizard.cli import main
    from wizard.environment import standin_state_file
    from wizard.standin.store import Store

    ranges = ["10.1.0.0/16", "192.168.10.0/24"]
    answers = write_answers(tmp_path / "it.toml")
    code = main(["run", "--demo", "--answers", str(answers), "--yes", "--out", str(tmp_path / "out"),
                 "--password-file", str(tmp_path / "pw"), "--set", f"endpoints.smb_source={','.join(ranges)}"])
    assert code == 0, capsys.readouterr()
    store = Store(standin_state_file())
    (group,) = store.of_type("Microsoft.Network/networkSecurityGroups")
    smb = next(r for r in group["properties"]["securityRules"] if r["name"] == "allow-smb-tcp-445")
    assert smb["properties"]["sourceAddressPrefixes"] == ranges
    servers = [d["server"] for d in store.internal.values() if isinstance(d, dict) and "server" in d]
    (server,) = servers
    ours = server["firewall_rules"]["hpcshare-SMB-In-TCP-445"]
    assert sorted(ours["remote"]) == ranges and ours["enabled"]
