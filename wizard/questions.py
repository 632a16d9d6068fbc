"""Every question hpcshare asks, declared once. The Textual screens and the plain prompts both
render from this table, so a rule, a default or a help line changes in one place only.

A question's ``key`` is ``section.name``, the same as in the answers file (schema 1). Secret
questions (passwords) are asked but never saved; an empty answer means "generate one".
"""
from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from wizard import validation as v

Kind = Literal["text", "secret", "choice", "number", "toggle"]
Context = Mapping[str, Any]


@dataclass(frozen=True)
class Question:
    key: str
    label: str
    help: str
    kind: Kind
    validator: v.Rule
    default: Any = None
    # Fixed options for a choice; live lists name their source instead (loaded from Azure).
    choices: tuple[str, ...] = ()
    choices_source: Literal["subscriptions", "regions", "vm-sizes", "vnets", None] = None
    # Asked only when this returns True for the answers so far (e.g. the DNS label).
    when: Callable[[Context], bool] | None = None
    # Required in an answers file used for replay: the identity of what gets created.
    required: bool = False
    # Asked only for this share backend (share.backend): the VM's questions are not asked for
    # Azure Files. Kept apart from ``when`` so a question's own condition stays what it says.
    only_for: str | None = None

    @property
    def section(self) -> str:
        return self.key.split(".", 1)[0]

    @property
    def name(self) -> str:
        return self.key.split(".", 1)[1]

    @property
    def secret(self) -> bool:
        return self.kind == "secret"

    def applies(self, ctx: Context) -> bool:
        if self.only_for is not None and ctx.get("share.backend", v.BACKEND_VM) != self.only_for:
            return False
        return self.when is None or bool(self.when(ctx))

    def check(self, value: Any, ctx: Context) -> str | None:
        """The full message for a bad value ("Label: rule"), or None."""
        if self.secret and value in ("", None):
            return None  # empty secret: hpcshare generates one
        broken = self.validator(value, ctx)
        return f"{self.label}: {refer(broken)}" if broken else None


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    purpose: str
    questions: tuple[Question, ...] = field(default_factory=tuple)

    def asks(self, ctx: Context) -> bool:
        """Whether any question of this section applies (the VM's sections do not for Azure Files,
        the Azure Files section does not for a VM): a section with nothing to ask is passed over."""
        return any(q.applies(ctx) for q in self.questions)


def _q(key: str, label: str, help: str, kind: Kind, validator: v.Rule, default: Any = None, **kw: Any) -> Question:
    return Question(key=key, label=label, help=help, kind=kind, validator=validator, default=default, **kw)


