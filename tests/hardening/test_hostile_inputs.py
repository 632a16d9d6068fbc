"""Hostile values (tests/data/hostile_inputs.txt) through every validator and through the answers
file loader.

* Validators: every value through ``Question.check(value, ctx)`` and ``Session.check(key, value)``
  of every question: never an exception, either None or a message that starts with the label;
  every accepted value of a string answer fits a strict ASCII allow-list (hostile.STRICT), and any
  accepted value with a non-ASCII, control or metacharacter is printed.
* Loader: an answers file (written with tomli_w, so it is valid TOML) where one key holds the
  value -> ``hpcshare plan`` and ``hpcshare run --demo --yes``: exit 2 naming the key on stderr,
  no traceback, nothing written; the raw value pasted into the TOML text (so the file may be
  invalid) -> exit 2 with a line number when the TOML is broken.
"""
from __future__ import annotations

import re
import tomllib
import traceback
from pathlib import Path
from typing import Any

import pytest
import tomli_w

from tests.hardening.hostile import (
    HOSTILE, STRICT, bad_terminal_text, load_corpus, strict_ok, suspicious,
)
from wizard import cli, profiles
from wizard.questions import QUESTIONS, SAVED_KEYS
from wizard.standin.catalog import DEFAULT_SUBSCRIPTION_ID

# A complete, valid answers file with every conditional question applying (public IP on).
BASE: dict[str, Any] = {
    "subscription.auth": "cli", "subscription.id": DEFAULT_SUBSCRIPTION_ID, "subscription.region": "westeurope",
    "subscription.resource_group": "rg-hostile", "subscription.currency": "USD",
    "vm.name": "fs01", "vm.size": "Standard_D4s_v5", "vm.image": "win2022-datacenter", "vm.admin_username": "hpcadmin",
    "vm.zone": "",
    "disk.sku": "Premium_LRS", "disk.size_gb": 1024, "disk.caching": "ReadOnly", "disk.drive_letter": "F",
    "disk.label": "hpcdata", "disk.iops": 0, "disk.mbps": 0,
    "account.username": "hpcshareuser",
    "share.name": "MyShare", "share.folder": "MyShare", "share.access": "change", "share.encrypt": False,
    "endpoints.vnet": "vnet-hpc", "endpoints.vnet_cidr": "10.0.0.0/16", "endpoints.subnet": "default",
    "endpoints.subnet_cidr": "10.0.0.0/24", "endpoints.private_ip": "10.0.0.4", "endpoints.public_ip": True,
    "endpoints.dns_label": "hostile-fs01", "endpoints.smb_source": "VirtualNetwork", "endpoints.udp_445": False,
    "endpoints.rdp_source": "", "endpoints.private_dns_zone": "hpc.internal",
    "remote.transport": "winrm", "remote.winrm_source": "VirtualNetwork", "cluster.node_group": "ComputeNodes",
    "cluster.nodes": 0, "cluster.node_mbps": 0,
    "share.backend": "vm", "files.account": "", "files.sku": "Premium_LRS", "files.quota_gib": 1024,
    "files.private_ip": "",
}
STRING_KEYS = [k for k in SAVED_KEYS if k in STRICT]
PROFILE = "hostile"


