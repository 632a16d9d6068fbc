"""Wires the plan's steps to what does them: Azure steps, the remote configuration
(``remote_steps``), the probe and the artifact writer. Front ends get a ready Runner from
``make_runner`` (through ``wizard.provision``) and never see the wiring; ``hpcshare generate`` and
``teardown`` use the functions at the end."""
from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wizard.answers import Answers, Secrets
from wizard.facts import ServerFacts
from wizard.plan import Names, Plan
from wizard.remote.protocol import CONFIGURE_SERVER, SELF_TEST, WINRM_BOOTSTRAP
from wizard.runner import Runner, StepContext, StepFailed
from wizard.state import RunState

if TYPE_CHECKING:
    from wizard.assessment import Assessment
    from wizard.azure.teardown import TeardownTarget
    from wizard.environment import Environment

# Remote steps are slow round trips (tens of seconds on Azure): an unchanged one is not redone.
# Not winrm-bootstrap: it runs on every run (one Run Command, "ok" when nothing changed) so that the
# certificate WinRM pins always comes fresh from the server through Run Command, which Azure
# authenticates; a different certificate on 5986 then means something else answered, never drift.
SKIP_WHEN_UNCHANGED = frozenset({CONFIGURE_SERVER, SELF_TEST})
# The artifacts step's output key for the cost, quota and throughput lines of SUMMARY.md.
ASSESSMENT_OUTPUT = "assessment"


def facts_from(answers: Answers, outputs: dict[str, dict[str, Any]], *, demo: bool = False) -> ServerFacts:
    """What the artifacts need. Everything can be derived from the answers (static private IP,
    deterministic DNS name); run outputs add the resource ids and the public address."""
    ep = answers.endpoints
    if answers.azure_files:
        return _files_facts(answers, outputs, demo=demo)
    pip = outputs.get("public-ip", {}) if ep.public_ip else {}
    fqdn = pip.get("fqdn") or (f"{ep.dns_label}.{answers.subscription.region}.cloudapp.azure.com"
                               if ep.public_ip and ep.dns_label else None)
    ids = {step: str(out["id"]) for step, out in outputs.items() if isinstance(out, dict) and out.get("id")}
    return ServerFacts(
        server_name=answers.vm.name,
        private_ip=str(outputs.get("nic", {}).get("private_ip") or ep.private_ip),
        public_ip=pip.get("ip_address"),
        fqdn=fqdn,
        subscription_id=answers.subscription.id,
        resource_group=answers.subscription.resource_group,
        region=answers.subscription.region,
        resource_ids=ids,
        demo=demo,
    )


def _files_facts(answers: Answers, outputs: dict[str, dict[str, Any]], *, demo: bool = False) -> ServerFacts:
    """Azure Files: the "server" is <account>.file.core.windows.net, found at the private
    endpoint's address (which Azure may have picked: only the run knows it)."""
    from wizard.plan import files_host

    ids = {step: str(out["id"]) for step, out in outputs.items() if isinstance(out, dict) and out.get("id")}
    return ServerFacts(
        server_name=files_host(answers),
        private_ip=str(outputs.get("private-endpoint", {}).get("private_ip") or answers.files.private_ip),
        subscription_id=answers.subscription.id,
        resource_group=answers.subscription.resource_group,
        region=answers.subscription.region,
        resource_ids=ids,
        demo=demo,
    )


