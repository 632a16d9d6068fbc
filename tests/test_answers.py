"""Layered answers (override > typed > saved > default), --set parsing, secrets, generated passwords."""
from __future__ import annotations

import string
from pathlib import Path
from typing import Any

import pytest

from wizard import profiles
from wizard.answers import (
    AnswerError,
    Secrets,
    build_answers,
    generate_password,
    parse_set_options,
    resolve,
)
from wizard.questions import QUESTIONS, SAVED_KEYS, SECRET_KEYS

EXAMPLE_FILE = Path(__file__).resolve().parents[1] / "examples" / "myfileserver.toml"
EXAMPLE: dict[str, Any] = profiles.load(EXAMPLE_FILE).values
REQUIRED = sorted(k for k, q in QUESTIONS.items() if q.required)


def without(*keys: str) -> dict[str, Any]:
    return {k: v for k, v in EXAMPLE.items() if k not in keys}


def test_example_file_is_complete_and_valid() -> None:
    assert set(EXAMPLE) == set(SAVED_KEYS)
    res = resolve(saved=EXAMPLE, require=True)
    assert res.ok, res.errors
    assert not res.warnings
    assert set(res.sources.values()) == {"saved"}


# ---- precedence --------------------------------------------------------------------------------
@pytest.mark.parametrize(("layers", "value", "source"), [
    ({"overrides": "Over", "typed": "Typed", "saved": "Saved"}, "Over", "override"),
    ({"overrides": "Over", "saved": "Saved"}, "Over", "override"),
    ({"overrides": "Over", "typed": "Typed"}, "Over", "override"),
    ({"typed": "Typed", "saved": "Saved"}, "Typed", "typed"),
    ({"typed": "Typed"}, "Typed", "typed"),
    ({"saved": "Saved"}, "Saved", "saved"),
    ({}, "MyShare", "default"),
])
def test_precedence_override_typed_saved_default(layers: dict[str, str], value: str, source: str) -> None:
    saved = without("share.name")
    if "saved" in layers:
        saved["share.name"] = layers["saved"]
    typed = {"share.name": layers["typed"]} if "typed" in layers else {}
    overrides = {"share.name": layers["overrides"]} if "overrides" in layers else {}
    res = resolve(saved=saved, typed=typed, overrides=overrides, require=True)
    assert res.ok, res.errors
    assert res.values["share.name"] == value
    assert res.sources["share.name"] == source
    # other keys are untouched by the layering of this one
    assert res.values["vm.name"] == EXAMPLE["vm.name"] and res.sources["vm.name"] == "saved"


def test_nothing_given_means_defaults_and_no_secret_keys() -> None:
    res = resolve()
    assert set(res.values) == set(SAVED_KEYS)
    assert not set(res.values) & SECRET_KEYS
    assert all(s == "default" for s in res.sources.values())
    assert res.values["share.name"] == QUESTIONS["share.name"].default
    # the default subscription id is empty: not a usable answer
    assert [p.key for p in res.errors] == ["subscription.id"]


# ---- stale saved values ------------------------------------------------------------------------
def test_stale_saved_value_warns_and_falls_back_to_default() -> None:
    saved = {**EXAMPLE, "share.name": "IPC$"}
    res = resolve(saved=saved)
    assert res.ok, res.errors
    assert res.values["share.name"] == "MyShare"
    assert res.sources["share.name"] == "default"
    [warning] = res.warnings
    assert warning.key == "share.name" and warning.source == "saved"
    assert warning.message.startswith("Share name: ")
    assert "'IPC$'" in warning.message and "default" in warning.message


def test_stale_saved_value_is_an_error_with_require() -> None:
    res = resolve(saved={**EXAMPLE, "share.name": "IPC$"}, require=True)
    assert not res.ok
    assert not res.warnings
    [error] = res.errors
    assert error.key == "share.name" and error.source == "saved"
    assert error.message.startswith("Share name: ")


def test_saved_value_of_the_wrong_type_is_stale() -> None:
    saved = {**EXAMPLE, "disk.size_gb": "1024"}
    res = resolve(saved=saved)
    assert res.ok and res.values["disk.size_gb"] == 1024 and res.sources["disk.size_gb"] == "default"
    assert [w.key for w in res.warnings] == ["disk.size_gb"]
    strict = resolve(saved=saved, require=True)
    assert [(e.key, e.message) for e in strict.errors] == [("disk.size_gb", "Size (GiB): expected a whole number")]
    booly = resolve(saved={**EXAMPLE, "share.encrypt": "false"}, require=True)
    assert [e.key for e in booly.errors] == ["share.encrypt"]


