"""Answers -> Plan: the DAG of steps a run executes. Pure data: printable, exportable as an az script.

Each step lists the answers that feed it. Its fingerprint hashes those answers and the
fingerprints of the steps it needs, so a changed answer redoes exactly the steps downstream of it.
"""
from __future__ import annotations

import hashlib
import json
import shlex
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from wizard.answers import Answers
from wizard.remote.protocol import CONFIGURE_SERVER, SELF_TEST, SUBSTEPS, WINRM_BOOTSTRAP, WINRM_HTTPS_PORT
from wizard.validation import smb_sources

TAG_MANAGED_BY = "managed-by"
TAG_PROFILE = "hpcshare-profile"


@dataclass(frozen=True)
class Names:
    """Azure resource names derived from the answers (one place, so teardown and steps agree)."""
    vm: str
    nsg: str
    public_ip: str
    nic: str
    data_disk: str
    os_disk: str

    @classmethod
    def of(cls, answers: Answers) -> "Names":
        return cls.for_vm(answers.vm.name)

    @classmethod
    def for_vm(cls, vm: str) -> "Names":
        return cls(vm=vm, nsg=f"{vm}-nsg", public_ip=f"{vm}-pip", nic=f"{vm}-nic",
                   data_disk=f"{vm}-data", os_disk=f"{vm}-os")


def tags(answers: Answers) -> dict[str, str]:
    return {TAG_MANAGED_BY: "hpcshare", TAG_PROFILE: answers.profile}


@dataclass(frozen=True)
class Step:
    id: str
    title: str
    needs: tuple[str, ...]
    inputs: Mapping[str, Any]
    substeps: tuple[str, ...] = ()
    remote: bool = False          # runs PowerShell on the server (slow round trip)


@dataclass(frozen=True)
class Plan:
    answers: Answers
    steps: tuple[Step, ...]
    names: Names
    fingerprints: Mapping[str, str] = field(default_factory=dict)

    def __iter__(self) -> Iterator[Step]:
        return iter(self.steps)

    def step(self, step_id: str) -> Step:
        for s in self.steps:
            if s.id == step_id:
                return s
        raise KeyError(step_id)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(s.id for s in self.steps)

    def downstream(self, step_id: str) -> set[str]:
        """Every step that needs ``step_id``, directly or not."""
        out: set[str] = set()
        frontier = {step_id}
        while frontier:
            frontier = {s.id for s in self.steps if set(s.needs) & frontier} - out
            out |= frontier
        return out


def _pick(answers: Answers, *keys: str) -> dict[str, Any]:
    flat = answers.flat()
    return {k: flat[k] for k in keys}


# The Azure Files backend (share.backend = "azure-files"): the account's file endpoint gets a
# private endpoint in the subnet, and this zone (the one Azure's private DNS integration uses for
# the "file" sub-resource: "Azure Private Endpoint private DNS zone values",
# learn.microsoft.com/azure/private-link/private-endpoint-dns, Storage) maps
# <account>.privatelink.file.core.windows.net to its address inside the linked VNet.
FILES_DNS_ZONE = "privatelink.file.core.windows.net"
FILES_STEPS = ("storage-account", "file-share", "private-endpoint", "files-dns")


# Account settings hpcshare requires ("Azure Files networking considerations" and "Security
# recommendations for Azure Files", learn.microsoft.com/azure/storage/files): no public endpoint
# (nodes come through the private endpoint), HTTPS/SMB encryption required, TLS 1.2 at least,
# shared-key access on because workgroup nodes authenticate with the account key.
ACCOUNT_PROPERTIES = {"publicNetworkAccess": "Disabled", "minimumTlsVersion": "TLS1_2",
                      "supportsHttpsTrafficOnly": True, "allowSharedKeyAccess": True}


