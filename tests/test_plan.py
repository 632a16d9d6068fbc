"""The plan: DAG shape, order, fingerprints that follow the answers, text and az renderings."""
from __future__ import annotations

import shlex
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from wizard import profiles
from wizard.answers import Answers, build_answers, resolve
from wizard.plan import Names, Plan, build_plan, render_az, render_text, tags

EXAMPLE_FILE = Path(__file__).resolve().parents[1] / "examples" / "myfileserver.toml"
EXAMPLE: dict[str, Any] = profiles.load(EXAMPLE_FILE).values

BASE_STEPS = ["resource-group", "network", "nsg", "nic", "data-disk", "vm", "configure-server", "self-test",
              "artifacts"]


def answers(profile: str = "myfileserver", **changes: Any) -> Answers:
    values = {**EXAMPLE, **{k.replace("__", ".", 1): v for k, v in changes.items()}}
    res = resolve(saved=values, require=True)
    assert res.ok and not res.warnings, (res.errors, res.warnings)
    return build_answers(profile, res.values)


def public(**changes: Any) -> Answers:
    return answers(**{"endpoints__public_ip": True, "endpoints__dns_label": "myfs-hpc", **changes})


def needs(plan: Plan) -> dict[str, set[str]]:
    return {s.id: set(s.needs) for s in plan.steps}


# ---- shape -------------------------------------------------------------------------------------
def test_dag_without_public_ip() -> None:
    plan = build_plan(answers())
    assert list(plan.ids) == BASE_STEPS
    assert needs(plan) == {
        "resource-group": set(),
        "network": {"resource-group"},
        "nsg": {"resource-group"},
        "nic": {"network", "nsg"},
        "data-disk": {"resource-group"},
        "vm": {"nic", "data-disk"},
        "configure-server": {"vm"},
        "self-test": {"configure-server"},
        "artifacts": {"self-test"},
    }
    assert plan.step("configure-server").remote and plan.step("self-test").remote
    assert not plan.step("vm").remote
    assert plan.step("configure-server").substeps[:2] == ("disk", "user")
    assert plan.step("self-test").substeps == ("connect", "write", "read", "delete")


def test_dag_with_public_ip_and_smb_only_from_the_vnet() -> None:
    plan = build_plan(public())
    assert "public-ip" in plan.ids and "probe" not in plan.ids
    assert needs(plan)["public-ip"] == {"resource-group"}
    assert needs(plan)["nic"] == {"network", "nsg", "public-ip"}
    assert needs(plan)["artifacts"] == {"self-test"}


def test_dag_with_public_ip_and_smb_from_outside_has_a_probe() -> None:
    plan = build_plan(public(endpoints__smb_source="203.0.113.7/32"))
    assert "probe" in plan.ids
    assert needs(plan)["probe"] == {"self-test"}
    assert needs(plan)["artifacts"] == {"probe"}
    # an outside SMB source alone (no public IP) gives no probe step: nothing to reach from here
    assert "probe" not in build_plan(answers(endpoints__smb_source="203.0.113.7/32")).ids


@pytest.mark.parametrize("make", [answers, public, lambda: public(endpoints__smb_source="203.0.113.0/24")])
def test_plan_order_is_topological_and_ids_unique(make: Any) -> None:
    plan = build_plan(make())
    seen: set[str] = set()
    for step in plan.steps:
        assert set(step.needs) <= seen, f"{step.id} comes before {set(step.needs) - seen}"
        seen.add(step.id)
    assert len(seen) == len(plan.steps)
    assert plan.ids[0] == "resource-group" and plan.ids[-1] == "artifacts"
    assert set(plan.fingerprints) == seen
    # every step is downstream of the resource group; nothing is downstream of artifacts
    assert plan.downstream("resource-group") == seen - {"resource-group"}
    assert plan.downstream("artifacts") == set()


def test_independent_steps_have_no_path_between_them() -> None:
    plan = build_plan(answers())
    for a, b in [("network", "nsg"), ("network", "data-disk"), ("nsg", "data-disk"), ("nic", "data-disk")]:
        assert b not in plan.downstream(a) and a not in plan.downstream(b)


