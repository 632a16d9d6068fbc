"""The three transports at their library boundary: what would be sent, and what comes back.

Managed and action Run Command: fake compute clients at the SDK call boundary, plus the real
ComputeManagementClient over an in-process HTTP transport (what goes on the wire). WinRM: a fake
at the pywinrm ``Protocol`` boundary, plus the real ``winrm.protocol.Protocol`` whose SOAP
messages are answered by an in-process WS-Management fake (no HTTPS listener: out of scope).
"""
from __future__ import annotations

import os

import base64
import json
import re
from typing import Any

import pytest

from tests.remote.helpers import (
    HOSTILE,
    SHARE_PASSWORD,
    FakeCompute,
    FakeProtocol,
    FakeWsmanServer,
    hostile_config,
    hostile_secret,
    split_stdin,
)
from wizard.answers import Answers, Secrets
from wizard.remote import ActionRunCommandShell, ManagedRunCommandShell, WinRmShell, configure_server, self_test
from wizard.remote.protocol import CONFIGURE_SERVER, SELF_TEST, SUBSTEPS, decode_param
from wizard.remote.scripts import load_script
from wizard.remote.pinning import PinnedCertificate
from wizard.remote.winrm_shell import ARGUMENTS, COMMAND, STDIN_CHUNK, clean_clixml, stdin_payload
from wizard.standin.fake_winrm import make_certificate

# The certificate a winrm-bootstrap would have returned (a real one, self-signed).
PIN = PinnedCertificate(make_certificate(["fs01"])[0])

SCRIPTS = [CONFIGURE_SERVER, SELF_TEST]
B64 = re.compile(r"^[A-Za-z0-9+/=]+$")


def _value_cases() -> list[tuple[dict[str, Any], dict[str, Any]]]:
    cases = [({"v": v}, {"share_password": v}) for v in HOSTILE]
    cases.append((hostile_config(), hostile_secret()))
    return cases


def _assert_no_raw_value(blob: str) -> None:
    """No hostile value appears outside base64 in what is sent."""
    for v in HOSTILE:
        if len(v) >= 3 and not B64.match(v) and v.strip():
            assert v not in blob, v
            assert json.dumps(v)[1:-1] not in blob, v


# ---- managed Run Command ------------------------------------------------------------------------

@pytest.mark.parametrize("name", SCRIPTS)
def test_managed_hostile_values(name: str) -> None:
    script = load_script(name)
    compute = FakeCompute()
    shell = ManagedRunCommandShell(compute, "rg", "fs01", "westeurope", timeout_s=900)
    for config, secret in _value_cases():
        shell.run(script, config, secret)
        _rg, _vm, _rc, body = compute.virtual_machine_run_commands.created[-1]
        props = body["properties"]
        assert set(body) == {"location", "properties"}
        assert set(props) == {"source", "parameters", "protectedParameters", "timeoutInSeconds", "asyncExecution",
                              "treatFailureAsDeploymentFailure"}
        assert props["source"] == {"script": script}
        assert props["source"]["script"].encode("utf-8") == script.encode("utf-8")
        (p,), (s,) = props["parameters"], props["protectedParameters"]
        assert p["name"] == "ConfigB64" and s["name"] == "SecretB64"
        assert B64.match(p["value"]) and B64.match(s["value"])
        assert decode_param(p["value"]) == config
        assert decode_param(s["value"]) == secret
        assert props["timeoutInSeconds"] == 900 and props["asyncExecution"] is False
        assert props["treatFailureAsDeploymentFailure"] is False
        _assert_no_raw_value(json.dumps(body, ensure_ascii=False).replace(json.dumps(script, ensure_ascii=False), ""))
    sent = {body["properties"]["source"]["script"] for *_x, body in compute.virtual_machine_run_commands.created}
    assert sent == {script}