def utf8_ok(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


# ---- the corpus ---------------------------------------------------------------------------------

def test_corpus_has_every_kind_of_hostile_value() -> None:
    values = load_corpus()
    assert len(values) >= 200
    assert len(set(values)) == len(values), "duplicate values in the corpus"
    joined = "\x1f".join(values)
    must_contain = {
        "PowerShell quotes": ["'", '"', "`", "\u2018", "\u2019", "\u201c", "\u201d", "\u201e"],
        "expansion and metacharacters": ["$(", ";", "&", "|", "%", "^", "<", ">", "*", "?"],
        "control characters": ["\n", "\r", "\x00", "\t", "\x1b"],
        "direction and zero-width": ["\u202e", "\u200f", "\u200b", "\ufeff"],
        "look-alikes": ["\u0435", "\u0391", "\uff2d"],
        "combining marks and emoji": ["\u0301", "\U0001f4c1"],
        "paths": ["..\\..\\", "\\\\server\\share"],
        "TOML": ['"""', "[section]", "= "],
        "XML": ["]]>", "<!--", "&amp;"],
        "format strings": ["{0}", "%s"],
        "reserved names": ["CON", "IPC$", "admin"],
        "injection": ["' OR '1'='1", "; rm -rf /"],
    }
    for what, pieces in must_contain.items():
        for piece in pieces:
            assert piece in joined, f"{what}: no value contains {piece!r}"
    for exact in ("", " ", "   ", "true", "false", "0", "-1", "CON", "IPC$", "admin", "= "):
        assert exact in values, exact
    assert any(len(v) >= 1000 for v in values)


# ---- every value through every validator ----------------------------------------------------------

@pytest.fixture
def session(home: Path, tmp_path: Path) -> Any:
    from wizard.session import Session

    path = tmp_path / f"{PROFILE}.toml"
    profiles.save(path, BASE)
    s = Session(PROFILE, answers_file=path)
    yield s
    s.close()


@pytest.mark.parametrize("key", list(QUESTIONS))
def test_every_value_through_every_validator(key: str, session: Any) -> None:
    from wizard.answers import coerce

    q = QUESTIONS[key]
    ctx = dict(BASE)
    problems: list[str] = []
    accepted_odd: list[str] = []
    for value in HOSTILE:
        for where in ("Question.check", "Session.check", "Session.check(ctx)"):
            try:
                if where == "Question.check":
                    result, judged = q.check(value, ctx), value
                elif where == "Session.check":
                    result, judged = session.check(key, value), value
                else:
                    result, judged = session.check(key, value, ctx), value
                if result is None and where != "Question.check":
                    judged = coerce(q, value)            # what a front end keeps
            except Exception:
                problems.append(f"{where}({key!r}, {value!r}) raised:\n{traceback.format_exc()}")
                continue
            if result is not None:
                if not isinstance(result, str) or not result.startswith(q.label + ":"):
                    problems.append(f"{where}({key!r}, {value!r}) -> {result!r}: does not start with '{q.label}:'")
                if bad_terminal_text(result):
                    problems.append(f"{where}({key!r}, {value!r}) -> a message with raw {bad_terminal_text(result)}")
                continue
            # Accepted: judge the value that would be kept.
            if q.secret:
                if judged and (not judged.isascii() or any(not 32 <= ord(c) < 127 for c in judged)):
                    problems.append(f"{where}: secret {key} accepted {judged!r} (control or non-ASCII)")
                elif judged and suspicious(key, judged):
                    accepted_odd.append(f"{key} accepted {judged!r}: {', '.join(suspicious(key, judged))}"
                                        " (legitimate: passwords may hold any printable ASCII)")
            elif q.kind in ("number", "toggle"):
                if where == "Question.check" or type(judged) is not (int if q.kind == "number" else bool):
                    problems.append(f"{where}({key!r}, {value!r}) accepted a {type(judged).__name__}")
            else:
                if not strict_ok(key, judged):
                    problems.append(f"{where}({key!r}, {value!r}) accepted {judged!r}, outside the allow-list "
                                    f"/{STRICT[key]}/" + (f" ({', '.join(suspicious(key, judged))})"
                                                          if suspicious(key, judged) else ""))
                elif suspicious(key, judged):
                    accepted_odd.append(f"{key} accepted {judged!r}: {', '.join(suspicious(key, judged))}")
    for line in sorted(set(accepted_odd)):
        print("accepted with special characters:", line)
    assert not problems, f"{len(problems)} problem(s):\n" + "\n".join(problems[:40])


def test_a_question_that_does_not_apply_still_refuses_hostile_values(session: Any, tmp_path: Path,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    """endpoints.dns_label is asked only with a public IP. With public_ip = false its rule is never
    run: Session.check accepts anything, and an answers file can carry any text in that key through
    plan and run (it is saved back with the profile and pre-filled later)."""
    ctx = {**BASE, "endpoints.public_ip": False, "endpoints.dns_label": ""}
    hostile = ["$(calc)", "a\u202eb", "]]><!--", "x\ny", "\x1b[2J", "CON", "../../etc"]
    accepted = [v for v in hostile if session.check("endpoints.dns_label", v, ctx) is None]
    path = tmp_path / "noapply.toml"
    path.write_text(tomli_w.dumps(nested({**BASE, "endpoints.public_ip": False, "endpoints.dns_label": "$(calc)"})),
                    encoding="utf-8")
    code = cli.main(["plan", "--answers", str(path)])
    err = capsys.readouterr().err
    assert not accepted and code == 2 and "[endpoints.dns_label]" in err, (
        f"accepted by Session.check with public_ip=false: {accepted!r}; plan with dns_label='$(calc)': exit {code}")


# ---- the answers-file loader ----------------------------------------------------------------------

def nested(flat: dict[str, Any]) -> dict[str, Any]:
    doc: dict[str, Any] = {"schema": 1}
    for k, v in flat.items():
        section, name = k.split(".", 1)
        doc.setdefault(section, {})[name] = v
    return doc


def snapshot(home: Path, work: Path) -> dict[str, bytes]:
    """Every file under HPCSHARE_HOME and the working directory, by relative path."""
    out = {}
    for root in (home, work):
        if root.exists():
            for p in sorted(root.rglob("*")):
                if p.is_file():
                    out[f"{root.name}/{p.relative_to(root)}"] = p.read_bytes()
    return out


def run_cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int | str, str, str]:
    try:
        code: int | str = cli.main(argv)
    except BaseException:  # noqa: BLE001 - a traceback is exactly what is being looked for
        code = "raised:\n" + traceback.format_exc()
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def keys_for(i: int, value: str) -> list[str]:
    """Two answer keys per value, rotating through every saved key (strings and the typed ones)."""
    keys = list(SAVED_KEYS)
    return [keys[i % len(keys)], keys[(i * 7 + 3) % len(keys)]]


def judge_loader(key: str, value: Any, code: int | str, out: str, err: str, before: dict[str, bytes],
                 after: dict[str, bytes], *, run: bool) -> str | None:
    must_refuse = not (QUESTIONS[key].kind in ("text", "choice") and strict_ok(key, value))
    if not isinstance(code, int):
        return f"cli.main raised: {code}"
    if "Traceback" in out + err:
        return f"a traceback: {err[-500:]}"
    if bad_terminal_text(err):
        return f"stderr prints raw {bad_terminal_text(err)}: {err[:300]!r}"
    if code == 2:
        if f"[{key}]" not in err:
            return f"exit 2 but stderr does not name [{key}]: {err[:300]!r}"
        if after != before:
            changed = sorted(set(after) ^ set(before) | {k for k in after if before.get(k) != after[k]})
            return f"exit 2 but files changed: {changed}"
        return None
    if must_refuse:
        return f"exit {code}: the value was accepted"
    return None if code == 0 else f"exit {code}"


CHUNKS = 8


@pytest.mark.parametrize("chunk", range(CHUNKS))
def test_answers_file_with_a_hostile_value_is_refused_by_plan(chunk: int, home: Path, tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    problems = []
    work = Path.cwd()
    for i, value in enumerate(HOSTILE):
        if i % CHUNKS != chunk or not utf8_ok(value):
            continue
        for key in keys_for(i, value):
            path = tmp_path / f"{PROFILE}.toml"
            path.write_text(tomli_w.dumps(nested({**BASE, key: value})), encoding="utf-8")
            text_before = path.read_bytes()
            before = snapshot(home, work)
            code, out, err = run_cli(["plan", "--answers", str(path)], capsys)
            problem = judge_loader(key, value, code, out, err, before, snapshot(home, work), run=False)
            if path.read_bytes() != text_before:
                problem = "the answers file changed"
            if problem:
                problems.append(f"plan [{key}] = {value!r}: {problem}")
    assert not problems, f"{len(problems)} problem(s):\n" + "\n".join(problems[:40])


def _run_sample() -> list[tuple[str, str]]:
    """Every 7th value, each in the first rotated key whose strict rule it breaks."""
    out = []
    for i, value in enumerate(HOSTILE):
        if i % 7 or not utf8_ok(value):
            continue
        for key in [*keys_for(i, value), *STRING_KEYS]:
            if not strict_ok(key, value):
                out.append((key, value))
                break
    return out


RUN_SAMPLE = _run_sample()


@pytest.mark.parametrize("chunk", range(4))
def test_run_with_a_hostile_answer_touches_nothing(chunk: int, home: Path, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    problems = []
    work = Path.cwd()
    out_dir = tmp_path / "out"
    for j, (key, value) in enumerate(RUN_SAMPLE):
        if j % 4 != chunk:
            continue
        path = tmp_path / f"{PROFILE}.toml"
        path.write_text(tomli_w.dumps(nested({**BASE, key: value})), encoding="utf-8")
        text_before = path.read_bytes()
        before = snapshot(home, work)
        code, out, err = run_cli(["run", "--demo", "--yes", "--answers", str(path), "--out", str(out_dir)], capsys)
        problem = judge_loader(key, value, code, out, err, before, snapshot(home, work), run=True)
        if problem is None and code != 2:
            problem = f"exit {code}, expected 2"
        for what in (home / "standin", home / "state", home / "logs", out_dir, work / "hpcshare-out"):
            if what.exists():
                problem = problem or f"{what} was created"
        if path.read_bytes() != text_before:
            problem = problem or "the answers file changed"
        if problem:
            problems.append(f"run [{key}] = {value!r}: {problem}")
    assert RUN_SAMPLE and len(RUN_SAMPLE) >= 40
    assert not problems, f"{len(problems)} problem(s):\n" + "\n".join(problems[:40])


@pytest.mark.parametrize("chunk", range(4))
def test_raw_hostile_text_in_the_toml_gives_a_clear_error(chunk: int, home: Path, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    """The value pasted between the quotes of ``name = "..."`` in [share], unescaped."""
    template = tomli_w.dumps(nested(BASE))
    assert 'name = "MyShare"' in template
    problems = []
    work = Path.cwd()
    for i, value in enumerate(HOSTILE):
        if i % 4 != chunk or not utf8_ok(value):
            continue
        text = template.replace('name = "MyShare"', f'name = "{value}"', 1)
        path = tmp_path / f"{PROFILE}.toml"
        path.write_bytes(text.encode("utf-8"))
        before = snapshot(home, work)
        code, out, err = run_cli(["plan", "--answers", str(path)], capsys)
        try:
            parsed = tomllib.loads(text)
        except tomllib.TOMLDecodeError:
            parsed = None
        if parsed is None:
            problem = None
            if code != 2:
                problem = f"invalid TOML but exit {code}"
            elif not re.search(r"\(at line \d+, column \d+\)|\(at end of document\)", err):
                problem = f"invalid TOML without a line number: {err[:300]!r}"
            elif "Traceback" in out + err:
                problem = "a traceback"
            elif bad_terminal_text(err):
                problem = f"stderr prints raw {bad_terminal_text(err)}"
            elif snapshot(home, work) != before:
                problem = "files changed"
        else:
            # Valid TOML after all (the paste may even have added keys): judge it like any answers file.
            share = parsed.get("share", {}) if isinstance(parsed.get("share"), dict) else {}
            problem = judge_loader("share.name", share.get("name"), code, out, err, before, snapshot(home, work),
                                   run=False)
            if problem and code == 2 and "[share.name]" not in err and "hostile.toml:" in err:
                problem = None           # refused for another reason the paste introduced (named in the message)
        if problem:
            problems.append(f"raw {value!r}: {problem}")
    assert not problems, f"{len(problems)} problem(s):\n" + "\n".join(problems[:40])


@pytest.mark.parametrize("where", ["key", "section"])
def test_hostile_key_and_section_names_are_not_echoed_raw(where: str, home: Path, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    """An answers file from someone else must not be able to drive the terminal: unknown keys and
    sections are named in the error, so they must be printed escaped."""
    problems = []
    for name in ("\x1b[2J\x1b[31mred", "na\u202eme", "a\rb", "x\x07", "\x9b31m"):
        doc = nested(BASE)
        if where == "key":
            doc["share"][name] = "x"
        else:
            doc[name] = {"a": 1}
        path = tmp_path / f"{PROFILE}.toml"
        path.write_text(tomli_w.dumps(doc), encoding="utf-8")
        code, out, err = run_cli(["plan", "--answers", str(path)], capsys)
        if code != 2 or "Traceback" in out + err:
            problems.append(f"{name!r}: exit {code}")
        elif bad_terminal_text(err):
            problems.append(f"{name!r}: stderr prints raw {bad_terminal_text(err)}: {err!r}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("name", ["Administrators", "Users", "Guests", "Everyone", "Replicator", "IIS_IUSRS"])
def test_builtin_windows_group_names_are_refused_as_share_user(name: str, session: Any) -> None:
    """Local users and local groups share one namespace on Windows: New-LocalUser fails for the
    name of an existing group (Windows Server has BUILTIN\\Replicator and BUILTIN\\IIS_IUSRS
    besides Administrators, Users and Guests), so configure-server's 'user' sub-step would fail
    after the VM was created and billed. The rule should refuse them up front."""
    assert session.check("account.username", name) is not None, f"{name!r} accepted as the share user name"
    assert session.check("account.username", name.lower()) is not None