def test_names_and_tags() -> None:
    a = answers(vm__name="fs01", profile="prod")
    assert Names.of(a) == Names(vm="fs01", nsg="fs01-nsg", public_ip="fs01-pip", nic="fs01-nic",
                                data_disk="fs01-data", os_disk="fs01-os")
    assert tags(a) == {"managed-by": "hpcshare", "hpcshare-profile": "prod"}
    with pytest.raises(KeyError):
        build_plan(a).step("nope")


# ---- fingerprints ------------------------------------------------------------------------------
def changed_steps(before: Plan, after: Plan) -> set[str]:
    assert before.ids == after.ids
    return {s for s in before.ids if before.fingerprints[s] != after.fingerprints[s]}


DOWNSTREAM_OF_VM = {"vm", "configure-server", "self-test", "artifacts"}


@pytest.mark.parametrize(("key", "value", "expected"), [
    ("share.name", "Data", {"configure-server", "self-test", "artifacts"}),
    ("share.folder", "Data", {"configure-server", "self-test", "artifacts"}),
    ("share.encrypt", True, {"configure-server", "self-test", "artifacts"}),
    ("account.username", "jobuser", {"configure-server", "self-test", "artifacts"}),
    ("disk.label", "data2", {"configure-server", "self-test", "artifacts"}),
    ("remote.transport", "run-command", {"configure-server", "self-test", "artifacts"}),
    ("disk.caching", "None", DOWNSTREAM_OF_VM),
    ("vm.size", "Standard_D8s_v5", DOWNSTREAM_OF_VM),
    ("vm.admin_username", "fsadmin", DOWNSTREAM_OF_VM),
    ("disk.size_gb", 2048, {"data-disk"} | DOWNSTREAM_OF_VM),
    ("endpoints.private_ip", "10.0.0.10", {"nic"} | DOWNSTREAM_OF_VM),
    ("endpoints.subnet_cidr", "10.0.0.0/25", {"network", "nic"} | DOWNSTREAM_OF_VM),
    ("endpoints.rdp_source", "203.0.113.7/32", {"nsg", "nic"} | DOWNSTREAM_OF_VM),
    ("endpoints.smb_source", "10.0.0.0/16", {"nsg", "nic"} | DOWNSTREAM_OF_VM),
    ("vm.name", "fs02", set(BASE_STEPS) - {"resource-group", "network"}),
    ("subscription.resource_group", "rg-other", set(BASE_STEPS)),
    ("subscription.region", "northeurope", set(BASE_STEPS)),
    ("subscription.auth", "device-code", set()),
])
def test_fingerprints_change_only_downstream_of_a_changed_answer(key: str, value: Any, expected: set[str]) -> None:
    before = build_plan(answers())
    after = build_plan(answers(**{key.replace(".", "__"): value}))
    assert changed_steps(before, after) == expected


def test_fingerprint_change_follows_the_dag() -> None:
    # for each step: change one of its own inputs -> exactly that step and its downstream change
    base = answers()
    before = build_plan(base)
    for key, value in [("share.name", "Data"), ("disk.size_gb", 64), ("endpoints.vnet", "vnet-other")]:
        after = build_plan(base.replace(**{key.replace(".", "__"): value}))
        direct = {s.id for s in before.steps if key in s.inputs}
        assert direct
        expected = set(direct)
        for d in direct:
            expected |= before.downstream(d)
        assert changed_steps(before, after) == expected, key


def test_fingerprints_are_stable_and_profile_specific() -> None:
    assert build_plan(answers()).fingerprints == build_plan(answers()).fingerprints
    other = build_plan(answers(profile="other"))
    assert changed_steps(build_plan(answers()), other) == set(BASE_STEPS)


def test_public_ip_dns_label_changes_public_ip_and_downstream_only() -> None:
    before = build_plan(public())
    after = build_plan(public(endpoints__dns_label="other-label"))
    assert changed_steps(before, after) == {"public-ip", "nic"} | DOWNSTREAM_OF_VM


