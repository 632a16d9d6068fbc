"""Run Command, managed and action forms, with the script simulator replaced by a recording fake."""
from __future__ import annotations

import json

import pytest
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError

from wizard.standin import StandIn

from .conftest import FakeSimulator
from .helpers import REGION, Clients, create_vm, make_clients

SECRET = "S3cret-Share-Pa55!"


def _managed(script: str = "# hpcshare-script: configure-server\nWrite-Output hi", **props) -> dict:
    return {"location": REGION, "properties": {
        "source": {"script": script},
        "parameters": [{"name": "ConfigB64", "value": "eyJhIjoxfQ=="}],
        "protectedParameters": [{"name": "SecretB64", "value": SECRET}],
        **props}}


def test_managed_run_command(standin: StandIn, clients: Clients, simulator: FakeSimulator) -> None:
    simulator.answer = lambda call: ("HPCSHARE_RESULT {\"step\":\"disk\",\"status\":\"changed\"}\r\n", "", 0)
    create_vm(clients)
    rc = clients.cmc.virtual_machine_run_commands.begin_create_or_update("rg-fs", "fs01", "configure", _managed()).result()
    assert rc.provisioning_state == "Succeeded"
    assert rc.protected_parameters is None
    assert [(p.name, p.value) for p in rc.parameters] == [("ConfigB64", "eyJhIjoxfQ==")]

    call = simulator.calls[0]
    assert call["script"].startswith("# hpcshare-script: configure-server")
    assert call["parameters"] == {"ConfigB64": "eyJhIjoxfQ=="}
    assert call["protected"] == {"SecretB64": SECRET}
    assert call["fail_substep"] is None
    assert call["server"]["computer_name"] == "fs01"
    assert call["server"]["data_disks"] == [{"lun": 0, "size_gib": 1024}]

    got = clients.cmc.virtual_machine_run_commands.get_by_virtual_machine("rg-fs", "fs01", "configure", expand="instanceView")
    view = got.instance_view
    assert str(getattr(view.execution_state, "value", view.execution_state)) == "Succeeded"
    assert view.exit_code == 0 and view.output.startswith("HPCSHARE_RESULT") and view.error == ""
    assert view.start_time is not None and view.end_time is not None
    plain = clients.cmc.virtual_machine_run_commands.get_by_virtual_machine("rg-fs", "fs01", "configure")
    assert plain.instance_view is None
    assert [r.name for r in clients.cmc.virtual_machine_run_commands.list_by_virtual_machine("rg-fs", "fs01")] == ["configure"]

    # The secret is nowhere: not in answers, not in the stored state, not in the request log.
    assert SECRET not in json.dumps(standin.resources())
    assert SECRET not in json.dumps(got.as_dict())

    clients.cmc.virtual_machine_run_commands.begin_delete("rg-fs", "fs01", "configure").result()
    with pytest.raises(ResourceNotFoundError):
        clients.cmc.virtual_machine_run_commands.get_by_virtual_machine("rg-fs", "fs01", "configure")


def test_managed_run_command_failure_and_substep_fault(standin: StandIn, clients: Clients, simulator: FakeSimulator) -> None:
    simulator.answer = lambda call: ("partial\r\n", "boom", 1) if call["fail_substep"] else ("ok", "", 0)
    create_vm(clients)
    standin.set_faults("runcommand.put=substep:share")
    clients.cmc.virtual_machine_run_commands.begin_create_or_update("rg-fs", "fs01", "configure", _managed()).result()
    assert simulator.calls[-1]["fail_substep"] == "share"
    view = clients.cmc.virtual_machine_run_commands.get_by_virtual_machine("rg-fs", "fs01", "configure", expand="instanceView").instance_view
    assert str(getattr(view.execution_state, "value", view.execution_state)) == "Failed"
    assert view.exit_code == 1 and view.error == "boom"
    # treatFailureAsDeploymentFailure turns a failing script into a failed operation.
    standin.set_faults("runcommand.put=substep:share")
    with pytest.raises(HttpResponseError) as err:
        clients.cmc.virtual_machine_run_commands.begin_create_or_update(
            "rg-fs", "fs01", "configure", _managed(treatFailureAsDeploymentFailure=True)).result()
    assert err.value.error.code == "VMExtensionProvisioningError"


