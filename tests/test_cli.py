"""The command line (DESIGN.md "Contracts"): help, plan, exit codes, never hanging without a terminal."""
from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from wizard.cli import EXIT_OK, EXIT_USAGE, main

REPO = Path(__file__).resolve().parents[1]
EXAMPLE_FILE = REPO / "examples" / "myfileserver.toml"
STEPS = ("resource-group", "network", "nsg", "nic", "data-disk", "vm", "configure-server", "self-test",
         "artifacts")
COMMANDS = ("run", "plan", "generate", "verify", "teardown", "standin")


class NoTty:
    """A stdin that is not a terminal and must never be read (reading would mean a hang)."""

    def isatty(self) -> bool:
        return False

    def read(self, *a: object) -> str:
        raise AssertionError("hpcshare tried to read stdin without a terminal")

    readline = read


@pytest.fixture
def no_tty(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", NoTty())


def answers_file(folder: Path, name: str = "myfileserver", **replace: str) -> Path:
    """A copy of the example with some 'key = value' lines replaced (values as TOML text)."""
    lines = []
    section = ""
    for line in EXAMPLE_FILE.read_text(encoding="utf-8").splitlines():
        if line.startswith("["):
            section = line.strip("[]")
        key = line.split("=", 1)[0].strip()
        full = f"{section}.{key}"
        if "=" in line and full in replace:
            line = f"{key} = {replace.pop(full)}"
        lines.append(line)
    assert not replace, f"keys not in the example: {replace}"
    path = folder / f"{name}.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# ---- help --------------------------------------------------------------------------------------
@pytest.mark.parametrize("argv", [["--help"], ["-h"]] + [[c, "--help"] for c in COMMANDS])
def test_help_for_every_command_exits_0(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == EXIT_OK
    out = capsys.readouterr().out
    assert out.startswith("usage: hpcshare")
    if len(argv) == 2:
        assert f"hpcshare {argv[0]}" in out


def test_top_level_help_lists_every_command_and_the_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == EXIT_OK
    out = capsys.readouterr().out
    for command in COMMANDS:
        assert command in out
    assert "Exit codes" in out and "HPCSHARE_HOME" in out


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == EXIT_OK
    assert capsys.readouterr().out.startswith("hpcshare ")


@pytest.mark.parametrize("argv", [
    ["plan"],                                                        # needs --profile or --answers
    ["plan", "--profile", "a", "--answers", "b.toml"],               # not both
    ["plan", "--answers", "x.toml", "--format", "yaml"],
    ["frobnicate"],
    ["verify", "--server", "h", "--share", "s"],                     # --user missing
])
def test_argparse_usage_errors_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == EXIT_USAGE
    assert "usage:" in capsys.readouterr().err


# ---- plan --------------------------------------------------------------------------------------
def test_plan_prints_every_step_and_touches_nothing(hpcshare_home: Path, capsys: pytest.CaptureFixture[str],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from wizard.pricing import PriceClient

    # Hermetic on a machine with internet: the price list is a closed local port (the text plan asks
    # for prices since issue 17; tests/integration/test_cost_everywhere.py covers them).
    monkeypatch.setattr(PriceClient, "for_environment", classmethod(lambda cls, env: cls("https://127.0.0.1:9")))
    before = EXAMPLE_FILE.read_bytes()
    assert main(["plan", "--answers", str(EXAMPLE_FILE)]) == EXIT_OK
    captured = capsys.readouterr()
    for step in STEPS:
        assert step in captured.out
    assert "myfileserver" in captured.out
    assert "Monthly cost: prices unavailable (the price list could not be reached (https://127.0.0.1:9)" in captured.out
    assert "Quota: not checked" in captured.out or "Quota Standard" in captured.out
    assert captured.err == ""
    assert EXAMPLE_FILE.read_bytes() == before
    assert list(hpcshare_home.iterdir()) == []


def test_plan_format_az(hpcshare_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", "--answers", str(EXAMPLE_FILE), "--format", "az"]) == EXIT_OK
    out = capsys.readouterr().out
    assert out.startswith("#!/usr/bin/env bash\n")
    commands = [shlex.split(line) for line in out.splitlines() if line.startswith("az ")]
    assert [c[1] for c in commands][:2] == ["account", "group"]
    assert ["az", "vm", "create"] in [c[:3] for c in commands]
    assert "--admin-password" in out and "$HPCSHARE_ADMIN_PASSWORD" in out


def test_plan_from_a_saved_profile(hpcshare_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (hpcshare_home / "profiles").mkdir()
    answers_file(hpcshare_home / "profiles", "prod")
    assert main(["plan", "--profile", "prod"]) == EXIT_OK
    assert "Plan for profile 'prod'" in capsys.readouterr().out


def test_bad_share_name_exits_2_naming_the_key(hpcshare_home: Path, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    path = answers_file(tmp_path, **{"share.name": '"IPC$"'})
    assert main(["plan", "--answers", str(path)]) == EXIT_USAGE
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "share.name" in captured.err
    assert "Share name" in captured.err and "IPC$" in captured.err
    assert "nothing was touched" in captured.err


def test_set_fixes_a_bad_answer(hpcshare_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = answers_file(tmp_path, **{"share.name": '"IPC$"'})
    before = path.read_bytes()
    assert main(["plan", "--answers", str(path), "--set", "share.name=Data"]) == EXIT_OK
    captured = capsys.readouterr()
    for step in STEPS:
        assert step in captured.out
    assert "share.name" not in captured.err
    assert path.read_bytes() == before                  # plan never rewrites the answers file


def test_set_changes_what_the_plan_shows(hpcshare_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", "--answers", str(EXAMPLE_FILE), "--set", "vm.name=fs42",
                 "--set", "disk.size_gb=2048"]) == EXIT_OK
    out = capsys.readouterr().out
    assert "fs42-nic" in out and "2048 GiB" in out and "myfileserver-nic" not in out


@pytest.mark.parametrize(("item", "needle"), [
    ("nope.key=1", "nope.key"),
    ("share.name", "SECTION.KEY=VALUE"),
    ("vm.admin_password=Secret-123456", "vm.admin_password"),
    ("disk.size_gb=lots", "whole number"),
    ("disk.size_gb=2", "disk.size_gb"),             # parses, but breaks the rule
])
def test_bad_set_exits_2(hpcshare_home: Path, item: str, needle: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", "--answers", str(EXAMPLE_FILE), "--set", item]) == EXIT_USAGE
    captured = capsys.readouterr()
    assert needle in captured.err
    assert captured.out == ""
    assert "Secret-123456" not in captured.err


def test_missing_answers_file_exits_2(hpcshare_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "absent.toml"
    assert main(["plan", "--answers", str(missing)]) == EXIT_USAGE
    assert "absent.toml" in capsys.readouterr().err
    assert not missing.exists()


def test_missing_profile_exits_2(hpcshare_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", "--profile", "nosuch"]) == EXIT_USAGE
    assert "nosuch" in capsys.readouterr().err
    assert not (hpcshare_home / "profiles" / "nosuch.toml").exists()


@pytest.mark.parametrize("name", ["my file", "my.file", "bad$name", "-lead"])
def test_answers_file_name_must_be_a_profile_name(hpcshare_home: Path, tmp_path: Path, name: str,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "d"
    folder.mkdir()
    path = folder / f"{name}.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(EXAMPLE_FILE.read_bytes())
    assert main(["plan", "--answers", str(path)]) == EXIT_USAGE
    assert "profile name" in capsys.readouterr().err


def test_bad_profile_name_exits_2(hpcshare_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", "--profile", "../../etc/passwd"]) == EXIT_USAGE
    assert "Profile name" in capsys.readouterr().err


def test_missing_required_key_exits_2_naming_it(hpcshare_home: Path, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    text = EXAMPLE_FILE.read_text(encoding="utf-8").replace('name = "myfileserver"\n', "")
    path = tmp_path / "noname.toml"
    path.write_text(text, encoding="utf-8")
    assert main(["plan", "--answers", str(path)]) == EXIT_USAGE
    err = capsys.readouterr().err
    assert "vm.name" in err and "missing" in err


def test_answers_file_value_with_a_trailing_newline_exits_2(hpcshare_home: Path, tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    """A TOML string can carry '\\n'; 'myfileserver\\n' must not reach the plan (it did: the az
    script then names the NSG 'myfileserver<newline>-nsg')."""
    path = answers_file(tmp_path, **{"vm.name": '"myfileserver\\n"'})
    assert main(["plan", "--answers", str(path)]) == EXIT_USAGE
    assert "vm.name" in capsys.readouterr().err


# ---- no terminal: never hang -------------------------------------------------------------------
def test_wizard_without_a_terminal_exits_2(hpcshare_home: Path, no_tty: None,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    for argv in ([], ["--plain"], ["--answers", str(EXAMPLE_FILE)], ["--demo"]):
        assert main(argv) == EXIT_USAGE, argv
        err = capsys.readouterr().err
        assert "terminal" in err and "--yes" in err
    assert list(hpcshare_home.iterdir()) == []


def test_run_without_a_terminal_or_yes_exits_2(hpcshare_home: Path, no_tty: None,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--answers", str(EXAMPLE_FILE)]) == EXIT_USAGE
    err = capsys.readouterr().err
    assert "--yes" in err and "terminal" in err
    assert not (hpcshare_home / "state").exists()


def test_run_ask_with_yes_exits_2(hpcshare_home: Path, no_tty: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--answers", str(EXAMPLE_FILE), "--ask", "vm", "--yes"]) == EXIT_USAGE
    err = capsys.readouterr().err
    assert "--ask" in err and "--yes" in err


def test_run_with_invalid_answers_exits_2_before_anything(hpcshare_home: Path, tmp_path: Path, no_tty: None,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    path = answers_file(tmp_path, **{"endpoints.private_ip": '"10.0.0.1"'})
    assert main(["run", "--answers", str(path), "--yes"]) == EXIT_USAGE
    err = capsys.readouterr().err
    assert "endpoints.private_ip" in err and "reserved" in err
    assert not (hpcshare_home / "state").exists()


def test_run_with_a_bad_password_in_the_environment_exits_2(hpcshare_home: Path, no_tty: None,
                                                            monkeypatch: pytest.MonkeyPatch,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("HPCSHARE_ADMIN_PASSWORD", "weak")
    assert main(["run", "--answers", str(EXAMPLE_FILE), "--yes"]) == EXIT_USAGE
    err = capsys.readouterr().err
    assert "HPCSHARE_ADMIN_PASSWORD" in err and "Admin password" in err
    assert "weak" not in err.replace("HPCSHARE", "")


def test_verify_without_password_or_terminal_exits_2(hpcshare_home: Path, no_tty: None,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", "--server", "127.0.0.1", "--share", "s", "--user", "u"]) == EXIT_USAGE
    assert "HPCSHARE_SHARE_PASSWORD" in capsys.readouterr().err
    assert main(["verify", "--server", "h", "--share", "s", "--user", "u", "--port", "70000"]) == EXIT_USAGE
    assert "--port" in capsys.readouterr().err


# ---- a real process ----------------------------------------------------------------------------
def hpcshare(*args: str, home: Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HPCSHARE_")}
    env["HPCSHARE_HOME"] = str(home)
    env["TERM"] = "xterm"
    return subprocess.run([sys.executable, "-m", "wizard", *args], stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, cwd=REPO, env=env, timeout=timeout)


def test_subprocess_plan_and_no_tty_paths(tmp_path: Path) -> None:
    proc = hpcshare("plan", "--answers", str(EXAMPLE_FILE), home=tmp_path)
    assert proc.returncode == 0, proc.stderr
    for step in STEPS:
        assert step in proc.stdout

    proc = hpcshare(home=tmp_path)
    assert proc.returncode == 2
    assert "terminal" in proc.stderr and "--yes" in proc.stderr

    proc = hpcshare("run", "--answers", str(EXAMPLE_FILE), home=tmp_path)
    assert proc.returncode == 2
    assert "--yes" in proc.stderr

    proc = hpcshare("run", "--answers", str(EXAMPLE_FILE), "--ask", "vm", "--yes", home=tmp_path)
    assert proc.returncode == 2

    bad = answers_file(tmp_path, "bad", **{"share.name": '"pipe"'})
    proc = hpcshare("plan", "--answers", str(bad), home=tmp_path)
    assert proc.returncode == 2 and "share.name" in proc.stderr
    assert "Traceback" not in proc.stderr

    proc = hpcshare("--help", home=tmp_path)
    assert proc.returncode == 0 and proc.stdout.startswith("usage: hpcshare")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.toml"]


def test_every_option_of_every_command_is_described(capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 22: `verify --help` listed options with no description; now each --help explains each."""
    import argparse

    from wizard.cli import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    undescribed = [f"{name} {a.option_strings or a.dest}" for name, p in sub.choices.items()
                   for a in p._actions if not a.help]
    assert undescribed == []
    assert main(["verify", "--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    for words in ("the file server's name or address", "the share name (share.name)",
                  "the share user (account.username)", "the SMB port (default 445)"):
        assert words in text


def test_plan_and_reset_password_accept_demo(capsys: pytest.CaptureFixture[str]) -> None:
    from wizard.cli import build_parser

    parser = build_parser()
    for argv in (["plan", "--demo", "--profile", "p"],
                 ["reset-password", "--demo", "--profile", "p", "--user", "share"]):
        assert parser.parse_args(argv).demo is True


def test_demo_before_the_command_is_kept() -> None:
    """`hpcshare --demo run ...` must stay a demo: argparse lets a subcommand's own default overwrite
    the value the main parser set, which would send that run to Azure itself."""
    from wizard.cli import build_parser

    parser = build_parser()
    for command in (["run"], ["plan"], ["generate"], ["teardown"], ["reset-password", "--user", "share"]):
        before = parser.parse_args(["--demo", command[0], "--profile", "p", *command[1:]])
        after = parser.parse_args([command[0], "--demo", "--profile", "p", *command[1:]])
        neither = parser.parse_args([command[0], "--profile", "p", *command[1:]])
        assert (before.demo, after.demo, neither.demo) == (True, True, False), command


@pytest.mark.parametrize(("server", "asked"), [("hpcfiles01.file.core.windows.net", "Storage account key for u: "),
                                               ("HPCFILES01.FILE.CORE.WINDOWS.NET.", "Storage account key for u: "),
                                               ("myfileserver", "Password for u: ")])
def test_verify_asks_for_what_the_server_takes(server: str, asked: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """An Azure Files share's SMB password is the storage account key (issue 18): verify asks for it by name."""
    import getpass

    from wizard import cli, commands
    from wizard.plain import verify_report

    monkeypatch.delenv("HPCSHARE_SHARE_PASSWORD", raising=False)
    monkeypatch.setattr(commands, "interactive", lambda: True)
    prompts: list[str] = []
    monkeypatch.setattr(getpass, "getpass", lambda prompt: prompts.append(prompt) or "x")
    monkeypatch.setattr(verify_report, "verify_main", lambda **kw: 0)
    assert cli.main(["verify", "--server", server, "--share", "s", "--user", "u"]) == 0
    assert prompts == [asked]


def test_the_source_may_come_before_the_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`hpcshare --demo --answers F plan` is what the main usage line suggests: it works as
    `hpcshare plan --demo --answers F` does, and a source given twice is still refused."""
    from wizard.cli import _source_after_command

    assert _source_after_command(["--demo", "--answers", "f.toml", "plan", "--format", "az"]) == \
        ["--demo", "plan", "--answers", "f.toml", "--format", "az"]
    assert _source_after_command(["--profile=p", "run", "--yes"]) == ["run", "--profile=p", "--yes"]
    assert _source_after_command(["--answers", "f.toml"]) == ["--answers", "f.toml"]          # the wizard
    assert _source_after_command(["--answers", "run"]) == ["--answers", "run"]                # a file named run
    assert main(["--demo", "--answers", str(EXAMPLE_FILE), "plan"]) == 0
    before = capsys.readouterr().out
    assert main(["plan", "--demo", "--answers", str(EXAMPLE_FILE)]) == 0
    assert capsys.readouterr().out == before and "Plan for profile" in before
    assert main(["--profile", "p", "plan", "--answers", str(EXAMPLE_FILE)]) == 2
    assert "not allowed with argument" in capsys.readouterr().err
