"""SUMMARY.md: the names, ids and addresses, and the commands a user needs next."""
from __future__ import annotations

from tests.artifacts.conftest import CASES, Case
from wizard.artifacts import render_artifacts
from wizard.artifacts.safety import check_values


def _summary(case: Case) -> str:
    return render_artifacts(case.answers, case.facts, embed_password=case.embed_password)["SUMMARY.md"]


def test_contents(case: Case) -> None:
    v = check_values(case.answers, case.facts)
    text = _summary(case)
    assert text.isascii() and "\r" not in text
    for needle in (v.server, v.private_ip, v.unc, v.account, v.resource_group, v.region, v.subscription_id,
                   "HPC Pack 2016 or 2019", "Cloud Services (classic)", "legacy",
                   "hpcpack create hpcshare.zip nodeprep.cmd", "/relativePath:hpcshare", "hpcsync",
                   "call `nodeprep.cmd` from the startup script", "rather than replacing",
                   "clusrun-hosts.cmd", f"hpcshare teardown --profile {v.profile}",
                   f"cmd /c pushd {v.unc}\\jobs && ", "cmdkey /add:", "Check access",
                   f"--share {v.share} --user {v.user}", "System error 53", "System error 1219",
                   "Domain-joined clusters", "no share password"):
        assert needle in text, needle
    for _, rid in v.resource_ids:
        assert f"`{rid}`" in text


def test_public_ip_and_fqdn() -> None:
    text = _summary(CASES["public-read"])
    assert "`20.54.1.2`" in text and "`hpcfs-demo.northeurope.cloudapp.azure.com`" in text
    assert "hpcshare verify --server hpcfs-demo.northeurope.cloudapp.azure.com --share Data_01 --user job.runner" in text
    assert "read only" in text
    private = _summary(CASES["private-change"])
    assert "| Public IP | none |" in private and "| DNS name | none |" in private
    assert "hpcshare verify --server 10.0.0.4 --share MyShare --user hpcshareuser" in private


def test_embedding_is_stated() -> None:
    assert "except `job-template.xml`" in _summary(CASES["private-change-embedded"])
    assert "The share password is in none of these files." in _summary(CASES["private-change"])


def test_access_and_encryption() -> None:
    text = _summary(CASES["private-full-encrypted"])
    assert "full control" in text and "required (clients need SMB 3" in text


def test_where_the_password_lives() -> None:
    text = _summary(CASES["private-change"])
    section = text.split("## Where the share password lives", 1)[1].split("\n## ", 1)[0]
    for needle in ("scheduler database until the job is purged", "cluster administrator", "`cmd.exe`, `cmdkey.exe` and `net.exe`",
                   "module logging", "puts the placeholder back"):
        assert needle in section, needle


def test_smb_scope_on_the_nsg_and_the_firewall() -> None:
    """VirtualNetwork: the NSG admits peered and on-premises ranges, the firewall only the VNet's own
    range, and SUMMARY says so; a list of ranges is the same on both. Error 53 says to check both."""
    case = CASES["private-change"]
    text = _summary(case)
    assert "Network security group: `VirtualNetwork`: this virtual network, peered virtual networks" in text
    assert "Windows Firewall on the server: only this virtual network's own address space (`10.0.0.0/16`" in text
    assert "check both the network security group and the Windows Firewall" in text
    listed = render_artifacts(case.answers.replace(endpoints__smb_source="10.1.0.0/16,192.168.10.0/24"),
                              case.facts)["SUMMARY.md"]
    assert "- Network security group: `10.1.0.0/16`, `192.168.10.0/24`." in listed
    assert "- Windows Firewall on the server: the same ranges: `10.1.0.0/16`, `192.168.10.0/24`" in listed


def test_node_group_and_private_dns_zone() -> None:
    case = CASES["private-change"]
    text = _summary(case)
    assert "the job may land on any node" in text and "| Node group | none" in text
    answers = case.answers.replace(cluster__node_group="ComputeNodes", endpoints__private_dns_zone="hpc.internal")
    text = render_artifacts(answers, case.facts)["SUMMARY.md"]
    assert "| Node group | `ComputeNodes` |" in text and "may land on any node" not in text
    assert "`clusrun-hosts.cmd ComputeNodes` (that node group is the default)" in text
    assert "| Name the nodes use | `myfileserver.hpc.internal` |" in text
    assert "conditional forwarder for `hpc.internal` to `168.63.129.16`" in text
    assert "`\\\\myfileserver.hpc.internal\\MyShare`" in text
    assert "the private DNS zone `hpc.internal` with its record and VNet link included" in text

