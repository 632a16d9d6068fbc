"""Shared helpers for the remote-PowerShell tests: valid answers, a hostile value corpus, fakes."""
from __future__ import annotations

from typing import Any

from wizard.answers import Answers, build_answers, resolve
from wizard.questions import defaults

SHARE_PASSWORD = "Tq7-vR2.mK9_pL4:xZ8+"
ADMIN_PASSWORD = "Adm1n.Pa55-w0rd_Long"

# Every value here must travel byte for byte and never change the script text.
HOSTILE: list[str] = [
    "'", "\u2018", "\u2019", "\u201a", "\u201b",                 # the five PowerShell single quotes
    '"', "\u201c", "\u201d", "\u201e",                            # double quotes, typographic too
    "$(Remove-Item C:\\ -Recurse -Force)", "${env:PATH}", "$env:COMPUTERNAME",
    "`n`r`0`$", "a`", "; Stop-Computer -Force", "& calc.exe", "| Out-File x", "%PATH%", "^&^|",
    "!delayed!", "<>(){}[]", "line1\nline2", "cr\r\nlf", "nul\x00byte", "\x00", "tab\there",
    "rtl\u202emark", "\u200b\ufeff", "\\\\server\\share", "C:\\Windows\\System32", "'@\n$(calc)\n'@",
    "\"@\n`$x\n\"@", "x' + $(whoami) + 'y", "\u2019; whoami; \u2018", "ünïcödé Ω 中文 🎉",
    "-ConfigB64", "-SecretB64 AAAA", "--% $x", "#< CLIXML", "</Objs><S>", "]]><x/>",
    "HPCSHARE_RESULT {\"step\":\"disk\",\"status\":\"ok\"}", "=" * 10, "+/", " leading and trailing ",
    "A" * 1000, ("'\"$`;&|%^\n\u202e" * 100)[:1000],
]


def hostile_config() -> dict[str, Any]:
    return {f"k{i}": v for i, v in enumerate(HOSTILE)} | {"nested": {"list": HOSTILE[:12], "n": 1, "b": True}}


def hostile_secret() -> dict[str, Any]:
    return {"share_password": "".join(HOSTILE[:20]), "other": HOSTILE[-1]}


def make_answers(**flat: Any) -> Answers:
    values = defaults()
    values["subscription.id"] = "00000000-0000-0000-0000-000000000000"
    values.update({k.replace("__", ".", 1): v for k, v in flat.items()})
    res = resolve(typed=values)
    assert res.ok, res.errors
    return build_answers("test", res.values)




# ---- fakes at the Azure SDK boundary ---------------------------------------------------------

class FakePoller:
    def __init__(self, value: Any = None, error: BaseException | None = None) -> None:
        self._value, self._error = value, error

    def result(self, timeout: float | None = None) -> Any:
        if self._error is not None:
            raise self._error
        return self._value


def _params(items: list[dict[str, str]] | None) -> dict[str, str]:
    return {p["name"]: p["value"] for p in items or []}


class FakeRunCommands:
    """``compute_client.virtual_machine_run_commands``: answers through the simulated server."""

    def __init__(self, owner: "FakeCompute") -> None:
        self.owner = owner
        self.created: list[tuple[str, str, str, Any]] = []
        self.deleted: list[str] = []
        self.live: dict[str, dict[str, Any]] = {}
        self.fail_create: BaseException | None = None

    def begin_create_or_update(self, rg: str, vm: str, name: str, body: Any) -> FakePoller:
        from azure.mgmt.compute.models import VirtualMachineRunCommand

        self.created.append((rg, vm, name, body))
        if self.fail_create is not None:
            return FakePoller(error=self.fail_create)
        props = body["properties"]
        out, err, code = self.owner.execute(props["source"]["script"], _params(props.get("parameters")),
                                            _params(props.get("protectedParameters")))
        state = "Succeeded" if code == 0 else "Failed"
        view = {"executionState": state, "exitCode": code, "output": out[-4096:], "error": err[-4096:]}
        public = {k: v for k, v in props.items() if k != "protectedParameters"}   # Azure never returns them
        self.live[name] = {"name": name, "location": body["location"],
                           "properties": {**public, "provisioningState": "Succeeded", "instanceView": view}}
        return FakePoller(VirtualMachineRunCommand({**self.live[name], "properties": {**public, "provisioningState": "Succeeded"}}))

    def get_by_virtual_machine(self, rg: str, vm: str, name: str, *, expand: str | None = None) -> Any:
        from azure.mgmt.compute.models import VirtualMachineRunCommand

        doc = self.live[name]
        if expand != "instanceView":
            doc = {**doc, "properties": {k: v for k, v in doc["properties"].items() if k != "instanceView"}}
        return VirtualMachineRunCommand(doc)

    def begin_delete(self, rg: str, vm: str, name: str) -> FakePoller:
        self.deleted.append(name)
        self.live.pop(name, None)
        return FakePoller(None)


