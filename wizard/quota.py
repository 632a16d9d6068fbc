"""Will the VM fit the subscription's compute quota (and, for Azure Files, is there room for one
more storage account: ``check_storage_quota``)? Reads the region's usages (``usage.list``
through azure-mgmt-compute: the size's family, e.g. standardDSv5Family, and the regional
``cores``) before anything is created.

For the run's preflight::

    from wizard.quota import check_quota
    result = check_quota(env, answers)
    problems += result.problems()      # "[vm.size] ..." lines, empty when it fits -> exit 2 otherwise

A quota that cannot be read is not a problem here (``result.known`` is False): the VM create then
reports Azure's own QuotaExceeded.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from wizard.answers import Answers
    from wizard.azure.catalog import AzureCatalog
    from wizard.environment import Environment

REGIONAL = "cores"
# How to ask for more: "Increase VM-family vCPU quotas" / "Increase regional vCPU quotas" (Learn,
# quotas/per-vm-quota-requests and regional-quota-requests); the portal's Quotas page.
HOW_TO_ASK = ("ask for more in the Azure portal (Quotas > Compute, or Help + support > new support request > "
              "Service and subscription limits (quotas)); see https://learn.microsoft.com/azure/quotas/"
              "per-vm-quota-requests")


# Storage accounts per region per subscription: 250 by default, up to 500 on request ("Increase
# Azure Storage account quotas", learn.microsoft.com/azure/quotas/storage-account-quota-requests).
STORAGE_ACCOUNTS = "StorageAccounts"
HOW_TO_ASK_STORAGE = ("ask for more in the Azure portal (Quotas > Storage); see https://learn.microsoft.com/azure/"
                      "quotas/storage-account-quota-requests")


@dataclass(frozen=True)
class QuotaLine:
    name: str          # usage name: standardDSv5Family or cores
    label: str         # "Standard DSv5 Family vCPUs"
    used: int
    limit: int
    needed: int        # vCPUs this run adds (0 when the VM exists already)

    @property
    def fits(self) -> bool:
        return self.used + self.needed <= self.limit


@dataclass(frozen=True)
class QuotaCheck:
    FIELD: ClassVar[str] = "vm.size"       # the answer a quota problem is about (the preflight's lines)
    NOUN: ClassVar[str] = "server"         # what the run adds ("... in use with this server")
    region: str
    vm_size: str
    vcpus: int
    family: QuotaLine | None
    regional: QuotaLine | None
    known: bool = True     # False: usages or the size could not be read
    problem: str = ""      # why not known

    @property
    def ok(self) -> bool:
        return all(line.fits for line in self.lines)

    @property
    def lines(self) -> tuple[QuotaLine, ...]:
        return tuple(line for line in (self.family, self.regional) if line is not None)

    def messages(self) -> list[str]:
        out = []
        for line in self.lines:
            if line.fits:
                continue
            what = f"VM family {line.name}" if line is self.family else "the region's total (cores)"
            out.append(f"{self.vm_size} needs {line.needed} vCPUs of {what} in {self.region}: {line.used} of "
                       f"{line.limit} are in use, so {line.used + line.needed} would exceed the limit of {line.limit}; "
                       f"{HOW_TO_ASK}, or choose a smaller size or another family")
        return out

    def problems(self) -> list[str]:
        """The preflight's form: one "[vm.size] VM size: ..." line per quota that would be exceeded."""
        from wizard.questions import QUESTIONS

        return [f"[{self.FIELD}] {QUESTIONS[self.FIELD].label}: {m}" for m in self.messages()]

    def as_dict(self) -> dict[str, Any]:
        return {"region": self.region, "vm_size": self.vm_size, "vcpus": self.vcpus, "known": self.known,
                "ok": self.ok if self.known else None, "problem": self.problem,
                "family": asdict(self.family) if self.family else None,
                "regional": asdict(self.regional) if self.regional else None,
                "messages": self.messages()}