def test_check_share_section(case: Case) -> None:
    v = check_values(case.answers, case.facts)
    text = _summary(case)
    section = text[text.index("## Check the share from every node"):text.index("## 4. Tear down")]
    for needle in ("after the first deployment", "any change to the cluster's network",
                   f"check-share.cmd /clusrun {v.node_group or 'NODEGROUP'}",
                   "hpcshare nodes-report check-share-output.txt", v.host, v.unc, v.account, v.private_ip, "/env:"):
        assert needle in section, needle
    assert "| `check-share.cmd` |" in text


def _assessment_lines() -> list[str]:
    """Real engine objects (cost, quota, throughput verdict), as a run's preflight renders them."""
    from wizard import diskcaps
    from wizard.assessment import Assessment
    from wizard.catalog import VmSizeInfo
    from wizard.cost import CostEstimate, CostLine
    from wizard.quota import QuotaCheck, QuotaLine
    from wizard.throughput import verdict

    cost = CostEstimate("EUR", (CostLine("VM Standard_D4s_v5 (Windows, pay-as-you-go)", "D4s v5", 730, "hour",
                                         0.38, 277.4),
                                CostLine("Data disk 1024 GiB Premium SSD (P30)", "P30 LRS Disk", 1, "month",
                                         135.0, 135.0)),
                        True, "Azure Retail Prices API (list prices)", "2026-11-28")
    quota = QuotaCheck("westeurope", "Standard_D4s_v5", 4,
                       QuotaLine("standardDSv5Family", "Standard DSv5 Family vCPUs", 0, 10, 4), None)
    vm = VmSizeInfo("Standard_D4s_v5", 4, 16, 8, True, uncached_iops=6400, uncached_mbps=145)
    return Assessment(cost, quota, verdict(vm, diskcaps.caps("Premium_LRS", 1024))).text_lines(after_run=True)


def test_cost_quota_and_throughput_section(case: Case) -> None:
    lines = _assessment_lines()
    text = render_artifacts(case.answers, case.facts, embed_password=case.embed_password,
                            assessment=lines)["SUMMARY.md"]
    assert text.isascii()
    section = text.split("## Cost, quota and throughput\n", 1)[1].split("\n## ", 1)[0]
    assert "Prices: Azure Retail Prices API (list prices), fetched 2026-11-28." in section
    assert "Total per month" in section and "412.40 EUR" in section
    assert "Quota Standard DSv5 Family vCPUs: 4 of 10 in use with this server (ok)" in section
    assert "Throughput: the VM (Standard_D4s_v5: 145 MB/s" in section and "caps the share at 145 MB/s" in section
    # Before the password section, inside one fenced block.
    assert text.index("## Cost, quota and throughput") < text.index("## Where the share password lives")
    assert section.count("```") == 2


def test_no_cost_section_without_an_assessment(case: Case) -> None:
    assert "## Cost, quota and throughput" not in _summary(case)


def test_cost_section_keeps_azure_text_out_of_markdown(case: Case) -> None:
    hostile = ["Data disk ```\n# injected", "Caf\u00e9 \x1b[2J meter `x`"]
    text = render_artifacts(case.answers, case.facts, assessment=hostile)["SUMMARY.md"]
    section = text.split("## Cost, quota and throughput\n", 1)[1].split("\n## ", 1)[0]
    assert text.isascii() and section.count("```") == 2
    assert "\n# injected" not in text and "\x1b" not in text
    assert "Data disk ????# injected" in section and "Caf? ?[2J meter ?x?" in section


def test_commands_carry_demo_when_the_files_came_from_a_demo_run(case: Case) -> None:
    """Issue 22 (S7): run as written, a command without --demo asks Azure for a sign-in."""
    import dataclasses
    import re

    plain = _summary(case)
    demo = render_artifacts(case.answers, dataclasses.replace(case.facts, demo=True),
                            embed_password=case.embed_password)["SUMMARY.md"]
    commands = re.findall(r"hpcshare (generate|teardown|reset-password)( --demo)? --profile", demo)
    assert len(commands) >= 4 and all(flag == " --demo" for _, flag in commands)
    assert "--demo" not in plain
    # The lost-password section names the reset command for both users.
    for who in ("admin", "share"):
        assert f"hpcshare reset-password --demo --profile {case.answers.profile} --user {who}" in demo
