"""Run Command transports: managed (default) and action (fallback).

Both send the script text unchanged and the values as two base64 parameters. Request bodies are
REST-shaped camelCase dicts: the 2026 SDKs send a plain dict verbatim, so a snake_case dict would
go on the wire wrong (reference/notes/azure-sdk-and-arm.md). Never enable ``logging_enable`` on
the client: azure-core would log the body, protected parameters included.

Guarantees differ:

* Managed (``virtualMachines/{vm}/runCommands/{name}``): ``SecretB64`` travels in
  ``protectedParameters``, which Azure keeps out of GET responses; the resource is deleted after
  every run (in ``finally``), so nothing stays readable. On the VM the script still gets it as a
  ``-SecretB64 <base64>`` argument, i.e. on the process command line while the script runs
  (visible to local admins and to command-line auditing, if enabled).
* Action (``POST .../runCommand``, ``RunPowerShellScript``): there is no protected field, so
  ``SecretB64`` goes as an ordinary parameter: it may show up wherever Azure records the
  command's parameters (activity/extension logs on the VM), besides the command line. Output is
  only the last 4,096 bytes of stdout (the scripts keep result lines short), there is no exit
  code (``RemoteResult.exit_code`` is None; use ``.ok``), and only one command runs per VM at a
  time: a 409 Conflict is waited out with bounded retries and backoff.
"""
from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from wizard.remote.config import secret_values
from wizard.remote.protocol import CONFIG_PARAM, SECRET_PARAM, encode_param, script_name
from wizard.remote.shell import RemoteResult, json_object, make_result

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT_S = 1800


def _get(obj: Any, *path: str) -> Any:
    for name in path:
        if obj is None:
            return None
        obj = obj.get(name) if isinstance(obj, Mapping) else getattr(obj, name, None)
    return obj


def run_command_name(script: str) -> str:
    """Unique per call: ``hpcshare-<script>-<12 hex>`` (a valid ARM child resource name)."""
    base = script_name(script) or "script"
    return f"hpcshare-{base}-{uuid.uuid4().hex[:12]}"


class ManagedRunCommandShell:
    """Managed Run Command: one ``runCommands`` child resource per call, deleted afterwards."""

    name = "managed-run-command"

    def __init__(self, compute_client: Any, resource_group: str, vm_name: str, location: str, *,
                 timeout_s: int = DEFAULT_TIMEOUT_S, tags: Mapping[str, str] | None = None) -> None:
        if not isinstance(timeout_s, int) or timeout_s <= 0:
            raise ValueError("timeout_s must be a positive number of seconds")
        self.compute_client = compute_client
        self.resource_group = resource_group
        self.vm_name = vm_name
        self.location = location
        self.timeout_s = timeout_s
        self.tags = dict(tags or {})

    def body(self, script: str, config: Mapping[str, Any], secret: Mapping[str, Any]) -> dict[str, Any]:
        """The PUT body, REST-shaped (camelCase)."""
        body: dict[str, Any] = {
            "location": self.location,
            "properties": {
                "source": {"script": script},
                "parameters": [{"name": CONFIG_PARAM, "value": encode_param(json_object(config, "config"))}],
                "protectedParameters": [{"name": SECRET_PARAM, "value": encode_param(json_object(secret, "secret"))}],
                "timeoutInSeconds": self.timeout_s,
                "asyncExecution": False,
                "treatFailureAsDeploymentFailure": False,
            },
        }
        if self.tags:
            body["tags"] = dict(self.tags)
        return body

    def remove_leftovers(self, script: str) -> None:
        """Delete run commands that an interrupted earlier run left on the VM (its cleanup never ran
        or never finished). Best effort: a failure here must not block the run itself."""
        ops = self.compute_client.virtual_machine_run_commands
        # Any script's: the previous call's delete is not awaited, so a killed process can leave
        # the other script's run command too. Remote steps never overlap, so none is in use now.
        prefix = "hpcshare-"
        try:
            for rc in ops.list_by_virtual_machine(self.resource_group, self.vm_name):
                if not (rc.name or "").startswith(prefix) or (rc.tags or {}).get("managed-by") != "hpcshare":
                    continue
                state = _get(rc, "properties", "provisioning_state") or _get(rc, "properties", "provisioningState")
                if state == "Deleting":
                    continue    # the previous call's delete is under way; ARM finishes it without us
                ops.begin_delete(self.resource_group, self.vm_name, rc.name).result()
        except Exception as exc:
            log.warning("could not clean up earlier run commands on %s: %s", self.vm_name, type(exc).__name__)

    def run(self, script: str, config: dict[str, Any], secret: dict[str, Any]) -> RemoteResult:
        ops = self.compute_client.virtual_machine_run_commands
        self.remove_leftovers(script)
        name = run_command_name(script)
        body = self.body(script, config, secret)
        try:
            ops.begin_create_or_update(self.resource_group, self.vm_name, name, body).result()
            rc = ops.get_by_virtual_machine(self.resource_group, self.vm_name, name, expand="instanceView")
        finally:
            self._start_delete(ops, name)
        iv = _get(rc, "properties", "instance_view") or _get(rc, "properties", "instanceView") or _get(rc, "instance_view")
        stdout = str(_get(iv, "output") or "")
        stderr = str(_get(iv, "error") or "")
        exit_code = _get(iv, "exit_code")
        if exit_code is None:
            exit_code = _get(iv, "exitCode")
        state = _get(iv, "execution_state") or _get(iv, "executionState")
        if exit_code is None and state not in (None, "Succeeded"):
            exit_code = -1
        if state in ("TimedOut", "Failed", "Canceled") and not stderr:
            stderr = f"Run Command execution state: {state} {_get(iv, 'execution_message') or ''}".strip()
        return make_result(script, stdout, stderr, None if exit_code is None else int(exit_code),
                           transport=self.name, secrets=secret_values(secret))

    def _start_delete(self, ops: Any, name: str) -> None:
        """Delete the run command without waiting for it. ARM has accepted the DELETE (202) when
        ``begin_delete`` returns and finishes it on its own; waiting kept the next step (self-test,
        then the artifacts) behind a cleanup whose result no step needs. A delete that ends Failed
        or Canceled is logged when it ends (in the poller's thread)."""
        try:
            poller = ops.begin_delete(self.resource_group, self.vm_name, name)
        except Exception as exc:  # never hide the run's own outcome behind a cleanup failure
            log.warning("could not delete run command %s on %s: %s", name, self.vm_name, type(exc).__name__)
            return
        vm = self.vm_name

        def ended(polling: Any) -> None:
            status = str(polling.status()).lower()
            if status in ("failed", "canceled"):
                log.warning("deleting run command %s on %s ended %s", name, vm, status)

        add = getattr(poller, "add_done_callback", None)
        if add is not None:
            add(ended)