def test_managed_names_unique_and_always_deleted(answers: Answers, secrets: Secrets) -> None:
    compute = FakeCompute()
    shell = ManagedRunCommandShell(compute, "rg", "fs01", "westeurope")
    configure_server(shell, answers, None, secrets)
    self_test(shell, answers, secrets)
    rc = compute.virtual_machine_run_commands
    names = [c[2] for c in rc.created]
    assert len(set(names)) == 2 and all(re.fullmatch(r"hpcshare-(configure-server|self-test)-[0-9a-f]{12}", n) for n in names)
    assert rc.deleted == names and rc.live == {}

    rc.fail_create = RuntimeError("PUT failed")
    with pytest.raises(RuntimeError, match="PUT failed"):
        shell.run(load_script(SELF_TEST), {"a": 1}, {"b": 2})
    assert rc.deleted[-1] == rc.created[-1][2]          # deleted in finally


def test_managed_results_and_rerun(answers: Answers, secrets: Secrets) -> None:
    compute = FakeCompute()
    shell = ManagedRunCommandShell(compute, "rg", "fs01", "westeurope")
    first = configure_server(shell, answers, None, secrets)
    assert first.ok and first.exit_code == 0 and first.transport == "managed-run-command"
    assert [(r.step, r.status) for r in first.results] == [(s, "changed") for s in SUBSTEPS[CONFIGURE_SERVER]]
    again = configure_server(shell, answers, None, secrets)
    assert [r.status for r in again.results] == ["ok"] * 7 and not again.changed
    test = self_test(shell, answers, secrets)
    assert test.ok and [r.status for r in test.results] == ["ok"] * 4
    assert len(compute.executed) == 3


def test_managed_failure_names_the_substep(answers: Answers, secrets: Secrets) -> None:
    compute = FakeCompute(fail_substep="share")
    result = configure_server(ManagedRunCommandShell(compute, "rg", "fs01", "westeurope"), answers, None, secrets)
    assert not result.ok and result.exit_code == 1
    bad = result.failed_step
    assert bad is not None and bad.step == "share" and "The name has already been shared" in bad.message
    assert [r.status for r in result.results][-2:] == ["skipped", "skipped"]
    assert "sub-step 'share' failed" in result.summary()


def test_managed_tags_and_location() -> None:
    shell = ManagedRunCommandShell(None, "rg", "fs01", "westeurope", tags={"managed-by": "hpcshare"})
    body = shell.body("# hpcshare-script: self-test\n", {}, {})
    assert body["tags"] == {"managed-by": "hpcshare"} and body["location"] == "westeurope"
    with pytest.raises(ValueError):
        ManagedRunCommandShell(None, "rg", "fs01", "westeurope", timeout_s=0)


# ---- action Run Command -------------------------------------------------------------------------

@pytest.mark.parametrize("name", SCRIPTS)
def test_action_hostile_values(name: str) -> None:
    script = load_script(name)
    compute = FakeCompute()
    shell = ActionRunCommandShell(compute, "rg", "fs01", sleep=lambda s: None)
    for config, secret in _value_cases():
        result = shell.run(script, config, secret)
        assert result.exit_code is None                     # action Run Command reports none
        _rg, _vm, body = compute.virtual_machines.calls[-1]
        assert set(body) == {"commandId", "script", "parameters"}
        assert body["commandId"] == "RunPowerShellScript"
        assert body["script"] == script.splitlines()
        assert ("\n".join(body["script"]) + "\n").encode() == script.encode()
        params = {p["name"]: p["value"] for p in body["parameters"]}
        assert list(params) == ["ConfigB64", "SecretB64"]
        assert all(B64.match(v) for v in params.values())
        assert decode_param(params["ConfigB64"]) == config
        assert decode_param(params["SecretB64"]) == secret
        # cmd-style parsing of parameters (the documented '&' issue) cannot bite: base64 only.
        assert not any(c in v for v in params.values() for c in "&^%!\"<>|\n ")
        _assert_no_raw_value(json.dumps(body["parameters"], ensure_ascii=False))
    assert {tuple(b["script"]) for *_x, b in compute.virtual_machines.calls} == {tuple(script.splitlines())}


def test_action_waits_out_409_with_backoff(answers: Answers, secrets: Secrets) -> None:
    compute = FakeCompute()
    compute.virtual_machines.conflicts = 3
    slept: list[float] = []
    shell = ActionRunCommandShell(compute, "rg", "fs01", backoff_s=5, max_backoff_s=15, sleep=slept.append)
    result = configure_server(shell, answers, None, secrets)
    assert result.ok and len(compute.virtual_machines.calls) == 4
    assert slept == [5, 10, 15]