def smb_settings(encrypt: bool) -> dict[str, str]:
    """SMB 3.1.1 only, the "maximum security" profile of the EnableSecureSmbFeatures example minus
    Kerberos-only rules: NTLMv2 stays, since the account key is an NTLMv2 credential. With
    share.encrypt, only AES-256-GCM protects the channel."""
    return {"versions": "SMB3.1.1",
            "channelEncryption": "AES-256-GCM" if encrypt else "AES-128-GCM;AES-256-GCM",
            "authenticationMethods": "NTLMv2;Kerberos",
            "kerberosTicketEncryption": "AES-256"}


FILES_HOST_SUFFIX = ".file.core.windows.net"


def files_host(answers: Answers) -> str:
    """The name nodes use: Azure answers it with a CNAME into FILES_DNS_ZONE."""
    return f"{answers.files.account}{FILES_HOST_SUFFIX}"


def is_files_host(server: str) -> bool:
    """An Azure Files endpoint, whose SMB password is the storage account key."""
    return server.lower().rstrip(".").endswith(FILES_HOST_SUFFIX)


def key_list_command(resource_group: str, account: str) -> str:
    """Where the storage account key is read again (it is never stored by hpcshare)."""
    return (f"az storage account keys list --resource-group {resource_group} --account-name {account} "
            "--query [0].value --output tsv")


def files_user(account: str) -> str:
    """The user an account key logs on as: localhost\\<account> ("Mount SMB Azure file share on
    Windows", learn.microsoft.com/azure/storage/files/storage-how-to-use-files-windows; older pages
    write AZURE\\<account>)."""
    return f"localhost\\{account}"


def secret_name(azure_files: bool) -> str:
    """What the share's credential is called wherever hpcshare or its files ask for it."""
    return "storage account key" if azure_files else "share password"


def verify_command(host: str, share: str, user: str) -> str:
    """``hpcshare verify`` for a share: what SUMMARY.md and a probe that cannot reach the share say."""
    return f"hpcshare verify --server {host} --share {share} --user {user}"


def files_endpoint_name(answers: Answers) -> str:
    return endpoint_name_for(answers.files.account)


def endpoint_name_for(account: str) -> str:
    """The private endpoint of a storage account."""
    return f"{account}-file-pe"


def endpoint_nic_name_for(account: str) -> str:
    """The NIC of that endpoint (hpcshare names it: customNetworkInterfaceName)."""
    return f"{endpoint_name_for(account)}-nic"


def _files_steps(a: Answers) -> list[Step]:
    """No VM, NSG or remote configuration: Azure runs the SMB service."""
    f = a.files
    ip = f.private_ip or "an address Azure picks"
    return [
        Step("storage-account", f"Storage account {f.account} (FileStorage {f.sku}, no public access)",
             ("resource-group",), _pick(a, "files.account", "files.sku", "share.encrypt")),
        Step("file-share", f"Azure Files share {a.share.name} ({f.quota_gib} GiB)", ("storage-account",),
             _pick(a, "share.name", "files.quota_gib")),
        Step("private-endpoint", f"Private endpoint {files_endpoint_name(a)} ({ip})", ("network", "storage-account"),
             _pick(a, "files.private_ip", "endpoints.vnet", "endpoints.subnet")),
        Step("files-dns", f"Private DNS {f.account}.{FILES_DNS_ZONE}", ("private-endpoint",),
             _pick(a, "files.account", "endpoints.vnet", "endpoints.vnet_resource_group")),
        # From inside the VNet the share is probed; elsewhere the step says where to verify from.
        Step("probe", "Probe the share from this machine", ("file-share", "files-dns"), {}),
        Step("artifacts", "Write the HPC Pack files", ("file-share", "files-dns"),
             _pick(a, "share.backend", "cluster.node_group")),
    ]


