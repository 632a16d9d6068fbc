"""One test (or a few) per finding of the security review of 2026-12-02
(/work/shared/reference/reviews/2026-12-02-security.md, issue 21): each reproduces the attack the
review ran against the first release and shows that it now fails. The leak scans for the new paths
(the az export's argv, --yes output, a TUI crash) are in test_secret_leaks.py.
"""
from __future__ import annotations

import io
import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.hardening.test_safe_defaults import default_run, of_type
from tests.integration.conftest import write_answers
from wizard import cli

SHARE_PW = "Review-Share-Pw-2024"
ADMIN_PW = "Review-Admin-Pw-2024"
OSC52 = "\x1b]52;c;aWQgPiAvdG1wL293bmVk\x07"          # "write this to the clipboard"
CONTROLS = [chr(c) for c in (*range(0x00, 0x09), *range(0x0b, 0x20), 0x7f, *range(0x80, 0xa0))]


@pytest.fixture
def env_passwords(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HPCSHARE_SHARE_PASSWORD", SHARE_PW)
    monkeypatch.setenv("HPCSHARE_ADMIN_PASSWORD", ADMIN_PW)


def main(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = cli.main(argv)
    cap = capsys.readouterr()
    return code, cap.out, cap.err


def mode(path: Path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


@pytest.fixture
def umask_000() -> Iterator[None]:
    old = os.umask(0)
    try:
        yield
    finally:
        os.umask(old)


# ---- finding 6: output folders ------------------------------------------------------------------

def _foreign_folder(tmp_path: Path) -> Path:
    """A folder owned by another user: made with chown as root (the review ran as root, 'nobody'
    playing the other user); otherwise '/', which is root's."""
    if os.geteuid() != 0:
        return Path("/")
    folder = tmp_path / "planted-by-nobody"
    folder.mkdir(mode=0o755)
    os.chown(folder, 65534, 65534)
    return folder


@pytest.mark.parametrize("command", ["run", "generate"])
def test_a_symlinked_or_foreign_or_shared_out_folder_is_refused(command: str, home: Path, tmp_path: Path,
                                                                env_passwords: None,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    answers = write_answers(tmp_path / "outdir.toml")
    victim = tmp_path / "victims-other-folder"
    victim.mkdir()
    link = tmp_path / "link"
    link.symlink_to(victim)
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)                                  # what 'mkdir -m1777' in /tmp leaves others
    base = [command, "--demo", "--answers", str(answers)] + (["--yes"] if command == "run" else [])
    cases = {link: "symbolic link", _foreign_folder(tmp_path): "belongs to another user",
             shared: "writable by group or others"}
    for out, reason in cases.items():
        code, out_text, err = main(base + ["--out", str(out)], capsys)
        assert code == 2 and reason in err and str(out) in err, (out, out_text + err)
        assert "Traceback" not in err
    assert list(victim.iterdir()) == [] and list(shared.iterdir()) == []      # nothing written through
    assert not (home / "standin").exists()                                    # nothing touched on "Azure"


def test_new_out_folders_are_0700_and_files_have_exact_modes(home: Path, tmp_path: Path, env_passwords: None,
                                                             capsys: pytest.CaptureFixture[str],
                                                             umask_000: None) -> None:
    """Under umask 000 the first release made drwxrwxrwx folders and rw-rw-rw- files, so any
    local user could swap nodeprep.cmd (it runs as administrator on every node)."""
    answers = write_answers(tmp_path / "modes.toml")
    out = tmp_path / "deep" / "out"
    code, text, err = main(["generate", "--demo", "--answers", str(answers), "--out", str(out), "--embed-password"],
                           capsys)
    assert code == 0, text + err
    assert mode(out) == 0o700 and mode(out.parent) == 0o700
    files = {p.name: mode(p) for p in out.iterdir()}
    assert files.pop("job-template.xml") == 0o600                   # holds the password here
    assert files and set(files.values()) == {0o644}, files


def test_the_default_out_folder_is_checked_too(home: Path, tmp_path: Path, env_passwords: None,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    answers = write_answers(tmp_path / "dflt.toml")
    planted = Path.cwd() / "hpcshare-out" / "dflt"          # ./hpcshare-out/PROFILE, planted beforehand
    planted.mkdir(parents=True)
    planted.chmod(0o777)
    code, _, err = main(["generate", "--demo", "--answers", str(answers)], capsys)
    assert code == 2 and "writable by group or others" in err and not list(planted.iterdir())


# ---- finding 7: HPCSHARE_HOME, the run log, profile backups -----------------------------------

def test_home_folders_are_0700_under_umask_000(home: Path, tmp_path: Path, env_passwords: None,
                                               capsys: pytest.CaptureFixture[str], umask_000: None) -> None:
    answers = write_answers(tmp_path / "um.toml")
    code, text, err = main(["run", "--demo", "--yes", "--answers", str(answers), "--out", str(tmp_path / "o")],
                           capsys)
    assert code == 0, text + err
    from wizard import paths, profiles

    profiles.save(profiles.profile_path("um"), profiles.load(answers).values)      # profiles/ too
    folders = [home, home / "logs", home / "state", home / "standin", home / "profiles", tmp_path / "o"]
    assert {str(f): oct(mode(f)) for f in folders} == {str(f): oct(0o700) for f in folders}
    for f in (home / "logs" / "um.log", home / "state" / "um.json", home / "standin" / "state.json",
              home / "profiles" / "um.toml"):
        assert mode(f) == 0o600, f
    # A HPCSHARE_HOME left world-writable by an older version is put back to 0700.
    home.chmod(0o777)
    (home / "state").chmod(0o777)
    paths.private_dir(paths.state_dir())
    assert mode(home) == 0o700 and mode(home / "state") == 0o700


def test_the_run_log_is_never_written_through_a_symlink(home: Path, tmp_path: Path, env_passwords: None,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    answers = write_answers(tmp_path / "lnk.toml")
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    (home / "logs").mkdir(parents=True)
    (home / "logs" / "lnk.log").symlink_to(victim)
    code, text, err = main(["run", "--demo", "--yes", "--answers", str(answers), "--out", str(tmp_path / "o")],
                           capsys)
    assert code == 1 and "symbolic link" in err and "Traceback" not in err, text + err
    assert victim.read_text() == "precious\n"


def test_an_existing_run_log_with_a_wide_mode_becomes_0600(home: Path, tmp_path: Path) -> None:
    from wizard.runlog import RunLog

    log = home / "logs" / "wide.log"
    log.parent.mkdir(parents=True)
    log.write_text("old line\n")
    log.chmod(0o666)
    with RunLog("wide") as run_log:
        run_log.line("new line")
    assert mode(log) == 0o600 and "new line" in log.read_text()


def test_profile_backups_never_follow_symlinks(home: Path, tmp_path: Path) -> None:
    from wizard import profiles
    from wizard.answers import resolve

    path = profiles.profile_path("bak")
    path.parent.mkdir(parents=True)
    path.write_text("this is [not valid TOML\n")
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    bak = path.with_suffix(".toml.bak")
    bak.symlink_to(victim)                              # planted: the backup would overwrite the victim
    profiles.save(path, resolve().values)
    assert victim.read_text() == "precious\n"
    assert not bak.is_symlink() and bak.read_text() == "this is [not valid TOML\n" and mode(bak) == 0o600
    # A profile that is itself a symlink is not read through: the link is replaced, its target kept.
    path.unlink()
    path.symlink_to(victim)
    profiles.save(path, resolve().values)
    assert victim.read_text() == "precious\n" and not path.is_symlink()


# ---- finding 10: control characters from the server, Azure and SMB -----------------------------

def test_an_osc52_sequence_from_the_server_reaches_neither_stdout_nor_the_log(
        home: Path, tmp_path: Path, env_passwords: None, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A compromised file server answers with result lines that carry OSC 52 (clipboard write),
    a screen clear and C1 controls, raw and JSON-escaped (json.loads turns \\u001b into ESC)."""
    import wizard.standin.fake_windows as fw

    real = fw.simulate

    def hostile(script: str, parameters: Any, protected: Any, server: Any, fail_substep: Any = None) -> Any:
        stdout, stderr, code = real(script, parameters, protected, server, fail_substep)
        lines = []
        for line in stdout.splitlines():
            if line.startswith("HPCSHARE_RESULT "):
                body = json.loads(line[len("HPCSHARE_RESULT "):])
                body["message"] = f"{body['message']}{OSC52}\x1b[2J\x9b31m\x85"
                line = "HPCSHARE_RESULT " + json.dumps(body)            # ensure_ascii: \u001b escapes
            lines.append(line)
        lines.append(f"raw text {OSC52}")
        return "\n".join(lines) + "\n", stderr + OSC52, code

    monkeypatch.setattr(fw, "simulate", hostile)
    answers = write_answers(tmp_path / "osc.toml")
    code, out, err = main(["run", "--demo", "--yes", "--answers", str(answers), "--out", str(tmp_path / "o")],
                          capsys)
    assert code == 0, out + err
    log = (home / "logs" / "osc.log").read_text(encoding="utf-8")
    assert "configure-server/disk" in out and "configure-server/disk" in log     # the lines were shown
    assert "]52;c;aWQgPiAvdG1wL293bmVk" in out                                   # as inert text
    for where, text in (("stdout", out), ("stderr", err), ("run log", log)):
        found = sorted({hex(ord(c)) for c in text if c in CONTROLS})
        assert not found, f"control characters in {where}: {found}"


def test_azure_and_smb_text_loses_its_control_characters() -> None:
    from azure.core.exceptions import HttpResponseError

    from wizard.azure.errors import explain
    from wizard.verify import redact as _redact

    exc = HttpResponseError(message=f"Operation failed{OSC52}\x9b2J")
    failed = explain(exc)
    assert "Operation failed" in failed.message
    assert not [c for c in failed.message + failed.hint if c in CONTROLS]
    assert not [c for c in _redact(f"STATUS_ACCESS_DENIED{OSC52}", "Some-Password-1") if c in CONTROLS]
    assert "\n" in _redact("line one\nline two", "Some-Password-1")             # line breaks kept there


# ---- finding 4: public SMB and RDP ---------------------------------------------------------------

def test_a_public_smb_range_forces_encryption(home: Path, tmp_path: Path, env_passwords: None) -> None:
    """The review's repro: 445 open to 198.51.0.0/16 with 'encryption off'."""
    from wizard.remote.protocol import decode_param

    code, text, calls = default_run(tmp_path, endpoints__smb_source="198.51.0.0/16", share__encrypt=False)
    assert code == 0, text
    configure = next(p for p, _ in calls if "configure-server" in p["script"])
    assert decode_param(configure["ConfigB64"])["encrypt"] is True
    assert "encryption on" in text and "encryption off" not in text
    vm = of_type("Microsoft.Compute/virtualMachines")[0]
    from wizard.environment import standin_state_file
    from wizard.standin.store import Store

    smb = Store(standin_state_file()).internal[vm["id"].lower()]["server"]["smb_server"]
    assert smb["EncryptData"] is True and smb["RejectUnencryptedAccess"] is True
    summary = (tmp_path / "out" / "SUMMARY.md").read_text()
    assert "| SMB encryption | required" in summary


def test_a_public_rdp_range_is_refused_by_yes_unless_allowed(home: Path, tmp_path: Path, env_passwords: None,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    answers = write_answers(tmp_path / "rdp.toml", endpoints__rdp_source="198.51.100.0/24")
    run = ["run", "--demo", "--yes", "--answers", str(answers), "--out", str(tmp_path / "o")]
    code, _, err = main(run, capsys)
    assert code == 2 and "[endpoints.rdp_source]" in err and "--allow-public-rdp" in err
    assert not (home / "standin").exists()
    code, out, err = main(run + ["--allow-public-rdp"], capsys)
    assert code == 0, out + err
    assert "TCP 3389 (RDP) will be reachable from 198.51.100.0/24" in err
    # A private RDP source needs no flag.
    code, out, err = main(run + ["--set", "endpoints.rdp_source=10.0.0.0/24"], capsys)
    assert code == 0, out + err


# ---- finding 11: Azure defaults ------------------------------------------------------------------

def test_the_nsg_denies_the_rest_of_the_vnet(home: Path, tmp_path: Path, env_passwords: None) -> None:
    """Azure's AllowVNetInBound (65000) admitted RDP and every port from the VNet, where compute
    nodes run users' jobs. Decided by the stand-in's model of NSG rule processing."""
    from wizard.standin.nsg_eval import decide

    code, text, _ = default_run(tmp_path)
    assert code == 0, text
    nsg = of_type("Microsoft.Network/networkSecurityGroups")[0]
    rules = {r["name"]: r["properties"] for r in nsg["properties"]["securityRules"]}
    deny = rules["deny-vnet-inbound"]
    assert (deny["access"], deny["sourceAddressPrefix"], deny["protocol"], deny["destinationPortRange"]) == (
        "Deny", "VirtualNetwork", "*", "*")
    assert all(p["priority"] < deny["priority"] for n, p in rules.items() if p["access"] == "Allow")

    def from_vnet(body: dict, port: int, protocol: str = "Tcp") -> Any:
        return decide(body, direction="Inbound", protocol=protocol, source="10.0.0.57", port=port,
                      source_tags={"VirtualNetwork"})

    assert from_vnet(nsg, 445).rule == "allow-smb-tcp-445" and from_vnet(nsg, 445).access == "Allow"
    for port in (3389, 5985, 135, 139):
        assert (from_vnet(nsg, port).access, from_vnet(nsg, port).rule) == ("Deny", "deny-vnet-inbound"), port
    assert from_vnet(nsg, 445, "Udp").access == "Deny"               # UDP 445 only when asked for
    # The first release's NSG (no deny rule): the default rule lets RDP in from the VNet.
    first_release = {"properties": {**nsg["properties"], "securityRules": [
        r for r in nsg["properties"]["securityRules"] if r["name"] != "deny-vnet-inbound"]}}
    assert (from_vnet(first_release, 3389).access, from_vnet(first_release, 3389).rule) == (
        "Allow", "AllowVnetInBound")
    # The Azure load balancer's probes keep their default rule; the Internet stays denied.
    probe = decide(nsg, direction="Inbound", protocol="Tcp", source="168.63.129.16", port=3389,
                   source_tags={"AzureLoadBalancer"})
    assert probe.rule == "AllowAzureLoadBalancerInBound"
    internet = decide(nsg, direction="Inbound", protocol="Tcp", source="203.0.113.9", port=445,
                      source_tags={"Internet"})
    assert internet.rule == "DenyAllInBound"


def test_an_rdp_rule_still_wins_over_the_deny(home: Path, tmp_path: Path, env_passwords: None) -> None:
    from wizard.standin.nsg_eval import decide

    code, text, _ = default_run(tmp_path, endpoints__rdp_source="10.0.0.7/32")
    assert code == 0, text
    nsg = of_type("Microsoft.Network/networkSecurityGroups")[0]
    admin = decide(nsg, direction="Inbound", protocol="Tcp", source="10.0.0.7", port=3389,
                   source_tags={"VirtualNetwork"})
    node = decide(nsg, direction="Inbound", protocol="Tcp", source="10.0.0.8", port=3389,
                  source_tags={"VirtualNetwork"})
    assert (admin.rule, admin.access, node.rule, node.access) == ("allow-rdp", "Allow", "deny-vnet-inbound", "Deny")


def test_the_dns_label_is_scoped_to_the_tenant(home: Path, tmp_path: Path, env_passwords: None) -> None:
    code, text, _ = default_run(tmp_path, endpoints__public_ip=True, endpoints__dns_label="myfs-sec-test")
    assert code == 0, text
    pip = of_type("Microsoft.Network/publicIPAddresses")[0]
    dns = pip["properties"]["dnsSettings"]
    assert dns["domainNameLabelScope"] == "TenantReuse"
    label, hashed, region, *rest = dns["fqdn"].split(".")
    assert (label, region, ".".join(rest)) == ("myfs-sec-test", "westeurope", "cloudapp.azure.com")
    assert len(hashed) >= 8 and hashed.isalnum()               # the part another tenant cannot reproduce
    assert dns["fqdn"] in (tmp_path / "out" / "SUMMARY.md").read_text()


# ---- finding 9: the demo stand-in ---------------------------------------------------------------

def test_the_stand_in_refuses_another_token_through_the_sdk(tmp_path: Path) -> None:
    """The review's repro: 'curl -H "Authorization: Bearer anything"' read and re-tagged resources."""
    from azure.core.exceptions import ClientAuthenticationError
    from azure.mgmt.resource.resources import ResourceManagementClient

    from wizard.standin import FakeCredential, StandIn

    with StandIn(state_file=tmp_path / "state.json") as s:
        kwargs = {"base_url": s.base_url, "connection_verify": str(s.ca_path), "polling_interval": 0}
        intruder = ResourceManagementClient(FakeCredential("anything"), s.subscription_id, **kwargs)
        with pytest.raises(ClientAuthenticationError) as err:
            intruder.resource_groups.create_or_update("rg-hpcshare", {"location": "westeurope",
                                                                      "tags": {"owner": "nobody"}})
        assert err.value.status_code == 401 and err.value.error.code == "InvalidAuthenticationToken"
        with pytest.raises(ClientAuthenticationError):
            list(intruder.resource_groups.list())
        owner = ResourceManagementClient(FakeCredential(s.token), s.subscription_id, **kwargs)
        assert [g.name for g in owner.resource_groups.list()] == []          # the refused write left nothing
        owner.resource_groups.create_or_update("rg-mine", {"location": "westeurope"})
    assert "rg-mine" in (tmp_path / "state.json").read_text()


def test_the_stand_in_token_can_be_chosen(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from wizard.standin import FakeCredential, StandIn

    monkeypatch.setenv("HPCSHARE_STANDIN_TOKEN", "a-token-chosen-by-the-user")
    s = StandIn()
    assert s.token == "a-token-chosen-by-the-user" == FakeCredential().token


def test_the_stand_in_state_holds_no_password_verifier(home: Path, tmp_path: Path, env_passwords: None) -> None:
    """The review guessed the share password offline against the PBKDF2 hash in state.json."""
    code, text, _ = default_run(tmp_path)
    assert code == 0, text
    state = (home / "standin" / "state.json").read_text()
    assert "hpcshareuser" in state.lower()                     # the user is there...
    assert "pbkdf2" not in state and "password_hash" not in state   # ...without anything to guess against


# ---- finding 12: supply chain --------------------------------------------------------------------

def test_the_constraints_file_pins_and_hashes_the_tested_set() -> None:
    """constraints.txt pins every distribution of the tested dependency set with its hashes, and
    it is the set this environment was installed from (so the tests ran on what CI installs)."""
    import re
    from importlib import metadata

    repo = Path(__file__).resolve().parents[2]
    text = (repo / "constraints.txt").read_text()
    entries = re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)((?:\s*\\\s*\n\s*--hash=sha256:[0-9a-f]{64})+)", text, re.M)
    pinned = {re.sub(r"[-_.]+", "-", name).lower(): version for name, version, _ in entries}
    assert len(pinned) >= 40, "constraints.txt lost its entries"
    requirement_lines = [ln for ln in text.splitlines() if ln and not ln.startswith((" ", "#", "--"))]
    assert len(requirement_lines) == len(entries), "a requirement without a hash"
    for name in ("azure-core", "cryptography", "textual", "rich", "pywinrm", "smbprotocol", "urllib3", "requests"):
        assert pinned[name] == metadata.version(name), name
    ci = (repo / ".ci" / "run").read_text()
    assert "PIP_CONSTRAINT" in ci and "constraints.txt" in ci
