"""The plain prompts on their own: a fake catalog, no stand-in, no run (the review ends in "Quit")."""
from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from tests.plain.conftest import (
    CTRL_C, DOWN, ENTER, FAKE_SUB, NO, YES, FakeCatalog, all_keys, keys, section_keys, typed,
)
from wizard.plain import prompts as console
from wizard.catalog import NicInfo, VnetInfo, vnet_hints
from wizard.questions import SECTION_KEYS, SECTIONS
from wizard.validation import public_range
from wizard.session import Session

# The review menu: Run, one "Change:" per section, the az script, the cost, Quit.
SHOW_AZ = DOWN * (len(SECTIONS) + 1) + ENTER
SHOW_COST = DOWN * (len(SECTIONS) + 2) + ENTER
QUIT = DOWN * (len(SECTIONS) + 3) + ENTER


def saved(home: Path, profile: str = "p1") -> dict:
    return tomllib.loads((home / "profiles" / f"{profile}.toml").read_text())


def run(session: Session, catalog: FakeCatalog, *parts: str) -> int:
    with keys(*parts):
        return console.run_plain(session, catalog=catalog)


def test_all_defaults_saved_and_review_quits(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cat = FakeCatalog()
    rc = run(Session("p1"), cat, all_keys(), QUIT)
    out = capsys.readouterr().out
    assert rc == 130
    data = saved(home)
    assert data["subscription"]["id"] == FAKE_SUB          # the first usable subscription, not the disabled one
    assert data["subscription"]["region"] == "westeurope"
    assert data["vm"]["size"] == "Standard_D4s_v5"
    assert data["endpoints"]["vnet"] == "vnet-hpc"         # no VNet in the region: typed, default kept
    assert "password" not in (home / "profiles" / "p1.toml").read_text()
    # Each section's title and purpose come before its questions; Azure Files asks nothing for the
    # VM backend and is not shown.
    for s in SECTIONS:
        assert (s.title in out and s.purpose in out) is (s.key != "files"), s.key
    assert out.index(SECTIONS[0].purpose) < out.index(SECTIONS[1].purpose)
    # The review: every answer, secrets masked, and the plan.
    assert "(generated at run)" in out
    assert "Plan for profile 'p1'" in out
    # The last line, as the full-screen wizard leaves it: the command that goes on (in plain mode).
    assert "Nothing was changed" in out
    assert out.rstrip().splitlines()[-1] == "To continue: hpcshare --profile p1 --plain"
    assert cat.calls.count("subscriptions") == 1


def test_typed_values_and_choices(home: Path) -> None:
    over = {
        "subscription": {"resource_group": typed("rg-lab")},
        "vm": {"name": typed("fs01"), "image": DOWN + ENTER, "admin_username": typed("labadmin")},
        "disk": {"sku": ENTER, "size_gb": typed("2,048"), "drive_letter": typed("G")},
        "account": {"username": typed("jobs")},
        "share": {"name": typed("Data"), "access": DOWN + ENTER, "encrypt": YES},
        # rdp_source is the section's last question; a public range then needs a yes (YES).
        "endpoints": {"udp_445": YES, "rdp_source": typed("198.51.100.7/32") + YES},
        "remote": {"transport": DOWN + DOWN + ENTER, "winrm_source": typed("10.0.0.0/24")},
    }
    rc = run(Session("p1"), FakeCatalog(), all_keys(over), QUIT)
    assert rc == 130
    d = saved(home)
    assert d["subscription"]["resource_group"] == "rg-lab"
    assert d["vm"] == {"name": "fs01", "size": "Standard_D4s_v5", "image": "win2025-datacenter",
                       "admin_username": "labadmin", "zone": ""}
    assert d["disk"]["size_gb"] == 2048 and d["disk"]["drive_letter"] == "G"
    assert d["account"]["username"] == "jobs"
    assert d["share"] == {"backend": "vm", "name": "Data", "folder": "MyShare", "access": "full", "encrypt": True}
    assert d["endpoints"]["udp_445"] is True and d["endpoints"]["rdp_source"] == "198.51.100.7/32"
    assert d["remote"]["transport"] == "winrm" and d["remote"]["winrm_source"] == "10.0.0.0/24"


def test_invalid_input_is_refused_at_the_prompt(home: Path) -> None:
    """The prompt's validator (session.check) keeps a bad value from being submitted."""
    over = {"vm": {"name": typed("bad_name!") + typed("1234") + typed("fs02")},
            "disk": {"size_gb": typed("lots") + typed("99999") + typed("512")},
            "endpoints": {"private_ip": typed("10.0.1.4") + typed("10.0.0.2") + typed("10.0.0.10")}}
    rc = run(Session("p1"), FakeCatalog(), all_keys(over), QUIT)
    assert rc == 130
    d = saved(home)
    assert (d["vm"]["name"], d["disk"]["size_gb"], d["endpoints"]["private_ip"]) == ("fs02", 512, "10.0.0.10")


def test_validator_message_names_field_and_rule(home: Path) -> None:
    session = Session("p1")
    ctx = session.context()
    q = console.QUESTIONS["vm.name"]
    assert console._validator(session, q, ctx)("fs01") is True
    msg = console._validator(session, q, ctx)("bad_name!")
    assert msg.startswith("VM name:") and "1-15" in msg
    q = console.QUESTIONS["disk.size_gb"]
    assert console._validator(session, q, ctx)("lots") == "Size (GiB): a whole number"


def test_when_false_is_not_asked_and_true_is(home: Path) -> None:
    # Public IP on: the DNS label is asked (and required).
    over = {"endpoints": {"public_ip": YES, "dns_label": ENTER + typed("myfs-lab")}}
    rc = run(Session("p1"), FakeCatalog(), all_keys(over), QUIT)
    assert rc == 130
    d = saved(home)
    assert d["endpoints"]["public_ip"] is True and d["endpoints"]["dns_label"] == "myfs-lab"


def test_public_smb_source_needs_confirmation_default_no(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first = section_keys("endpoints", smb_source=typed("203.0.113.0/24"))
    # Enter on the confirmation = No: the section comes back with what was typed as defaults.
    again = section_keys("endpoints", smb_source=typed("VirtualNetwork"))
    parts = [section_keys(s.key) for s in SECTIONS[:5]]
    rc = run(Session("p1"), FakeCatalog(), *parts, first, ENTER, again, section_keys("remote"), QUIT)
    out = capsys.readouterr().out
    assert rc == 130
    assert "Asking the network section again" in out
    assert saved(home)["endpoints"]["smb_source"] == "VirtualNetwork"


def test_public_range_in_a_list_needs_confirmation_too(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    parts = [section_keys(s.key) for s in SECTIONS[:5]]
    first = section_keys("endpoints", smb_source=typed("10.1.0.0/16,203.0.113.0/24"))
    again = section_keys("endpoints", smb_source=typed("10.1.0.0/16,192.168.10.0/24"))
    rc = run(Session("p1"), FakeCatalog(), *parts, first, ENTER, again, section_keys("remote"),
             section_keys("cluster"), QUIT)
    out = capsys.readouterr().out
    assert rc == 130
    assert "Asking the network section again" in out  # Enter on the confirmation = No
    assert saved(home)["endpoints"]["smb_source"] == "10.1.0.0/16,192.168.10.0/24"


def test_public_rdp_source_needs_the_same_confirmation(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Security review, finding 4: RDP open to an Internet range was taken without a question."""
    first = section_keys("endpoints", rdp_source=typed("198.51.100.0/24"))
    again = section_keys("endpoints", rdp_source=typed(""))
    parts = [section_keys(s.key) for s in SECTIONS[:5]]
    rc = run(Session("p1"), FakeCatalog(), *parts, first, ENTER, again, section_keys("remote"),
             section_keys("cluster"), QUIT)
    out = capsys.readouterr().out
    assert rc == 130
    assert "Asking the network section again" in out           # Enter on the confirmation = No
    assert saved(home)["endpoints"]["rdp_source"] == ""


def test_public_smb_source_confirmed(home: Path) -> None:
    parts = [section_keys(s.key) for s in SECTIONS[:5]]
    ep = section_keys("endpoints", smb_source=typed("203.0.113.0/24"))
    rc = run(Session("p1"), FakeCatalog(), *parts, ep, YES, section_keys("remote"), QUIT)
    assert rc == 130
    assert saved(home)["endpoints"]["smb_source"] == "203.0.113.0/24"


@pytest.mark.parametrize("value, public", [
    ("VirtualNetwork", None), ("10.1.0.0/16", None), ("192.168.4.0/24", None), ("100.64.1.0/24", None),
    ("203.0.113.7/32", "203.0.113.7/32"), ("8.8.8.0/24", "8.8.8.0/24"), ("172.32.0.0/16", "172.32.0.0/16"),
    # A list needs the confirmation when any of its ranges is public, and names those.
    ("10.1.0.0/16,192.168.10.0/24", None), ("10.1.0.0/16,203.0.113.0/24", "203.0.113.0/24"),
    ("198.51.100.0/24,10.1.0.0/16,203.0.113.7/32", "198.51.100.0/24, 203.0.113.7/32"),
])
def test_public_range(value: str, public: str | None) -> None:
    assert public_range(value) == public


def test_catalog_failure_falls_back_to_typing(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cat = FakeCatalog(fail={"subscriptions", "vm-sizes"})
    sub = "abcdef01-2345-4678-9abc-def012345678"
    over = {"subscription": {"id": typed(sub)}, "vm": {"size": typed("Standard_F8s_v2")}}
    rc = run(Session("p1"), cat, all_keys(over), QUIT)
    out = capsys.readouterr().out
    assert rc == 130
    assert "Could not load the subscriptions" in out and "connection refused by the test" in out
    assert "second line never shown" not in out and "Traceback" not in out
    assert "Could not load the VM sizes offered in westeurope" in out
    d = saved(home)
    assert d["subscription"]["id"] == sub and d["vm"]["size"] == "Standard_F8s_v2"


def test_environment_failure_falls_back_to_typing(home: Path, monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    def broken(self: Session):
        raise ImportError("no module named azure.mgmt")

    monkeypatch.setattr(Session, "environment", property(broken))
    sub = "abcdef01-2345-4678-9abc-def012345678"
    over = {"subscription": {"id": typed(sub)}}
    with keys(all_keys(over), QUIT):
        rc = console.run_plain(Session("p1"))
    out = capsys.readouterr().out
    assert rc == 130
    assert "Could not load the subscriptions" in out and "no module named azure.mgmt" in out
    assert saved(home)["subscription"]["id"] == sub


def test_vm_size_select_lists_unrestricted_with_facts(home: Path) -> None:
    session = Session("p1")
    flow = console._Flow(session, console._console(), FakeCatalog())
    seen: dict = {}

    def fake_select(message, choices, default=None, **kw):
        seen.update(message=message, choices=choices, default=default)

        class Q:
            def unsafe_ask(self):
                return "Standard_D8s_v5"
        return Q()

    import questionary
    orig = questionary.select
    questionary.select = fake_select
    try:
        ctx = session.context() | {"subscription.id": FAKE_SUB}
        q = console.QUESTIONS["vm.size"]
        value = flow._ask_live(q, "Standard_D4s_v5", ctx, {}, console._validator(session, q, ctx))
    finally:
        questionary.select = orig
    assert value == "Standard_D8s_v5"
    titles = [c.title for c in seen["choices"]]
    assert not any("E8s" in t for t in titles)               # restricted: not offered
    assert titles[0].startswith("Standard_D2s_v5") and "2 vCPUs" in titles[0] and "8 GiB" in titles[0]
    assert "premium SSD: no" in next(t for t in titles if t.startswith("Standard_D4_v5 "))
    assert titles[-1].startswith("Another size")
    assert seen["default"] == "Standard_D4s_v5"


def test_vm_size_other_is_typed(home: Path) -> None:
    # Sizes by vCPUs, memory, name: D2s_v5, D4_v5, D4s_v5 (the default), D8s_v5, then "Another size".
    over = {"vm": {"size": DOWN * 2 + ENTER + typed("Standard_L8s_v3")}}
    rc = run(Session("p1"), FakeCatalog(), all_keys(over), QUIT)
    assert rc == 130
    assert saved(home)["vm"]["size"] == "Standard_L8s_v3"


def test_existing_vnet_fills_the_network_defaults(home: Path) -> None:
    cat = FakeCatalog(vnet_list=[VnetInfo("vnet-cluster", "rg-cluster", ("172.20.0.0/16",),
                                          (("compute", "172.20.1.0/24"), ("infra", "172.20.2.0/24")))],
                      # The head node holds the subnet's first address: the suggestion is the next.
                      nic_list=[NicInfo("headnode-nic", "rg-cluster", "vnet-cluster", "rg-cluster", ("172.20.1.4",))])
    # The saved VNet name is not in the list, so the select starts on "A new virtual network":
    # Up once picks the existing VNet.
    over = {"endpoints": {"vnet": "\x1b[A" + ENTER}}
    rc = run(Session("p1"), cat, all_keys(over), QUIT)
    assert rc == 130
    ep = saved(home)["endpoints"]
    assert (ep["vnet"], ep["vnet_cidr"], ep["subnet"], ep["subnet_cidr"], ep["private_ip"]) == \
        ("vnet-cluster", "172.20.0.0/16", "compute", "172.20.1.0/24", "172.20.1.5")


def test_new_vnet_among_existing_ones(home: Path) -> None:
    cat = FakeCatalog(vnet_list=[VnetInfo("vnet-cluster", "rg-cluster", ("172.20.0.0/16",), ())])
    rc = run(Session("p1"), cat, all_keys(vnet_select=True), QUIT)
    assert rc == 130
    assert saved(home)["endpoints"]["vnet"] == "vnet-hpc"


def test_vnet_hints_keep_a_fitting_subnet_and_ip() -> None:
    v = VnetInfo("v", "rg", ("10.0.0.0/16",), (("a", "10.0.1.0/24"), ("default", "10.0.0.0/24")))
    ctx = {"endpoints.vnet_cidr": "10.0.0.0/16", "endpoints.subnet": "default", "endpoints.private_ip": "10.0.0.9",
           "subscription.resource_group": "rg-hpcshare"}
    assert vnet_hints(v, ctx) == {"endpoints.vnet": "v", "endpoints.vnet_resource_group": "rg",
                                  "endpoints.subnet_cidr": "10.0.0.0/24"}
    assert vnet_hints(v, {**ctx, "subscription.resource_group": "RG"})["endpoints.vnet_resource_group"] == ""


def test_section_problems_are_printed_and_the_section_reasked(home: Path, monkeypatch: pytest.MonkeyPatch,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    """A problem found only at submit time (e.g. a rule across sections) names the field and rule
    and asks the section again with what was typed as the defaults."""
    from wizard.answers import Problem
    from wizard.session import SectionResult

    session = Session("p1")
    real = session.submit_section
    share_tries: list[dict] = []

    def submit(key: str, values: dict) -> SectionResult:
        if key == "share":
            share_tries.append(dict(values))
            if len(share_tries) == 1:
                return SectionResult(False, (Problem("share.name", "Share name: clashes with the test rule", "typed"),))
        return real(key, values)

    monkeypatch.setattr(session, "submit_section", submit)
    at = SECTION_KEYS.index("share")
    parts = [section_keys(s.key) for s in SECTIONS[:at]]
    share1 = section_keys("share", name=typed("First"))
    share2 = section_keys("share", folder=typed("Other"))   # name: Enter keeps "First" from the first try
    rest = [section_keys(s.key) for s in SECTIONS[at + 1:]]
    with keys(*parts, share1, share2, *rest, QUIT):
        rc = console.run_plain(session, catalog=FakeCatalog())
    out = capsys.readouterr().out
    assert rc == 130
    assert "Share name: clashes with the test rule" in out and "[share.name]" in out
    assert "Asking it again with what you typed" in out
    assert len(share_tries) == 2 and share_tries[1]["share.name"] == "First"
    d = saved(home)
    assert d["share"]["name"] == "First" and d["share"]["folder"] == "Other"


def test_ctrl_c_keeps_completed_sections(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    parts = [section_keys("subscription"), section_keys("share"), section_keys("vm", name=typed("fs03"))]
    # In the disk section: SKU, then a size is typed, then Ctrl+C at the caching prompt.
    rc = run(Session("p1"), FakeCatalog(), *parts, ENTER, typed("2048"), CTRL_C)
    out = capsys.readouterr().out
    assert rc == 130
    assert "Cancelled: nothing was changed in Azure." in out
    assert "(Subscription, SMB share, File server VM) are saved in" in out
    assert out.rstrip().splitlines()[-1] == "To continue: hpcshare --profile p1 --plain"
    d = saved(home)
    assert d["vm"]["name"] == "fs03"
    assert d["disk"]["size_gb"] == 1024                     # the unfinished section is not saved


def test_changed_sign_in_method_is_kept_before_listing_subscriptions(home: Path) -> None:
    """The environment signs in with the saved method, so a new choice is saved before the list loads."""
    rc = run(Session("p1"), FakeCatalog(), DOWN + ENTER, CTRL_C)
    assert rc == 130
    assert saved(home)["subscription"]["auth"] == "device-code"


def test_ctrl_c_before_any_section(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc = run(Session("p1"), FakeCatalog(), CTRL_C)
    assert rc == 130
    assert "No section was completed, so no answers were saved." in capsys.readouterr().out
    assert not (home / "profiles" / "p1.toml").exists()


def test_end_of_input_is_a_cancel_not_a_traceback(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc = run(Session("p1"), FakeCatalog(), section_keys("subscription"))
    out = capsys.readouterr().out
    assert rc == 130 and "Input ended: nothing was changed" in out


def test_secrets_typed_are_masked_and_never_saved(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    over = {"vm": {"admin_password": "Adm1n-Secret-Pw9" + ENTER}, "account": {"password": "too-short" + ENTER
                                                                             + "\x15Share-Secret-Pw7" + ENTER}}
    session = Session("p1")
    rc = run(session, FakeCatalog(), all_keys(over), QUIT)
    out = capsys.readouterr().out
    assert rc == 130
    assert "Adm1n-Secret-Pw9" not in out and "Share-Secret-Pw7" not in out
    assert out.count("(typed)") == 2
    text = (home / "profiles" / "p1.toml").read_text()
    assert "Secret" not in text
    assert session.secrets().share_password == "Share-Secret-Pw7" and not session.secrets().share_generated


def test_secret_status_from_environment(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HPCSHARE_SHARE_PASSWORD", "Env-Share-Pw-42")
    session = Session("p1")
    assert console.secret_status(session, "account.password") == "(from HPCSHARE_SHARE_PASSWORD)"
    assert console.secret_status(session, "vm.admin_password") == "(generated at run)"


def test_saved_profile_offers_review_and_az(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(Session("p1"), FakeCatalog(), all_keys(), QUIT) == 130
    capsys.readouterr()
    # Second time: straight to the review, show the az script, then quit.
    rc = run(Session("p1"), FakeCatalog(), ENTER, SHOW_AZ, QUIT)
    out = capsys.readouterr().out
    assert rc == 130
    assert "Subscription" in out and "Review" in out
    assert "az vm create" in out and "HPCSHARE_ADMIN_PASSWORD" in out


def test_review_change_one_section(home: Path) -> None:
    assert run(Session("p1"), FakeCatalog(), all_keys(), QUIT) == 130
    # Saved profile: "go through every question" is not needed; review -> "Change: SMB share".
    change_share = DOWN * (SECTION_KEYS.index("share") + 1) + ENTER
    rc = run(Session("p1"), FakeCatalog(), ENTER, change_share, section_keys("share", name=typed("Lab")), QUIT)
    assert rc == 130
    assert saved(home)["share"]["name"] == "Lab"


def test_import_boundary() -> None:
    """Only wizard.plain imports questionary (the import-linter contract, checked at run time)."""
    import subprocess
    import sys

    code = ("import sys, wizard.cli, wizard.commands, wizard.session, wizard.provision, wizard.plan;"
            "assert 'questionary' not in sys.modules, 'questionary imported by the engine';"
            "import wizard.plain.prompts; assert 'questionary' in sys.modules")
    from tests.plain.conftest import REPO
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO)


def test_azure_files_backend_asks_its_section_and_skips_the_vms(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # A new session: the backend is asked right after the subscription, so an Azure Files user
    # goes on to the network and Azure Files sections without a single VM, disk or account question.
    share = DOWN + ENTER + typed("myshare") + ENTER          # backend azure-files, name, encrypt
    endpoints = ENTER * 5                                      # the VNet and subnet questions only
    files = typed("hpcfiles01") + ENTER + ENTER + typed("10.0.0.9")
    rc = run(Session("p1"), FakeCatalog(), section_keys("subscription"), share, endpoints, files,
             section_keys("cluster"), QUIT)
    assert rc == 130
    d = saved(home)
    assert d["share"]["backend"] == "azure-files" and d["share"]["name"] == "myshare"
    assert d["files"] == {"account": "hpcfiles01", "sku": "Premium_LRS", "quota_gib": 1024, "private_ip": "10.0.0.9"}
    shown = re.findall(r"^\d+/\d+  (.+?) ─", capsys.readouterr().out, re.MULTILINE)    # the section rules
    assert shown == ["Subscription", "SMB share", "Network", "Azure Files", "HPC Pack cluster"]
    # Asked again: the VM's sections (and the remote one) have nothing to ask and are not shown.
    with keys(section_keys("subscription"), ENTER * 3, ENTER * 5, ENTER * 4, section_keys("cluster")):
        console.ask_sections(Session("p1"), [s.key for s in SECTIONS], catalog=FakeCatalog())
    out = capsys.readouterr().out
    assert "Azure Files" in out and "SMB share" in out
    for title in ("File server VM", "Data disk", "Share user", "Remote configuration"):
        assert title not in out, title
    assert saved(home)["files"]["account"] == "hpcfiles01"
