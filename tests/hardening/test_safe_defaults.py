"""Safe defaults, one test each: TCP 445 is never open to the Internet unless a CIDR was typed and
confirmed; no public IP unless asked; SMB1 off; files that hold a secret are 0600; the answers
file and the run state file are 0600 (whatever the umask)."""
from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.integration.conftest import write_answers
from wizard import cli
from wizard.questions import QUESTIONS

INTERNET = ["Internet", "internet", "INTERNET", " Internet ", "Internet\n", "*", "Any", "any", "0.0.0.0/0",
            "0.0.0.0/00", "0.0.0.0/0 ", "0/0", "::/0", "*/0", "0.0.0.0/0.0.0.0", "AzureCloud",
            "\u0406nternet", "0.0.0.0/0;10.0.0.0/8", "10.0.0.0/8,0.0.0.0/0", "1.2.3.4/0", "128.0.0.0/0"]


def default_run(tmp_path: Path, **changes: Any) -> tuple[int, str, list[tuple[dict, dict]]]:
    """A demo run of default answers (in this process); returns (exit code, output, the
    (parameters, protected parameters) of every script the stand-in ran)."""
    import wizard.standin.fake_windows as fw
    from tests.integration.conftest import run_session

    calls: list[tuple[dict, dict]] = []
    real = fw.simulate

    def recording(script: str, parameters: Any, protected: Any, server: Any, fail_substep: Any = None) -> Any:
        calls.append(({"script": script, **dict(parameters or {})}, dict(protected or {})))
        return real(script, parameters, protected, server, fail_substep)

    fw.simulate = recording
    try:
        answers = write_answers(tmp_path / "safe.toml", **changes)
        code, text, _ = run_session(answers, tmp_path / "out")
    finally:
        fw.simulate = real
    return code, text, calls


def resources() -> list[dict]:
    from wizard.environment import standin_state_file
    from wizard.standin import StandIn

    return StandIn(state_file=standin_state_file()).resources()


def of_type(kind: str) -> list[dict]:
    return [r for r in resources() if r["type"].lower() == kind.lower()]


def port_covers(rule_props: dict, port: int) -> bool:
    ranges = [rule_props.get("destinationPortRange")] + list(rule_props.get("destinationPortRanges") or [])
    for r in ranges:
        if not r:
            continue
        if r == "*":
            return True
        lo, _, hi = str(r).partition("-")
        if int(lo) <= port <= int(hi or lo):
            return True
    return False


async def type_in(pilot: Any, app: Any, selector: str, text: str) -> None:
    """Focus an input directly (no Tab walk: the UI suite covers keyboard reach) and type."""
    widget = app.screen.query_one(selector)
    widget.focus()
    await pilot.pause()
    await pilot.press("end", "ctrl+u", *text)
    await pilot.pause()


# ---- TCP 445 and the Internet ---------------------------------------------------------------------

def test_smb_source_defaults_to_virtual_network(home: Path, tmp_path: Path) -> None:
    from wizard.answers import resolve

    assert QUESTIONS["endpoints.smb_source"].default == "VirtualNetwork"
    assert resolve().values["endpoints.smb_source"] == "VirtualNetwork"
    path = write_answers(tmp_path / "d.toml")
    assert 'smb_source = "VirtualNetwork"' in path.read_text()