def make_runner(env: "Environment", plan: Plan, secrets: Secrets, state: RunState, *, out_dir: Path,
                assessment: "Assessment | None" = None) -> Runner:
    """``assessment``: the preflight's cost, quota and throughput, written into SUMMARY.md."""
    from wizard.azure.errors import explain
    from wizard.azure.files import FILES_AZURE_STEPS
    from wizard.azure.privatedns import ensure_private_dns
    from wizard.azure.steps import AZURE_STEPS, Target

    azure_steps = {**AZURE_STEPS, "private-dns": ensure_private_dns, **FILES_AZURE_STEPS}
    target = Target(env, plan.answers, plan.names, secrets)
    actions: dict[str, Any] = {}
    for step in plan.steps:
        if step.id in azure_steps:
            actions[step.id] = functools.partial(_call, azure_steps[step.id], target)
    share_set: dict[str, bool] = {}           # did configure-server set the share password in this run?

    def configure(ctx: StepContext) -> dict[str, Any]:
        out = _remote_step(CONFIGURE_SERVER, target, ctx)
        share_set["now"] = bool(out.get("share_password_set"))
        return out

    def self_test(ctx: StepContext) -> dict[str, Any]:
        if secrets.share_generated and not share_set.get("now"):
            # The share user kept the password an earlier run set; this run's generated one is not it.
            ctx.warn("Not tested: the share user's password was set in an earlier run and this run does not "
                     "know it. Run again with that password in the environment, or set a new one with "
                     "hpcshare reset-password --user share.")
            return {"tested": False, "changed": False, "summary": "not tested: the share password is not known"}
        return {**_remote_step(SELF_TEST, target, ctx), "tested": True}

    actions[CONFIGURE_SERVER] = configure
    actions[SELF_TEST] = self_test
    actions[WINRM_BOOTSTRAP] = functools.partial(_remote_step, WINRM_BOOTSTRAP, target)
    actions["probe"] = functools.partial(_files_probe if plan.answers.azure_files else _probe, target)
    lines = tuple(assessment.text_lines(after_run=True)) if assessment is not None else ()
    actions["artifacts"] = functools.partial(_artifacts, target, out_dir, lines)
    skip = set(SKIP_WHEN_UNCHANGED)
    if not secrets.share_generated and state.outputs(SELF_TEST).get("tested") is False:
        # An earlier self-test could not log on (password unknown then); now it is known: test.
        skip.discard(SELF_TEST)
    return Runner(plan, {s.id: actions[s.id] for s in plan.steps}, state, secrets,
                  skip_when_unchanged=frozenset(skip), explain=explain)


def _call(fn: Any, target: Any, ctx: StepContext) -> dict[str, Any]:
    return fn(ctx, target)


def _remote_step(name: str, target: Any, ctx: StepContext) -> dict[str, Any]:
    from wizard.execute.remote_steps import run_remote_step

    return run_remote_step(name, target, ctx)


def _probe(target: Any, ctx: StepContext) -> dict[str, Any]:
    from wizard.verify import probe_share

    answers: Answers = target.answers
    facts = facts_from(answers, ctx.outputs)
    host = facts.fqdn or facts.public_ip
    if target.env.demo or not host:
        ctx.warn("Skipped: the demo's public IP is not a real server. On Azure this step connects to "
                 "TCP 445 from this machine with the share user's credentials.")
        return {"probed": False, "changed": False}
    report = probe_share(host, answers.share.name, answers.account.username, target.secrets.share_password,
                         encrypt=answers.share.encrypt or None)
    for s in report.steps:
        ctx.substep(s.name, "done" if s.ok else "failed", s.message)
    if not report.ok and report.failure is not None:
        raise StepFailed(report.failure.message, report.failure.hint)
    return {"probed": True, "host": host, "changed": False}


