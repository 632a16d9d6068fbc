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
                   "hpcpack create nodeprep.zip nodeprep.cmd",
                   'hpcpack upload nodeprep.zip /nodetemplate:"Default AzureNode Template"',
                   "clusrun-hosts.cmd", f"hpcshare teardown --profile {v.profile}",
                   f"--share {v.share} --user {v.user}", "System error 53", "System error 1219"):
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


def test_check_share_section(case: Case) -> None:
    v = check_values(case.answers, case.facts)
    text = _summary(case)
    section = text[text.index("## Check the share from every node"):text.index("## 4. Tear down")]
    for needle in ("after the first deployment", "any change to the cluster's network",
                   "check-share.cmd /clusrun NODEGROUP", "hpcshare nodes-report check-share-output.txt",
                   v.unc, v.account, v.private_ip, "/env:"):
        assert needle in section, needle
    assert "| `check-share.cmd` |" in text