# ---- renderings --------------------------------------------------------------------------------
@pytest.mark.parametrize("make", [answers, lambda: public(endpoints__smb_source="203.0.113.0/24")])
def test_render_text_mentions_every_step(make: Any) -> None:
    plan = build_plan(make())
    text = render_text(plan)
    for step in plan.steps:
        assert step.id in text
        assert step.title in text
        for sub in step.substeps:
            assert f"- {sub}" in text
    assert f"{len(plan.steps)} steps" in text
    assert "Nothing has been changed" in text
    # one numbered line per step, in plan order
    numbered = [line.split()[1] for line in text.splitlines() if line[:3].strip().rstrip(".").isdigit()]
    assert numbered == list(plan.ids)


SECRET_ADMIN = "Adm1n-Secret-In-Env!"
SECRET_SHARE = "Share-Secret-In-Env!"


def az_commands(script: str) -> list[list[str]]:
    out = []
    for line in script.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        out.append(shlex.split(line))
    return out


def arg(cmd: list[str], flag: str) -> str:
    return cmd[cmd.index(flag) + 1]


def test_render_az_contains_no_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HPCSHARE_ADMIN_PASSWORD", SECRET_ADMIN)
    monkeypatch.setenv("HPCSHARE_SHARE_PASSWORD", SECRET_SHARE)
    script = render_az(build_plan(public(endpoints__rdp_source="203.0.113.7/32", endpoints__udp_445=True)))
    assert SECRET_ADMIN not in script and SECRET_SHARE not in script
    [vm_create] = [c for c in az_commands(script) if c[:3] == ["az", "vm", "create"]]
    # Not even the variable: bash would expand it into az's argv, which every local user can read.
    assert "--admin-password" not in vm_create and "$HPCSHARE_ADMIN_PASSWORD\"" not in " ".join(vm_create)
    assert "never appears in this file or on any command line" in script


HOSTILE: dict[str, Any] = {
    "subscription.resource_group": "rg-(prod).v1",    # valid: '(' and ')' are allowed in group names
    "endpoints.vnet": "vnet.hpc_",
    "endpoints.subnet": "sub.net",
    "endpoints.smb_source": "10.0.0.0/16",
    "endpoints.rdp_source": "203.0.113.7/32",
    "endpoints.udp_445": True,
}


def test_render_az_quotes_hostile_but_valid_values() -> None:
    a = public(**{k.replace(".", "__"): v for k, v in HOSTILE.items()})
    assert a.subscription.resource_group == "rg-(prod).v1"
    script = render_az(build_plan(a))
    commands = az_commands(script)
    az = [c for c in commands if c[0] == "az"]
    assert len(az) == 12
    for cmd in az:
        if "--resource-group" in cmd:
            assert arg(cmd, "--resource-group") == "rg-(prod).v1"
        if "--tags" in cmd:
            i = cmd.index("--tags")
            assert cmd[i + 1:i + 3] == ["managed-by=hpcshare", "hpcshare-profile=myfileserver"]
    group = next(c for c in az if c[1:3] == ["group", "create"])
    assert arg(group, "--name") == "rg-(prod).v1" and arg(group, "--location") == "westeurope"
    vnet = next(c for c in az if c[1:4] == ["network", "vnet", "create"])
    assert arg(vnet, "--name") == "vnet.hpc_" and arg(vnet, "--subnet-name") == "sub.net"
    rules = {arg(c, "--name"): c for c in az if c[1:5] == ["network", "nsg", "rule", "create"]}
    assert set(rules) == {"allow-smb-tcp-445", "allow-smb-udp-445", "allow-rdp", "deny-vnet-inbound"}
    # The deny comes after every allow rule, so it takes only what they leave (review finding 11a).
    deny = rules.pop("deny-vnet-inbound")
    assert arg(deny, "--access") == "Deny" and arg(deny, "--source-address-prefixes") == "VirtualNetwork"
    assert arg(deny, "--protocol") == "*" and arg(deny, "--destination-port-ranges") == "*"
    assert all(int(arg(r, "--priority")) < int(arg(deny, "--priority")) for r in rules.values())
    assert arg(rules["allow-rdp"], "--source-address-prefixes") == "203.0.113.7/32"
    assert arg(rules["allow-smb-udp-445"], "--protocol") == "Udp"
    pip = next(c for c in az if c[1:4] == ["network", "public-ip", "create"])
    assert arg(pip, "--dns-name") == "myfs-hpc" and arg(pip, "--dns-name-scope") == "TenantReuse"
    nic = next(c for c in az if c[1:4] == ["network", "nic", "create"])
    assert arg(nic, "--public-ip-address") == "myfileserver-pip"
    assert arg(nic, "--private-ip-address") == "10.0.0.4"
    # the unquoted parenthesis would be a bash syntax error: it must be quoted in the text
    assert "--resource-group 'rg-(prod).v1'" in script


