"""job-template.xml: valid against the reconstructed XSD, shaped like jobs the scheduler exports,
and the password (placeholder or embedded) exactly where it belongs."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from functools import lru_cache

import pytest

from tests.artifacts.conftest import CASES, REFERENCE, XSD, Case
from wizard.artifacts import render_artifacts
from wizard.artifacts.escaping import PASSWORD_PLACEHOLDER, escape_netuse_password
from wizard.artifacts.jobxml import NAMESPACE, nodeprep_command, noderelease_command
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
    tasks = _tasks(root)
    assert list(tasks) == ["NodePrep", "Basic", "NodeRelease"]
    password = PASSWORD_PLACEHOLDER if case.embed_password is None else escape_netuse_password(case.embed_password)
    assert tasks["NodePrep"].get("CommandLine") == nodeprep_command(values, password)
    assert tasks["NodeRelease"].get("CommandLine") == noderelease_command(values)
    assert tasks["NodeRelease"].get("CommandLine") == f"cmd /c net use {values.unc} /delete /y & exit 0"
    nodeprep = tasks["NodePrep"].get("CommandLine")
    assert nodeprep.startswith(f"cmd /c net use {values.unc} /delete /y >nul 2>&1 & "
                               f"net use {values.unc} /user:{values.server}\\{values.user} {password} /persistent:no")
    for kind in ("NodePrep", "NodeRelease"):
        line = tasks[kind].get("CommandLine")
        assert all(line[i - 1] == "^" for i, c in enumerate(line) if c == "*"), kind
    example = tasks["Basic"]
    if values.access == "read":
        assert example.get("WorkDirectory") == values.unc
        assert example.get("StdOutFilePath") is None and example.get("StdErrFilePath") is None
    else:
        assert example.get("WorkDirectory") == f"{values.unc}\\jobs"
        assert example.get("StdOutFilePath") == "hpcshare-example.out"
        assert example.get("StdErrFilePath") == "hpcshare-example.err"
        assert "\\" not in example.get("StdOutFilePath")  # relative to the work directory
        assert f"md {values.unc}\\jobs" in nodeprep


def test_job_attributes(case: Case) -> None:
    root = ET.fromstring(_xml(case))
    assert root.get("Name") == f"hpcshare example ({case.answers.profile})"
    assert root.get("JobTemplate") is None  # the cluster's Default template
    assert root.get("NodeGroups") is None


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
    text = _xml(case)
    expected = 1 if case.embed_password is None else 0
    assert text.count(PASSWORD_PLACEHOLDER) == expected


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