def build_plan(answers: Answers) -> Plan:
    a = answers
    names = Names.of(a)
    base = ("subscription.id", "subscription.resource_group")
    steps: list[Step] = [
        Step("resource-group", f"Resource group {a.subscription.resource_group}", (),
             {**_pick(a, *base, "subscription.region"), "profile": a.profile}),
        Step("network", f"Virtual network {a.endpoints.vnet} / {a.endpoints.subnet}", ("resource-group",),
             _pick(a, "endpoints.vnet", "endpoints.vnet_resource_group", "endpoints.vnet_cidr", "endpoints.subnet",
                   "endpoints.subnet_cidr")),
    ]
    if a.azure_files:
        return _fingerprinted(a, steps + _files_steps(a), names)
    steps += [
        Step("nsg", f"Network security group {names.nsg}", ("resource-group",),
             {**_pick(a, "vm.name", "endpoints.smb_source", "endpoints.udp_445", "endpoints.rdp_source"),
              **_winrm_inputs(a)}),
    ]
    nic_needs = ["network", "nsg"]
    if a.endpoints.public_ip:
        steps.append(Step("public-ip", f"Public IP {names.public_ip}", ("resource-group",),
                          _pick(a, "vm.name", "endpoints.dns_label")))
        nic_needs.append("public-ip")
    configure_needs: tuple[str, ...] = ("vm",)
    steps += [
        Step("nic", f"Network interface {names.nic} ({a.endpoints.private_ip})", tuple(nic_needs),
             _pick(a, "vm.name", "endpoints.private_ip")),
        Step("data-disk", f"Data disk {names.data_disk} ({a.disk.size_gb} GiB {a.disk.sku})", ("resource-group",),
             _pick(a, "vm.name", "disk.sku", "disk.size_gb", "disk.iops", "disk.mbps", "vm.zone")),
        Step("vm", f"Virtual machine {names.vm} ({a.vm.size})", ("nic", "data-disk"),
             _pick(a, "vm.name", "vm.size", "vm.image", "vm.admin_username", "disk.caching", "vm.zone")),
    ]
    if a.remote.transport == "winrm":
        # Nothing listens on 5986 until this has run (through managed Run Command).
        steps.append(Step(WINRM_BOOTSTRAP, f"Open WinRM over HTTPS (TCP {WINRM_HTTPS_PORT}, pinned certificate)", ("vm",),
                          _pick(a, "vm.name", "endpoints.public_ip", "endpoints.dns_label", "remote.winrm_source"),
                          substeps=SUBSTEPS[WINRM_BOOTSTRAP], remote=True))
        configure_needs = ("vm", WINRM_BOOTSTRAP)
    steps += [
        Step(CONFIGURE_SERVER, "Configure the file server", configure_needs,
             _pick(a, "disk.drive_letter", "disk.label", "account.username", "share.name", "share.folder",
                   "share.access", "share.encrypt", "endpoints.smb_source", "endpoints.udp_445",
                   "remote.transport"),
             substeps=SUBSTEPS[CONFIGURE_SERVER], remote=True),
        Step(SELF_TEST, "Self-test the share on the server", (CONFIGURE_SERVER,), {},
             substeps=SUBSTEPS[SELF_TEST], remote=True),
    ]
    if a.endpoints.public_ip and a.endpoints.smb_source not in ("VirtualNetwork", "AzureLoadBalancer"):
        # Only a rule that admits some outside address can let this machine reach TCP 445.
        steps.append(Step("probe", "Probe the share from this machine", (SELF_TEST,), {}))
    artifacts_needs = [steps[-1].id]
    if a.endpoints.private_dns_zone:
        # The server's A record in a private zone linked to its VNet; the files then use the FQDN.
        steps.append(Step("private-dns", f"Private DNS {a.vm.name.lower()}.{a.endpoints.private_dns_zone}",
                          ("network",), _pick(a, "endpoints.private_dns_zone", "vm.name", "endpoints.private_ip",
                                              "endpoints.vnet", "endpoints.vnet_resource_group")))
        artifacts_needs.append("private-dns")
    steps.append(Step("artifacts", "Write the HPC Pack files", tuple(artifacts_needs),
                      _pick(a, "endpoints.private_dns_zone", "cluster.node_group")))
    return _fingerprinted(a, steps, names)