def test_managed_run_command_needs_the_vm(clients: Clients, simulator: FakeSimulator) -> None:
    clients.rmc.resource_groups.create_or_update("rg-fs", {"location": REGION})
    with pytest.raises(ResourceNotFoundError) as err:
        clients.cmc.virtual_machine_run_commands.begin_create_or_update("rg-fs", "ghost", "rc", _managed()).result()
    assert err.value.error.code == "ParentResourceNotFound"
    assert simulator.calls == []


def test_action_run_command(standin: StandIn, clients: Clients, simulator: FakeSimulator) -> None:
    long_output = "".join(f"line {i:05d}\n" for i in range(1000))      # 11,000 bytes
    simulator.answer = lambda call: (long_output, "a warning", 0)
    create_vm(clients)
    result = clients.cmc.virtual_machines.begin_run_command("rg-fs", "fs01", {
        "commandId": "RunPowerShellScript", "script": ["# hpcshare-script: self-test", "Write-Output x"],
        "parameters": [{"name": "ConfigB64", "value": "e30="}]}).result()
    stdout, stderr = result.value
    assert stdout.code == "ComponentStatus/StdOut/succeeded" and stderr.code == "ComponentStatus/StdErr/succeeded"
    assert len(stdout.message.encode()) == 4096 and long_output.endswith(stdout.message)
    assert stderr.message == "a warning"
    call = simulator.calls[0]
    assert call["script"] == "# hpcshare-script: self-test\nWrite-Output x"
    assert call["parameters"] == {"ConfigB64": "e30="} and call["protected"] == {}
    start = next(i for i, (m, p, _) in enumerate(standin.requests) if m == "POST")
    after = [(m, s) for m, p, s in standin.requests[start:]]
    assert after[0] == ("POST", 202) and all(s == 200 for _, s in after[1:]) and len(after) >= 3


def test_action_run_command_one_at_a_time(tmp_path, simulator: FakeSimulator) -> None:
    state = tmp_path / "state.json"
    with StandIn(state_file=state) as quick:                  # build the VM without waiting
        create_vm(make_clients(quick, retry_total=0))
    with StandIn(state_file=state, latency="realistic", scale=0.02) as s:   # a run command takes 0.54 s
        c = make_clients(s, retry_total=0)
        first = c.cmc.virtual_machines.begin_run_command("rg-fs", "fs01", {"commandId": "RunPowerShellScript", "script": ["1"]})
        with pytest.raises(HttpResponseError) as err:
            c.cmc.virtual_machines.begin_run_command("rg-fs", "fs01", {"commandId": "RunPowerShellScript", "script": ["2"]})
        assert err.value.status_code == 409 and err.value.error.code == "Conflict"
        assert first.result().value[0].message == "ok\n"
        # Once the first one finished, the next one is accepted.
        c.cmc.virtual_machines.begin_run_command("rg-fs", "fs01", {"commandId": "RunPowerShellScript", "script": ["3"]})
        assert [call["script"] for call in simulator.calls] == ["1", "3"]
        assert [st for m, p, st in s.requests if m == "POST"] == [202, 409, 202]


def test_action_run_command_lro_fail_and_bad_input(standin: StandIn, clients: Clients, simulator: FakeSimulator) -> None:
    create_vm(clients)
    standin.set_faults("runcommand-action.post=lro-fail")
    with pytest.raises(HttpResponseError) as err:
        clients.cmc.virtual_machines.begin_run_command("rg-fs", "fs01", {"commandId": "RunPowerShellScript", "script": ["x"]}).result()
    assert err.value.error.code == "VMAgentStatusCommunicationError"
    with pytest.raises(HttpResponseError) as err:
        clients.cmc.virtual_machines.begin_run_command("rg-fs", "fs01", {"commandId": "RunShellScript", "script": ["ls"]})
    assert err.value.status_code == 400 and err.value.error.code == "InvalidParameter"
    with pytest.raises(HttpResponseError) as err:
        clients.cmc.virtual_machines.begin_run_command("rg-fs", "fs01", {"command_id": "RunPowerShellScript"})
    assert err.value.error.code == "InvalidRequestContent"


def test_simulator_missing_is_a_failed_script_not_a_crash(clients: Clients, monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib

    real = importlib.import_module

    def import_module(name: str, package: str | None = None):
        if name == "wizard.standin.fake_windows":
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return real(name, package)

    monkeypatch.setattr(importlib, "import_module", import_module)
    create_vm(clients)
    result = clients.cmc.virtual_machines.begin_run_command("rg-fs", "fs01", {"commandId": "RunPowerShellScript", "script": ["x"]}).result()
    assert "fake_windows is not available" in result.value[1].message
