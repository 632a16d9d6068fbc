"""escape_netuse_password and friends: known answers, and a round trip through a model of the
HPC scheduler, cmd.exe and net.exe's argument parsing (tests/artifacts/cmdmodel.py)."""
from __future__ import annotations

import random
import string

import pytest

from tests.artifacts import cmdmodel
from tests.artifacts.conftest import CASES, TRICKY_PASSWORD
from wizard.answers import generate_password
from wizard.artifacts.escaping import (
    PASSWORD_PLACEHOLDER, crlf, crt_quote, escape_netuse_password, findstr_literal, ps_single_quoted,
)
from wizard.artifacts.jobxml import CONNECT_ATTEMPTS, nodeprep_command
from wizard.artifacts.safety import check_values

KNOWN = [
    ("Plain-Pass_123", "Plain-Pass_123"),
    ("a&b", "a^&b"),
    ("a|b<c>d", "a^|b^<c^>d"),
    ("(x)", "^(x^)"),
    ("^", "^^"),
    ("*", "^*"),
    ("a**b", "a^*^*b"),
    # % : a caret after each one breaks any %name%, a trailing one included (it escapes the
    # space that follows the password, so no copy of it can pair with the next copy's %).
    ("100%", "100%^"),
    ("%PATH%", "%^PATH%^"),
    ("%%", "%^%^"),
    ("%&", "%^&"),
    ("%*", "%^*"),
    ("%^", "%^^"),
    # Quotes: \" for net.exe's C runtime parsing, ^" for cmd.exe.
    ('"', '\\^"'),
    ('a\\"b', 'a\\\\\\^"b'),
    ("back\\slash\\", "back\\slash\\"),
    # A space: quoted for net.exe, the quotes caret-escaped for cmd.exe; trailing \ doubled.
    ("with space", '^"with space^"'),
    ("sp ace\\", '^"sp ace\\\\^"'),
    ("!bang!", "!bang!"),
    (PASSWORD_PLACEHOLDER, PASSWORD_PLACEHOLDER),
]


@pytest.mark.parametrize(("raw", "escaped"), KNOWN)
def test_known_answers(raw: str, escaped: str) -> None:
    assert escape_netuse_password(raw) == escaped


@pytest.mark.parametrize("bad", ["", "x" * 128, "tab\there", "new\nline", "cr\rx", "caf\u00e9", "\u212aelvin", "nul\x00"])
def test_refuses_what_cannot_be_embedded(bad: str) -> None:
    with pytest.raises(ValueError, match="share password"):
        escape_netuse_password(bad)


def test_generated_passwords_need_no_escaping() -> None:
    for _ in range(200):
        pw = generate_password()
        assert escape_netuse_password(pw) == pw


def test_crt_quote_matches_the_model() -> None:
    rng = random.Random(7)
    for _ in range(2000):
        raw = "".join(rng.choice('ab \\"') for _ in range(rng.randint(1, 8)))
        assert cmdmodel.crt_argv(crt_quote(raw)) == [raw], raw


def _passwords() -> list[str]:
    rng = random.Random(20240601)
    specials = '%^&|<>()"*\\ !'
    pool = string.ascii_letters + string.digits + string.punctuation + " " + specials * 4
    out = [raw for raw, _ in KNOWN] + [TRICKY_PASSWORD, "%PATH:~0,1%", "%USERNAME%x%PATH%", "%%PATH%%", "^%PATH^%"]
    for _ in range(600):
        out.append("".join(rng.choice(pool) for _ in range(rng.randint(1, 24))))
    return out


def _hostile_env(line: str) -> dict[str, str]:
    """Define every name that could be read between two % signs of ``line`` (worst case), except
    names starting with ^ or * (the escaping relies on no variable name starting with those)."""
    env = {"PATH": "C:\\Windows", "USERNAME": "u", "COMSPEC": "cmd.exe"}
    marks = [i for i, c in enumerate(line) if c == "%"]
    for a in marks:
        for b in marks:
            if b > a + 1:
                name = line[a + 1:b].split(":", 1)[0]
                if name and name[0] not in "^*":
                    env[name] = "EXPANDED"
    return env


def _is_connect(c: cmdmodel.Command) -> bool:
    return c.text.lstrip().startswith("net use ") and "/user:" in c.text


