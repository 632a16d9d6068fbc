"""Fakes for the UI tests: a Catalog with a few subscriptions, regions, sizes and VNets, and a
runner factory whose steps are tiny functions (one can fail on its first try)."""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from wizard.catalog import NicInfo, RegionInfo, SignInFailed, SubscriptionInfo, VmSizeInfo, VnetInfo
from wizard.runner import Runner, StepContext, StepFailed

SUB_ID = "11111111-2222-3333-4444-555555555555"
OTHER_SUB = "99999999-8888-7777-6666-555555555555"


class FakeCatalog:
    def __init__(self, *, fail_first: set[str] | None = None, delay: float = 0.0,
                 gate: threading.Event | None = None) -> None:
        self.calls: list[tuple[str, tuple[str, ...]]] = []
        self.fail_first = set(fail_first or ())
        self.delay = delay
        self.gate = gate              # calls wait until the test sets it
        self._lock = threading.Lock()

    def _enter(self, kind: str, *args: str) -> None:
        with self._lock:
            self.calls.append((kind, args))
            fail = kind in self.fail_first
            self.fail_first.discard(kind)
        if self.delay:
            time.sleep(self.delay)
        if self.gate is not None:
            self.gate.wait(10)
        if fail and kind == "sign-in":
            raise SignInFailed("Azure sign-in with the Azure CLI login (subscription.auth = cli) failed: "
                               "Azure CLI not found on path. To fix: run 'az login'. Nothing was changed.")
        if fail:
            raise ConnectionError(f"could not reach Azure for {kind}")

    def check_sign_in(self, subscription_id: str) -> None:
        self._enter("sign-in", subscription_id)

    def subscriptions(self) -> list[SubscriptionInfo]:
        self._enter("subscriptions")
        return [SubscriptionInfo(SUB_ID, "HPC Lab", "Enabled"),
                SubscriptionInfo(OTHER_SUB, "Old trial", "Disabled")]

    def regions(self, subscription_id: str) -> list[RegionInfo]:
        self._enter("regions", subscription_id)
        return [RegionInfo("eastus", "East US"), RegionInfo("northeurope", "North Europe"),
                RegionInfo("westeurope", "West Europe")]

    def vm_sizes(self, subscription_id: str, region: str) -> list[VmSizeInfo]:
        self._enter("vm-sizes", subscription_id, region)
        return [
            VmSizeInfo("Standard_B2s", 2, 4, 4, True),
            VmSizeInfo("Standard_D2_v5", 2, 8, 4, False),
            VmSizeInfo("Standard_D2s_v5", 2, 8, 4, True),
            VmSizeInfo("Standard_D4s_v5", 4, 16, 8, True),
            VmSizeInfo("Standard_D8s_v5", 8, 32, 16, True),
            VmSizeInfo("Standard_E8s_v5", 8, 64, 16, True),
            VmSizeInfo("Standard_F16s_v2", 16, 32, 32, True),
            VmSizeInfo("Standard_M128s", 128, 2048, 64, True, restricted=True),
        ]

    def vnets(self, subscription_id: str, region: str) -> list[VnetInfo]:
        self._enter("vnets", subscription_id, region)
        return [VnetInfo("vnet-cluster", "rg-cluster", ("10.1.0.0/16",), (("compute", "10.1.0.0/24"),))]

    def nics(self, subscription_id: str, region: str) -> list[NicInfo]:
        self._enter("nics", subscription_id, region)
        return [NicInfo("headnode-nic", "rg-cluster", "vnet-cluster", "rg-cluster", ("10.1.0.4",))]


ARTIFACTS = {
    "SUMMARY.md": ("# hpcshare summary\n\nAn SMB file server for HPC Pack jobs.\n\n## What was created\n\n"
                   "| | |\n| --- | --- |\n| File server | `{vm}` |\n| Private IP | `{ip}` |\n\n"
                   "## Submit a job\n\n```\n.\\submit-job.ps1 -Scheduler HEADNODE\n```\n\n"
                   "- It asks for the share password.\n"),
    "nodeprep.cmd": "@echo off\r\nrem hosts entry for {vm}\r\necho {ip} {vm}>>%SystemRoot%\\System32\\drivers\\etc\\hosts\r\n",
    "clusrun-hosts.cmd": "@echo off\r\nclusrun /nodegroup:AzureNodes nodeprep.cmd\r\n",
    "job-template.xml": '<?xml version="1.0"?>\n<Job xmlns="http://schemas.microsoft.com/HPCS2008R2/scheduler/" />\n',
    "submit-job.ps1": "$cred = Get-Credential\n",
    "submit-job.cmd": "@echo off\r\npowershell -File submit-job.ps1\r\n",
}