def test_action_gives_up_after_bounded_retries() -> None:
    from azure.core.exceptions import HttpResponseError

    compute = FakeCompute()
    compute.virtual_machines.conflicts = 100
    slept: list[float] = []
    shell = ActionRunCommandShell(compute, "rg", "fs01", conflict_retries=2, sleep=slept.append)
    with pytest.raises(HttpResponseError) as info:
        shell.run(load_script(SELF_TEST), {}, {})
    assert info.value.status_code == 409 and len(slept) == 2 and len(compute.virtual_machines.calls) == 3


def test_action_other_errors_are_not_retried() -> None:
    from azure.core.exceptions import HttpResponseError

    class Boom:
        calls = 0

        def begin_run_command(self, *a: Any) -> Any:
            Boom.calls += 1
            e = HttpResponseError(message="(VMAgentStatusCommunicationError) VM agent not ready")
            e.status_code = 500
            raise e

    compute = FakeCompute()
    compute.virtual_machines = Boom()  # type: ignore[assignment]
    with pytest.raises(HttpResponseError):
        ActionRunCommandShell(compute, "rg", "fs01", sleep=lambda s: None).run(load_script(SELF_TEST), {}, {})
    assert Boom.calls == 1


def test_action_output_fits_the_4k_cap() -> None:
    """Action Run Command keeps only the last 4,096 bytes of stdout: every result line must survive,
    even with the longest names validation allows."""
    from tests.remote.helpers import make_answers

    a = make_answers(vm__name="f" * 15, share__name="S" * 79, share__folder="D" * 64, account__username="u" * 20,
                     disk__label="L" * 32, endpoints__smb_source="203.0.113.0/24", endpoints__udp_445=True)
    compute = FakeCompute()
    shell = ActionRunCommandShell(compute, "rg", "fs01", sleep=lambda s: None)
    result = configure_server(shell, a, None, Secrets("Adm1n.Pa55-w0rd_Long", SHARE_PASSWORD))
    assert result.ok and len(result.stdout.encode()) < 3000
    assert len(result.results) == 7


# ---- the real SDK client, over an in-process HTTP transport ---------------------------------------

def _wire_client(handler: Any) -> Any:
    """A real ComputeManagementClient whose HTTP requests go to ``handler(method, url, json)``."""
    from azure.core.credentials import AccessToken
    from azure.core.pipeline.transport import HttpTransport
    from azure.core.rest import HttpRequest

    # azure-core's own response class, so the SDK's pipeline sees a real one.
    from azure.core.rest._http_response_impl import HttpResponseImpl
    from azure.mgmt.compute import ComputeManagementClient

    class Transport(HttpTransport):
        def __enter__(self) -> "Transport":
            return self

        def __exit__(self, *a: Any) -> None:
            pass

        def open(self) -> None:
            pass

        def close(self) -> None:
            pass

        def send(self, request: HttpRequest, **kwargs: Any) -> Any:
            body = json.loads(request.content) if request.content else None
            status, out = handler(request.method, request.url, body)
            payload = json.dumps(out).encode() if out is not None else b""

            class Internal:
                def __init__(self) -> None:
                    self.status = status

            resp = HttpResponseImpl(request=request, internal_response=Internal(), status_code=status,
                                    headers={"Content-Type": "application/json"}, reason="OK",
                                    content_type="application/json", stream_download_generator=None)
            resp._content = payload  # noqa: SLF001
            resp._is_closed = True  # noqa: SLF001
            return resp

    class Cred:
        def get_token(self, *scopes: str, **kw: Any) -> AccessToken:
            return AccessToken("token", 4102444800)

        def get_token_info(self, *scopes: str, **kw: Any) -> Any:
            from azure.core.credentials import AccessTokenInfo

            return AccessTokenInfo("token", 4102444800)

    return ComputeManagementClient(Cred(), "00000000-0000-0000-0000-000000000000", transport=Transport(),
                                   polling_interval=0)