def test_stale_value_whose_default_is_also_wrong_is_an_error() -> None:
    # The private IP is judged against the subnet resolved before it: moving the subnet makes the
    # saved IP stale, and the default IP (10.0.0.4) does not fit the new subnet either.
    res = resolve(saved=EXAMPLE, overrides={"endpoints.subnet_cidr": "10.0.1.0/24"})
    assert [w.key for w in res.warnings] == ["endpoints.private_ip"]
    assert [e.key for e in res.errors] == ["endpoints.private_ip"]
    assert "10.0.1.0/24" in res.errors[0].message
    fixed = resolve(saved=EXAMPLE, overrides={"endpoints.subnet_cidr": "10.0.1.0/24",
                                             "endpoints.private_ip": "10.0.1.10"}, require=True)
    assert fixed.ok, fixed.errors


def test_bad_typed_or_override_value_is_an_error_not_a_warning() -> None:
    for layer in ("typed", "overrides"):
        res = resolve(saved=EXAMPLE, **{layer: {"share.name": "pipe"}})
        assert not res.warnings
        [error] = res.errors
        assert error.key == "share.name"
        assert error.source == ("typed" if layer == "typed" else "override")
        assert res.values["share.name"] == "pipe"      # kept for the user to see and fix


def test_dns_label_is_checked_only_when_a_public_ip_is_wanted() -> None:
    assert resolve(saved={**EXAMPLE, "endpoints.public_ip": False, "endpoints.dns_label": ""}, require=True).ok
    res = resolve(saved={**EXAMPLE, "endpoints.public_ip": True, "endpoints.dns_label": ""}, require=True)
    assert [e.key for e in res.errors] == ["endpoints.dns_label"]
    assert res.errors[0].message.startswith("DNS label: ")
    assert resolve(saved={**EXAMPLE, "endpoints.public_ip": True, "endpoints.dns_label": "myfs"},
                   require=True).ok


# ---- required keys -----------------------------------------------------------------------------
def test_required_keys_are_the_identity_of_what_gets_created() -> None:
    assert REQUIRED == ["subscription.id", "subscription.region", "subscription.resource_group", "vm.name"]


@pytest.mark.parametrize("key", REQUIRED)
def test_missing_required_key_is_an_error_naming_it_with_require(key: str) -> None:
    res = resolve(saved=without(key), require=True)
    assert not res.ok
    assert key in {e.key for e in res.errors}
    assert any(key in e.message and "missing" in e.message for e in res.errors if e.key == key)
    # without require the default stands in (it is valid for all but the subscription id)
    lenient = resolve(saved=without(key))
    assert not any("missing" in e.message for e in lenient.errors)
    assert lenient.sources[key] == "default"


def test_all_required_keys_missing_are_all_named() -> None:
    res = resolve(saved=without(*REQUIRED), require=True)
    missing = {e.key for e in res.errors if "missing" in e.message}
    assert missing == set(REQUIRED)


def test_an_override_satisfies_a_required_key() -> None:
    res = resolve(saved=without("vm.name"), overrides={"vm.name": "fs02"}, require=True)
    assert res.ok and res.values["vm.name"] == "fs02"


def test_missing_optional_key_takes_its_default_even_with_require() -> None:
    res = resolve(saved=without("share.name", "disk.label"), require=True)
    assert res.ok
    assert res.sources["share.name"] == res.sources["disk.label"] == "default"


# ---- --set -------------------------------------------------------------------------------------
@pytest.mark.parametrize(("items", "expected"), [
    (["share.name=Data"], {"share.name": "Data"}),
    (["share.name= Data "], {"share.name": "Data"}),
    ([" share.name =Data"], {"share.name": "Data"}),
    (["share.name=a=b"], {"share.name": "a=b"}),
    (["share.name=One", "share.name=Two"], {"share.name": "Two"}),
    (["disk.size_gb=2048"], {"disk.size_gb": 2048}),
    (["disk.size_gb=1,024"], {"disk.size_gb": 1024}),
    (["disk.size_gb=1_024"], {"disk.size_gb": 1024}),
    (["share.encrypt=true"], {"share.encrypt": True}),
    (["share.encrypt=Yes"], {"share.encrypt": True}),
    (["share.encrypt=on"], {"share.encrypt": True}),
    (["share.encrypt=1"], {"share.encrypt": True}),
    (["endpoints.public_ip=FALSE"], {"endpoints.public_ip": False}),
    (["endpoints.udp_445=no"], {"endpoints.udp_445": False}),
    (["endpoints.udp_445=0"], {"endpoints.udp_445": False}),
    (["endpoints.rdp_source="], {"endpoints.rdp_source": ""}),
    (["vm.name=fs01", "disk.size_gb=64"], {"vm.name": "fs01", "disk.size_gb": 64}),
    ([], {}),
])
def test_parse_set_options_coerces(items: list[str], expected: dict[str, Any]) -> None:
    got = parse_set_options(items)
    assert got == expected
    for k, v in expected.items():
        assert type(got[k]) is type(v)


