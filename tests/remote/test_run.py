"""The plan's remote steps as the runner calls them (wizard.execute.remote_steps)."""
from __future__ import annotations

import base64
import dataclasses
import hashlib
from types import SimpleNamespace
from typing import Any

import pytest

from tests.remote.helpers import FakeCompute
from wizard.answers import Answers, Secrets
from wizard.plan import Names, tags
from wizard.remote.protocol import CONFIGURE_SERVER, SELF_TEST, SUBSTEPS
from wizard.execute.remote_steps import make_shell, run_remote_step, server_info_from
from wizard.remote.run_command import ActionRunCommandShell, ManagedRunCommandShell
from wizard.runner import StepFailed


class Ctx:
    def __init__(self, outputs: dict[str, dict[str, Any]] | None = None) -> None:
        self.outputs = outputs or {}
        self.events: list[tuple[str, str, str]] = []
        self.warnings: list[str] = []

    def substep(self, name: str, state: str, message: str = "", hint: str = "") -> None:
        self.events.append((name, state, message))

    def warn(self, message: str) -> None:
        self.warnings.append(message)


def target(answers: Answers, secrets: Secrets, compute: Any, *, demo: bool = True) -> Any:
    env = SimpleNamespace(demo=demo, compute=lambda sub: compute)
    return SimpleNamespace(env=env, answers=answers, names=Names.of(answers), secrets=secrets,
                           sub=answers.subscription.id, rg=answers.subscription.resource_group,
                           region=answers.subscription.region, tags=tags(answers))


def test_configure_then_self_test_events(answers: Answers, secrets: Secrets) -> None:
    compute = FakeCompute()
    t = target(answers, secrets, compute)
    ctx = Ctx()
    out = run_remote_step(CONFIGURE_SERVER, t, ctx)
    assert [(n, s) for n, s, _ in ctx.events] == [(n, "done") for n in SUBSTEPS[CONFIGURE_SERVER]]
    assert out["changed"] is True and out["restart_needed"] is False and out["transport"] == "managed-run-command"
    ctx2 = Ctx()
    out = run_remote_step(SELF_TEST, t, ctx2)
    assert [s for _, s, _ in ctx2.events] == ["done"] * 4 and out["changed"] is False
    assert len(compute.executed) == 2                      # two remote calls, one per step
    created = compute.virtual_machine_run_commands.created
    assert created[0][3]["tags"] == {"managed-by": "hpcshare", "hpcshare-profile": "test"}


def test_failed_substep_raises_step_failed(answers: Answers, secrets: Secrets) -> None:
    ctx = Ctx()
    with pytest.raises(StepFailed) as info:
        run_remote_step(CONFIGURE_SERVER, target(answers, secrets, FakeCompute(fail_substep="user")), ctx)
    assert "sub-step 'user' failed" in info.value.message and "password policy" in info.value.message
    assert info.value.hint
    assert [s for _, s, _ in ctx.events] == ["done", "failed"] + ["skipped"] * 5


def test_bad_answer_is_a_step_failure_before_any_call(answers: Answers, secrets: Secrets) -> None:
    import dataclasses

    bad = dataclasses.replace(answers, share=dataclasses.replace(answers.share, folder="..\\Windows"))
    compute = FakeCompute()
    with pytest.raises(StepFailed, match="share.folder"):
        run_remote_step(CONFIGURE_SERVER, target(bad, secrets, compute), Ctx())
    assert compute.executed == []


def test_transport_choice(answers: Answers, secrets: Secrets) -> None:
    compute = FakeCompute()
    assert isinstance(make_shell(target(answers, secrets, compute), {}), ManagedRunCommandShell)
    action = dataclasses_replace_remote(answers, "run-command")
    assert isinstance(make_shell(target(action, secrets, compute), {}), ActionRunCommandShell)
    winrm = dataclasses_replace_remote(answers, "winrm")
    # No bootstrap output yet: nothing to pin, so no WinRM connection at all.
    with pytest.raises(StepFailed, match="no certificate to pin"):
        make_shell(target(winrm, secrets, compute, demo=False), {})
    boot = {"winrm-bootstrap": _bootstrap_outputs()}
    # hpcshare inside the VNet (VirtualNetwork, the default): the server's private IP.
    shell = make_shell(target(winrm, secrets, compute, demo=False), {**boot, "nic": {"private_ip": "10.0.0.7"}})
    assert shell.name == "winrm" and shell.url == "https://10.0.0.7:5986/wsman"
    assert shell.pin.sha256 == hashlib.sha256(base64.b64decode(boot["winrm-bootstrap"]["certificate"])).hexdigest()
    # From a public range: the public name, which must exist.
    public = dataclasses.replace(winrm, remote=dataclasses.replace(winrm.remote, winrm_source="203.0.113.7/32"))
    with pytest.raises(StepFailed, match="public IP"):
        make_shell(target(public, secrets, compute, demo=False), boot)
    shell = make_shell(target(public, secrets, compute, demo=False), {**boot, "public-ip": {"fqdn": "fs.example.net"}})
    assert shell.url == "https://fs.example.net:5986/wsman"
    # A certificate that does not match its thumbprint is never pinned.
    forged = {**boot["winrm-bootstrap"], "thumbprint": "0" * 40}
    with pytest.raises(StepFailed, match="does not match its thumbprint"):
        make_shell(target(winrm, secrets, compute, demo=False), {"winrm-bootstrap": forged})


def _bootstrap_outputs() -> dict[str, str]:
    from wizard.standin.fake_winrm import make_certificate, thumbprint

    der, _ = make_certificate(["myfileserver"])
    return {"certificate": base64.b64encode(der).decode(), "thumbprint": thumbprint(der)}


def dataclasses_replace_remote(answers: Answers, transport: str) -> Answers:
    import dataclasses

    return dataclasses.replace(answers, remote=dataclasses.replace(answers.remote, transport=transport))


def test_server_info_from_outputs() -> None:
    info = server_info_from({"data-disk": {"id": "x", "lun": 2}, "network": {"vnet_prefixes": ["10.9.0.0/16"]}})
    assert info.disk_lun == 2 and info.vnet_prefixes == ("10.9.0.0/16",)
    assert server_info_from({}).disk_lun == 0