@pytest.mark.parametrize("value", INTERNET)
def test_internet_and_its_equivalents_are_refused_as_smb_source(value: str, home: Path, tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    from wizard import profiles
    from wizard.answers import resolve
    from wizard.session import Session

    path = write_answers(tmp_path / "inet.toml")
    session = Session("inet", answers_file=path)
    assert session.check("endpoints.smb_source", value) is not None, f"Session.check accepted {value!r}"
    values = dict(profiles.load(path).values)
    values["endpoints.smb_source"] = value
    assert not resolve(saved=values, require=True).ok, f"an answers file with {value!r} resolves"
    # Through the command line: in the answers file and with --set, before anything is touched.
    values_text = profiles.to_toml(values)
    bad = tmp_path / "inetbad.toml"
    bad.write_text(values_text, encoding="utf-8")
    assert cli.main(["plan", "--answers", str(bad)]) == 2
    assert "[endpoints.smb_source]" in capsys.readouterr().err
    code = cli.main(["run", "--demo", "--yes", "--answers", str(path), "--set", f"endpoints.smb_source={value}",
                     "--out", str(tmp_path / "out")])
    capsys.readouterr()
    assert code == 2
    assert not (home / "standin").exists() and not (tmp_path / "out").exists()


def test_a_default_run_opens_445_to_the_virtual_network_only(home: Path, tmp_path: Path) -> None:
    from wizard.remote.protocol import decode_param

    code, text, calls = default_run(tmp_path)
    assert code == 0, text
    nsgs = of_type("Microsoft.Network/networkSecurityGroups")
    assert len(nsgs) == 1
    rules = [r["properties"] for r in nsgs[0]["properties"]["securityRules"]]
    inbound_allow = [p for p in rules if p["direction"] == "Inbound" and p["access"] == "Allow"]
    to_445 = [p for p in inbound_allow if port_covers(p, 445)]
    assert to_445, rules
    for p in to_445:
        assert p["sourceAddressPrefix"] == "VirtualNetwork" and not p.get("sourceAddressPrefixes"), p
        assert p["protocol"] == "Tcp", p                           # UDP 445 only on request
    assert not [p for p in inbound_allow if port_covers(p, 3389)], "an RDP rule by default"
    for p in inbound_allow:
        assert p["sourceAddressPrefix"] not in ("*", "Internet", "0.0.0.0/0", "Any"), p
    # The NSG is the one on the server's NIC, so these are the rules that apply.
    nic = of_type("Microsoft.Network/networkInterfaces")[0]
    assert nic["properties"]["networkSecurityGroup"]["id"].lower() == nsgs[0]["id"].lower()
    # Windows Firewall on the server: 445 scoped to the VNet's range, not "Any".
    config = decode_param(next(p for p, _ in calls if "configure-server" in p["script"][:400])["ConfigB64"])
    assert config["smb_remote"] == ["10.0.0.0/16"], config
    assert config["udp_445"] is False


def test_plain_mode_asks_before_opening_445_to_a_public_range(home: Path, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    import questionary

    from tests.plain.conftest import ENTER, FakeCatalog, YES, keys, section_keys, typed
    from wizard import profiles
    from wizard.plain import prompts as console
    from wizard.session import Session

    asked: list[tuple[str, Any]] = []
    real_confirm = questionary.confirm

    def spy(message: str, default: Any = True, **kw: Any) -> Any:
        asked.append((message, default))
        return real_confirm(message, default=default, **kw)

    monkeypatch.setattr(questionary, "confirm", spy)
    path = write_answers(tmp_path / "pub.toml")

    def smb_confirms() -> list[tuple[str, Any]]:
        return [a for a in asked if "reachable from" in a[0]]

    # 1. A public range, Enter at the question (the default): not saved; asked again, VirtualNetwork kept.
    session = Session("pub", answers_file=path)
    with keys(section_keys("endpoints", smb_source=typed("203.0.113.0/24")), ENTER,
              section_keys("endpoints", smb_source=typed("VirtualNetwork"))):
        console.ask_sections(session, ["endpoints"], catalog=FakeCatalog())
    assert len(smb_confirms()) == 1 and smb_confirms()[0][1] is False, asked   # default: No
    assert "203.0.113.0/24" in smb_confirms()[0][0]
    assert profiles.load(path).values["endpoints.smb_source"] == "VirtualNetwork"
    # 2. Confirmed: saved.
    asked.clear()
    session = Session("pub", answers_file=path)
    with keys(section_keys("endpoints", smb_source=typed("203.0.113.7/32")), YES):
        console.ask_sections(session, ["endpoints"], catalog=FakeCatalog())
    assert len(smb_confirms()) == 1
    assert profiles.load(path).values["endpoints.smb_source"] == "203.0.113.7/32"
    # 3. A private range is not a question.
    asked.clear()
    session = Session("pub", answers_file=path)
    with keys(section_keys("endpoints", smb_source=typed("10.20.0.0/16"))):
        console.ask_sections(session, ["endpoints"], catalog=FakeCatalog())
    assert smb_confirms() == []
    assert profiles.load(path).values["endpoints.smb_source"] == "10.20.0.0/16"


async def test_textual_wizard_asks_before_opening_445_to_a_public_range(home: Path, tmp_path: Path) -> None:
    """The same rule in the full-screen wizard: Next with a public SMB source must not save it
    silently (a confirmation first, as in the plain mode)."""
    from textual.screen import ModalScreen

    from screens.app import HpcShareApp
    from screens.section import SectionScreen
    from tests.ui.conftest import settle
    from tests.ui.fakes import FakeCatalog, FakeRun
    from tests.ui.keys import next_until
    from wizard import profiles
    from wizard.session import Session

    app = HpcShareApp(Session("pubui", out_dir=tmp_path / "out"), catalog=FakeCatalog(), runner_factory=FakeRun())
    async with app.run_test(size=(120, 36)) as pilot:
        await next_until(pilot, app, "endpoints")
        await type_in(pilot, app, "#input-smb_source", "203.0.113.0/24")
        await pilot.press("ctrl+n")
        await settle(pilot, app)
        screen = app.screen
        saved = profiles.load(profiles.profile_path("pubui")).values.get("endpoints.smb_source") \
            if profiles.profile_path("pubui").exists() else None
        on_next_section = isinstance(screen, SectionScreen) and screen.section.key != "endpoints"
        assert isinstance(screen, ModalScreen) or not (on_next_section or saved == "203.0.113.0/24"), (
            f"TCP 445 opened to 203.0.113.0/24 with no confirmation: now on {type(screen).__name__} "
            f"({getattr(getattr(screen, 'section', None), 'key', '')}), saved smb_source={saved!r}")


# ---- no public IP by default ----------------------------------------------------------------------

def test_no_public_ip_by_default(home: Path, tmp_path: Path) -> None:
    from wizard.answers import build_answers, resolve
    from wizard.plan import build_plan, render_az

    assert QUESTIONS["endpoints.public_ip"].default is False
    path = write_answers(tmp_path / "nopip.toml")
    from wizard import profiles

    plan = build_plan(build_answers("nopip", resolve(saved=profiles.load(path).values).values))
    assert "public-ip" not in plan.ids and "probe" not in plan.ids
    assert "public-ip create" not in render_az(plan)
    code, text, _ = default_run(tmp_path)
    assert code == 0, text
    assert of_type("Microsoft.Network/publicIPAddresses") == []
    for nic in of_type("Microsoft.Network/networkInterfaces"):
        for cfg in nic["properties"]["ipConfigurations"]:
            assert not cfg["properties"].get("publicIPAddress"), cfg


# ---- SMB1 off -------------------------------------------------------------------------------------

def test_smb1_is_turned_off_and_no_answer_can_turn_it_on(home: Path, tmp_path: Path) -> None:
    import json

    from wizard.remote.config import CONFIGURE_KEYS
    from wizard.remote.protocol import decode_param
    from wizard.remote.scripts import load_script
    from wizard.standin.store import Store
    from wizard.environment import standin_state_file

    code, text, calls = default_run(tmp_path)
    assert code == 0, text
    configure = [p for p, _ in calls if "# hpcshare-script: configure-server" in p["script"]]
    assert len(configure) == 1
    sent = configure[0]
    # The script that ran is the shipped one, and it switches SMB1 off unconditionally ...
    script = load_script("configure-server")
    assert sent["script"] == script
    hardening = script[script.index("# ---- smb-hardening"):]
    hardening = hardening[:hardening.index("# ----", 10)]
    assert "EnableSMB1Protocol = $false" in hardening
    assert "RequireSecuritySignature = $true" in hardening
    assert "Uninstall-WindowsFeature -Name 'FS-SMB1'" in hardening
    # ... and the config it received has no knob for it.
    config = decode_param(sent["ConfigB64"])
    assert set(config) == set(CONFIGURE_KEYS)
    assert not [k for k in config if "smb1" in k.lower() or "smb_1" in k.lower()]
    assert "smb1" not in json.dumps(config).lower()
    # The simulated server ends with SMB1 off and signing required.
    store = Store(standin_state_file())
    servers = [v.get("server", {}) for v in store.internal.values() if isinstance(v, dict) and "server" in v]
    smb = [s["smb_server"] for s in servers if "smb_server" in s]
    assert smb and all(s["EnableSMB1Protocol"] is False and s["RequireSecuritySignature"] is True for s in smb), smb
    assert "SMB1 off" in text


# ---- file modes ----------------------------------------------------------------------------------

@pytest.fixture(params=[0o022, 0o000], ids=["umask-022", "umask-000"])
def umask(request: pytest.FixtureRequest) -> Iterator[int]:
    old = os.umask(request.param)
    try:
        yield request.param
    finally:
        os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_embedded_job_xml_is_0600_and_only_when_asked(umask: int, home: Path, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("HPCSHARE_SHARE_PASSWORD", "Embed-Canary-Pw-5150")
    path = write_answers(tmp_path / "embed.toml")
    plain_dir, embed_dir = tmp_path / "plain", tmp_path / "embedded"
    assert cli.main(["generate", "--answers", str(path), "--out", str(plain_dir)]) == 0
    assert cli.main(["generate", "--answers", str(path), "--out", str(embed_dir), "--embed-password"]) == 0
    capsys.readouterr()
    assert b"Embed-Canary-Pw-5150" not in (plain_dir / "job-template.xml").read_bytes()
    assert b"Embed-Canary-Pw-5150" in (embed_dir / "job-template.xml").read_bytes()
    assert mode(embed_dir / "job-template.xml") == 0o600
    for p in embed_dir.iterdir():
        if p.name != "job-template.xml":
            assert b"Embed-Canary-Pw-5150" not in p.read_bytes(), p


def test_answers_file_and_state_files_are_0600(umask: int, home: Path, tmp_path: Path, tty: None,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    from tests.plain.conftest import ENTER, all_keys, keys
    from wizard import profiles

    # A profile written by the plain prompts, then run: profile, run state and run log.
    with keys(all_keys(vnet_select=True), ENTER):   # the demo lists its cluster VNet
        assert cli.main(["--plain", "--demo", "--profile", "modes"]) == 0, capsys.readouterr().out
    capsys.readouterr()
    profile = home / "profiles" / "modes.toml"
    assert mode(profile) == 0o600, oct(mode(profile))
    state = home / "state" / "modes.json"
    assert mode(state) == 0o600, oct(mode(state))
    standin_state = home / "standin" / "state.json"           # no secrets in it, but private all the same
    assert mode(standin_state) == 0o600, oct(mode(standin_state))
    logs = list((home / "logs").glob("*.log")) if (home / "logs").exists() else []
    for log in logs:
        assert mode(log) == 0o600, (log, oct(mode(log)))
    # An answers file someone made world-readable becomes 0600 when hpcshare saves it (--ask).
    loose = write_answers(tmp_path / "loose.toml")
    os.chmod(loose, 0o644)
    profiles.save(loose, profiles.load(loose).values)
    assert mode(loose) == 0o600


@pytest.mark.parametrize("source", ["8.0.0.0/8", "100.0.0.0/15", "203.0.0.0/12"])
def test_smb_is_never_opened_to_a_continent_sized_public_range(source: str) -> None:
    from wizard.questions import QUESTIONS

    message = QUESTIONS["endpoints.smb_source"].check(source, {})
    assert message is not None and message.startswith("SMB allowed from: a public range must be /16")


def test_a_replay_with_a_public_smb_range_warns_on_stderr(home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    from tests.integration.conftest import write_answers
    from wizard.cli import main

    monkeypatch.setenv("HPCSHARE_ADMIN_PASSWORD", "Public-Admin-Pw-2024")
    monkeypatch.setenv("HPCSHARE_SHARE_PASSWORD", "Public-Share-Pw-2024")
    answers = write_answers(tmp_path / "it.toml", endpoints__smb_source="203.0.113.0/24")
    assert main(["run", "--demo", "--yes", "--answers", str(answers), "--out", str(tmp_path / "out")]) == 0
    assert "TCP 445 will be reachable from 203.0.113.0/24 on the Internet" in capsys.readouterr().err


def test_embed_password_on_windows_without_an_owner_only_acl_is_refused(home: Path, tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch,
                                                                       capsys: pytest.CaptureFixture[str]) -> None:
    """chmod 0600 does nothing on Windows (Python docs, os.chmod): when icacls cannot limit the file
    to its owner, generate refuses with a clear message (exit 2) and writes nothing."""
    import subprocess

    from wizard.artifacts import writer

    path = write_answers(tmp_path / "it.toml")
    monkeypatch.setenv("HPCSHARE_SHARE_PASSWORD", "Pw-123456789x")
    monkeypatch.setattr(writer, "_is_windows", lambda: True)
    monkeypatch.setattr(writer.subprocess, "run", lambda args, **kw: subprocess.CompletedProcess(
        args, 1332, stdout="", stderr="No mapping between account names and security IDs was done.\n"))
    out_dir = tmp_path / "embed"
    code = cli.main(["generate", "--answers", str(path), "--out", str(out_dir), "--embed-password"])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "--embed-password: cannot make job-template.xml readable by" in err
    assert "No mapping between account names" in err and "Traceback" not in err
    assert not out_dir.exists() or list(out_dir.iterdir()) == []