SECTIONS: tuple[Section, ...] = (
    Section("subscription", "Subscription", "Where the file server lives: subscription, region and resource group.", (
        _q("subscription.auth", "Sign-in method", "How hpcshare signs in to Azure: the Azure CLI login, a device code, "
           "AZURE_* environment variables (service principal) or this machine's managed identity.",
           "choice", v.choice(v.AUTH_METHODS), "cli", choices=v.AUTH_METHODS),
        _q("subscription.id", "Subscription", "The Azure subscription that pays for the server.",
           "choice", v.subscription_id, "", choices_source="subscriptions", required=True),
        _q("subscription.region", "Region", "Put the server in the same region as the compute nodes: SMB is latency-bound.",
           "choice", v.region, "westeurope", choices_source="regions", required=True),
        _q("subscription.resource_group", "Resource group", "Created if missing; everything hpcshare makes goes in it.",
           "text", v.resource_group, "rg-hpcshare", required=True),
        _q("subscription.currency", "Currency", "The currency monthly costs are shown in (Azure retail list prices; "
           "Azure bills in USD, other currencies are reference values).",
           "choice", v.choice(v.CURRENCIES), "USD", choices=v.CURRENCIES),
    )),
    Section("share", "SMB share", "Where the share lives (a VM's data disk or Azure Files) and how it is shared.", (
        _q("share.backend", "Share backend", "vm: a Windows file server VM with a data disk (the seed article's way). "
           "azure-files: an Azure Files premium share behind a private endpoint (no VM to run; Azure spreads the I/O).",
           "choice", v.choice(v.BACKENDS), v.BACKEND_VM, choices=v.BACKENDS),
        _q("share.name", "Share name", "Jobs will use \\\\server\\name.",
           "text", v.share_name, "MyShare"),  # Azure Files: lower-case (validation.files_share_name)
        _q("share.folder", "Folder", "Folder on the data disk that holds the share.",
           "text", v.folder, "MyShare", only_for=v.BACKEND_VM),
        _q("share.access", "Share user access", "read: read only; change: read, write, delete; full: also change permissions.",
           "choice", v.choice(v.SHARE_ACCESS), "change", choices=v.SHARE_ACCESS, only_for=v.BACKEND_VM),
        _q("share.encrypt", "Require SMB encryption", "Protects data on the wire (SMB 3 clients only). Always on for a public SMB range.",
           "toggle", v.boolean, False),
    )),
    Section("vm", "File server VM", "The Windows Server VM that will serve the share.", (
        _q("vm.name", "VM name", "Also the Windows computer name and the \\\\name in UNC paths (1-15 characters).",
           "text", v.computer_name, "myfileserver", required=True, only_for=v.BACKEND_VM),
        _q("vm.size", "VM size", "Network bandwidth grows with size; a file server for many nodes wants 4+ vCPUs.",
           "choice", v.vm_size, "Standard_D4s_v5", choices_source="vm-sizes", only_for=v.BACKEND_VM),
        _q("vm.image", "Windows Server image", "The Datacenter edition of Windows Server to install.",
           "choice", v.choice(v.IMAGES), "win2022-datacenter", choices=v.IMAGES, only_for=v.BACKEND_VM),
        _q("vm.admin_username", "Admin user name", "The VM's local administrator (not the share user).",
           "text", v.admin_username, "hpcadmin", only_for=v.BACKEND_VM),
        _q("vm.admin_password", "Admin password", "Leave empty to generate a strong one (shown once at the end).",
           "secret", v.admin_password, "", only_for=v.BACKEND_VM),
        _q("vm.zone", "Availability zone", "Empty: no zone. 1, 2 or 3 pins the VM and its data disk to one zone; "
           "Premium SSD v2 needs one.", "choice", v.zone, "", choices=v.ZONES, only_for=v.BACKEND_VM),
    )),
    Section("disk", "Data disk", "The managed data disk that holds the share (Azure storage behind it).", (
        _q("disk.sku", "Disk type", "Premium SSD needs an 's' VM size (e.g. D4s_v5); Standard HDD is cheapest. "
           "Premium SSD v2 (PremiumV2_LRS) is sized and tuned freely, needs a zone and has no host caching.",
           "choice", v.disk_sku, "Premium_LRS", choices=v.DISK_SKUS, only_for=v.BACKEND_VM),
        _q("disk.size_gb", "Size (GiB)", "4 to 32,767 GiB (Premium SSD v2: 1 to 65,536); performance tiers grow with size.",
           "number", v.disk_size, 1024, only_for=v.BACKEND_VM),
        _q("disk.iops", "Provisioned IOPS", "Premium SSD v2 only: 3,000 free, up to 500 per GiB (80,000 max). "
           "0 = 3,000.", "number", v.disk_iops, 0, when=lambda ctx: ctx.get("disk.sku") == v.PREMIUM_V2,
           only_for=v.BACKEND_VM),
        _q("disk.mbps", "Provisioned MB/s", "Premium SSD v2 only: 125 free, up to 0.25 per IOPS (1,200 max). "
           "0 = 125.", "number", v.disk_mbps, 0, when=lambda ctx: ctx.get("disk.sku") == v.PREMIUM_V2,
           only_for=v.BACKEND_VM),
        _q("disk.caching", "Host caching", "ReadOnly suits a file server below 4 TiB; None from 4 TiB on.",
           "choice", v.caching, "ReadOnly", choices=v.DISK_CACHING, only_for=v.BACKEND_VM),
        _q("disk.drive_letter", "Drive letter", "F to Z (D is the temporary disk on Azure).",
           "text", v.drive_letter, "F", only_for=v.BACKEND_VM),
        _q("disk.label", "Volume label", "Shown in Explorer; 1-32 characters.",
           "text", v.volume_label, "hpcdata", only_for=v.BACKEND_VM),
    )),
    Section("account", "Share user", "A limited local account that compute-node jobs use to reach the share.", (
        _q("account.username", "Share user name", "A local, non-admin Windows account on the file server.",
           "text", v.share_username, "hpcshareuser", only_for=v.BACKEND_VM),
        _q("account.password", "Share user password", "Leave empty to generate one (shown once at the end, never saved).",
           "secret", v.share_password, "", only_for=v.BACKEND_VM),
    )),
    Section("endpoints", "Network", "How compute nodes reach the server: VNet, private IP and firewall rules.", (
        _q("endpoints.vnet", "Virtual network", "Use the cluster's VNet so nodes reach the server privately; created if missing "
           "from the server's own resource group (one in another group must exist).",
           "choice", v.network_name, "vnet-hpc", choices_source="vnets"),
        _q("endpoints.vnet_resource_group", "VNet resource group", "Empty: the server's own resource group. "
           "The cluster's VNet often lives in a group of its own; hpcshare then uses it and never changes it.",
           "text", v.optional_resource_group, ""),
        _q("endpoints.vnet_cidr", "VNet address range", "Used only when the VNet is created.",
           "text", v.vnet_cidr, "10.0.0.0/16"),
        _q("endpoints.subnet", "Subnet", "Created if missing, except in a VNet of another resource group: that one must have it.",
           "text", v.network_name, "default"),
        _q("endpoints.subnet_cidr", "Subnet address range", "Must lie inside the VNet range.",
           "text", v.subnet_cidr, "10.0.0.0/24"),
        _q("endpoints.private_ip", "Private IP", "Static, so the hosts entry on every node stays right.",
           "text", v.private_ip, "10.0.0.4", only_for=v.BACKEND_VM),
        _q("endpoints.public_ip", "Public IP", "Only needed to reach the server from outside Azure; off is safer.",
           "toggle", v.boolean, False, only_for=v.BACKEND_VM),
        _q("endpoints.dns_label", "DNS label", "Gives the public IP a name: <label>.<region>.cloudapp.azure.com.",
           "text", v.dns_label, "", when=lambda ctx: bool(ctx.get("endpoints.public_ip")), only_for=v.BACKEND_VM),
        _q("endpoints.private_dns_zone", "Private DNS zone", "Empty: nodes find the server through a hosts entry. "
           "A zone such as hpc.internal: hpcshare creates it, links it to the VNet and adds the server's A record; "
           "the files then use <vm name>.<zone>.",
           "text", v.private_dns_zone, "", only_for=v.BACKEND_VM),
        _q("endpoints.smb_source", "SMB allowed from", "Who may reach TCP 445: VirtualNetwork (default), or "
           "comma-separated address ranges such as 10.1.0.0/16,192.168.10.0/24 (cluster, peered or on-premises).",
           "text", v.smb_source, "VirtualNetwork", only_for=v.BACKEND_VM),
        _q("endpoints.udp_445", "Also open UDP 445", "Only for old tools that ask for it: SMB itself uses TCP 445 only.",
           "toggle", v.boolean, False, only_for=v.BACKEND_VM),
        _q("endpoints.rdp_source", "RDP allowed from", "Empty: no RDP, not even from the VNet. Else one address, e.g. 203.0.113.7/32.",
           "text", v.rdp_source, "", only_for=v.BACKEND_VM),
    )),
    Section("files", "Azure Files", "The premium storage account that holds the share, reached through a "
            "private endpoint in the subnet (share.backend = azure-files).", (
        _q("files.account", "Storage account", "3-24 lower-case letters and digits, unique across Azure: nodes "
           "reach \\\\<account>.file.core.windows.net\\<share>.", "text", v.storage_account_name, "",
           when=v.files_backend),
        _q("files.sku", "Redundancy", "Premium_LRS: three copies in one datacenter. Premium_ZRS: across three zones.",
           "choice", v.choice(v.FILES_SKUS), "Premium_LRS", choices=v.FILES_SKUS, when=v.files_backend),
        _q("files.quota_gib", "Provisioned size (GiB)", "100 to 102,400 GiB; a premium share's IOPS and throughput "
           "grow with its provisioned size.", "number", v.files_quota, 1024, when=v.files_backend),
        _q("files.private_ip", "Private endpoint IP", "Empty: Azure picks a free address in the subnet. Else a "
           "static address inside it.", "text", v.files_private_ip, "", when=v.files_backend),
    )),
    Section("remote", "Remote configuration", "How hpcshare runs its PowerShell on the server.", (
        _q("remote.transport", "Transport", "managed-run-command needs only Azure access and keeps the password "
           "in a protected parameter; winrm needs port 5986 reachable from here.",
           "choice", v.choice(v.TRANSPORTS), "managed-run-command", choices=v.TRANSPORTS, only_for=v.BACKEND_VM),
        _q("remote.winrm_source", "WinRM allowed from", "Where hpcshare runs from: VirtualNetwork (default: "
           "hpcshare on the HPC head node in the VNet) or one address range. Opens TCP 5986 from there only.",
           "text", v.winrm_source, "VirtualNetwork", when=lambda ctx: ctx.get("remote.transport") == "winrm",
           only_for=v.BACKEND_VM),
    )),
    Section("cluster", "HPC Pack cluster", "Which compute nodes use the share (HPC Pack 2016/2019 nodes in the VNet), "
            "and what they need from it, to size the server against.", (
        _q("cluster.node_group", "Node group", "The HPC Pack node group whose nodes use the share, e.g. ComputeNodes: "
           "the job runs only there and clusrun-hosts.cmd targets it. Empty: any node.",
           "text", v.node_group, ""),
        _q("cluster.nodes", "Compute nodes", "How many nodes read or write the share at peak; 0: not given.",
           "number", v.cluster_nodes, 0),
        _q("cluster.node_mbps", "MB/s per node", "What one node reads or writes at peak, in MB/s; 0: not given.",
           "number", v.node_mbps, 0),
    )),
)