@pytest.mark.parametrize("star", ["strip", "keep"])
@pytest.mark.parametrize("resume", ["after", "at"])
@pytest.mark.parametrize("access", ["read", "change"])
def test_round_trip_through_the_node_model(star: str, resume: str, access: str) -> None:
    """Every password reaches net.exe (each of the three attempts) and cmdkey.exe exactly, and the
    commands around them are the ones we wrote."""
    case = CASES["private-change"]
    values = check_values(case.answers.replace(share__access=access), case.facts)
    for pw in _passwords():
        line = nodeprep_command(values, escape_netuse_password(pw))
        # Every * of a NodePrep command line is escaped (HPC would replace a bare one).
        assert all(line[i - 1] == "^" for i, c in enumerate(line) if c == "*"), line
        for env in ({}, _hostile_env(line), _hostile_env(pw)):
            cmds = cmdmodel.run_on_node(line, env, star=star, resume=resume)
            connect = [c for c in cmds if _is_connect(c)]
            assert len(connect) == CONNECT_ATTEMPTS, (pw, [c.text for c in cmds])
            for attempt in connect:
                assert attempt.unescaped("()") == set(), pw
                argv = cmdmodel.crt_argv(attempt.text)
                assert argv == ["net", "use", values.unc, f"/user:{values.account}", pw, "/persistent:no"], (pw, line)
            cmdkey = [c for c in cmds if c.text.lstrip().startswith("cmdkey ")]
            assert len(cmdkey) == 1, (pw, [c.text for c in cmds])
            assert cmdmodel.crt_argv(cmdkey[0].text) == [
                "cmdkey", f"/add:{values.host}", f"/user:{values.account}", f"/pass:{pw}"], (pw, line)
            # The commands around them are the ones we wrote, whatever the password holds.
            texts = [c.text.strip() for c in cmds if not _is_connect(c) and c not in cmdkey]
            first = cmds[0]
            assert cmdmodel.crt_argv(first.text) == ["cmd", "/c", "net", "use", values.unc, "/delete", "/y"]
            assert first.separator == "&"
            pause = "ping -n 6 127.0.0.1"
            expected = [first.text.strip(), pause, pause, "exit 1"]
            if access != "read":
                expected += [f"md {values.unc}\\jobs", f"if exist {values.unc}\\jobs\\ (exit 0) else exit 1"]
            assert texts == expected, (pw, texts)


@pytest.mark.parametrize("outcomes", [(0,), (2, 0), (2, 2, 0), (2, 2, 2), (53, 1326, 0)])
@pytest.mark.parametrize("access", ["read", "change"])
def test_nodeprep_retries_then_fails_the_node(outcomes: tuple[int, ...], access: str) -> None:
    """Three attempts with a pause before each retry, stopping at the first success; after three
    failures the line exits 1 (the node is left out of the job). cmdkey failing changes nothing."""
    case = CASES["private-change"]
    values = check_values(case.answers.replace(share__access=access), case.facts)
    cmds = cmdmodel.run_on_node(nodeprep_command(values, escape_netuse_password(TRICKY_PASSWORD)), {},
                                star="keep", resume="after")
    ran: list[str] = []
    results = iter(outcomes)

    def run(c: cmdmodel.Command) -> int:
        if _is_connect(c):
            ran.append("connect")
            return next(results)
        word = c.text.split()[0]
        ran.append(word)
        return 1 if word == "cmdkey" else 0  # cmdkey refused (e.g. no profile): not fatal

    code = cmdmodel.evaluate(cmds, run)
    attempts = len(outcomes)
    expected = ["cmd", "cmdkey"] + ["connect"] + ["ping", "connect"] * (attempts - 1)
    connected = outcomes[-1] == 0
    if connected and access != "read":
        expected += ["md", "if"]
    assert ran == expected
    assert code == (0 if connected else 1)


def test_nothing_after_the_password_can_pair_with_a_trailing_percent() -> None:
    for access in ("read", "change", "full"):
        values = check_values(CASES["private-change"].answers.replace(share__access=access), CASES["private-change"].facts)
        line = nodeprep_command(values, "PW")
        assert "%" not in line
        assert "*" not in line


def test_findstr_literal() -> None:
    assert findstr_literal("10.0.0.4") == "10\\.0\\.0\\.4"
    assert findstr_literal("my-server") == "my-server"
    for bad in ("a b", "a*b", "a[b]", "a^b", "a$", "x\n"):
        with pytest.raises(ValueError):
            findstr_literal(bad)


def test_ps_single_quoted() -> None:
    assert ps_single_quoted("MyShare") == "'MyShare'"
    assert ps_single_quoted("it's") == "'it''s'"
    for bad in ("a\u2019b", "a\u2018b", "x\ny", "caf\u00e9"):
        with pytest.raises(ValueError):
            ps_single_quoted(bad)


def test_crlf() -> None:
    assert crlf("a\nb\n") == "a\r\nb\r\n"
    with pytest.raises(ValueError):
        crlf("a\r\nb")
