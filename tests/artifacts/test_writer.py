"""write_artifacts: atomic writes, file modes, and no password anywhere unless embedding is asked."""
from __future__ import annotations

import os
import stat
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.artifacts.conftest import CASES, TRICKY_PASSWORD
from wizard.answers import generate_password
from wizard.artifacts import ARTIFACT_NAMES, render_artifacts, write_artifacts
from wizard.artifacts import writer as writer_mod
from wizard.artifacts.escaping import PASSWORD_PLACEHOLDER, escape_netuse_password
from wizard.artifacts.jobxml import NAMESPACE, nodeprep_command
from wizard.artifacts.safety import check_values

POSIX = os.name == "posix"


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_writes_every_artifact(tmp_path: Path) -> None:
    case = CASES["private-change"]
    out = tmp_path / "hpcshare-out" / "demo"
    paths = write_artifacts(case.answers, case.facts, out)
    assert [p.name for p in paths] == list(ARTIFACT_NAMES)
    assert all(p.parent == out for p in paths)
    texts = render_artifacts(case.answers, case.facts)
    for p in paths:
        assert p.read_bytes() == texts[p.name].encode("utf-8")
    # The staging folder beside the output folder is gone.
    assert sorted(x.name for x in out.parent.iterdir()) == ["demo"]


@pytest.mark.parametrize("password", ["kQ2-x_Lm.9Pz+Rt=Vb4:Nw7", TRICKY_PASSWORD, "Sup3r-Secret.Pass"])
def test_no_password_in_any_file_without_embedding(tmp_path: Path, password: str) -> None:
    case = CASES["private-change"]
    write_artifacts(case.answers, case.facts, tmp_path)
    escaped = escape_netuse_password(password)
    for p in tmp_path.iterdir():
        data = p.read_text(encoding="utf-8")
        assert password not in data and escaped not in data, p.name
    assert PASSWORD_PLACEHOLDER in (tmp_path / "job-template.xml").read_text(encoding="utf-8")
    if POSIX:
        assert _mode(tmp_path / "job-template.xml") == 0o644 & ~_umask()


def _umask() -> int:
    old = os.umask(0)
    os.umask(old)
    return old


@pytest.mark.parametrize("password", [TRICKY_PASSWORD, "kQ2-x_Lm.9Pz+Rt=Vb4:Nw7", 'x"y%z*^'])
def test_embedded_password(tmp_path: Path, password: str) -> None:
    case = CASES["private-change"]
    write_artifacts(case.answers, case.facts, tmp_path, embed_password=password)
    job = tmp_path / "job-template.xml"
    if POSIX:
        assert _mode(job) == 0o600
        for name in ARTIFACT_NAMES:
            if name != "job-template.xml":
                assert _mode(tmp_path / name) == 0o644 & ~_umask(), name
    # Parsed back, the command line holds the cmd- and *-escaped form, nothing else.
    root = ET.fromstring(job.read_bytes())
    prep = [t for t in root.iter(f"{{{NAMESPACE}}}Task") if t.get("Type") == "NodePrep"][0]
    values = check_values(case.answers, case.facts)
    escaped = escape_netuse_password(password)
    assert prep.get("CommandLine") == nodeprep_command(values, escaped)
    assert all(ch != "*" or prep.get("CommandLine")[i - 1] == "^" for i, ch in enumerate(prep.get("CommandLine")))
    assert PASSWORD_PLACEHOLDER not in job.read_text(encoding="utf-8")
    # The password is in the job file only.
    for name in ARTIFACT_NAMES:
        if name != "job-template.xml":
            data = (tmp_path / name).read_text(encoding="utf-8")
            assert password not in data and escaped not in data, name


def test_rewrite_without_embedding_replaces_the_secret_file(tmp_path: Path) -> None:
    case = CASES["private-change"]
    write_artifacts(case.answers, case.facts, tmp_path, embed_password=TRICKY_PASSWORD)
    write_artifacts(case.answers, case.facts, tmp_path)
    text = (tmp_path / "job-template.xml").read_text(encoding="utf-8")
    assert PASSWORD_PLACEHOLDER in text and "Tr1cky" not in text
    if POSIX:
        assert _mode(tmp_path / "job-template.xml") == 0o644 & ~_umask()


