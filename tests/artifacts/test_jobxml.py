"""job-template.xml: valid against the reconstructed XSD, shaped like jobs the scheduler exports,
and the password (placeholder or embedded) exactly where it belongs."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from functools import lru_cache

import pytest

from tests.artifacts.conftest import CASES, REFERENCE, XSD, Case
from wizard.artifacts import render_artifacts
from wizard.artifacts.escaping import PASSWORD_PLACEHOLDER, escape_netuse_password
from wizard.artifacts.jobxml import CONNECT_ATTEMPTS, NAMESPACE, nodeprep_command, noderelease_command
from wizard.artifacts.safety import check_values

xmlschema = pytest.importorskip("xmlschema", reason="xmlschema is in the test extra")
NS = f"{{{NAMESPACE}}}"


@lru_cache(maxsize=1)
def schema():
    return xmlschema.XMLSchema(str(XSD))


def _xml(case: Case) -> str:
    return render_artifacts(case.answers, case.facts, embed_password=case.embed_password)["job-template.xml"]


def _tasks(root: ET.Element) -> dict[str, ET.Element]:
    return {t.get("Type"): t for t in root.find(f"{NS}Tasks")}


def test_reference_exports_validate() -> None:
    """The schema accepts the real exported jobs we compare with (a check of the test itself)."""
    refs = sorted(REFERENCE.glob("*.xml"))
    assert len(refs) >= 3
    for ref in refs:
        schema().validate(str(ref))


def test_validates_against_the_xsd(case: Case) -> None:
    schema().validate(_xml(case))


def test_rejected_by_the_xsd_when_broken(case: Case) -> None:
    broken = _xml(case).replace('Type="NodePrep"', 'Type="NodePrepare"')
    assert not schema().is_valid(broken)


def test_same_shape_as_the_exported_jobs(case: Case) -> None:
    ours = ET.fromstring(_xml(case))
    for ref_path in sorted(REFERENCE.glob("*.xml")):
        ref = ET.fromstring(ref_path.read_bytes())
        assert ours.tag == ref.tag == f"{NS}Job"
        assert ours.get("Version") == ref.get("Version") == "3.000"
        assert [c.tag for c in ours if isinstance(c.tag, str)] == [c.tag for c in ref]  # Dependencies, Tasks
        assert all(t.tag == f"{NS}Task" and t.get("Version") == "3.000" for t in ours.find(f"{NS}Tasks"))
        # Every attribute we write is spelled as the scheduler spells it, where the export has it.
        ref_attrs = set(ref.attrib) | {a for t in ref.iter(f"{NS}Task") for a in t.attrib}
        ours_attrs = set(ours.attrib) | {a for t in ours.iter(f"{NS}Task") for a in t.attrib}
        for name in ours_attrs:
            same = {r for r in ref_attrs if r.lower() == name.lower()}
            assert same in (set(), {name}), name


def test_task_kinds_and_commands(case: Case) -> None:
    root = ET.fromstring(_xml(case))
    values = check_values(case.answers, case.facts)
    tasks = {t.get("Name"): t for t in root.find(f"{NS}Tasks")}
    assert [(name, t.get("Type")) for name, t in tasks.items()] == [
        ("Connect share", "NodePrep"), ("Example", "Basic"), ("Check access", "Basic"),
        ("Disconnect share", "NodeRelease")]
    password = PASSWORD_PLACEHOLDER if case.embed_password is None else escape_netuse_password(case.embed_password)
    nodeprep = tasks["Connect share"].get("CommandLine")
    assert nodeprep == nodeprep_command(values, password)
    release = tasks["Disconnect share"].get("CommandLine")
    assert release == noderelease_command(values)
    assert release == f"cmd /c net use {values.unc} /delete /y & cmdkey /delete:{values.host} & exit 0"
    connect = f"net use {values.unc} /user:{values.server}\\{values.user} {password} /persistent:no"
    pause = "ping -n 6 127.0.0.1 >nul"
    assert nodeprep.startswith(
        f"cmd /c net use {values.unc} /delete /y >nul 2>&1 & "
        f"cmdkey /add:{values.host} /user:{values.server}\\{values.user} /pass:{password} & "
        f"{connect} || ({pause} & {connect}) || ({pause} & {connect}) || exit 1")
    for kind in ("Connect share", "Disconnect share"):
        line = tasks[kind].get("CommandLine")
        assert all(line[i - 1] == "^" for i, c in enumerate(line) if c == "*"), kind
    example = tasks["Example"]
    if values.access == "read":
        assert example.get("CommandLine") == f"cmd /c pushd {values.unc} && dir && popd"
        assert example.get("WorkDirectory") == values.unc
        assert example.get("StdOutFilePath") is None and example.get("StdErrFilePath") is None
    else:
        assert example.get("CommandLine") == f"cmd /c pushd {values.unc}\\jobs && hostname && cd && popd"
        assert example.get("WorkDirectory") == f"{values.unc}\\jobs"
        assert example.get("StdOutFilePath") == "hpcshare-example.out"
        assert example.get("StdErrFilePath") == "hpcshare-example.err"
        assert "\\" not in example.get("StdOutFilePath")  # relative to the work directory
        assert f"md {values.unc}\\jobs" in nodeprep
    check = tasks["Check access"]
    assert check.get("CommandLine") == f"cmd /c whoami & net use & cmdkey /list:{values.host} & dir {values.unc}"
    assert check.get("WorkDirectory") is None and check.get("StdOutFilePath") is None


def test_job_attributes(case: Case) -> None:
    root = ET.fromstring(_xml(case))
    assert root.get("Name") == f"hpcshare example ({case.answers.profile})"
    assert root.get("JobTemplate") is None  # the cluster's Default template
    assert root.get("NodeGroups") == (case.answers.cluster.node_group or None)


def test_node_group_and_private_dns_zone() -> None:
    """cluster.node_group -> NodeGroups on the Job (valid against the schema); a private DNS zone
    -> every path and cmdkey target uses <vm name>.<zone>, while the account stays SERVER\\user."""
    case = CASES["private-change"]
    answers = case.answers.replace(cluster__node_group="ComputeNodes", endpoints__private_dns_zone="hpc.internal")
    text = render_artifacts(answers, case.facts)["job-template.xml"]
    schema().validate(text)
    root = ET.fromstring(text)
    assert root.get("NodeGroups") == "ComputeNodes"
    tasks = {t.get("Name"): t for t in root.find(f"{NS}Tasks")}
    nodeprep = tasks["Connect share"].get("CommandLine")
    assert "net use \\\\myfileserver.hpc.internal\\MyShare /user:myfileserver\\hpcshareuser " in nodeprep
    assert "cmdkey /add:myfileserver.hpc.internal /user:myfileserver\\hpcshareuser " in nodeprep
    assert tasks["Example"].get("WorkDirectory") == "\\\\myfileserver.hpc.internal\\MyShare\\jobs"
    assert "cmdkey /delete:myfileserver.hpc.internal" in tasks["Disconnect share"].get("CommandLine")
    assert "\\\\myfileserver\\" not in text


def test_embedded_password_parses_back_escaped() -> None:
    case = CASES["private-change-embedded"]
    text = _xml(case)
    root = ET.fromstring(text)
    line = _tasks(root)["NodePrep"].get("CommandLine")
    escaped = escape_netuse_password(case.embed_password)
    assert f" {escaped} /persistent:no" in line
    # A space makes net.exe need quotes (^" for cmd.exe); %^ breaks %PATH%; ^* for HPC; the
    # trailing backslash is doubled before the closing quote.
    assert escaped == '^"Tr1cky^&P^|a^<s^>s^(w^)o^^r\\^"d %^PATH%^ ^*x^* \\q\\\\^"'
    # XML escaping was done by the library: no raw & < > " inside the attribute.
    raw_attr = text.split('CommandLine="', 1)[1].split('"', 1)[0]
    assert "&amp;" in raw_attr and "&lt;" in raw_attr and "&gt;" in raw_attr and "&quot;" in raw_attr
    assert "<" not in raw_attr and ">" not in raw_attr
    assert PASSWORD_PLACEHOLDER not in text


def test_placeholder_only_in_the_nodeprep_command_line(case: Case) -> None:
    """Once for cmdkey and once per net use attempt, all in the NodePrep task."""
    text = _xml(case)
    root = ET.fromstring(text)
    expected = 1 + CONNECT_ATTEMPTS if case.embed_password is None else 0
    assert text.count(PASSWORD_PLACEHOLDER) == expected
    nodeprep = _tasks(root)["NodePrep"].get("CommandLine")
    assert nodeprep.count(PASSWORD_PLACEHOLDER) == expected


@pytest.mark.parametrize("name", ["my--server", "a-b"])
def test_double_hyphen_names_keep_the_xml_well_formed(name: str) -> None:
    case = CASES["private-change"]
    answers = case.answers.replace(vm__name=name, share__name="x--y", account__username="u--v")
    from dataclasses import replace
    facts = replace(case.facts, server_name=name)
    text = render_artifacts(answers, facts)["job-template.xml"]
    schema().validate(text)


def test_declaration_and_line_ends(case: Case) -> None:
    text = _xml(case)
    assert text.startswith('<?xml version="1.0" encoding="utf-8"?>\r\n<Job ')
    assert text.endswith("</Job>\r\n")
    assert "\n" not in text.replace("\r\n", "")
