"""Answers files (TOML, schema 1): round trip, mode 0600, no secrets, clear errors, .bak copies."""
from __future__ import annotations

import stat
import tomllib
from pathlib import Path
from typing import Any

import pytest

from wizard import profiles
from wizard.answers import build_answers, resolve
from wizard.cli import main
from wizard.profiles import ProfileError
from wizard.questions import SAVED_KEYS
from wizard.session import Session

EXAMPLE_FILE = Path(__file__).resolve().parents[1] / "examples" / "myfileserver.toml"
EXAMPLE: dict[str, Any] = profiles.load(EXAMPLE_FILE).values

ADMIN_SECRET = "Adm1n-Typed-Secret!"
SHARE_SECRET = "Share-Typed-Secret-42"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_round_trip_save_load_resolve(hpcshare_home: Path) -> None:
    values = {**EXAMPLE, "share.name": "Data", "disk.size_gb": 2048, "endpoints.udp_445": True,
              "subscription.resource_group": "rg_(prod).v1"}
    path = profiles.profile_path("roundtrip")
    assert path == hpcshare_home / "profiles" / "roundtrip.toml"
    profiles.save(path, values)
    assert mode(path) == 0o600
    loaded = profiles.load(path)
    assert loaded.path == path
    assert loaded.values == values
    res = resolve(saved=loaded.values, require=True)
    assert res.ok, res.errors
    assert build_answers("roundtrip", res.values) == build_answers("roundtrip", values)
    assert profiles.list_profiles() == ["roundtrip"]
    # the file is plain schema-1 TOML with sections
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    assert data["schema"] == 1
    assert data["share"]["name"] == "Data" and data["disk"]["size_gb"] == 2048


def test_save_is_atomic_and_leaves_no_temp_files(hpcshare_home: Path) -> None:
    path = profiles.profile_path("atomic")
    profiles.save(path, EXAMPLE)
    profiles.save(path, {**EXAMPLE, "share.name": "Second"})
    assert sorted(p.name for p in path.parent.iterdir()) == ["atomic.toml"]
    assert profiles.load(path).values["share.name"] == "Second"
    assert mode(path) == 0o600


