"""End to end against the demo stand-in (HPCSHARE_STANDIN_LATENCY=instant): the plain prompts
through ``wizard.cli.main``, then the prompt-free replay, and the log-friendly output."""
from __future__ import annotations

import re
import subprocess
import tomllib
from pathlib import Path

import pytest

from tests.plain.conftest import (
    CTRL_C, ENTER, NO, PYTHON, YES, all_keys, forbid_prompts, keys, section_keys, subprocess_env, typed,
)
from wizard import cli
from wizard.artifacts import ARTIFACT_NAMES
from wizard.questions import section

RUN_NOW = ENTER             # the review's select starts on "Run the plan now"
STATE_LINE = re.compile(r"^\[(running|done|failed|skipped|warning)\] [a-z0-9-]+(/[a-z0-9-]+)?( \(\d+\.\d+s\))?(: .*)?$")
STEPS = ("resource-group", "network", "nsg", "nic", "data-disk", "vm", "configure-server", "self-test", "artifacts")


def files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def interactive_run(profile: str, *parts: str) -> int:
    with keys(*parts):
        return cli.main(["--plain", "--demo", "--profile", profile])


def test_failed_plain_run_ends_with_the_resume_command(home: Path, tty: None, monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("HPCSHARE_STANDIN_FAULTS", "runcommand.put=substep:share")
    rc = interactive_run("lab", all_keys(vnet_select=True), RUN_NOW)     # the demo lists its cluster VNet
    out = capsys.readouterr().out
    assert rc == 1, out
    assert "Last run of this profile" not in out                  # a first run
    assert out.rstrip().splitlines()[-1] == \
        "To resume the run: hpcshare run --demo --profile lab   (or the wizard: hpcshare --demo --profile lab --plain)"
    # The next plain session says how the last run went, counted as Welcome counts it.
    monkeypatch.delenv("HPCSHARE_STANDIN_FAULTS")
    rc = interactive_run("lab", CTRL_C)
    out = capsys.readouterr().out
    assert rc == 130
    assert ("Last run of this profile: Failed at Configure the file server · 6 of 9 steps done. "
            "A new run resumes where it stopped.") in " ".join(out.split())


@pytest.mark.slow
def test_plain_run_then_replay_writes_identical_artifacts(home: Path, tty: None, monkeypatch: pytest.MonkeyPatch,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    over = {"vm": {"name": typed("labfs")}, "share": {"name": typed("Scratch")}}
    # The demo lists its cluster VNet, so the VNet question is a select: a new one takes one more Enter.
    rc = interactive_run("lab", all_keys(over, vnet_select=True), RUN_NOW)
    out = capsys.readouterr().out
    assert rc == 0, out
    first = Path.cwd() / "hpcshare-out" / "lab"
    assert sorted(files(first)) == sorted(ARTIFACT_NAMES)
    assert b"labfs" in files(first)["nodeprep.cmd"] and b"Scratch" in files(first)["job-template.xml"]
    # The run view printed the generated share password once; no artifact holds it.
    shown = re.search(r"Share user password for '\w+' \(generated; shown once, not saved anywhere\): (\S+)", out)
    assert shown, out
    assert out.count(shown.group(1)) == 1
    assert all(shown.group(1).encode() not in body for body in files(first).values())
    # The artifacts' paths are printed by the run view, once.
    assert out.count(f"HPC Pack files written to {first}") == 1
    # The last lines, as the full-screen wizard leaves them (wizard.farewell).
    assert out.rstrip().splitlines()[-3:] == [
        f"Output folder: {first}", f"Summary: {first / 'SUMMARY.md'}",
        "To re-run (only changes are applied): hpcshare run --demo --profile lab"]
    profile = tomllib.loads((home / "profiles" / "lab.toml").read_text())
    assert profile["vm"]["name"] == "labfs" and profile["share"]["name"] == "Scratch"

    replay = Path.cwd() / "replay"
    forbid_prompts(monkeypatch)
    with keys():                                            # no input at all: a prompt would hit EOF
        # Not a terminal: generated passwords must go to a file (mode 0600), never to the output.
        rc = cli.main(["run", "--demo", "--profile", "lab", "--yes", "--out", str(replay),
                       "--password-file", str(Path.cwd() / "lab-passwords.env")])
    out = capsys.readouterr().out
    assert rc == 0, out
    assert files(replay) == files(first)                   # every file, byte for byte
    assert "Share user password" not in out                 # nothing on the server changed: nothing to show


@pytest.mark.slow
def test_replay_output_is_log_friendly(home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    answers = tmp_path / "logprof.toml"
    answers.write_text(DEMO_ANSWERS)
    forbid_prompts(monkeypatch)
    rc = cli.main(["run", "--demo", "--answers", str(answers), "--yes", "--out", str(tmp_path / "out"),
                   "--password-file", str(tmp_path / "pw.env")])
    out = capsys.readouterr().out
    assert rc == 0, out
    assert_log_friendly(out)
    assert "Share user password for 'MyUser' (generated): in " in out


@pytest.mark.slow
def test_replay_in_a_pipe_has_no_escapes(home: Path, tmp_path: Path) -> None:
    """A real pipe (not pytest's capture): rich must see no terminal and draw no live table."""
    answers = tmp_path / "pipeprof.toml"
    answers.write_text(DEMO_ANSWERS)
    proc = subprocess.run([PYTHON, "-m", "wizard", "run", "--demo", "--answers", str(answers), "--yes",
                           "--out", str(tmp_path / "out"), "--password-file", str(tmp_path / "pw.env")],
                          cwd=tmp_path, env=subprocess_env(home, COLUMNS="40"), stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert_log_friendly(proc.stdout)
    assert sorted(files(tmp_path / "out")) == sorted(ARTIFACT_NAMES)


def assert_log_friendly(out: str) -> None:
    assert "\x1b[" not in out and "\r" not in out
    lines = out.splitlines()
    state_lines = [ln for ln in lines if ln.startswith("[")]
    for ln in state_lines:
        assert STATE_LINE.match(ln), ln                     # one whole line per state change, never wrapped
    for ln in lines:
        assert ln.startswith(("[", "  ", "hpcshare: ", "Share user password", "VM admin password",
                              "HPC Pack files written", "Done in", "Nothing changed")), ln
    for step in STEPS:                                      # each step: started once, finished once
        assert sum(ln.startswith(f"[running] {step}:") for ln in state_lines) == 1, step
        assert sum(ln.startswith(f"[done] {step} ") for ln in state_lines) == 1, step


@pytest.mark.slow
def test_ask_one_section_then_confirm(home: Path, tmp_path: Path, tty: None,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    answers = tmp_path / "askprof.toml"
    answers.write_text(DEMO_ANSWERS)
    out_dir = tmp_path / "out"
    with keys(section_keys("share", name=typed("Results")), YES):
        rc = cli.main(["run", "--demo", "--answers", str(answers), "--ask", "share", "--out", str(out_dir)])
    out = capsys.readouterr().out
    assert rc == 0, out
    assert "Plan for profile 'askprof'" in out and "(generated at run)" in out
    assert tomllib.loads(answers.read_text())["share"]["name"] == "Results"   # the answers file is the profile
    assert b"Results" in (out_dir / "job-template.xml").read_bytes()


def test_ask_then_decline_touches_nothing(home: Path, tmp_path: Path, tty: None,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    answers = tmp_path / "noprof.toml"
    answers.write_text(DEMO_ANSWERS)
    out_dir = tmp_path / "out"
    with keys(section_keys("disk", size_gb=typed("256")), NO):
        rc = cli.main(["run", "--demo", "--answers", str(answers), "--ask", "disk", "--out", str(out_dir)])
    out = capsys.readouterr().out
    assert rc == 130 and "Nothing was changed." in out
    assert tomllib.loads(answers.read_text())["disk"]["size_gb"] == 256
    assert_untouched(home, out_dir)


def test_ask_ctrl_c_exits_130(home: Path, tmp_path: Path, tty: None, capsys: pytest.CaptureFixture[str]) -> None:
    answers = tmp_path / "ccprof.toml"
    answers.write_text(DEMO_ANSWERS)
    before = answers.read_bytes()
    with keys(ENTER, CTRL_C):
        rc = cli.main(["run", "--demo", "--answers", str(answers), "--ask", "share", "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert rc == 130 and "cancelled" in err and "Answers given so far are saved" in err
    assert answers.read_bytes() == before
    assert_untouched(home, tmp_path / "o")


def test_ask_unknown_section(home: Path, tmp_path: Path, tty: None, capsys: pytest.CaptureFixture[str]) -> None:
    answers = tmp_path / "badask.toml"
    answers.write_text(DEMO_ANSWERS)
    rc = cli.main(["run", "--demo", "--answers", str(answers), "--ask", "vm,network", "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert rc == 2 and "--ask network: unknown section" in err and "endpoints" in err
    assert_untouched(home, tmp_path / "o")


def test_set_override_is_not_asked(home: Path, tmp_path: Path, tty: None, capsys: pytest.CaptureFixture[str]) -> None:
    answers = tmp_path / "setprof.toml"
    answers.write_text(DEMO_ANSWERS)
    # vm.name comes from --set: the VM section asks the other questions only.
    asked = sum(1 for q in section("vm").questions if q.key != "vm.name")
    with keys(ENTER * asked, NO):
        rc = cli.main(["run", "--demo", "--answers", str(answers), "--ask", "vm", "--set", "vm.name=fs9",
                       "--out", str(tmp_path / "o")])
    out = capsys.readouterr().out
    assert rc == 130, out
    assert "VM name: fs9 (set with --set)" in out
    assert "Virtual machine fs9 " in out


@pytest.mark.slow
def test_set_and_env_passwords_on_replay(home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("HPCSHARE_SHARE_PASSWORD", "Env-Share-Pw-2024")
    monkeypatch.setenv("HPCSHARE_ADMIN_PASSWORD", "Env-Admin-Pw-2024")
    answers = tmp_path / "envprof.toml"
    answers.write_text(DEMO_ANSWERS)
    before = answers.read_bytes()
    out_dir = tmp_path / "out"
    rc = cli.main(["run", "--demo", "--answers", str(answers), "--yes", "--set", "share.name=Other",
                   "--out", str(out_dir)])
    out = capsys.readouterr().out
    assert rc == 0, out
    assert "generated; shown once" not in out               # both came from the environment
    assert b"Other" in (out_dir / "job-template.xml").read_bytes()
    assert answers.read_bytes() == before                   # --set overrides one run, it is not saved
    assert all(b"Env-Share-Pw-2024" not in body for body in files(out_dir).values())


def test_bad_password_in_environment_touches_nothing(home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("HPCSHARE_SHARE_PASSWORD", "short")
    answers = tmp_path / "pwprof.toml"
    answers.write_text(DEMO_ANSWERS)
    rc = cli.main(["run", "--demo", "--answers", str(answers), "--yes", "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert rc == 2 and "Share user password" in err and "HPCSHARE_SHARE_PASSWORD" in err
    assert_untouched(home, tmp_path / "o")


def test_ctrl_c_in_plain_mode_keeps_completed_sections(home: Path, tty: None,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    parts = (section_keys("subscription", resource_group=typed("rg-cc")) + section_keys("share")
             + section_keys("vm", name=typed("ccfs")))
    rc = interactive_run("ccplain", parts, ENTER, CTRL_C)
    out = capsys.readouterr().out
    assert rc == 130
    assert "Cancelled: nothing was changed in Azure." in out
    assert "(Subscription, SMB share, File server VM) are saved in" in out
    saved = tomllib.loads((home / "profiles" / "ccplain.toml").read_text())
    assert saved["subscription"]["resource_group"] == "rg-cc" and saved["vm"]["name"] == "ccfs"
    assert not (home / "state").exists() and not (Path.cwd() / "hpcshare-out").exists()


def assert_untouched(home: Path, out_dir: Path) -> None:
    """No Azure call was made (no stand-in state, no run state) and no file was written."""
    assert not (home / "standin").exists()
    assert not (home / "state").exists()
    assert not out_dir.exists()
    assert not (Path.cwd() / "hpcshare-out").exists()


DEMO_ANSWERS = """\
schema = 1

[subscription]
id = "5e0f1a2b-3c4d-4e5f-9a6b-7c8d9e0f1a2b"
region = "westeurope"
resource_group = "rg-hpcshare"
auth = "cli"

[vm]
name = "myfileserver"
size = "Standard_D4s_v5"
image = "win2022-datacenter"
admin_username = "hpcadmin"

[disk]
size_gb = 1024
sku = "Premium_LRS"
caching = "ReadOnly"
drive_letter = "F"
label = "hpcdata"

[account]
username = "MyUser"

[share]
name = "MyShare"
folder = "MyShare"
access = "change"
encrypt = false

[endpoints]
vnet = "vnet-hpc"
vnet_cidr = "10.0.0.0/16"
subnet = "default"
subnet_cidr = "10.0.0.0/24"
private_ip = "10.0.0.4"
public_ip = false
dns_label = ""
smb_source = "VirtualNetwork"
udp_445 = false
rdp_source = ""

[remote]
transport = "managed-run-command"
"""