def _fingerprinted(a: Answers, steps: list[Step], names: Names) -> Plan:
    fingerprints: dict[str, str] = {}
    for s in steps:
        blob = json.dumps({"inputs": dict(s.inputs), "needs": [fingerprints[n] for n in s.needs]},
                          sort_keys=True, default=str)
        fingerprints[s.id] = hashlib.sha256(blob.encode()).hexdigest()[:16]
    return Plan(answers=a, steps=tuple(steps), names=names, fingerprints=fingerprints)


def _winrm_inputs(a: Answers) -> dict[str, Any]:
    """The NSG's 5986 rule exists only with the WinRM transport; other profiles keep their fingerprints."""
    if a.remote.transport != "winrm":
        return {}
    return _pick(a, "remote.transport", "remote.winrm_source")


def render_text(plan: Plan) -> str:
    a = plan.answers
    lines = [f"Plan for profile '{a.profile}': {len(plan.steps)} steps in "
             f"{a.subscription.resource_group} ({a.subscription.region})", ""]
    width = max(len(s.id) for s in plan.steps)
    for i, s in enumerate(plan.steps, 1):
        after = f"  after: {', '.join(s.needs)}" if s.needs else ""
        lines.append(f"{i:>2}. {s.id:<{width}}  {s.title}{after}")
        for sub in s.substeps:
            lines.append(f"    {'':<{width}}    - {sub}")
    lines += ["", "Steps with no path between them run at the same time. Nothing has been changed."]
    return "\n".join(lines)


def plan_dict(plan: Plan) -> dict[str, Any]:
    """The plan as JSON-ready data (``hpcshare plan --format json``)."""
    a = plan.answers
    return {"profile": a.profile, "region": a.subscription.region,
            "resource_group": a.subscription.resource_group,
            "plan": [{"id": s.id, "title": s.title, "needs": list(s.needs), "substeps": list(s.substeps)}
                     for s in plan.steps]}


_IMAGE_URNS = {
    "win2019-datacenter": "MicrosoftWindowsServer:WindowsServer:2019-datacenter-gensecond:latest",
    "win2022-datacenter": "MicrosoftWindowsServer:WindowsServer:2022-datacenter-azure-edition:latest",
    "win2025-datacenter": "MicrosoftWindowsServer:WindowsServer:2025-datacenter-azure-edition:latest",
}


def image_urn(image: str) -> str:
    return _IMAGE_URNS[image]


def subnet_id(answers: Answers) -> str:
    ep = answers.endpoints
    group = ep.vnet_resource_group or answers.subscription.resource_group
    return (f"/subscriptions/{answers.subscription.id}/resourceGroups/{group}/providers/Microsoft.Network"
            f"/virtualNetworks/{ep.vnet}/subnets/{ep.subnet}")


# Azure's default AllowVNetInBound (priority 65000) admits every port from the VNet, peered VNets
# and networks behind a gateway, where compute nodes run users' jobs ("Network security groups",
# learn.microsoft.com/azure/virtual-network/network-security-groups-overview, "Default security
# rules"). This rule, numbered after every allow rule hpcshare writes (100-3999), stops that: what
# is not allowed above is denied from the VNet too.
VNET_DENY_RULE: dict[str, Any] = {"name": "deny-vnet-inbound", "properties": {
    "priority": 4000, "direction": "Inbound", "access": "Deny", "protocol": "*",
    "sourceAddressPrefix": "VirtualNetwork", "sourcePortRange": "*",
    "destinationAddressPrefix": "*", "destinationPortRange": "*"}}

# With a scope, Azure puts a hash of (label, tenant) into the name (label.HASH.region.cloudapp.azure.com),
# so after teardown nobody outside this tenant can create a public IP that answers to it (no
# dangling DNS). "Public preview: Public IP Domain Name Label Scope" (azure.microsoft.com/updates,
# 2024-03-21); PublicIPAddressDnsSettings.domainNameLabelScope in the network API (2026-03-01 used).
DNS_LABEL_SCOPE = "TenantReuse"