@pytest.mark.parametrize(("item", "needle"), [
    ("share.name", "SECTION.KEY=VALUE"),
    ("", "SECTION.KEY=VALUE"),
    ("nope.key=1", "nope.key"),
    ("share=Data", "share"),
    ("name=Data", "unknown"),
    ("share.Name=Data", "share.Name"),
    ("disk.size_gb=big", "whole number"),
    ("disk.size_gb=1.5", "whole number"),
    ("disk.size_gb=", "whole number"),
    ("share.encrypt=maybe", "true or false"),
    ("share.encrypt=", "true or false"),
])
def test_parse_set_options_refuses_bad_items(item: str, needle: str) -> None:
    with pytest.raises(AnswerError) as info:
        parse_set_options(["vm.name=fs01", item])
    assert needle in str(info.value)


@pytest.mark.parametrize("key", sorted(SECRET_KEYS))
def test_parse_set_options_refuses_secrets(key: str) -> None:
    assert key in ("vm.admin_password", "account.password")
    with pytest.raises(AnswerError) as info:
        parse_set_options([f"{key}=Sup3r-Secret-Value"])
    message = str(info.value)
    assert key in message and "HPCSHARE_" in message
    assert "Sup3r-Secret-Value" not in message


def test_set_values_are_validated_when_resolved() -> None:
    res = resolve(saved=EXAMPLE, overrides=parse_set_options(["disk.size_gb=2"]), require=True)
    assert [e.key for e in res.errors] == ["disk.size_gb"]
    assert res.errors[0].source == "override"


# ---- typed answers objects ---------------------------------------------------------------------
def test_build_answers_and_flat_round_trip() -> None:
    answers = build_answers("myfileserver", EXAMPLE)
    assert answers.flat() == EXAMPLE
    assert answers.share.name == "MyShare" and answers.disk.size_gb == 1024
    changed = answers.replace(share__name="Data", disk__size_gb=2048)
    assert changed.share.name == "Data" and changed.disk.size_gb == 2048
    assert answers.share.name == "MyShare"             # frozen: the original is unchanged
    with pytest.raises(AttributeError):
        answers.share.name = "X"  # type: ignore[misc]


# ---- secrets -----------------------------------------------------------------------------------
def test_secrets_repr_and_str_hide_passwords() -> None:
    s = Secrets("Adm1n-Secret-Value!", "Share-Secret-Value!", admin_generated=True)
    for text in (repr(s), str(s), f"{s}", f"{s!r}", "%s" % (s,), repr([s]), repr({"k": s})):
        assert "Adm1n-Secret-Value!" not in text
        assert "Share-Secret-Value!" not in text
        assert "***" in text
    assert s.values() == ("Adm1n-Secret-Value!", "Share-Secret-Value!")


# ---- generated passwords -----------------------------------------------------------------------
SAFE = set(string.ascii_letters + string.digits + "-_.:+=")


@pytest.mark.parametrize("length", [16, 24, 32])
def test_generated_passwords_pass_the_rules_and_use_the_safe_alphabet(length: int) -> None:
    share_rule = QUESTIONS["account.password"]
    admin_rule = QUESTIONS["vm.admin_password"]
    ctx = {"account.username": "hpcshareuser", "vm.admin_username": "hpcadmin"}
    seen = set()
    for _ in range(300):
        pw = generate_password(length) if length != 24 else generate_password()
        assert len(pw) == length
        assert set(pw) <= SAFE, set(pw) - SAFE
        assert any(c.islower() for c in pw) and any(c.isupper() for c in pw)
        assert any(c.isdigit() for c in pw) and any(c in "-_.:+=" for c in pw)
        assert share_rule.check(pw, ctx) is None
        assert admin_rule.check(pw, ctx) is None
        seen.add(pw)
    assert len(seen) == 300


FILES_SET = {"share.backend": "azure-files", "share.name": "myshare", "files.account": "hpcshare01"}


def test_azure_files_backend_from_set_options_needs_no_vm_answers() -> None:
    # --set share.backend=azure-files on a file without the VM's identity: vm.name is not asked.
    res = resolve(saved=without("vm.name"), overrides=parse_set_options([f"{k}={v}" for k, v in FILES_SET.items()]),
                  require=True)
    assert res.ok, res.errors
    answers = build_answers("p", res.values)
    assert answers.azure_files and answers.files.account == "hpcshare01" and answers.files.quota_gib == 1024
    assert answers.share.encrypt is False


def test_azure_files_backend_needs_an_account_and_a_lowercase_share_name() -> None:
    res = resolve(saved=EXAMPLE, overrides={"share.backend": "azure-files"}, require=True)
    by_key = {e.key: e.message for e in res.errors}
    assert "files.account" in by_key and "Storage account" in by_key["files.account"]
    assert "share.name" in by_key and "lower-case" in by_key["share.name"]
    # the VM backend still needs vm.name and ignores [files]
    assert not resolve(saved=without("vm.name"), require=True).ok