def test_render_az_without_optional_rules() -> None:
    script = render_az(build_plan(answers()))
    az = [c for c in az_commands(script) if c[0] == "az"]
    assert not any("public-ip" in c[2] for c in az)
    assert not any(arg(c, "--name") in ("allow-rdp", "allow-smb-udp-445") for c in az if "rule" in c)
    disk = next(c for c in az if c[1:3] == ["disk", "create"])
    assert arg(disk, "--size-gb") == "1024" and arg(disk, "--sku") == "Premium_LRS"
    vm = next(c for c in az if c[1:3] == ["vm", "create"])
    assert arg(vm, "--computer-name") == "myfileserver"
    assert arg(vm, "--data-disk-caching") == "ReadOnly"
    assert arg(vm, "--image").startswith("MicrosoftWindowsServer:WindowsServer:2022-")


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_render_az_runs_in_bash_with_exact_arguments(tmp_path: Path) -> None:
    """Run the script with a stub 'az' that records its argv: bash must see exactly the values."""
    a = public(**{k.replace(".", "__"): v for k, v in HOSTILE.items()})
    script = tmp_path / "plan.sh"
    script.write_text(render_az(build_plan(a)), encoding="utf-8")
    log = tmp_path / "argv.log"
    stub = tmp_path / "bin" / "az"
    stub.parent.mkdir()
    # An "@FILE" value is az's "load it from this file": record the file's content too.
    stub.write_text(f'#!/bin/sh\nfor a in "$@"; do printf "%s\\037" "$a" >> "{log}"; case "$a" in @*) '
                    f'printf "file:%s\\037" "$(cat "${{a#@}}")" >> "{log}";; esac; done\necho >> "{log}"\n')
    stub.chmod(0o755)
    env = {"PATH": f"{stub.parent}:/usr/bin:/bin", "HPCSHARE_ADMIN_PASSWORD": SECRET_ADMIN}
    proc = subprocess.run(["bash", str(script)], env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    calls = [line.rstrip("\x1f").split("\x1f") for line in log.read_text().splitlines()]
    assert len(calls) == 12
    assert all(c[c.index("--resource-group") + 1] == "rg-(prod).v1" for c in calls if "--resource-group" in c)
    vm = next(c for c in calls if c[:2] == ["vm", "create"])
    value = vm[vm.index("--admin-password") + 1]
    assert value.startswith("@") and SECRET_ADMIN not in value     # a file name on the command line
    assert vm[vm.index("--admin-password") + 2] == "file:" + SECRET_ADMIN   # az reads the password there
    assert not Path(value[1:]).exists()                            # and the script removed the file
    # without the environment variable --admin-password is left out: az vm create asks for it
    log.unlink()
    env.pop("HPCSHARE_ADMIN_PASSWORD")
    proc = subprocess.run(["bash", str(script)], env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    calls = [line.rstrip("\x1f").split("\x1f") for line in log.read_text().splitlines()]
    vm = next(c for c in calls if c[:2] == ["vm", "create"])
    assert "--admin-password" not in vm


def test_winrm_adds_the_bootstrap_and_the_5986_rule() -> None:
    plain = build_plan(answers())
    assert "winrm-bootstrap" not in plain.ids
    winrm = build_plan(answers(remote__transport="winrm"))
    assert winrm.ids.index("vm") < winrm.ids.index("winrm-bootstrap") < winrm.ids.index("configure-server")
    assert winrm.step("configure-server").needs == ("vm", "winrm-bootstrap")
    assert winrm.step("winrm-bootstrap").remote and winrm.step("winrm-bootstrap").substeps == (
        "certificate", "listener", "firewall")
    assert winrm.step("nsg").inputs["remote.winrm_source"] == "VirtualNetwork"
    # Where hpcshare runs from feeds the NSG (and so everything after it) and the bootstrap's firewall rule.
    other = build_plan(answers(remote__transport="winrm", remote__winrm_source="10.9.0.0/24"))
    assert changed_steps(winrm, other) == {"nsg", "nic", "winrm-bootstrap"} | DOWNSTREAM_OF_VM
    # The equivalent az script opens 5986 from that scope only.
    script = render_az(other)
    assert ("--name allow-winrm-https-5986 --priority 130 --direction Inbound --access Allow --protocol Tcp"
            " --source-address-prefixes 10.9.0.0/24 --destination-port-ranges 5986") in script
    assert "5986" not in render_az(plain)


# ---- share.backend = "azure-files" ---------------------------------------------------------------
FILES = {"share__backend": "azure-files", "share__name": "hpcdata", "files__account": "hpcfiles01"}


def test_azure_files_plan_has_no_vm_steps() -> None:
    plan = build_plan(answers(**FILES))
    assert list(plan.ids) == ["resource-group", "network", "storage-account", "file-share", "private-endpoint",
                              "files-dns", "probe", "artifacts"]
    assert needs(plan)["private-endpoint"] == {"network", "storage-account"}
    assert needs(plan)["probe"] == {"file-share", "files-dns"}        # the share, reached by its name
    assert needs(plan)["artifacts"] == {"file-share", "files-dns"}
    # The VM plan's fingerprints do not move because the backend exists.
    assert build_plan(answers()).fingerprints == build_plan(answers(files__sku="Premium_ZRS")).fingerprints


def test_azure_files_fingerprints_follow_their_answers() -> None:
    base = build_plan(answers(**FILES)).fingerprints
    bigger = build_plan(answers(**FILES, files__quota_gib=2048)).fingerprints
    assert {k for k in base if base[k] != bigger[k]} == {"file-share", "probe", "artifacts"}
    pinned = build_plan(answers(**FILES, files__private_ip="10.0.0.9")).fingerprints
    assert {k for k in base if base[k] != pinned[k]} == {"private-endpoint", "files-dns", "probe", "artifacts"}


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_azure_files_az_script_runs_with_exact_arguments(tmp_path: Path) -> None:
    a = answers(**FILES, files__private_ip="10.0.0.9", endpoints__vnet_resource_group="rg-cluster(net)")
    text = render_az(build_plan(a))
    assert "az vm create" not in text and "az network nsg" not in text
    script = tmp_path / "plan.sh"
    script.write_text(text, encoding="utf-8")
    log = tmp_path / "argv.log"
    stub = tmp_path / "bin" / "az"
    stub.parent.mkdir()
    stub.write_text(f'#!/bin/sh\nfor a in "$@"; do printf "%s\\037" "$a" >> "{log}"; done\necho >> "{log}"\necho 10.0.0.9\n')
    stub.chmod(0o755)
    proc = subprocess.run(["bash", str(script)], env={"PATH": f"{stub.parent}:/usr/bin:/bin"},
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    calls = [line.split("\x1f")[:-1] for line in log.read_text().splitlines()]
    verbs = [" ".join(c[:3]) for c in calls]
    assert "storage account create" in verbs and "storage share-rm create" in verbs
    pe = next(c for c in calls if c[:3] == ["network", "private-endpoint", "create"])
    assert pe[pe.index("--group-id") + 1] == "file"
    assert pe[pe.index("--subnet") + 1].endswith("/resourceGroups/rg-cluster(net)/providers/Microsoft.Network"
                                                 "/virtualNetworks/vnet-hpc/subnets/default")
    record = next(c for c in calls if c[:5] == ["network", "private-dns", "record-set", "a", "add-record"])
    assert record[record.index("--ipv4-address") + 1] == "10.0.0.9"
    create = next(c for c in calls if c[:3] == ["storage", "account", "create"])
    assert create[create.index("--public-network-access") + 1] == "Disabled"