class FakeVirtualMachines:
    """``compute_client.virtual_machines.begin_run_command``: with optional 409 Conflicts first."""

    def __init__(self, owner: "FakeCompute") -> None:
        self.owner = owner
        self.calls: list[tuple[str, str, Any]] = []
        self.conflicts = 0

    def begin_run_command(self, rg: str, vm: str, body: Any) -> FakePoller:
        from azure.core.exceptions import ResourceExistsError
        from azure.mgmt.compute.models import RunCommandResult

        self.calls.append((rg, vm, body))
        if self.conflicts > 0:
            self.conflicts -= 1
            e = ResourceExistsError(message="(Conflict) Run command extension execution is in progress. "
                                            "Please wait for completion before invoking a run command.")
            e.status_code = 409
            raise e
        out, err, _code = self.owner.execute("\n".join(body["script"]) + "\n", _params(body.get("parameters")), {})
        return FakePoller(RunCommandResult({"value": [
            {"code": "ComponentStatus/StdOut/succeeded", "level": "Info", "displayStatus": "Provisioning succeeded",
             "message": out.encode("utf-8")[-4096:].decode("utf-8", errors="ignore")},
            {"code": "ComponentStatus/StdErr/succeeded", "level": "Info", "displayStatus": "Provisioning succeeded",
             "message": err},
        ]}))


class FakeCompute:
    """A ComputeManagementClient stand-in whose VM runs hpcshare scripts on fake_windows."""

    def __init__(self, fail_substep: str | None = None) -> None:
        self.server: dict[str, Any] = {}
        self.fail_substep = fail_substep
        self.executed: list[tuple[str, dict[str, str], dict[str, str]]] = []
        self.virtual_machine_run_commands = FakeRunCommands(self)
        self.virtual_machines = FakeVirtualMachines(self)

    def execute(self, script: str, parameters: dict[str, str], protected: dict[str, str]) -> tuple[str, str, int]:
        from wizard.standin.fake_windows import simulate

        self.executed.append((script, parameters, protected))
        return simulate(script, parameters, protected, self.server, self.fail_substep)


# ---- fakes at the pywinrm boundary -----------------------------------------------------------

def split_stdin(payload: bytes) -> tuple[str, str, str]:
    """The WinRM bootstrap's view of stdin: three base64 lines (script, ConfigB64, SecretB64)."""
    import base64

    lines = [ln.strip() for ln in payload.decode("ascii").splitlines() if ln.strip()]
    assert len(lines) == 3, lines
    return base64.b64decode(lines[0], validate=True).decode("utf-8"), lines[1], lines[2]


class FakeProtocol:
    """winrm.protocol.Protocol look-alike: records every call, executes via fake_windows."""

    def __init__(self, server: dict[str, Any] | None = None, **kwargs: Any) -> None:
        self.kwargs = kwargs
        self.server = server if server is not None else {}
        self.calls: list[tuple[str, Any]] = []
        self.stdin = b""
        self.ended = False

    def open_shell(self, **kwargs: Any) -> str:
        self.calls.append(("open_shell", kwargs))
        return "SHELL-1"

    def run_command(self, shell_id: str, command: str, arguments: Any = (), console_mode_stdin: bool = True,
                    skip_cmd_shell: bool = False) -> str:
        self.calls.append(("run_command", (command, tuple(arguments), console_mode_stdin, skip_cmd_shell)))
        return "CMD-1"

    def send_command_input(self, shell_id: str, command_id: str, stdin_input: bytes, end: bool = False) -> None:
        assert not self.ended
        self.calls.append(("send_command_input", (len(stdin_input), end)))
        self.stdin += stdin_input
        self.ended = end

    def get_command_output(self, shell_id: str, command_id: str) -> tuple[bytes, bytes, int]:
        from wizard.standin.fake_windows import simulate

        assert self.ended, "stdin must be closed before the output is read"
        script, config, secret = split_stdin(self.stdin)
        out, err, code = simulate(script, {"ConfigB64": config}, {"SecretB64": secret}, self.server, None)
        self.calls.append(("get_command_output", None))
        return out.encode(), err.encode(), code

    def cleanup_command(self, shell_id: str, command_id: str) -> None:
        self.calls.append(("cleanup_command", command_id))

    def close_shell(self, shell_id: str, close_session: bool = True) -> None:
        self.calls.append(("close_shell", shell_id))