@pytest.mark.skipif(not POSIX, reason="file modes")
def test_secret_mode_is_exact_whatever_the_umask(tmp_path: Path) -> None:
    case = CASES["private-change"]
    old = os.umask(0)
    try:
        write_artifacts(case.answers, case.facts, tmp_path, embed_password=TRICKY_PASSWORD)
    finally:
        os.umask(old)
    assert _mode(tmp_path / "job-template.xml") == 0o600
    assert _mode(tmp_path / "nodeprep.cmd") == 0o644


def test_other_files_are_left_alone(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    case = CASES["private-change"]
    write_artifacts(case.answers, case.facts, tmp_path)
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_a_failure_while_staging_touches_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    case = CASES["private-change"]
    out = tmp_path / "out"
    write_artifacts(case.answers, case.facts, out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    real = writer_mod._write_file
    calls = []

    def failing(path: Path, data: bytes, mode: int) -> None:
        calls.append(path.name)
        if len(calls) == 4:
            real(path, data[: len(data) // 2], mode)  # a half-written file in the staging folder
            raise OSError("disk full")
        real(path, data, mode)

    monkeypatch.setattr(writer_mod, "_write_file", failing)
    other = case.answers.replace(share__name="Other")
    with pytest.raises(OSError, match="disk full"):
        write_artifacts(other, case.facts, out)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(x.name for x in tmp_path.iterdir()) == ["out"]  # staging folder removed


def test_refuses_a_bad_password_before_writing(tmp_path: Path) -> None:
    case = CASES["private-change"]
    with pytest.raises(ValueError, match="share password"):
        write_artifacts(case.answers, case.facts, tmp_path / "out", embed_password="tab\there")
    assert not (tmp_path / "out").exists()


def test_render_is_pure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    case = CASES["private-change"]
    first = render_artifacts(case.answers, case.facts)
    assert render_artifacts(case.answers, case.facts) == first
    assert list(first) == list(ARTIFACT_NAMES)
    assert list(tmp_path.iterdir()) == []


# ---- Windows: chmod only sets the read-only flag there, so the secret file gets an ACL ----------

def _fake_icacls(calls: list[list[str]], returncode: int):
    def run(args, **kwargs):
        calls.append(list(args))
        assert Path(args[1]).exists(), "icacls must see the staged file, before it is moved into place"
        return subprocess.CompletedProcess(args, returncode, stdout="", stderr="Access is denied.\n")
    return run


def test_windows_secret_file_gets_an_owner_only_acl(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[list[str]] = []
    monkeypatch.setattr(writer_mod, "_is_windows", lambda: True)
    monkeypatch.setattr(writer_mod.subprocess, "run", _fake_icacls(calls, 0))
    monkeypatch.setattr(writer_mod.getpass, "getuser", lambda: "alice")
    monkeypatch.setenv("USERDOMAIN", "CONTOSO")
    case = CASES["private-change"]
    write_artifacts(case.answers, case.facts, tmp_path / "out", embed_password="Pw-123456789x")
    assert len(calls) == 1  # the job XML only: the other files hold no secret
    args = calls[0]
    assert args[0] == "icacls" and Path(args[1]).name == "job-template.xml"
    assert args[2:] == ["/inheritance:r", "/grant:r", "CONTOSO\\alice:F"]
    assert (tmp_path / "out" / "job-template.xml").exists()


def test_windows_refuses_to_embed_when_the_acl_cannot_be_set(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[list[str]] = []
    monkeypatch.setattr(writer_mod, "_is_windows", lambda: True)
    monkeypatch.setattr(writer_mod.subprocess, "run", _fake_icacls(calls, 5))
    case = CASES["private-change"]
    out = tmp_path / "out"
    with pytest.raises(writer_mod.SecretFileError, match=r"--embed-password: cannot make job-template\.xml readable by .* only \(icacls: Access is denied\.\); nothing was written"):
        write_artifacts(case.answers, case.facts, out, embed_password="Pw-123456789x")
    assert list(out.iterdir()) == []
    assert [p.name for p in tmp_path.iterdir()] == ["out"]  # no staging folder left behind


def test_no_icacls_without_a_secret_or_off_windows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[list[str]] = []
    monkeypatch.setattr(writer_mod.subprocess, "run", _fake_icacls(calls, 0))
    case = CASES["private-change"]
    write_artifacts(case.answers, case.facts, tmp_path / "a", embed_password="Pw-123456789x")  # POSIX here
    monkeypatch.setattr(writer_mod, "_is_windows", lambda: True)
    write_artifacts(case.answers, case.facts, tmp_path / "b")
    assert calls == []