# What the exported script does with the admin password, said in its header. The value never goes
# on a command line (any local user can read another process's argv with ps): from
# HPCSHARE_ADMIN_PASSWORD it is written with bash's printf builtin (no process, no argv) into a
# mktemp file (mode 0600), without a line break, that az reads through its "@<file>" convention
# ("Quoting differences between scripting languages", learn.microsoft.com/cli/azure/
# use-azure-cli-successfully-quoting, "JSON strings"), and the file is removed when the script exits;
# without the variable, --admin-password is left out and az vm create asks for it.
AZ_SECRET_HEADER = (
    "# Secrets: the VM admin password never appears in this file or on any command line. From",
    "# HPCSHARE_ADMIN_PASSWORD it goes to a temporary file (mode 0600, deleted when this script exits)",
    "# that az vm create reads as --admin-password @FILE; without the variable az asks for it.",
)
AZ_PASSWORD_FILE = (
    "admin_password_args=()",
    'if [ -n "${HPCSHARE_ADMIN_PASSWORD:-}" ]; then',
    '    admin_password_file="$(umask 077 && mktemp)"',
    "    trap 'rm -f \"$admin_password_file\"' EXIT",
    '    printf \'%s\' "$HPCSHARE_ADMIN_PASSWORD" > "$admin_password_file"',
    '    admin_password_args=(--admin-password "@$admin_password_file")',
    "fi",
)


def _render_files_az(a: Answers) -> str:
    """The Azure Files backend as Azure CLI commands: no secret is involved (the account key stays
    in Azure; 'az storage account keys list' shows it)."""
    q = shlex.quote
    rg = q(a.subscription.resource_group)
    tag_args = " ".join(q(f"{k}={v}") for k, v in tags(a).items())
    ep, f = a.endpoints, a.files
    acct = q(f.account)
    vnet_group = q(ep.vnet_resource_group or a.subscription.resource_group)
    smb = smb_settings(a.share.encrypt)
    out = [
        "#!/usr/bin/env bash",
        f"# Equivalent Azure CLI commands for hpcshare profile '{a.profile}' (Azure Files backend; generated;",
        "# review before use). The share credential is the storage account key: it is not in this file.",
        "set -euo pipefail",
        f"az account set --subscription {q(a.subscription.id)}",
        f"az group create --name {rg} --location {q(a.subscription.region)} --tags {tag_args}",
    ]
    if not ep.vnet_resource_group:
        out.append(f"az network vnet create --resource-group {rg} --name {q(ep.vnet)} --address-prefixes"
                   f" {q(ep.vnet_cidr)} --subnet-name {q(ep.subnet)} --subnet-prefixes {q(ep.subnet_cidr)}"
                   f" --tags {tag_args}")
    out += [
        f"az storage account create --resource-group {rg} --name {acct} --location {q(a.subscription.region)}"
        f" --kind FileStorage --sku {q(f.sku)} --public-network-access {ACCOUNT_PROPERTIES['publicNetworkAccess']}"
        f" --min-tls-version {ACCOUNT_PROPERTIES['minimumTlsVersion']} --https-only true"
        f" --allow-shared-key-access true --tags {tag_args}",
        f"az storage account file-service-properties update --resource-group {rg} --account-name {acct}"
        f" --versions {q(smb['versions'])} --channel-encryption {q(smb['channelEncryption'])}"
        f" --auth-methods {q(smb['authenticationMethods'])} --kerb-ticket-encryption {q(smb['kerberosTicketEncryption'])}",
        f"az storage share-rm create --resource-group {rg} --storage-account {acct} --name {q(a.share.name)}"
        f" --quota {f.quota_gib} --enabled-protocols SMB",
        f"account_id=\"$(az storage account show --resource-group {rg} --name {acct} --query id --output tsv)\"",
        f"az network private-endpoint create --resource-group {rg} --name {q(files_endpoint_name(a))}"
        + (f" --subnet {q(subnet_id(a))}" if ep.vnet_resource_group else f" --vnet-name {q(ep.vnet)} --subnet {q(ep.subnet)}")
        + ' --private-connection-resource-id "$account_id"'
        + f" --group-id file --connection-name {q(f.account + '-file')} --nic-name {q(endpoint_nic_name_for(f.account))}"
        + (f" --ip-config name=file group-id=file member-name=file private-ip-address={q(f.private_ip)}" if f.private_ip else "")
        + f" --tags {tag_args}",
        f"pe_ip=\"$(az network private-endpoint show --resource-group {rg} --name {q(files_endpoint_name(a))}"
        " --query 'customDnsConfigs[0].ipAddresses[0]' --output tsv)\"",
        f"az network private-dns zone create --resource-group {rg} --name {FILES_DNS_ZONE} --tags {tag_args}",
        f"az network private-dns link vnet create --resource-group {rg} --zone-name {FILES_DNS_ZONE} --name"
        f" {q(ep.vnet + '-hpcshare')} --virtual-network \"$(az network vnet show --resource-group {vnet_group}"
        f" --name {q(ep.vnet)} --query id --output tsv)\" --registration-enabled false --tags {tag_args}",
        f"az network private-dns record-set a add-record --resource-group {rg} --zone-name {FILES_DNS_ZONE}"
        f" --record-set-name {acct} --ipv4-address \"$pe_ip\"",
    ]
    return "\n".join(out) + "\n"