class FakeWsmanServer:
    """Answers pywinrm's real SOAP messages (Create, Command, Send, Receive, Signal, Delete) and runs
    the command by feeding the received stdin to fake_windows. Keeps every request for inspection."""

    NS = {
        "s": "http://www.w3.org/2003/05/soap-envelope",
        "a": "http://schemas.xmlsoap.org/ws/2004/08/addressing",
        "w": "http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd",
        "rsp": "http://schemas.microsoft.com/wbem/wsman/1/windows/shell",
    }

    def __init__(self) -> None:
        self.requests: list[str] = []
        self.server: dict[str, Any] = {}
        self.command_line: tuple[str, str] | None = None
        self.options: dict[str, str] = {}
        self.stdin = b""
        self.stdin_closed = False

    def _envelope(self, relates_to: str, body: str) -> bytes:
        return (f'<s:Envelope xmlns:s="{self.NS["s"]}" xmlns:a="{self.NS["a"]}" xmlns:w="{self.NS["w"]}" '
                f'xmlns:rsp="{self.NS["rsp"]}" xmlns:x="http://schemas.xmlsoap.org/ws/2004/09/transfer">'
                f'<s:Header><a:RelatesTo>{relates_to}</a:RelatesTo></s:Header><s:Body>{body}</s:Body>'
                f'</s:Envelope>').encode()

    def send_message(self, message: str | bytes) -> bytes:
        import base64
        import xml.etree.ElementTree as ET

        from wizard.standin.fake_windows import simulate

        text = message.decode() if isinstance(message, bytes) else message
        self.requests.append(text)
        root = ET.fromstring(text)
        action = root.find("s:Header/a:Action", self.NS).text  # type: ignore[union-attr]
        msg_id = root.find("s:Header/a:MessageID", self.NS).text  # type: ignore[union-attr]
        body = root.find("s:Body", self.NS)
        assert body is not None
        for opt in root.iter(f"{{{self.NS['w']}}}Option"):
            self.options[opt.get("Name", "")] = opt.text or ""
        verb = action.rsplit("/", 1)[-1]
        if verb == "Create":
            return self._envelope(msg_id, '<x:ResourceCreated><a:ReferenceParameters><w:SelectorSet>'
                                          '<w:Selector Name="ShellId">SHELL-1</w:Selector>'
                                          '</w:SelectorSet></a:ReferenceParameters></x:ResourceCreated>')
        if verb == "Command":
            cmd = body.find("rsp:CommandLine/rsp:Command", self.NS)
            args = body.find("rsp:CommandLine/rsp:Arguments", self.NS)
            self.command_line = (cmd.text or "" if cmd is not None else "", args.text or "" if args is not None else "")
            return self._envelope(msg_id, "<rsp:CommandResponse><rsp:CommandId>CMD-1</rsp:CommandId></rsp:CommandResponse>")
        if verb == "Send":
            stream = body.find("rsp:Send/rsp:Stream", self.NS)
            assert stream is not None and stream.get("Name") == "stdin"
            self.stdin += base64.b64decode(stream.text or "")
            self.stdin_closed = stream.get("End") == "true"
            return self._envelope(msg_id, "<rsp:SendResponse/>")
        if verb == "Receive":
            assert self.stdin_closed
            script, config, secret = split_stdin(self.stdin)
            out, err, code = simulate(script, {"ConfigB64": config}, {"SecretB64": secret}, self.server, None)
            b64 = lambda s: base64.b64encode(s.encode()).decode()  # noqa: E731
            done = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/CommandState/Done"
            return self._envelope(msg_id, f'<rsp:ReceiveResponse>'
                                          f'<rsp:Stream Name="stdout" CommandId="CMD-1">{b64(out)}</rsp:Stream>'
                                          f'<rsp:Stream Name="stderr" CommandId="CMD-1">{b64(err)}</rsp:Stream>'
                                          f'<rsp:CommandState CommandId="CMD-1" State="{done}">'
                                          f'<rsp:ExitCode>{code}</rsp:ExitCode></rsp:CommandState>'
                                          f'</rsp:ReceiveResponse>')
        if verb in ("Signal", "Delete"):
            return self._envelope(msg_id, "")
        raise AssertionError(f"unexpected WS-Man action {action}")
