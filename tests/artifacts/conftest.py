"""Answer sets and server facts for the artifact tests. Goldens live in golden/<set>/<file>."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from wizard.answers import Answers, build_answers, resolve
from wizard.facts import ServerFacts

HERE = Path(__file__).parent
GOLDEN = HERE / "golden"
XSD = HERE / "hpc-job-schema-reconstructed.xsd"
REFERENCE = HERE / "reference"
SUB = "00000000-0000-0000-0000-000000000000"
#: A test password with every character the escaping cares about (embedded in the goldens).
TRICKY_PASSWORD = 'Tr1cky&P|a<s>s(w)o^r"d %PATH% *x* \\q\\'


def make_answers(profile: str = "demo", **saved: Any) -> Answers:
    values = {"subscription.id": SUB, **{k.replace("__", "."): v for k, v in saved.items()}}
    res = resolve(saved=values)
    assert res.ok and not res.warnings, (res.errors, res.warnings)
    return build_answers(profile, res.values)


def rid(kind: str, name: str, rg: str = "rg-hpcshare") -> str:
    return f"/subscriptions/{SUB}/resourceGroups/{rg}/providers/{kind}/{name}"


@dataclass(frozen=True)
class Case:
    name: str
    answers: Answers
    facts: ServerFacts
    embed_password: str | None = None


def _cases() -> dict[str, Case]:
    private = make_answers("demo")
    private_facts = ServerFacts(
        server_name="myfileserver", private_ip="10.0.0.4", subscription_id=SUB,
        resource_group="rg-hpcshare", region="westeurope",
        resource_ids={
            "vm": rid("Microsoft.Compute/virtualMachines", "myfileserver"),
            "nic": rid("Microsoft.Network/networkInterfaces", "myfileserver-nic"),
            "data-disk": rid("Microsoft.Compute/disks", "myfileserver-data"),
        })
    public = make_answers(
        "cluster-a", vm__name="hpcfs01", share__name="Data_01", share__access="read",
        account__username="job.runner", endpoints__public_ip=True, endpoints__dns_label="hpcfs-demo",
        subscription__region="northeurope", subscription__resource_group="rg-hpc.files")
    public_facts = ServerFacts(
        server_name="hpcfs01", private_ip="10.0.0.5", public_ip="20.54.1.2",
        fqdn="hpcfs-demo.northeurope.cloudapp.azure.com", subscription_id=SUB,
        resource_group="rg-hpc.files", region="northeurope",
        resource_ids={"vm": rid("Microsoft.Compute/virtualMachines", "hpcfs01", "rg-hpc.files"),
                      "public-ip": rid("Microsoft.Network/publicIPAddresses", "hpcfs01-pip", "rg-hpc.files")})
    full = make_answers(
        "prod", vm__name="FS-7", share__name="scratch", share__folder="scratch", share__access="full",
        share__encrypt=True, account__username="Runner_2", endpoints__vnet_cidr="172.16.0.0/16",
        endpoints__subnet_cidr="172.16.8.0/24", endpoints__private_ip="172.16.8.200")
    full_facts = ServerFacts(server_name="FS-7", private_ip="172.16.8.200", subscription_id=SUB,
                             resource_group="rg-hpcshare", region="westeurope")
    # HPC Pack 2016/2019 IaaS nodes: a node group, the name in a private DNS zone, SMB from the
    # cluster's own and an on-premises range.
    iaas = make_answers("iaas", cluster__node_group="ComputeNodes", endpoints__private_dns_zone="hpc.internal",
                        endpoints__smb_source="10.1.0.0/16,192.168.10.0/24")
    iaas_facts = ServerFacts(
        server_name="myfileserver", private_ip="10.0.0.4", subscription_id=SUB,
        resource_group="rg-hpcshare", region="westeurope",
        resource_ids={"private-dns": rid("Microsoft.Network/privateDnsZones", "hpc.internal")})
    return {
        "iaas-dns-group": Case("iaas-dns-group", iaas, iaas_facts),
        "private-change": Case("private-change", private, private_facts),
        "public-read": Case("public-read", public, public_facts),
        "private-full-encrypted": Case("private-full-encrypted", full, full_facts),
        "private-change-embedded": Case("private-change-embedded", private, private_facts, TRICKY_PASSWORD),
    }


CASES = _cases()


@pytest.fixture(params=sorted(CASES))
def case(request: pytest.FixtureRequest) -> Case:
    return CASES[request.param]


@pytest.fixture
def answers() -> Answers:
    return CASES["private-change"].answers


@pytest.fixture
def facts() -> ServerFacts:
    return CASES["private-change"].facts