def test_managed_through_the_real_sdk(answers: Answers, secrets: Secrets) -> None:
    from wizard.standin.fake_windows import simulate

    server: dict[str, Any] = {}
    wire: list[tuple[str, str, Any]] = []
    store: dict[str, Any] = {}

    def handler(method: str, url: str, body: Any) -> tuple[int, Any]:
        wire.append((method, url, body))
        path = url.split("?")[0]
        if method == "PUT":
            props = body["properties"]
            params = {p["name"]: p["value"] for p in props["parameters"]}
            protected = {p["name"]: p["value"] for p in props["protectedParameters"]}
            out, err, code = simulate(props["source"]["script"], params, protected, server, None)
            public = {k: v for k, v in props.items() if k != "protectedParameters"}
            store[path] = {"location": body["location"], "properties": {
                **public, "provisioningState": "Succeeded",
                "instanceView": {"executionState": "Succeeded" if code == 0 else "Failed", "exitCode": code,
                                 "output": out, "error": err}}}
            return 200, {**store[path], "properties": {**public, "provisioningState": "Succeeded"}}
        if method == "GET" and path.endswith("/runCommands"):
            # The leftover sweep: one earlier run command of this script, left by a killed run.
            return 200, {"value": [{"name": "hpcshare-configure-server-0123456789ab", "tags": {"managed-by": "hpcshare"},
                                    "location": "westeurope", "properties": {}}]}
        if method == "GET":
            assert "%24expand=instanceView" in url or "$expand=instanceView" in url
            return 200, store[path]
        if method == "DELETE" and path.endswith("-0123456789ab"):
            return 200, None
        if method == "DELETE":
            store.pop(path)
            return 200, None
        raise AssertionError((method, url))

    shell = ManagedRunCommandShell(_wire_client(handler), "rg-hpc", "fs01", "westeurope")
    result = configure_server(shell, answers, None, secrets)
    assert result.ok, result.results
    assert [m for m, *_ in wire] == ["GET", "DELETE", "PUT", "GET", "DELETE"]
    assert wire[1][1].split("?")[0].endswith("/runCommands/hpcshare-configure-server-0123456789ab")
    put = wire[2]
    assert re.search(r"/resourceGroups/rg-hpc/providers/Microsoft\.Compute/virtualMachines/fs01/runCommands/"
                     r"hpcshare-configure-server-[0-9a-f]{12}\?api-version=", put[1])
    assert set(put[2]["properties"]) >= {"source", "parameters", "protectedParameters", "timeoutInSeconds"}
    assert "protected_parameters" not in json.dumps(put[2])       # camelCase on the wire
    assert decode_param(put[2]["properties"]["protectedParameters"][0]["value"]) == {"share_password": SHARE_PASSWORD}
    assert store == {}


def test_managed_leaves_a_run_command_that_is_being_deleted_alone(answers: Answers, secrets: Secrets) -> None:
    """The previous call's cleanup DELETE is not awaited, so the next call finds that run command
    Deleting: a second DELETE would only make this call wait for the first."""
    from wizard.standin.fake_windows import simulate

    server: dict[str, Any] = {}
    wire: list[tuple[str, str]] = []
    store: dict[str, Any] = {}

    def handler(method: str, url: str, body: Any) -> tuple[int, Any]:
        wire.append((method, url.split("?")[0]))
        path = url.split("?")[0]
        if method == "GET" and path.endswith("/runCommands"):
            return 200, {"value": [{"name": "hpcshare-configure-server-0123456789ab", "tags": {"managed-by": "hpcshare"},
                                    "location": "westeurope", "properties": {"provisioningState": "Deleting"}}]}
        if method == "PUT":
            props = body["properties"]
            params = {p["name"]: p["value"] for p in props["parameters"]}
            protected = {p["name"]: p["value"] for p in props["protectedParameters"]}
            out, err, code = simulate(props["source"]["script"], params, protected, server, None)
            store[path] = {"location": body["location"], "properties": {
                "provisioningState": "Succeeded",
                "instanceView": {"executionState": "Succeeded" if code == 0 else "Failed", "exitCode": code,
                                 "output": out, "error": err}}}
            return 200, store[path]
        if method == "GET":
            return 200, store[path]
        if method == "DELETE":
            assert not path.endswith("-0123456789ab"), "deleted a run command that was already being deleted"
            store.pop(path)
            return 200, None
        raise AssertionError((method, url))

    shell = ManagedRunCommandShell(_wire_client(handler), "rg-hpc", "fs01", "westeurope")
    assert configure_server(shell, answers, None, secrets).ok
    assert [m for m, _ in wire] == ["GET", "PUT", "GET", "DELETE"]