def test_save_failure_keeps_the_old_file(hpcshare_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = profiles.profile_path("keep")
    profiles.save(path, EXAMPLE)
    before = path.read_bytes()

    def broken_replace(src: Any, dst: Any) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(profiles.os, "replace", broken_replace)
    with pytest.raises(OSError):
        profiles.save(path, {**EXAMPLE, "share.name": "Lost"})
    assert path.read_bytes() == before
    assert sorted(p.name for p in path.parent.iterdir()) == ["keep.toml"]


def test_save_drops_secret_keys_by_construction(hpcshare_home: Path) -> None:
    path = profiles.profile_path("nosecret")
    profiles.save(path, {**EXAMPLE, "vm.admin_password": ADMIN_SECRET, "account.password": SHARE_SECRET})
    text = path.read_text(encoding="utf-8")
    assert "password" not in text.lower()
    assert ADMIN_SECRET not in text and SHARE_SECRET not in text
    assert set(profiles.load(path).values) == set(SAVED_KEYS)


def test_session_with_typed_secrets_saves_no_secret(hpcshare_home: Path) -> None:
    session = Session("typed")
    for key, values in [
        ("subscription", {k: v for k, v in EXAMPLE.items() if k.startswith("subscription.")}),
        ("vm", {"vm.name": "fs01", "vm.size": "Standard_D4s_v5", "vm.image": "win2022-datacenter",
                "vm.admin_username": "hpcadmin", "vm.admin_password": ADMIN_SECRET}),
        ("account", {"account.username": "jobuser", "account.password": SHARE_SECRET}),
    ]:
        result = session.submit_section(key, values)
        assert result.ok, result.problems
    path = hpcshare_home / "profiles" / "typed.toml"
    assert session.path == path and path.exists()
    assert mode(path) == 0o600
    text = path.read_text(encoding="utf-8")
    assert "password" not in text.lower()
    assert ADMIN_SECRET not in text and SHARE_SECRET not in text
    # the typed values are kept (in the file for answers, in memory for secrets)
    assert profiles.load(path).values["vm.name"] == "fs01"
    assert profiles.load(path).values["account.username"] == "jobuser"
    secrets = session.secrets()
    assert (secrets.admin_password, secrets.share_password) == (ADMIN_SECRET, SHARE_SECRET)
    assert not secrets.admin_generated and not secrets.share_generated
    # a new session reads the profile but not the passwords: those are generated afresh
    again = Session("typed")
    assert again.value("vm.name") == "fs01"
    assert again.value("vm.admin_password") == ""
    fresh = again.secrets()
    assert fresh.admin_generated and fresh.share_generated
    assert ADMIN_SECRET not in fresh.values() and SHARE_SECRET not in fresh.values()
    assert list((hpcshare_home / "profiles").iterdir()) == [path]


def test_session_rejects_a_bad_section_and_saves_nothing(hpcshare_home: Path) -> None:
    session = Session("bad")
    result = session.submit_section("share", {"share.name": "IPC$", "share.folder": "nul.txt"})
    assert not result.ok
    assert [p.key for p in result.problems] == ["share.name", "share.folder"]
    assert result.problems[0].message.startswith("Share name: ")
    assert not (hpcshare_home / "profiles" / "bad.toml").exists()
    weak = session.submit_section("account", {"account.username": "jobuser", "account.password": "short"})
    assert not weak.ok and weak.problems[0].key == "account.password"
    assert "short" not in weak.problems[0].message


# ---- broken files ------------------------------------------------------------------------------
BROKEN = """schema = 1
[share]
name = "MyShare"
folder "MyShare"
"""


def test_corrupt_file_error_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text(BROKEN, encoding="utf-8")
    with pytest.raises(ProfileError) as info:
        profiles.load(path)
    message = str(info.value)
    assert str(path) in message
    assert "line 4" in message


def test_corrupt_profile_makes_the_cli_exit_2(hpcshare_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = hpcshare_home / "profiles"
    folder.mkdir()
    (folder / "broken.toml").write_text(BROKEN, encoding="utf-8")
    assert main(["plan", "--profile", "broken"]) == 2
    err = capsys.readouterr().err
    assert "broken.toml" in err and "line" in err
    # the same through --answers
    assert main(["plan", "--answers", str(folder / "broken.toml")]) == 2
    assert "line" in capsys.readouterr().err


def test_later_save_keeps_a_bak_copy_of_the_broken_file(hpcshare_home: Path) -> None:
    path = profiles.profile_path("broken")
    path.parent.mkdir(parents=True)
    path.write_text(BROKEN, encoding="utf-8")
    profiles.save(path, EXAMPLE)
    bak = path.with_name("broken.toml.bak")
    assert bak.read_text(encoding="utf-8") == BROKEN
    assert profiles.load(path).values == EXAMPLE
    # a later save over a good file does not touch the .bak copy
    profiles.save(path, {**EXAMPLE, "share.name": "Other"})
    assert bak.read_text(encoding="utf-8") == BROKEN
    assert profiles.list_profiles() == ["broken"]


def test_save_over_a_good_file_makes_no_bak(hpcshare_home: Path) -> None:
    path = profiles.profile_path("good")
    profiles.save(path, EXAMPLE)
    profiles.save(path, {**EXAMPLE, "share.name": "Other"})
    assert not path.with_name("good.toml.bak").exists()


@pytest.mark.parametrize(("body", "needles"), [
    ("schema = 1\n[disks]\nsize_gb = 10\n", ["[disks]"]),
    ("schema = 1\n[share]\nnme = 'x'\n", ["'nme'", "[share]"]),
    ("schema = 1\n[share]\nname = 'x'\n[vm]\ncolour = 'blue'\n", ["'colour'", "[vm]"]),
    ("schema = 1\nshare = 'MyShare'\n", ["share", "table"]),
    ("schema = 1\n[share.extra]\nname = 'x'\n", ["'extra'", "[share]"]),
])
def test_unknown_section_or_key_is_named(tmp_path: Path, body: str, needles: list[str]) -> None:
    path = tmp_path / "p.toml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(ProfileError) as info:
        profiles.load(path)
    for needle in needles:
        assert needle in str(info.value)


@pytest.mark.parametrize(("body", "needle"), [
    ("[share]\nname = 'x'\n", "schema = 1"),
    ("schema = 2\n[share]\nname = 'x'\n", "schema 2"),
    ("schema = 0\n", "schema 0"),
    ("schema = '1'\n", "not supported"),
])
def test_wrong_or_missing_schema(tmp_path: Path, body: str, needle: str) -> None:
    path = tmp_path / "p.toml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(ProfileError, match="schema") as info:
        profiles.load(path)
    assert needle in str(info.value)


@pytest.mark.parametrize("body", ["schema = true\n", "schema = 1.0\n"])
def test_schema_must_be_the_integer_1(tmp_path: Path, body: str) -> None:
    """TOML true and 1.0 compare equal to 1 in Python; neither is schema 1."""
    path = tmp_path / "p.toml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(ProfileError, match="schema"):
        profiles.load(path)


@pytest.mark.parametrize(("section", "key"), [
    ("vm", "admin_password"), ("account", "password"), ("share", "password"), ("endpoints", "share_password"),
])
def test_password_key_in_the_file_is_refused(tmp_path: Path, section: str, key: str) -> None:
    path = tmp_path / "p.toml"
    path.write_text(f"schema = 1\n[{section}]\n{key} = 'Sup3r-Secret!'\n", encoding="utf-8")
    with pytest.raises(ProfileError) as info:
        profiles.load(path)
    message = str(info.value)
    assert f"{section}.{key}" in message and "password" in message
    assert "Sup3r-Secret!" not in message


def test_missing_and_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(ProfileError, match="no such answers file"):
        profiles.load(tmp_path / "absent.toml")
    latin = tmp_path / "latin.toml"
    latin.write_bytes(b"schema = 1\n[share]\nname = '\xe9'\n")
    with pytest.raises(ProfileError, match="cannot be read"):
        profiles.load(latin)


def test_list_profiles_ignores_files_with_bad_names(hpcshare_home: Path) -> None:
    assert profiles.list_profiles() == []
    folder = hpcshare_home / "profiles"
    folder.mkdir()
    for name in ("b.toml", "a.toml", "bad name.toml", "notes.txt"):
        (folder / name).write_text("schema = 1\n", encoding="utf-8")
    assert profiles.list_profiles() == ["a", "b"]
