"""The preview of a re-run (wizard.changes): which steps redo and why, old -> new, what stays
behind, and what happens to the share password. Unit level on a RunState; the command line and
the stand-in in tests/integration/test_plan_changes.py."""
from __future__ import annotations

from wizard.answers import build_answers, resolve
from wizard.changes import preview_changes
from wizard.plan import build_plan
from wizard.state import RunState


def _plan(**changes: object):
    values = {"subscription.id": "00000000-0000-0000-0000-000000000001", "subscription.region": "westeurope",
              "subscription.resource_group": "rg", "vm.name": "fs01"}
    values.update({k.replace("__", "."): v for k, v in changes.items()})
    res = resolve(saved=values, require=True)
    assert res.ok, res.errors
    return build_plan(build_answers("p", res.values))


def _ran(plan) -> RunState:
    state = RunState(None)
    for s in plan.steps:
        state.record(s.id, plan.fingerprints[s.id], {}, dict(s.inputs))
    state.set_status("succeeded")
    return state


def test_a_profile_that_never_ran_has_no_preview() -> None:
    assert preview_changes(_plan(), RunState(None), share_password_given=False).lines() == []


def test_nothing_changed_says_so() -> None:
    p = _plan()
    preview = preview_changes(p, _ran(p), share_password_given=False)
    assert preview.redo == () and preview.lines()[0].startswith("Changes since the last run: none")


def test_renamed_share_redoes_configure_and_downstream_and_leaves_the_old_share() -> None:
    old = _plan(share__name="Data")
    new = _plan(share__name="Projects")
    preview = preview_changes(new, _ran(old), share_password_given=False)
    assert [s.step for s in preview.redo] == ["configure-server", "self-test", "artifacts"]
    assert [c.line() for c in preview.answer_changes] == ["Share name (share.name): 'Data' -> 'Projects'"]
    assert preview.redo[1].why == "after" and preview.redo[1].after == ("configure-server",)
    assert "resource-group" in preview.unchanged and "vm" in preview.unchanged
    assert any("\\\\fs01\\Data stays" in line and "Remove-SmbShare -Name 'Data'" in line for line in preview.left_behind)
    assert "keeps its password" in preview.password
    # A password given for this run is set instead, and the preview says so.
    given = preview_changes(new, _ran(old), share_password_given=True)
    assert "set to the one given" in given.password


def test_a_new_vm_size_redoes_the_vm_step_and_everything_after_it() -> None:
    old = _plan()
    new = _plan(vm__size="Standard_D8s_v5")
    preview = preview_changes(new, _ran(old), share_password_given=False)
    assert preview.redo[0].step == "vm" and preview.redo[0].changes[0].new == "Standard_D8s_v5"
    assert preview.left_behind == ()


def test_a_record_without_inputs_still_names_the_step() -> None:
    old = _plan(share__name="Data")
    state = _ran(old)
    state.steps["configure-server"].inputs = {}
    preview = preview_changes(_plan(share__name="Projects"), state, share_password_given=False)
    assert preview.redo[0].why == "unrecorded"
