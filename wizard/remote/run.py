"""The plan's remote steps as the runner calls them: ``run_remote_step(name, target, ctx)``.

Picks the transport from ``remote.transport``, runs the step's script in ONE remote call, reports
one sub-step event per result line, and raises ``StepFailed`` naming the failed sub-step with the
Windows error text. Outputs: ``changed``, ``substeps`` (name -> status), ``restart_needed``.

With ``remote.transport = "winrm"`` the plan has a third remote step first, ``winrm-bootstrap``:
it always goes through managed Run Command (nothing listens on 5986 before it), and its outputs
(the certificate, its thumbprint and SHA-256) are what the WinRM transport pins afterwards.
"""
from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Any

from wizard.remote.config import ConfigError, ServerInfo
from wizard.remote.pinning import PinError, PinnedCertificate
from wizard.remote.protocol import CONFIGURE_SERVER, SELF_TEST, WINRM_BOOTSTRAP, WINRM_HTTPS_PORT
from wizard.remote.shell import RemoteResult, RemoteShell
from wizard.remote.steps import configure_server, self_test, winrm_bootstrap
from wizard.runner import StepFailed
from wizard.validation import public_range

if TYPE_CHECKING:
    from wizard.runner import StepContext

_EVENT = {"ok": "done", "changed": "done", "warning": "warning", "skipped": "skipped", "failed": "failed"}

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
    "certificate": "Check that the VM agent runs (Run Command) and Cert:\\LocalMachine\\My is writable; re-run to retry.",
    "listener": "Check that the WinRM service can start on the server; re-run to retry.",
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
        try:
            pin = PinnedCertificate.from_outputs(outputs.get(WINRM_BOOTSTRAP) or {})
        except PinError as e:
            raise StepFailed(f"WinRM: no certificate to pin: {e}",
                             "Run again: the winrm-bootstrap step creates the listener and returns its certificate.") from None
        host, port = winrm_endpoint(target, outputs)
        return WinRmShell(host, answers.vm.admin_username, target.secrets.admin_password, pin=pin, port=port)
    raise StepFailed(f"Unknown remote transport {transport!r}", "Use managed-run-command, run-command or winrm.")


def winrm_endpoint(target: Any, outputs: dict[str, dict[str, Any]]) -> tuple[str, int]:
    """Where the WinRM client connects. Inside the VNet (``VirtualNetwork`` or a private range,
    e.g. hpcshare on the HPC head node): the server's private IP. From a public range: its public
    DNS name or IP. The demo's stand-in serves the VM's listener on a loopback port instead."""
    answers = target.answers
    if target.env.demo:
        vm_id = (outputs.get("vm") or {}).get("id")
        endpoint = target.env.standin.winrm_endpoint(vm_id) if vm_id and target.env.standin else None
        if endpoint is None:
            raise StepFailed("WinRM: the server has no HTTPS listener (connection refused)",
                             "Run again: the winrm-bootstrap step creates it.")
        return endpoint
    source = answers.remote.winrm_source
    if source != "VirtualNetwork" and public_range(source):
        pip = outputs.get("public-ip") or {}
        host = pip.get("fqdn") or pip.get("ip_address")
        if not host:
            raise StepFailed("WinRM from a public range needs the server's public IP, and this profile has none",
                             "Set endpoints.public_ip=true, or run hpcshare inside the VNet (remote.winrm_source=VirtualNetwork).")
        return str(host), WINRM_HTTPS_PORT
    return str((outputs.get("nic") or {}).get("private_ip") or answers.endpoints.private_ip), WINRM_HTTPS_PORT


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
        ctx.substep(r.step, _EVENT.get(r.status, "failed"), r.message)  # type: ignore[arg-type]
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
    if name == WINRM_BOOTSTRAP:
        return run_winrm_bootstrap(target, ctx)
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
    except Exception as exc:
        if shell.name != "winrm":
            raise
        raise winrm_failure(exc, shell) from None
    return report(result, ctx)


def run_winrm_bootstrap(target: Any, ctx: "StepContext") -> dict[str, Any]:
    """Listener, certificate and firewall rule through managed Run Command; outputs the pin."""
    from wizard.remote.run_command import ManagedRunCommandShell

    shell = ManagedRunCommandShell(target.env.compute(target.sub), target.rg, target.names.vm, target.region,
                                   tags=target.tags)
    fqdn = (ctx.outputs.get("public-ip") or {}).get("fqdn")
    try:
        result = winrm_bootstrap(shell, target.answers, server_info_from(ctx.outputs), fqdn)
    except ConfigError as e:
        raise StepFailed(f"Refused to send a value to the server: {e}",
                         f"Fix the answer '{e.field}' (e.g. with --set) and run again.") from None
    out = report(result, ctx)
    data = result.results[0].data if result.results else {}
    try:
        pin = PinnedCertificate.from_b64(data.get("certificate", ""), data.get("thumbprint"))
    except PinError as e:
        raise StepFailed(f"winrm-bootstrap: {e}", "Re-run; if it persists, check Cert:\\LocalMachine\\My on the server.") from None
    ctx.log(f"WinRM certificate pinned: thumbprint {pin.thumbprint}, SHA-256 {pin.sha256}.")
    out.update(certificate=base64.b64encode(pin.der).decode("ascii"), thumbprint=pin.thumbprint, sha256=pin.sha256)
    return out


def winrm_failure(exc: BaseException, shell: Any) -> StepFailed:
    """A WinRM connection that failed, in words: a certificate other than the pinned one, a port
    that is closed, or credentials the server refused."""
    import requests
    from winrm.exceptions import InvalidCredentialsError

    url = getattr(shell, "url", "the server")
    if isinstance(exc, requests.exceptions.SSLError):
        return StepFailed(f"WinRM: {url} did not present the pinned certificate (SHA-256 {shell.pin.sha256}): "
                          "connection refused", "If the server's certificate was replaced on purpose, run again after "
                          "the winrm-bootstrap step (change remote.winrm_source or tear down and re-create).")
    if isinstance(exc, InvalidCredentialsError):
        return StepFailed(f"WinRM: {url} rejected the administrator's credentials",
                          "Set HPCSHARE_ADMIN_PASSWORD to the VM's admin password and run again.")
    if isinstance(exc, requests.exceptions.ConnectionError):
        return StepFailed(f"WinRM: cannot reach {url}: {type(exc).__name__}",
                          "Check that TCP 5986 is open from here: remote.winrm_source, the NSG and the Windows Firewall.")
    return StepFailed(f"WinRM: {url}: {type(exc).__name__}: {exc}", "Re-run to retry; see the log for details.")