def test_action_through_the_real_sdk(answers: Answers, secrets: Secrets) -> None:
    from wizard.standin.fake_windows import simulate

    server: dict[str, Any] = {}
    wire: list[tuple[str, str, Any]] = []

    def handler(method: str, url: str, body: Any) -> tuple[int, Any]:
        wire.append((method, url, body))
        assert method == "POST" and "/virtualMachines/fs01/runCommand?" in url
        params = {p["name"]: p["value"] for p in body["parameters"]}
        out, err, _ = simulate("\n".join(body["script"]), params, {}, server, None)
        return 200, {"value": [{"code": "ComponentStatus/StdOut/succeeded", "message": out[-4096:]},
                               {"code": "ComponentStatus/StdErr/succeeded", "message": err}]}

    shell = ActionRunCommandShell(_wire_client(handler), "rg-hpc", "fs01")
    assert configure_server(shell, answers, None, secrets).ok
    assert self_test(shell, answers, secrets).ok
    assert len(wire) == 2 and wire[0][2]["commandId"] == "RunPowerShellScript"


# ---- WinRM ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", SCRIPTS)
def test_winrm_hostile_values_at_the_protocol_boundary(name: str) -> None:
    script = load_script(name)
    for config, secret in _value_cases():
        proto = FakeProtocol()
        shell = WinRmShell("fs01.westeurope.cloudapp.azure.com", "hpcadmin", "pw", pin=PIN, protocol_factory=lambda **kw: proto)
        shell.run(script, config, secret)
        (_, open_kw), (_, (command, args, console_stdin, skip_cmd)) = proto.calls[0], proto.calls[1]
        assert open_kw == {"codepage": 65001, "noprofile": True}
        assert command == COMMAND == "powershell.exe" and args == ARGUMENTS    # constant, whatever the values
        assert console_stdin is False and skip_cmd is False
        sent_script, cfg_b64, sec_b64 = split_stdin(proto.stdin)
        assert sent_script.encode() == script.encode()
        assert decode_param(cfg_b64) == config and decode_param(sec_b64) == secret
        assert all(B64.match(x) for x in (cfg_b64, sec_b64))
        assert proto.stdin == stdin_payload(script, config, secret)
        _assert_no_raw_value(command + " ".join(args))
        assert [c[0] for c in proto.calls][-2:] == ["cleanup_command", "close_shell"]


def test_winrm_stdin_is_chunked_and_closed_once() -> None:
    proto = FakeProtocol()
    shell = WinRmShell("10.0.0.4", "hpcadmin", "pw", pin=PIN, protocol_factory=lambda **kw: proto)
    shell.run(load_script(CONFIGURE_SERVER), {"x": "y" * 100_000}, {"share_password": "s"})
    sends = [c[1] for c in proto.calls if c[0] == "send_command_input"]
    assert len(sends) > 2 and all(n <= STDIN_CHUNK for n, _ in sends)
    assert [end for _, end in sends] == [False] * (len(sends) - 1) + [True]


def test_winrm_cleans_up_after_errors() -> None:
    class Broken(FakeProtocol):
        def get_command_output(self, shell_id: str, command_id: str) -> Any:
            raise ConnectionError("reset")

    proto = Broken()
    with pytest.raises(ConnectionError):
        WinRmShell("fs01", "u", "p", pin=PIN, protocol_factory=lambda **kw: proto).run(load_script(SELF_TEST), {}, {})
    assert [c[0] for c in proto.calls][-2:] == ["cleanup_command", "close_shell"]