def _files_probe(target: Any, ctx: StepContext) -> dict[str, Any]:
    """Azure Files: the share probed with the account key where this machine reaches the private
    endpoint (inside the VNet; in a demo, a local SMB server); elsewhere the command to run from a node."""
    from wizard.passwords import KEY_READ_BY
    from wizard.plan import files_host, files_user, verify_command
    from wizard.verify import probe_share

    answers: Answers = target.answers
    host, share, user = files_host(answers), answers.share.name, files_user(answers.files.account)
    ip = facts_from(answers, ctx.outputs).private_ip
    command = verify_command(host, share, user)
    where = target.env.smb_address(ip)
    key = ctx.revealed.get(KEY_READ_BY)
    report = None
    if where is not None and key:
        report = probe_share(host, share, user, key, port=where[1], address=where[0], timeout=5.0,
                             encrypt=answers.share.encrypt or None)
    if report is None or (report.failure is not None and report.failure.kind == "unreachable"):
        shown = f"{ip}:445" if where is None else f"{where[0]}:{where[1]}"
        ctx.warn(f"Not reachable from here: {host} ({shown}) answers inside the VNet only. "
                 f"From a node, run: {command}")
        return {"probed": False, "changed": False, "summary": f"not reachable from here; from a node: {command}"}
    for s in report.steps:
        ctx.substep(s.name, "done" if s.ok else "failed", s.message)
    if not report.ok and report.failure is not None:
        raise StepFailed(report.failure.message, report.failure.hint)
    return {"probed": True, "host": host, "changed": False,
            "summary": f"probe passed: wrote, read and deleted a file on \\\\{host}\\{share}"}


def _artifacts(target: Any, out_dir: Path, assessment: tuple[str, ...], ctx: StepContext) -> dict[str, Any]:
    from wizard.artifacts import write_artifacts
    from wizard.artifacts.writer import OutDirRefused

    try:
        written = write_artifacts(target.answers, facts_from(target.answers, ctx.outputs, demo=target.env.demo), out_dir,
                                  assessment=assessment)
    except OutDirRefused as exc:
        raise StepFailed(str(exc), "Choose an output folder of your own, then re-run.") from None
    for path in written:
        ctx.log(f"Wrote {path}")
    # The lines are kept with the step's outputs so that ``hpcshare generate`` (no Azure call)
    # writes the same SUMMARY.md section.
    return {"out_dir": str(out_dir), "files": [p.name for p in written], "summary": f"{len(written)} files in {out_dir}",
            ASSESSMENT_OUTPUT: list(assessment)}


def generate_artifacts(answers: Answers, state: RunState, out_dir: Path, *,
                       embed_password: str | None, demo: bool = False) -> list[Path]:
    """``hpcshare generate``: from the answers and the last run's recorded outputs; no Azure call."""
    from wizard.artifacts import write_artifacts

    facts = facts_from(answers, state.all_outputs(), demo=demo)
    assessment = [str(line) for line in state.outputs("artifacts").get(ASSESSMENT_OUTPUT) or ()]
    return write_artifacts(answers, facts, out_dir, embed_password=embed_password, assessment=assessment)


def find_teardown_targets(env: "Environment", answers: Answers) -> list["TeardownTarget"]:
    from wizard.azure.errors import explain
    from wizard.azure.steps import Target
    from wizard.azure.teardown import find_targets

    try:
        return find_targets(Target(env, answers, Names.of(answers), Secrets("", "")))
    except Exception as exc:
        failure = explain(exc)
        raise StepFailed(failure.message, failure.hint) from None


@dataclass(frozen=True)
class TeardownOutcome:
    """What happened to one tagged resource; the front end words it."""
    type: str
    name: str
    result: str                # "deleted", the target's own word (e.g. "gone"), or "failed"
    message: str = ""          # the failure's cause
    hint: str = ""

    @property
    def ok(self) -> bool:
        return self.result != "failed"


def run_teardown(targets: list["TeardownTarget"], state: RunState) -> list[TeardownOutcome]:
    """Delete each target in order; a failure does not stop the others. When all went, the
    profile's run state is cleared (a next run starts from nothing)."""
    from wizard.azure.errors import explain

    outcomes: list[TeardownOutcome] = []
    for t in targets:
        try:
            result = t.delete(lambda line: print(f"  waiting  {line}", flush=True))
        except Exception as exc:
            failure = explain(exc)
            outcomes.append(TeardownOutcome(t.type, t.name, "failed", failure.message, failure.hint))
            continue
        outcomes.append(TeardownOutcome(t.type, t.name, result if isinstance(result, str) else "deleted"))
    if all(o.ok for o in outcomes):
        state.clear()
    return outcomes