def render_az(plan: Plan) -> str:
    """An Azure CLI script equivalent to the Azure part of the plan. The admin password comes from
    the environment at run time through a 0600 file (AZ_PASSWORD_FILE), never from this text or a
    command line. Every value is shell-quoted."""
    a, n = plan.answers, plan.names
    q = shlex.quote
    rg = q(a.subscription.resource_group)
    tag_args = " ".join(q(f"{k}={v}") for k, v in tags(a).items())
    ep = a.endpoints
    if a.azure_files:
        return _render_files_az(a)
    smb = " ".join(q(x) for x in smb_sources(ep.smb_source))
    if ep.vnet_resource_group:
        # The cluster's VNet: used as it is, never created or changed.
        vnet_command = (f"az network vnet subnet show --resource-group {q(ep.vnet_resource_group)} --vnet-name"
                        f" {q(ep.vnet)} --name {q(ep.subnet)} --query id --output tsv")
        subnet_arg = (f"--subnet {q(subnet_id(a))}")
    else:
        vnet_command = (f"az network vnet create --resource-group {rg} --name {q(ep.vnet)} --address-prefixes"
                        f" {q(ep.vnet_cidr)} --subnet-name {q(ep.subnet)} --subnet-prefixes {q(ep.subnet_cidr)}"
                        f" --tags {tag_args}")
        subnet_arg = f"--vnet-name {q(ep.vnet)} --subnet {q(ep.subnet)}"
    out = [
        "#!/usr/bin/env bash",
        f"# Equivalent Azure CLI commands for hpcshare profile '{a.profile}' (generated; review before use).",
        *AZ_SECRET_HEADER,
        "set -euo pipefail",
        "export -n HPCSHARE_ADMIN_PASSWORD     # kept in this shell only: no az process inherits it",
        f"az account set --subscription {q(a.subscription.id)}",
        f"az group create --name {rg} --location {q(a.subscription.region)} --tags {tag_args}",
        vnet_command,
        f"az network nsg create --resource-group {rg} --name {q(n.nsg)} --tags {tag_args}",
        f"az network nsg rule create --resource-group {rg} --nsg-name {q(n.nsg)} --name allow-smb-tcp-445"
        f" --priority 100 --direction Inbound --access Allow --protocol Tcp --source-address-prefixes"
        f" {smb} --destination-port-ranges 445",
    ]
    if ep.udp_445:
        out.append(f"az network nsg rule create --resource-group {rg} --nsg-name {q(n.nsg)} --name allow-smb-udp-445"
                   f" --priority 110 --direction Inbound --access Allow --protocol Udp --source-address-prefixes"
                   f" {smb} --destination-port-ranges 445")
    if ep.rdp_source:
        out.append(f"az network nsg rule create --resource-group {rg} --nsg-name {q(n.nsg)} --name allow-rdp"
                   f" --priority 120 --direction Inbound --access Allow --protocol Tcp --source-address-prefixes"
                   f" {q(ep.rdp_source)} --destination-port-ranges 3389")
    if a.remote.transport == "winrm":
        out.append(f"az network nsg rule create --resource-group {rg} --nsg-name {q(n.nsg)} --name allow-winrm-https-5986"
                   f" --priority 130 --direction Inbound --access Allow --protocol Tcp --source-address-prefixes"
                   f" {q(a.remote.winrm_source)} --destination-port-ranges {WINRM_HTTPS_PORT}")
    # The explicit deny after the allow rules (VNET_DENY_RULE above says why).
    deny = VNET_DENY_RULE["properties"]
    out.append(f"az network nsg rule create --resource-group {rg} --nsg-name {q(n.nsg)} --name {VNET_DENY_RULE['name']}"
               f" --priority {deny['priority']} --direction Inbound --access Deny --protocol {q(deny['protocol'])}"
               f" --source-address-prefixes {deny['sourceAddressPrefix']} --destination-port-ranges"
               f" {q(deny['destinationPortRange'])}")
    nic_extra = ""
    if ep.public_ip:
        out.append(f"az network public-ip create --resource-group {rg} --name {q(n.public_ip)} --sku Standard"
                   f" --allocation-method Static --dns-name {q(ep.dns_label)} --dns-name-scope {DNS_LABEL_SCOPE} --tags {tag_args}")
        nic_extra = f" --public-ip-address {q(n.public_ip)}"
    zone = f" --zone {q(a.vm.zone)}" if a.vm.zone else ""
    v2 = ""
    if a.disk.sku == "PremiumV2_LRS":
        v2 = "".join(f" {flag} {value}" for flag, value in (("--disk-iops-read-write", a.disk.iops),
                                                            ("--disk-mbps-read-write", a.disk.mbps)) if value)
    out += [
        f"az network nic create --resource-group {rg} --name {q(n.nic)} {subnet_arg} --private-ip-address {q(ep.private_ip)} --network-security-group {q(n.nsg)}{nic_extra}"
        f" --tags {tag_args}",
        f"az disk create --resource-group {rg} --name {q(n.data_disk)} --size-gb {a.disk.size_gb} --sku"
        f" {q(a.disk.sku)}{zone}{v2} --tags {tag_args}",
        # The password file exists only from here to the end of the script.
        *AZ_PASSWORD_FILE,
        f"az vm create --resource-group {rg} --name {q(n.vm)} --computer-name {q(n.vm)} --size {q(a.vm.size)}"
        f" --image {q(image_urn(a.vm.image))} --admin-username {q(a.vm.admin_username)}"
        ' ${admin_password_args[@]+"${admin_password_args[@]}"}'   # bash 3.2 (macOS): set -u and an empty array
        f" --nics {q(n.nic)} --attach-data-disks {q(n.data_disk)} --data-disk-caching {q(a.disk.caching)}"
        f" --os-disk-name {q(n.os_disk)}{zone} --tags {tag_args}",
    ]
    if ep.private_dns_zone:
        dns_zone, record = q(ep.private_dns_zone), q(a.vm.name.lower())
        vnet_id = q(subnet_id(a).rsplit("/subnets/", 1)[0])
        out += [
            f"az network private-dns zone create --resource-group {rg} --name {dns_zone} --tags {tag_args}",
            f"az network private-dns link vnet create --resource-group {rg} --zone-name {dns_zone} --name"
            f" {q(ep.vnet + '-hpcshare')} --virtual-network {vnet_id} --registration-enabled false --tags {tag_args}",
            f"az network private-dns record-set a add-record --resource-group {rg} --zone-name {dns_zone}"
            f" --record-set-name {record} --ipv4-address {q(ep.private_ip)}",
        ]
    out += [
        "# Server configuration (disk, share user, File Server role, share, firewall) runs as one",
        "# managed Run Command with the share password in a protected parameter; see",
        "# 'hpcshare run' (it has no safe one-line az equivalent).",
    ]
    return "\n".join(out) + "\n"