def test_winrm_builds_an_https_ntlm_protocol_that_pins_the_certificate() -> None:
    shell = WinRmShell("fs01.westeurope.cloudapp.azure.com", "hpcadmin", "pw", pin=PIN)
    with PIN.trust_file() as trust:
        assert open(trust).read() == PIN.pem                       # only the pinned certificate is trusted
        proto = shell.protocol(trust)
        assert type(proto).__module__ == "winrm.protocol"
        t = proto.transport
        assert t.endpoint == "https://fs01.westeurope.cloudapp.azure.com:5986/wsman"
        assert t.auth_method == "ntlm" and t.server_cert_validation == "validate" and t.ca_trust_path == trust
        assert t.session.verify == trust
        adapter = t.session.get_adapter("https://fs01.westeurope.cloudapp.azure.com:5986/wsman")
        assert adapter.poolmanager.connection_pool_kw["assert_fingerprint"] == PIN.sha256
    assert not os.path.exists(trust)                                 # the trust file lives for one run
    assert "pw" not in repr(shell)
    assert WinRmShell("10.0.0.4", "hpcadmin", "pw", pin=PIN, port=5999).url == "https://10.0.0.4:5999/wsman"
    for bad in ("fs01; calc", "http://fs01", "fs01:5986", "", "a b"):
        with pytest.raises(ValueError):
            WinRmShell(bad, "u", "p", pin=PIN)
    with pytest.raises(ValueError, match="pinned certificate"):
        WinRmShell("fs01", "u", "p", pin=None)  # type: ignore[arg-type]


def test_winrm_through_real_pywinrm_soap(answers: Answers, secrets: Secrets) -> None:
    """pywinrm's real Protocol builds the SOAP; a WS-Man fake answers and runs the command."""
    import winrm.protocol

    wsman = FakeWsmanServer()

    def factory(**kwargs: Any) -> Any:
        proto = winrm.protocol.Protocol(**kwargs)
        proto.transport.send_message = wsman.send_message  # type: ignore[method-assign]
        return proto

    shell = WinRmShell("fs01.example.net", "hpcadmin", "pw", pin=PIN, protocol_factory=factory)
    first = configure_server(shell, answers, None, secrets)
    assert first.ok and first.exit_code == 0 and first.transport == "winrm"
    assert [r.status for r in first.results] == ["changed"] * 7
    assert wsman.command_line == ("powershell.exe", " ".join(ARGUMENTS))
    assert wsman.options["WINRS_CONSOLEMODE_STDIN"] == "FALSE" and wsman.options["WINRS_CODEPAGE"] == "65001"
    command_xml = next(r for r in wsman.requests if "/shell/Command<" in r)
    assert SHARE_PASSWORD not in command_xml and "MyShare" not in command_xml
    assert base64.b64encode(SHARE_PASSWORD.encode()).decode() not in "".join(wsman.requests)
    wsman.stdin, wsman.stdin_closed = b"", False
    assert self_test(shell, answers, secrets).ok


def test_clean_clixml() -> None:
    raw = (b'#< CLIXML\r\n<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04">'
           b'<S S="Error">Access is denied._x000D__x000A_</S><S S="Error">At line:1</S></Objs>')
    assert clean_clixml(raw) == "Access is denied.\nAt line:1"
    assert clean_clixml(b"plain text") == "plain text"


@pytest.mark.parametrize("name", SCRIPTS)
def test_winrm_hostile_values_through_real_pywinrm_soap(name: str) -> None:
    """The SOAP pywinrm really sends: the Command element never changes; stdin carries the values."""
    import winrm.protocol

    script = load_script(name)
    command_lines = set()
    for config, secret in _value_cases():
        wsman = FakeWsmanServer()

        def factory(**kwargs: Any) -> Any:
            proto = winrm.protocol.Protocol(**kwargs)
            proto.transport.send_message = wsman.send_message  # type: ignore[method-assign]
            return proto

        result = WinRmShell("fs01.example.net", "hpcadmin", "pw", pin=PIN, protocol_factory=factory).run(script, config, secret)
        assert len(result.results) == len(SUBSTEPS[name])         # the script refuses them: start failure
        command_lines.add(wsman.command_line)
        sent_script, cfg_b64, sec_b64 = split_stdin(wsman.stdin)
        assert sent_script == script and decode_param(cfg_b64) == config and decode_param(sec_b64) == secret
        for request in wsman.requests:
            if "/shell/Send<" not in request:
                _assert_no_raw_value(request)
    assert command_lines == {("powershell.exe", " ".join(ARGUMENTS))}