@dataclass(frozen=True)
class StorageQuotaCheck(QuotaCheck):
    """The Azure Files backend's quota: storage accounts per region per subscription (the
    ``StorageAccounts`` usage of Microsoft.Storage), held in ``regional``."""
    FIELD: ClassVar[str] = "files.account"
    NOUN: ClassVar[str] = "share"
    account: str = ""

    def messages(self) -> list[str]:
        line = self.regional
        if line is None or line.fits:
            return []
        return [f"the storage account {self.account} would be one more in {self.region}: {line.used} of {line.limit} "
                f"storage accounts are in use; {HOW_TO_ASK_STORAGE}, or use an account that exists already"]

    def as_dict(self) -> dict[str, Any]:
        return {"region": self.region, "account": self.account, "known": self.known,
                "ok": self.ok if self.known else None, "problem": self.problem,
                "storage_accounts": asdict(self.regional) if self.regional else None, "messages": self.messages()}


def check_storage_quota(env: "Environment", answers: "Answers") -> StorageQuotaCheck:
    """Room for one more storage account in the region (none needed when it exists already)."""
    from wizard.azure.steps import get_or_none

    region, sub, account = answers.subscription.region, answers.subscription.id, answers.files.account
    try:
        st = env.storage(sub)
        usage = next((u for u in st.usages.list_by_location(region) if u.name.value == STORAGE_ACCOUNTS), None)
        have = get_or_none(st.storage_accounts.get_properties, answers.subscription.resource_group, account)
    except Exception as exc:  # noqa: BLE001 - any Azure error: the quota is just not known
        return StorageQuotaCheck(region, "", 0, None, None, False, f"usages could not be read: {type(exc).__name__}",
                                 account=account)
    if usage is None:
        return StorageQuotaCheck(region, "", 0, None, None, False, "no StorageAccounts usage in the answer",
                                 account=account)
    needed = 0 if have is not None else 1
    line = QuotaLine(STORAGE_ACCOUNTS, usage.name.localized_value or STORAGE_ACCOUNTS, int(usage.current_value),
                     int(usage.limit), needed)
    return StorageQuotaCheck(region, "", 0, None, line, account=account)


def check_quota(env: "Environment", answers: "Answers") -> QuotaCheck:
    """The VM size's family and regional vCPU quotas against what the run would add."""
    region, size_name = answers.subscription.region, answers.vm.size
    sub = answers.subscription.id
    try:
        sizes = {s.name.lower(): s for s in _catalog(env).vm_sizes(sub, region)}
        size = sizes.get(size_name.lower())
        if size is None or not size.family:
            return QuotaCheck(region, size_name, 0, None, None, False, f"{size_name} is not offered in {region}")
        usages = {u.name.value: u for u in env.compute(sub).usage.list(region)}
        needed = 0 if _vm_exists(env, answers) else size.vcpus
    except Exception as exc:  # noqa: BLE001 - any Azure error: the quota is just not known
        return QuotaCheck(region, size_name, 0, None, None, False, f"usages could not be read: {type(exc).__name__}")

    def line(name: str) -> QuotaLine | None:
        u = usages.get(name)
        if u is None:
            return None
        return QuotaLine(name, u.name.localized_value or name, int(u.current_value), int(u.limit), needed)

    return QuotaCheck(region, size.name, size.vcpus, line(size.family), line(REGIONAL))


def _vm_exists(env: "Environment", answers: "Answers") -> bool:
    """A re-run does not add the VM's vCPUs again: Azure already counts them."""
    from wizard.azure.steps import get_or_none

    vm = get_or_none(env.compute(answers.subscription.id).virtual_machines.get,
                     answers.subscription.resource_group, answers.vm.name)
    return vm is not None and (vm.location or "").lower() == answers.subscription.region.lower()


def _catalog(env: "Environment") -> "AzureCatalog":
    """The region's live lists, read through the same environment (Azure or the stand-in)."""
    from wizard.azure.catalog import AzureCatalog

    return AzureCatalog(env)