@dataclass
class FakeRun:
    """Runner factory: ``fail_once`` steps fail on their first attempt only."""
    fail_once: set[str] = field(default_factory=set)
    delay: float = 0.0
    hang: set[str] = field(default_factory=set)      # steps that wait until cancelled
    runners: list[Runner] = field(default_factory=list)
    calls: list[str] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)

    def __call__(self, session: Any) -> Runner:
        plan = session.plan()
        secrets = session.secrets()
        out_dir: Path = session.out_dir
        answers = plan.answers

        def action(step_id: str):
            def act(ctx: StepContext) -> dict[str, Any]:
                self.calls.append(step_id)
                if self.delay:
                    time.sleep(self.delay)
                if step_id in self.hang:
                    while not ctx.cancelled and not self.release.is_set():
                        time.sleep(0.01)
                ctx.log(f"checking {step_id}")
                for sub in ctx.step.substeps:
                    ctx.substep(sub, "running")
                    ctx.substep(sub, "done", f"{sub} ok")
                if step_id in self.fail_once:
                    self.fail_once.discard(step_id)
                    # The password must never reach the screen, even if an action leaks it.
                    raise StepFailed(f"Run Command timed out (password {secrets.share_password})",
                                     "The VM may still be starting; Retry in a minute.")
                if step_id == "artifacts":
                    out_dir.mkdir(parents=True, exist_ok=True)
                    for name, text in ARTIFACTS.items():
                        (out_dir / name).write_text(text.format(vm=answers.vm.name, ip=answers.endpoints.private_ip))
                        ctx.log(f"Wrote {out_dir / name}")
                # As the real steps report it (wizard.passwords.APPLIED_BY): the VM was created with
                # the admin password, configure-server set the share user's.
                applied = {"vm": {"admin_created": True}, "configure-server": {"share_password_set": True}}
                return {"id": f"/fake/{step_id}", "changed": True, **applied.get(step_id, {})}
            return act

        runner = Runner(plan, {s.id: action(s.id) for s in plan.steps}, session.run_state(), secrets)
        self.runners.append(runner)
        return runner


FULL_PROFILE: dict[str, Any] = {
    "subscription.auth": "cli", "subscription.id": SUB_ID, "subscription.region": "northeurope",
    "subscription.resource_group": "rg-saved", "subscription.currency": "EUR",
    "vm.name": "savedfs", "vm.size": "Standard_D8s_v5", "vm.image": "win2025-datacenter",
    "vm.admin_username": "fsadmin", "vm.zone": "2",
    "disk.sku": "StandardSSD_LRS", "disk.size_gb": 256, "disk.iops": 0, "disk.mbps": 0, "disk.caching": "None",
    "disk.drive_letter": "G", "disk.label": "jobs",
    "account.username": "jobuser",
    "share.name": "Jobs", "share.folder": "JobsData", "share.access": "full", "share.encrypt": True,
    "endpoints.vnet": "vnet-x", "endpoints.vnet_resource_group": "", "endpoints.vnet_cidr": "10.5.0.0/16", "endpoints.subnet": "files",
    "endpoints.subnet_cidr": "10.5.1.0/24", "endpoints.private_ip": "10.5.1.10",
    "endpoints.public_ip": False, "endpoints.dns_label": "", "endpoints.smb_source": "10.5.0.0/16",
    "endpoints.udp_445": False, "endpoints.rdp_source": "", "endpoints.private_dns_zone": "",
    "remote.transport": "run-command", "remote.winrm_source": "VirtualNetwork", "cluster.node_group": "ComputeNodes",
    "cluster.nodes": 24, "cluster.node_mbps": 15,
    "share.backend": "vm", "files.account": "", "files.sku": "Premium_LRS", "files.quota_gib": 1024,
    "files.private_ip": "",
}


def save_profile(name: str, **changes: Any) -> dict[str, Any]:
    """Write a complete profile (as a first run would have); ``changes`` use section__key names."""
    from wizard import profiles

    values = {**FULL_PROFILE, **{k.replace("__", ".", 1): v for k, v in changes.items()}}
    profiles.save(profiles.profile_path(name), values)
    return values


@dataclass
class FakeAssessor:
    """Review's assessor: a fixed cost (or prices unavailable), a quota with room, and the real
    throughput verdict over sizes with uncached caps. ``gate``: calls wait until the test sets it;
    ``fail``: raise it instead."""
    prices: bool = True
    gate: threading.Event | None = None
    fail: Exception | None = None
    calls: int = 0
    last: Any = None

    def __call__(self, session: Any) -> Any:
        from wizard.assessment import Assessment, disk_caps_of
        from wizard.cost import CostEstimate, CostLine
        from wizard.quota import QuotaCheck, QuotaLine
        from wizard.throughput import verdict

        self.calls += 1
        if self.gate is not None:
            self.gate.wait(10)
        if self.fail is not None:
            raise self.fail
        answers = session.answers()
        if self.prices:
            cost = CostEstimate(answers.subscription.currency, (
                CostLine(f"VM {answers.vm.size} (Windows, pay-as-you-go)", "D8s v5", 730, "hour", 0.5, 365.0),
                CostLine(f"Data disk {answers.disk.size_gb} GiB {answers.disk.sku}", "E15 LRS Disk", 1, "month",
                         18.5, 18.5),
            ), True, "hpcshare demo price list (illustrative, not Azure's prices)", "2026-11-30")
        else:
            cost = CostEstimate(answers.subscription.currency, (), False, "Azure Retail Prices API (list prices)",
                                problem="the price list answered HTTP 503 (https://prices.azure.com)")
        quota = QuotaCheck(answers.subscription.region, answers.vm.size, 4,
                           QuotaLine("standardDSv5Family", "Standard DSv5 Family vCPUs", 8, 32, 4),
                           QuotaLine("cores", "Total Regional vCPUs", 8, 100, 4))
        sizes = [VmSizeInfo("Standard_D4s_v5", 4, 16, 8, True, uncached_iops=6400, uncached_mbps=145),
                 VmSizeInfo("Standard_D8s_v5", 8, 32, 16, True, uncached_iops=12800, uncached_mbps=290),
                 VmSizeInfo("Standard_D16s_v5", 16, 64, 32, True, uncached_iops=25600, uncached_mbps=600)]
        vm = next(s for s in sizes if s.name == answers.vm.size)
        self.last = Assessment(cost, quota, verdict(vm, disk_caps_of(answers), caching=answers.disk.caching,
                                                    nodes=answers.cluster.nodes,
                                                    node_mbps=answers.cluster.node_mbps, catalogue=sizes))
        return self.last
