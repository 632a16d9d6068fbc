"""The plan's two remote steps as the runner calls them: ``run_remote_step(name, target, ctx)``.

Picks the transport from ``remote.transport``, runs the step's script in ONE remote call, reports
one sub-step event per result line, and raises ``StepFailed`` naming the failed sub-step with the
Windows error text. Outputs: ``changed``, ``substeps`` (name -> status), ``restart_needed``.
"""
from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from wizard.remote.config import ConfigError, ServerInfo
from wizard.remote.protocol import CONFIGURE_SERVER, SELF_TEST
from wizard.remote.shell import RemoteResult, RemoteShell
from wizard.remote.steps import configure_server, self_test
from wizard.runner import EventState, StepFailed

if TYPE_CHECKING:
    from wizard.runner import StepContext

_EVENT: dict[str, EventState] = {"ok": "done", "changed": "done", "warning": "warning", "skipped": "skipped", "failed": "failed"}

_HINTS = {
    "disk": "Check that the data disk is attached at LUN 0 and holds no file system, and that the drive letter is free.",
    "user": "The password must meet the server's password policy; the share user must not be an existing account name.",
    "file-server-role": "Check the VM's Windows Update / feature store; re-run to retry.",
    "folder-acl": "Re-run to retry; check that the data disk is mounted at the chosen letter.",
    "share": "Choose another share name if one exists for another folder; re-run to retry.",
    "smb-hardening": "Check that the Server (LanmanServer) service is running; re-run to retry.",
    "firewall": "Re-run to retry; check that the Windows Firewall service is running.",
    "connect": "The share, the share user or its password is not as configured: re-run configure-server.",
    "write": "The share user cannot write: check the share and NTFS permissions (re-run configure-server).",
    "read": "Re-run the self-test; if it persists, check the share with the hpcshare verify command.",
    "delete": "Re-run the self-test; a leftover .hpcshare-probe file can be deleted by hand.",
}


def make_shell(target: Any, outputs: dict[str, dict[str, Any]]) -> RemoteShell:
    """The transport the answers ask for."""
    from wizard.remote.run_command import ActionRunCommandShell, ManagedRunCommandShell
    from wizard.remote.winrm_shell import WinRmShell

    answers = target.answers
    transport = answers.remote.transport
    vm = target.names.vm
    if transport == "managed-run-command":
        return ManagedRunCommandShell(target.env.compute(target.sub), target.rg, vm, target.region, tags=target.tags)
    if transport == "run-command":
        return ActionRunCommandShell(target.env.compute(target.sub), target.rg, vm)
    if transport == "winrm":
        if target.env.demo:
            raise StepFailed("The demo cannot use WinRM: the stand-in has no WS-Management endpoint",
                             "Use --set remote.transport=managed-run-command for the demo.")
        pip = outputs.get("public-ip") or {}
        host = pip.get("fqdn") or pip.get("ip_address")
        if not host:
            raise StepFailed("WinRM needs the server's public IP or DNS name, and this profile has none",
                             "Set endpoints.public_ip=true (and a DNS label), or use managed-run-command.")
        return WinRmShell(host, answers.vm.admin_username, target.secrets.admin_password,
                          ca_path=os.environ.get("HPCSHARE_WINRM_CA") or None)
    raise StepFailed(f"Unknown remote transport {transport!r}", "Use managed-run-command, run-command or winrm.")


def server_info_from(outputs: dict[str, dict[str, Any]]) -> ServerInfo:
    """hpcshare attaches the data disk at LUN 0; the network step may report the VNet's prefixes."""
    disk = outputs.get("data-disk") or {}
    net = outputs.get("network") or {}
    lun = disk.get("lun", 0)
    prefixes = net.get("vnet_prefixes") or ()
    return ServerInfo(disk_lun=lun if isinstance(lun, int) else 0, vnet_prefixes=tuple(prefixes))


def report(result: RemoteResult, ctx: "StepContext") -> dict[str, Any]:
    """Sub-step events, then the outputs or StepFailed."""
    for r in result.results:
        ctx.substep(r.step, _EVENT.get(r.status, "failed"), r.message)
    bad = result.failed_step
    if bad is not None:
        raise StepFailed(f"{result.script}: sub-step '{bad.step}' failed: {bad.message}",
                         _HINTS.get(bad.step, "Re-run to resume from this step."))
    if not result.ok:
        raise StepFailed(f"{result.script}: the script ended with exit code {result.exit_code}",
                         "Re-run to resume from this step; see the log for details.")
    if result.restart_needed:
        ctx.warn("Windows reports that a restart is needed to finish installing a feature.")
    return {
        "changed": result.changed,
        "substeps": {r.step: r.status for r in result.results},
        "restart_needed": result.restart_needed,
        "transport": result.transport,
        "summary": f"{len(result.results)} sub-steps in one remote call: "
                   + ", ".join(f"{n} {st}" for st, n in result.status_counts().items()),
    }


def run_remote_step(name: str, target: Any, ctx: "StepContext") -> dict[str, Any]:
    shell = make_shell(target, ctx.outputs)
    try:
        if name == CONFIGURE_SERVER:
            result = configure_server(shell, target.answers, server_info_from(ctx.outputs), target.secrets)
        elif name == SELF_TEST:
            result = self_test(shell, target.answers, target.secrets)
        else:
            raise StepFailed(f"{name} is not a remote step")
    except ConfigError as e:
        raise StepFailed(f"Refused to send a value to the server: {e}",
                         f"Fix the answer '{e.field}' (e.g. with --set) and run again.") from None
    return report(result, ctx)