QUESTIONS: dict[str, Question] = {q.key: q for s in SECTIONS for q in s.questions}
SECTION_KEYS: tuple[str, ...] = tuple(s.key for s in SECTIONS)
SECRET_KEYS: frozenset[str] = frozenset(k for k, q in QUESTIONS.items() if q.secret)
SAVED_KEYS: tuple[str, ...] = tuple(k for k, q in QUESTIONS.items() if not q.secret)


def section(key: str) -> Section:
    for s in SECTIONS:
        if s.key == key:
            return s
    raise KeyError(f"unknown section '{key}'; sections are: {', '.join(SECTION_KEYS)}")


def place(key: str) -> str:
    """Where a question is in the wizard, as people read it: "Network › Virtual network"."""
    q = QUESTIONS[key]
    return f"{section(q.section).title} › {q.label}"


# A rule that points to another answer writes its key in braces ("set {vm.zone} to 1, 2 or 3"):
# people read the screen and the field there, never the answers-file key.
_REFERENCE = re.compile(r"\{([a-z_]+\.[a-z0-9_]+)\}")


def refer(text: str, *, with_key: bool = False) -> str:
    """``with_key``: for text read away from the form (a failed step's hint on the Run screen, in
    plain mode and replay, where the answers file is what gets edited): "Network › Subnet (endpoints.subnet)"."""
    def one(m: re.Match[str]) -> str:
        key = m.group(1)
        if key not in QUESTIONS:
            return m.group(0)
        return f"{place(key)} ({key})" if with_key else place(key)

    return _REFERENCE.sub(one, text)


def defaults() -> dict[str, Any]:
    return {k: q.default for k, q in QUESTIONS.items() if not q.secret}