class ActionRunCommandShell:
    """Action Run Command (``RunPowerShellScript``). Weaker secret handling: see the module docstring."""

    name = "run-command"

    def __init__(self, compute_client: Any, resource_group: str, vm_name: str, *,
                 conflict_retries: int = 8, backoff_s: float = 5.0, max_backoff_s: float = 60.0,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.compute_client = compute_client
        self.resource_group = resource_group
        self.vm_name = vm_name
        self.conflict_retries = conflict_retries
        self.backoff_s = backoff_s
        self.max_backoff_s = max_backoff_s
        self._sleep = sleep

    @staticmethod
    def body(script: str, config: Mapping[str, Any], secret: Mapping[str, Any]) -> dict[str, Any]:
        """The POST body, REST-shaped. The script goes as its lines (joined again with newlines on the VM)."""
        return {
            "commandId": "RunPowerShellScript",
            "script": script.splitlines(),
            "parameters": [
                {"name": CONFIG_PARAM, "value": encode_param(json_object(config, "config"))},
                # No protectedParameters in this API: the secret is an ordinary (base64) parameter.
                {"name": SECRET_PARAM, "value": encode_param(json_object(secret, "secret"))},
            ],
        }

    def run(self, script: str, config: dict[str, Any], secret: dict[str, Any]) -> RemoteResult:
        from azure.core.exceptions import HttpResponseError

        body = self.body(script, config, secret)
        attempt = 0
        while True:
            try:
                res = self.compute_client.virtual_machines.begin_run_command(
                    self.resource_group, self.vm_name, body).result()
                break
            except HttpResponseError as exc:
                if getattr(exc, "status_code", None) != 409 or attempt >= self.conflict_retries:
                    raise
                delay = min(self.max_backoff_s, self.backoff_s * (2 ** attempt))
                log.info("another Run Command is still running on %s; retrying in %.0f s", self.vm_name, delay)
                self._sleep(delay)
                attempt += 1
        stdout, stderr = "", ""
        for status in _get(res, "value") or []:
            code = str(_get(status, "code") or "")
            if "StdOut" in code:
                stdout = str(_get(status, "message") or "")
            elif "StdErr" in code:
                stderr = str(_get(status, "message") or "")
        return make_result(script, stdout, stderr, None, transport=self.name, secrets=secret_values(secret))
