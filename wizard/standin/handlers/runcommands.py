"""Run Command, both forms, with the script itself simulated by ``wizard.standin.fake_windows``.

- managed: ``PUT/GET/DELETE …/virtualMachines/{vm}/runCommands/{name}``; GET with
  ``$expand=instanceView`` shows executionState/exitCode/output/error. protectedParameters (and
  runAsPassword) are handed to the simulator and then dropped: never stored, never returned.
- action: ``POST …/virtualMachines/{vm}/runCommand`` -> 202 (Azure-AsyncOperation + Location); the
  Location answers ``{"value": [StdOut status, StdErr status]}``. One at a time per VM (409 otherwise).

Azure keeps only the last 4,096 bytes of output; so does the stand-in.
"""
from __future__ import annotations

import importlib
import sys
import traceback
from typing import Any

from .. import validation
from ..errors import ArmError, bad_request, resource_not_found
from ..operations import iso
from ..routing import RUN_COMMAND, VM, resource_id
from ..store import Store
from . import generic
from .common import Ctx, KindSpec, Response, register, state_of, sub_object

OUTPUT_LIMIT = 4096
SIMULATOR = "wizard.standin.fake_windows"
WINDOWS_COMMANDS = ("RunPowerShellScript", "EnableRemotePS", "IPConfig", "RDPSettings", "ResetRDPCert",
                    "SetRDPPort", "DisableNLA", "EnableAdminAccount", "DisableWindowsUpdate", "EnableWindowsUpdate")
LINUX_COMMANDS = ("RunShellScript", "ifconfig")


def tail_bytes(text: str, limit: int = OUTPUT_LIMIT) -> str:
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    return data[-limit:].decode("utf-8", errors="ignore")


def _named_values(value: Any, what: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, list):
        raise bad_request("InvalidParameter", f"'{what}' must be a list of {{name, value}} objects.")
    out = {}
    for item in value:
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            raise bad_request("InvalidParameter", f"Every entry of '{what}' needs a string name.")
        out[item["name"]] = "" if item.get("value") is None else str(item["value"])
    return out


def sync_server(server: dict[str, Any], vm: dict[str, Any], store: Any = None) -> None:
    """Tell the simulated Windows what Azure knows about its VM (the keys fake_windows documents):
    ``computer_name`` and ``data_disks``; extra keys a test put on a disk entry are kept. A disk's
    size is the managed disk's own: a disk grown online shows its new size to Windows (after a
    rescan, which configure-server does with Update-HostStorageCache), not the size the VM was
    created with."""
    props = vm["properties"]
    server["computer_name"] = props.get("osProfile", {}).get("computerName", vm["name"])
    previous = {d.get("lun"): d for d in server.get("data_disks") or [] if isinstance(d, dict)}

    def size(entry: dict[str, Any]) -> Any:
        disk_id = (entry.get("managedDisk") or {}).get("id")
        disk = store.get(disk_id) if store is not None and disk_id else None
        return (disk or {}).get("properties", {}).get("diskSizeGB") or entry.get("diskSizeGB")

    server["data_disks"] = [
        {**previous.get(d["lun"], {}), "lun": d["lun"], "size_gib": size(d)}
        for d in props.get("storageProfile", {}).get("dataDisks", [])
    ]


def simulate(ctx: Ctx, vm: dict[str, Any], script: str, parameters: dict[str, str],
             protected: dict[str, str], fail_substep: str | None) -> tuple[str, str, int]:
    """Run a script on the VM's simulated Windows; its state dict persists with the VM."""
    try:
        # import_module (not `from . import`) so a test can swap the module in sys.modules.
        module = importlib.import_module(SIMULATOR)
    except ModuleNotFoundError as err:
        if err.name != SIMULATOR:
            raise
        return "", f"hpcshare stand-in: {SIMULATOR} is not available, so the script could not be simulated.", 1
    server = ctx.store.private(vm["id"]).setdefault("server", {})
    sync_server(server, vm, ctx.store)
    try:
        stdout, stderr, code = module.simulate(script, parameters, protected, server, fail_substep)
    except Exception as err:  # a simulator bug shows up as a failed script, not as a dead server
        traceback.print_exc(file=sys.stderr)
        return "", f"hpcshare stand-in: the script simulator failed: {type(err).__name__}: {err}", 1
    return str(stdout), str(stderr), int(code)


def _vm_of_route(ctx: Ctx) -> dict[str, Any] | None:
    return ctx.store.get(resource_id(ctx.route.sub, ctx.route.rg, VM, ctx.route.name))


# -- managed run commands --------------------------------------------------------------------------
def check_parent_vm(ctx: Ctx) -> None:
    if _vm_of_route(ctx) is None:
        raise ArmError(404, "ParentResourceNotFound",
                       f"Can not perform requested operation on nested resource. Parent resource '{ctx.route.name}' not found.")


