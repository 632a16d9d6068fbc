"""Values outside the allow-lists, handed straight to render_artifacts (validation bypassed), are
refused with a ValueError that names the field: nothing else reaches the .cmd/.ps1/.xml files."""
from __future__ import annotations

import dataclasses

import pytest

from tests.artifacts.conftest import CASES
from wizard.artifacts import render_artifacts, write_artifacts

HOSTILE = [
    'My"Share', "My'Share", "50%", "%PATH%", "a^b", "a&b", "a|b", "a<b", "a>b", "a(b)", "a*b", "a!b",
    "a`b", "a$b", "a;b", "a,b", "a=b", "a/b", "a\\b", "a:b", "a@b", "my share", " lead", "trail ",
    "a\nb", "Share\n", "Share\r", "a\tb", "a\x00b", "\u212aelvin",  # Kelvin sign: matches [k] under re.I
    "\uff2dyShare",  # fullwidth M
    "\u041cyShare",  # Cyrillic M
    "caf\u00e9", "a\u200bb",  # zero-width space
    "a\u2019b", "",
]

ANSWER_FIELDS = {
    "share.name": "share__name",
    "account.username": "account__username",
}


def _render(answers=None, facts=None, **kw):
    case = CASES["private-change"]
    return render_artifacts(answers or case.answers, facts or case.facts, **kw)


@pytest.mark.parametrize("value", HOSTILE)
@pytest.mark.parametrize("field", sorted(ANSWER_FIELDS))
def test_answer_fields(field: str, value: str) -> None:
    answers = CASES["private-change"].answers.replace(**{ANSWER_FIELDS[field]: value})
    with pytest.raises(ValueError, match=field.replace(".", r"\.")):
        _render(answers=answers)


@pytest.mark.parametrize("value", HOSTILE + ["a--b" * 11])
def test_profile(value: str) -> None:
    answers = dataclasses.replace(CASES["private-change"].answers, profile=value)
    with pytest.raises(ValueError, match="profile"):
        _render(answers=answers)


@pytest.mark.parametrize("value", HOSTILE + ["-server", "server-", "123", "sixteen-chars-xx"])
def test_server_name(value: str) -> None:
    facts = dataclasses.replace(CASES["private-change"].facts, server_name=value)
    with pytest.raises(ValueError, match=r"facts\.server_name"):
        _render(facts=facts)


IPS = ["10.0.0.4 & calc", "10.0.0.4\n", "10.0.0.4\r\n", "010.0.0.4", "10.0.0.256", "10.0.0", "10.0.0.4.5",
       "\uff11\uff10.0.0.4", "\u0661\u0660.0.0.4", "10.0.0.4;", " 10.0.0.4", "10.0.0.4 ", "::1", "10.0.0.4/32",
       "10,0,0,4", "10.0.0.4%eth0", ""]


@pytest.mark.parametrize("value", IPS)
def test_private_ip(value: str) -> None:
    facts = dataclasses.replace(CASES["private-change"].facts, private_ip=value)
    with pytest.raises(ValueError, match=r"facts\.private_ip"):
        _render(facts=facts)


@pytest.mark.parametrize("value", [v for v in IPS if v])
def test_public_ip(value: str) -> None:
    facts = dataclasses.replace(CASES["private-change"].facts, public_ip=value)
    with pytest.raises(ValueError, match=r"facts\.public_ip"):
        _render(facts=facts)


@pytest.mark.parametrize("value", ["x.cloudapp.azure.com\n", "X.CLOUDAPP.AZURE.COM ", "a b.com", "a&b.com", "a`b.com",
                                   "-a.com", "a..com", "x.c\u00f6m", "localhost"])
def test_fqdn(value: str) -> None:
    facts = dataclasses.replace(CASES["private-change"].facts, fqdn=value)
    with pytest.raises(ValueError, match=r"facts\.fqdn"):
        _render(facts=facts)


@pytest.mark.parametrize(("field", "kw", "value"), [
    ("subscription.id", "subscription__id", "not-a-guid"),
    ("subscription.id", "subscription__id", "00000000-0000-0000-0000-000000000000\n"),
    ("subscription.region", "subscription__region", "west europe"),
    ("subscription.resource_group", "subscription__resource_group", "rg`x"),
    ("subscription.resource_group", "subscription__resource_group", "rg."),
    ("share.access", "share__access", "write"),
    ("share.access", "share__access", "READ"),
    ("share.encrypt", "share__encrypt", "yes"),
])
def test_other_answer_fields(field: str, kw: str, value: str) -> None:
    case = CASES["private-change"]
    answers = case.answers.replace(**{kw: value})
    # The facts carry no subscription/region/group of their own here, so the answers are used.
    facts = dataclasses.replace(case.facts, subscription_id="", resource_group="", region="")
    with pytest.raises(ValueError, match=field.replace(".", r"\.")):
        render_artifacts(answers, facts)


@pytest.mark.parametrize("ids", [
    {"vm": "/subscriptions/x/../../etc"},
    {"vm": "`rm -rf`"},
    {"vm": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg\nINJECTED"},
    {"VM Step": "/subscriptions/00000000-0000-0000-0000-000000000000"},
])
def test_resource_ids(ids: dict[str, str]) -> None:
    facts = dataclasses.replace(CASES["private-change"].facts, resource_ids=ids)
    with pytest.raises(ValueError, match=r"facts\.resource_ids"):
        _render(facts=facts)


def test_nothing_is_written_when_a_value_is_refused(tmp_path) -> None:
    answers = CASES["private-change"].answers.replace(share__name="x&y")
    out = tmp_path / "out"
    with pytest.raises(ValueError, match=r"share\.name"):
        write_artifacts(answers, CASES["private-change"].facts, out)
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def test_valid_edge_values_are_accepted() -> None:
    """The allow-lists are not stricter than the answers' own rules at their edges."""
    case = CASES["private-change"]
    answers = case.answers.replace(share__name="A" * 79, account__username="a" + "b" * 18 + "_")
    answers = dataclasses.replace(answers, profile="p" * 40)
    facts = dataclasses.replace(case.facts, server_name="a" * 15, private_ip="100.64.0.10")
    render_artifacts(answers, facts)
