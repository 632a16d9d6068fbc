"""``hpcshare run --answers FILE --yes`` with a bad file: one error per field, naming it, exit 2,
and nothing touched (no stand-in state, no run state, no output folder, the file unchanged)."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from tests.plain.conftest import PYTHON, subprocess_env
from tests.plain.test_demo_run import DEMO_ANSWERS, assert_untouched
from wizard import cli


def replace_line(text: str, key: str, new: str | None, section: str | None = None) -> str:
    """Replace (or with None drop) the first ``key = ...`` line, in ``section`` when given."""
    lines = text.splitlines()
    current = None
    for i, line in enumerate(lines):
        if line.startswith("["):
            current = line.strip("[]")
        if (section is None or current == section) and re.match(rf"{re.escape(key)}\s*=", line):
            if new is None:
                del lines[i]
            else:
                lines[i] = new
            return "\n".join(lines) + "\n"
    raise AssertionError(f"{key} not in the answers text")


def run_bad(tmp_path: Path, text: str, capsys: pytest.CaptureFixture[str], *extra: str,
            demo: bool = True) -> str:
    f = tmp_path / "bad.toml"
    f.write_text(text)
    before = f.read_bytes()
    out_dir = tmp_path / "out"
    rc = cli.main(["run", *(["--demo"] if demo else []), "--answers", str(f), "--yes", "--out", str(out_dir), *extra])
    captured = capsys.readouterr()
    assert rc == 2, captured.out + captured.err
    assert f.read_bytes() == before
    assert_untouched(Path(tmp_path), out_dir)
    assert "Traceback" not in captured.err
    return captured.err


REQUIRED = [("subscription", "id"), ("subscription", "region"), ("subscription", "resource_group"), ("vm", "name")]


# With --demo a file without subscription.id gets the stand-in's subscription (wizard.session), so
# that one key is checked against Azure mode only; nothing is contacted before validation there either.
@pytest.mark.parametrize("section, key, demo", [(s, k, False) for s, k in REQUIRED]
                         + [(s, k, True) for s, k in REQUIRED if k != "id"])
def test_missing_required_key(home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                              section: str, key: str, demo: bool) -> None:
    err = run_bad(tmp_path, replace_line(DEMO_ANSWERS, key, None, section), capsys, demo=demo)
    assert f"({section}.{key}): missing" in err
    assert f"[{section}.{key}]" in err and "nothing was touched" in err


@pytest.mark.parametrize("section, line, message", [
    ("subscription", 'id = "not-a-guid"', "Subscription: a subscription GUID"),
    ("subscription", 'region = "West Europe!"', "Region: an Azure region name"),
    ("vm", 'name = "bad_name!"', "VM name: 1-15 letters"),
    ("vm", 'image = "win2008"', "Windows Server image: one of win2019-datacenter"),
    ("vm", 'admin_username = "admin"', "Admin user name: 'admin' is reserved by Azure"),
    ("disk", 'drive_letter = "C"', "Drive letter: one letter from F to Z"),
    ("disk", "size_gb = 40000", "Size (GiB): a whole number of GiB from 4 to 32767"),
    ("account", 'username = "hpcadmin"', "Share user name: must differ from the VM admin user name"),
    ("share", 'name = "IPC$"', "Share name: 'IPC$' is a reserved Windows share name"),
    ("share", 'access = "write"', "Share user access: one of read, change, full"),
    ("endpoints", 'private_ip = "10.9.9.9"', "Private IP: must lie inside the subnet 10.0.0.0/24"),
    ("endpoints", 'smb_source = "0.0.0.0/0"', "SMB allowed from: SMB must not be open to the whole Internet"),
    ("endpoints", 'rdp_source = "0.0.0.0/0"', "RDP allowed from: at most a /24 range"),
    ("remote", 'transport = "ssh"', "Transport: one of managed-run-command"),
])
def test_invalid_value(home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                       section: str, line: str, message: str) -> None:
    key = line.split(" =", 1)[0]
    err = run_bad(tmp_path, replace_line(DEMO_ANSWERS, key, line, section), capsys)
    assert f"[{section}.{key}]" in err and message in err


def test_several_problems_reported_together(home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = DEMO_ANSWERS
    text = replace_line(text, "name", 'name = "-x-"', "vm")
    text = replace_line(text, "label", 'label = "bad/label"', "disk")
    text = replace_line(text, "dns_label", None, "endpoints")
    text = replace_line(text, "public_ip", "public_ip = true", "endpoints")
    err = run_bad(tmp_path, text, capsys)
    assert "3 answer(s) need fixing" in err
    for key in ("vm.name", "disk.label", "endpoints.dns_label"):
        assert f"[{key}]" in err
    assert "DNS label: required when a public IP is requested" in err


def test_wrong_type(home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    err = run_bad(tmp_path, replace_line(DEMO_ANSWERS, "size_gb", 'size_gb = "1024"', "disk"), capsys)
    assert "[disk.size_gb] Size (GiB): expected a whole number" in err
    err = run_bad(tmp_path, replace_line(DEMO_ANSWERS, "encrypt", 'encrypt = "no"', "share"), capsys)
    assert "[share.encrypt] Require SMB encryption: expected true or false" in err


def test_unknown_key_and_section(home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    err = run_bad(tmp_path, DEMO_ANSWERS.replace('[vm]\n', '[vm]\ncolour = "blue"\n'), capsys)
    assert "unknown key 'colour' in [vm]" in err
    err = run_bad(tmp_path, DEMO_ANSWERS + '\n[storage]\nkind = "files"\n', capsys)
    assert "unknown section [storage]" in err


def test_password_in_file_is_refused(home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    err = run_bad(tmp_path, DEMO_ANSWERS.replace('[account]\n', '[account]\npassword = "Secret-Pass-123"\n'), capsys)
    assert "account.password: passwords do not belong in an answers file" in err
    assert "Secret-Pass-123" not in err


def test_broken_toml_names_the_line(home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = DEMO_ANSWERS.replace('label = "hpcdata"', 'label = "hpcdata')
    line = text.splitlines().index('label = "hpcdata') + 1
    err = run_bad(tmp_path, text, capsys)
    assert "not valid TOML" in err and f"line {line}" in err


def test_missing_schema(home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    err = run_bad(tmp_path, DEMO_ANSWERS.replace("schema = 1\n", ""), capsys)
    assert "missing 'schema = 1'" in err


@pytest.mark.parametrize("option, message", [
    ("disk.size_gb=lots", "Size (GiB): a whole number"),
    ("nope.key=1", "--set nope.key: unknown answer"),
    ("account.password=Secret-Pass-123", "passwords are not answers"),
    ("vm.name=bad_name!", "[vm.name] VM name: 1-15 letters"),
])
def test_bad_set_option(home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], option: str,
                        message: str) -> None:
    err = run_bad(tmp_path, DEMO_ANSWERS, capsys, "--set", option)
    assert message in err


def test_no_terminal_without_yes(home: Path, tmp_path: Path) -> None:
    f = tmp_path / "nottyprof.toml"
    f.write_text(DEMO_ANSWERS)
    proc = subprocess.run([PYTHON, "-m", "wizard", "run", "--demo", "--answers", str(f), "--out", str(tmp_path / "o")],
                          cwd=Path.cwd(), env=subprocess_env(home), stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "no terminal to ask questions on: add --yes" in proc.stderr
    assert_untouched(tmp_path, tmp_path / "o")


def test_plain_wizard_without_terminal(home: Path, tmp_path: Path) -> None:
    proc = subprocess.run([PYTHON, "-m", "wizard", "--plain", "--demo"], cwd=Path.cwd(), env=subprocess_env(home),
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "the wizard needs a terminal" in proc.stderr and "--yes" in proc.stderr
    assert not (home / "profiles").exists()
    assert_untouched(tmp_path, tmp_path / "o")