def build_run_command(ctx: Ctx, body: dict, existing: dict | None, rid: str, location: str) -> dict:
    vm = _vm_of_route(ctx)
    assert vm is not None  # check_parent_vm ran first
    conflict = generic.not_succeeded_conflict(vm, "RunCommand")
    if conflict:
        raise conflict
    props = dict(validation.properties_of(body))
    source = sub_object(props, "source")
    if not any(source.get(k) for k in ("script", "scriptUri", "commandId")):
        raise bad_request("InvalidParameter", "One of source.script, source.scriptUri or source.commandId is required.")
    parameters = _named_values(props.get("parameters"), "parameters")
    protected = _named_values(props.get("protectedParameters"), "protectedParameters")
    stdout, stderr, code = simulate(ctx, vm, str(source.get("script") or ""), parameters, protected,
                                    ctx.take_substep("runcommand", "put"))
    ctx.store.private(rid)["execution"] = {
        "started": ctx.now,
        "due": ctx.now + ctx.arm.latency.duration("runcommand", "put"),
        "stdout": tail_bytes(stdout), "stderr": tail_bytes(stderr), "exitCode": code,
    }
    if props.get("treatFailureAsDeploymentFailure") and code != 0:
        ctx.op_error = {"code": "VMExtensionProvisioningError",
                        "message": f"VM has reported a failure when processing extension 'RunCommandHandlerWindows'. "
                                   f"Run command script exited with code {code}. Error: {tail_bytes(stderr, 1024)}"}
    for secret_or_derived in ("protectedParameters", "runAsPassword", "instanceView", "provisioningState"):
        props.pop(secret_or_derived, None)
    props.setdefault("asyncExecution", False)
    props.setdefault("treatFailureAsDeploymentFailure", False)
    return {"name": existing["name"] if existing else ctx.route.child, "id": existing["id"] if existing else rid,
            "type": RUN_COMMAND.full, "location": location, "tags": validation.tags_of(body), "properties": props}


def _instance_view(store: Store, run: dict[str, Any], now: float) -> dict[str, Any]:
    private = store.internal.get(run["id"].lower(), {})
    rec = private.get("execution") or {}
    failed_delivery = state_of(run) == "Failed" and private.get("lastError")
    done = bool(rec) and now >= rec["due"]
    if failed_delivery:
        state, message = "Failed", private["lastError"]["message"]
    elif not done:
        state, message = "Running", ""
    else:
        state = "Succeeded" if rec["exitCode"] == 0 else "Failed"
        message = "" if rec["exitCode"] == 0 else f"Script execution failed with exit code {rec['exitCode']}."
    view: dict[str, Any] = {
        "executionState": state,
        "executionMessage": message,
        "exitCode": rec.get("exitCode", 0) if done else 0,
        "output": rec.get("stdout", "") if done else "",
        "error": rec.get("stderr", "") if done else "",
        "startTime": iso(rec["started"]) if rec else None,
        "statuses": [],
    }
    if done or failed_delivery:
        view["endTime"] = iso(rec["due"]) if rec else iso(now)
    return view


def view_run_command(ctx: Ctx, run: dict[str, Any]) -> None:
    if ctx.req.method == "GET" and ctx.expand("instanceView"):
        run["properties"]["instanceView"] = _instance_view(ctx.store, run, ctx.now)


def on_run_command_applied(store: Store, op: Any, run: dict[str, Any]) -> None:
    private = store.private(run["id"])
    if op.error:
        private["lastError"] = op.error
    else:
        private.pop("lastError", None)


register(KindSpec(RUN_COMMAND, "VirtualMachineRunCommand", build_run_command, new_state="Creating",
                  view=view_run_command, parent_check=check_parent_vm, on_put_applied=on_run_command_applied))


# -- the action form -------------------------------------------------------------------------------
_ACTION_KEYS = frozenset({"commandId", "script", "parameters"})


def run_action(ctx: Ctx) -> Response:
    ctx.group(for_write=True)
    vm = _vm_of_route(ctx)
    if vm is None:
        raise resource_not_found(VM.full, ctx.route.name, ctx.route.rg)
    body = validation.check_shape(ctx.req.body, "RunCommandInput", top_level=_ACTION_KEYS)
    command_id = body.get("commandId")
    windows = vm["properties"].get("storageProfile", {}).get("osDisk", {}).get("osType") == "Windows"
    allowed = WINDOWS_COMMANDS if windows else LINUX_COMMANDS
    if not command_id:
        raise bad_request("InvalidParameter", "Required parameter 'commandId' is missing (null).")
    if command_id not in allowed:
        raise bad_request("InvalidParameter", f"The command id '{command_id}' is not valid for a {'Windows' if windows else 'Linux'} VM. Valid ids: {', '.join(allowed)}.")
    script = body.get("script") or []
    if not isinstance(script, list) or not all(isinstance(line, str) for line in script):
        raise bad_request("InvalidParameter", "'script' must be a list of strings (one per line).")
    parameters = _named_values(body.get("parameters"), "parameters")
    conflict = generic.not_succeeded_conflict(vm, "RunCommand")
    if conflict:
        raise conflict
    busy = any(op.action == "run" and not op.applied and op.target.lower() == vm["id"].lower()
               for op in ctx.store.operations.values())
    if busy:
        raise ArmError(409, "Conflict", "Run command extension execution is in progress. Please wait for completion "
                                        "before invoking a run command.")
    stdout, stderr, code = simulate(ctx, vm, "\n".join(script), parameters, {},
                                    ctx.take_substep("runcommand-action", "post"))
    value = [
        {"code": "ComponentStatus/StdOut/succeeded", "level": "Info", "displayStatus": "Provisioning succeeded",
         "message": tail_bytes(stdout)},
        {"code": "ComponentStatus/StdErr/succeeded", "level": "Info", "displayStatus": "Provisioning succeeded",
         "message": tail_bytes(stderr)},
    ]
    op = ctx.start_operation(kind="runcommand-action", verb="post", action="run", target=vm["id"],
                             location=vm["location"], namespace="Microsoft.Compute",
                             result={"value": value, "exitCode": code})
    return Response(202, None, ctx.lro_headers(op, location=True))
