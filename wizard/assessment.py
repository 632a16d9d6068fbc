"""Before anything is created: what it costs per month, whether the quota has room, and what caps
the share's throughput. One call for Review, ``hpcshare plan`` and SUMMARY.md::

    a = assess(env, answers)
    a.text_lines()        # what Review / SUMMARY.md show (cost lines and total, quota, throughput)
    a.as_dict()           # the JSON of ``hpcshare plan --format json`` (with the plan added there)

Each part degrades on its own: prices unavailable, quota unknown, a VM size the catalogue does
not list; nothing here raises for an Azure problem.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from wizard import diskcaps
from wizard.cost import CostEstimate, estimate_cost
from wizard.filescaps import FilesVerdict, files_verdict
from wizard.quota import QuotaCheck, check_quota, check_storage_quota
from wizard.throughput import Verdict, verdict

if TYPE_CHECKING:
    from wizard.answers import Answers
    from wizard.azure.catalog import AzureCatalog
    from wizard.environment import Environment
    from wizard.pricing import PriceClient


@dataclass(frozen=True)
class Assessment:
    cost: CostEstimate
    quota: QuotaCheck
    throughput: Verdict | FilesVerdict | None
    throughput_problem: str = ""
    disk_problems: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {"cost": self.cost.as_dict(), "quota": self.quota.as_dict(),
                "throughput": self.throughput.as_dict() if self.throughput else
                {"bottleneck": None, "problem": self.throughput_problem},
                "disk_offer": list(self.disk_problems)}

    def text_lines(self, *, after_run: bool = False) -> list[str]:
        """``after_run``: the quota as in use once the server runs (SUMMARY.md), the same figure on
        a first run and a re-run, so a replay writes the same file."""
        return [f"Monthly cost ({self.cost.currency}):", *("  " + line for line in self.cost.text_lines()),
                *self.check_lines(after_run=after_run)]

    def check_lines(self, *, after_run: bool = False) -> list[str]:
        """The quota check, the throughput verdict and the disk offer: everything but the cost."""
        out: list[str] = []
        q = self.quota
        if not q.known:
            out.append(f"Quota: not checked ({q.problem})")
        else:
            for line in q.lines:
                state = "ok" if line.fits else "EXCEEDED"
                if after_run:
                    out.append(f"Quota {line.label}: {line.used + line.needed} of {line.limit} in use "
                               f"with this {q.NOUN} ({state})")
                else:
                    out.append(f"Quota {line.label}: {line.used} used + {line.needed} = "
                               f"{line.used + line.needed} of {line.limit} ({state})")
            out += [f"  {m}" for m in q.messages()]
        if self.throughput is not None:
            out += self.throughput.text_lines()
        else:
            out.append(f"Throughput: not judged ({self.throughput_problem})")
        out += list(self.disk_problems)
        return out


def disk_caps_of(answers: "Answers") -> diskcaps.DiskCaps:
    d = answers.disk
    return diskcaps.caps(d.sku, d.size_gb, iops=d.iops, mbps=d.mbps)


def assess(env: "Environment", answers: "Answers", prices: "PriceClient | None" = None) -> Assessment:
    from wizard.diskoffer import disk_offer_problems
    from wizard.pricing import PriceClient

    client = prices or PriceClient.for_environment(env)
    try:
        cost = estimate_cost(answers, client)
    finally:
        if prices is None:
            client.close()
    if answers.azure_files:
        # No VM and no managed disk: the premium share's provisioned size sets its speed, and the
        # storage account is what the subscription's quota counts.
        f, c = answers.files, answers.cluster
        return Assessment(cost, check_storage_quota(env, answers),
                          files_verdict(f.sku, f.quota_gib, nodes=c.nodes, node_mbps=c.node_mbps))
    quota = check_quota(env, answers)
    found, problem = None, ""
    try:
        sizes = _catalog(env).vm_sizes(answers.subscription.id, answers.subscription.region)
        vm = next((s for s in sizes if s.name.lower() == answers.vm.size.lower()), None)
        if vm is None:
            problem = f"{answers.vm.size} is not offered in {answers.subscription.region}"
        else:
            found = verdict(vm, disk_caps_of(answers), caching=answers.disk.caching, nodes=answers.cluster.nodes,
                            node_mbps=answers.cluster.node_mbps, catalogue=sizes)
    except Exception as exc:  # noqa: BLE001 - the catalogue is unreadable: say so, go on
        problem = f"the region's VM sizes could not be read: {type(exc).__name__}"
    return Assessment(cost, quota, found, problem, tuple(disk_offer_problems(env, answers)))


def _catalog(env: "Environment") -> "AzureCatalog":
    """The region's live lists, read through the same environment (Azure or the stand-in)."""
    from wizard.azure.catalog import AzureCatalog

    return AzureCatalog(env)
