"""Write-time allow-lists (defence in depth) for every value placed in the generated files.

The answers were validated when they were given (wizard.validation), but the artifacts do not
rely on that: each value that reaches a .cmd, .ps1 or .xml file is checked again here against a
strict ASCII allow-list with ``re.fullmatch`` (so a trailing newline cannot slip through a ``$``),
and a bad one raises ValueError naming the field. Nothing else may reach those files.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from wizard.answers import Answers
from wizard.facts import ServerFacts
from wizard.plan import FILES_HOST_SUFFIX, files_user, secret_name

_COMPUTER_NAME = re.compile(r"(?![0-9]+$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,13}[A-Za-z0-9])?")
_SHARE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,78}")
_SHARE_USER = re.compile(r"[A-Za-z][A-Za-z0-9._-]{0,18}[A-Za-z0-9_-]|[A-Za-z]")
_PROFILE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,39}")
_IPV4 = re.compile(r"(?:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}"
                   r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])")
_FQDN = re.compile(r"(?=.{4,253}\Z)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")
_GUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_REGION = re.compile(r"[a-z][a-z0-9]{1,39}")
_RESOURCE_GROUP = re.compile(r"[A-Za-z0-9_.()-]{0,89}[A-Za-z0-9_()-]")
_NODE_GROUP = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
_DNS_ZONE = re.compile(r"(?=.{3,240}\Z)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
_SMB_SOURCE = re.compile(r"VirtualNetwork|AzureLoadBalancer|[0-9]{1,3}(?:\.[0-9]{1,3}){3}(?:/[0-9]{1,2})?")
_CIDR = re.compile(r"[0-9]{1,3}(?:\.[0-9]{1,3}){3}/[0-9]{1,2}")
_STEP = re.compile(r"[a-z0-9][a-z0-9-]{0,39}")
_STORAGE_ACCOUNT = re.compile(r"[a-z0-9]{3,24}")
_FILES_SHARE = re.compile(r"(?!.*--)[a-z0-9][a-z0-9-]{1,61}[a-z0-9]")
_RESOURCE_ID = re.compile(r"/subscriptions/[0-9a-fA-F-]{36}(?:/[A-Za-z0-9_.()-]{1,260}){0,12}")
ACCESS_LEVELS = ("read", "change", "full")


def _check(field: str, value: object, pattern: re.Pattern[str], rule: str) -> str:
    if not isinstance(value, str) or not pattern.fullmatch(value):
        raise ValueError(f"{field}: {value!r} is not allowed here ({rule})")
    return value


@dataclass(frozen=True)
class Values:
    """The validated values the artifacts are made of."""
    profile: str
    server: str              # Windows computer name: SERVER\user; also the host unless dns_zone is set
    private_ip: str
    share: str
    user: str
    access: str
    encrypt: bool
    public_ip: str | None
    fqdn: str | None
    subscription_id: str
    resource_group: str
    region: str
    resource_ids: tuple[tuple[str, str], ...]
    node_group: str = ""     # HPC Pack node group the job and clusrun target; "" = any node
    dns_zone: str = ""       # private DNS zone holding the server's A record; "" = hosts entry
    smb_sources: tuple[str, ...] = ("VirtualNetwork",)   # the NSG rule's sources
    vnet_cidr: str = ""      # the VNet range the Windows Firewall admits for VirtualNetwork
    files_account: str = ""  # share.backend = "azure-files": the storage account; "" = a VM server
    demo: bool = False       # files from a demo run: the commands in SUMMARY.md carry --demo

    def command(self, verb: str, *args: str) -> str:
        """An hpcshare command for this profile, as SUMMARY.md gives it."""
        return " ".join(["hpcshare", verb, *(["--demo"] if self.demo else []), "--profile", self.profile, *args])

    @property
    def host(self) -> str:
        """The name nodes reach the server by: the computer name, or its FQDN in the private zone;
        for Azure Files the account's file endpoint (Azure resolves it into the privatelink zone)."""
        if self.files_account:
            return f"{self.files_account}{FILES_HOST_SUFFIX}"
        return f"{self.server.lower()}.{self.dns_zone}" if self.dns_zone else self.server

    @property
    def unc(self) -> str:
        return f"\\\\{self.host}\\{self.share}"

    @property
    def secret(self) -> str:
        """What the share's credential is called wherever a file asks for it or speaks of it."""
        return secret_name(bool(self.files_account))

    @property
    def secret_prompt(self) -> str:
        """The prompt that asks for it (submit-job.ps1, check-share.cmd)."""
        if self.files_account:
            return f"Storage account key of {self.files_account} (key1 or key2; share {self.unc})"
        return f"Password of {self.server}\\{self.user} (share \\\\{self.server}\\{self.share})"

    @property
    def account(self) -> str:
        if self.files_account:
            return files_user(self.files_account)     # Azure Files: the account key's user
        return f"{self.server}\\{self.user}"


def check_values(answers: Answers, facts: ServerFacts) -> Values:
    """Every value the artifacts use, re-checked; ValueError names the first bad field."""
    if answers.azure_files:
        return _check_files_values(answers, facts)
    profile = _check("profile", answers.profile, _PROFILE,
                     "1-40 letters, digits, '_' or '-', starting with a letter or digit")
    server = _check("facts.server_name (vm.name)", facts.server_name, _COMPUTER_NAME,
                    "a Windows computer name: 1-15 letters, digits or '-'")
    private_ip = _check("facts.private_ip (endpoints.private_ip)", facts.private_ip, _IPV4,
                        "an IPv4 address such as 10.0.0.4")
    share = _check("share.name", answers.share.name, _SHARE_NAME,
                   "1-79 letters, digits, '-' or '_', starting with a letter or digit")
    user = _check("account.username", answers.account.username, _SHARE_USER,
                  "1-20 letters, digits, '.', '_' or '-', starting with a letter, not ending with '.'")
    access = answers.share.access
    if access not in ACCESS_LEVELS:
        raise ValueError(f"share.access: {access!r} is not allowed here (one of {', '.join(ACCESS_LEVELS)})")
    encrypt = answers.share.encrypt
    if not isinstance(encrypt, bool):
        raise ValueError(f"share.encrypt: {encrypt!r} is not allowed here (true or false)")
    public_ip = None
    if facts.public_ip:
        public_ip = _check("facts.public_ip", facts.public_ip, _IPV4, "an IPv4 address")
    fqdn = None
    if facts.fqdn:
        fqdn = _check("facts.fqdn", facts.fqdn, _FQDN, "a lower-case DNS name such as x.westeurope.cloudapp.azure.com")
    subscription_id = _check("subscription.id", facts.subscription_id or answers.subscription.id, _GUID,
                             "a subscription GUID")
    resource_group = _check("subscription.resource_group", facts.resource_group or answers.subscription.resource_group,
                            _RESOURCE_GROUP, "1-90 letters, digits, '_', '-', '.', '(' or ')'")
    region = _check("subscription.region", facts.region or answers.subscription.region, _REGION,
                    "an Azure region name")
    node_group = answers.cluster.node_group
    if node_group:
        _check("cluster.node_group", node_group, _NODE_GROUP,
               "1-64 letters, digits, '_', '.' or '-', starting with a letter or digit")
    dns_zone = answers.endpoints.private_dns_zone
    if dns_zone:
        _check("endpoints.private_dns_zone", dns_zone, _DNS_ZONE, "a lower-case DNS zone name such as hpc.internal")
    sources = tuple(str(answers.endpoints.smb_source).split(","))
    for source in sources:
        _check("endpoints.smb_source", source, _SMB_SOURCE, "VirtualNetwork, or comma-separated IPv4 ranges")
    vnet_cidr = _check("endpoints.vnet_cidr", answers.endpoints.vnet_cidr, _CIDR, "an IPv4 range such as 10.0.0.0/16")
    ids: list[tuple[str, str]] = []
    for step, rid in sorted(facts.resource_ids.items()):
        _check("facts.resource_ids (step name)", step, _STEP, "lower-case letters, digits and '-'")
        ids.append((step, _check(f"facts.resource_ids[{step}]", rid, _RESOURCE_ID, "an Azure resource id")))
    return Values(profile=profile, server=server, private_ip=private_ip, share=share, user=user,
                  access=access, encrypt=encrypt, public_ip=public_ip, fqdn=fqdn,
                  subscription_id=subscription_id, resource_group=resource_group, region=region,
                  resource_ids=tuple(ids), node_group=node_group, dns_zone=dns_zone, smb_sources=sources,
                  vnet_cidr=vnet_cidr, demo=bool(facts.demo))


def _check_files_values(answers: Answers, facts: ServerFacts) -> Values:
    """The Azure Files backend: the account is the server and the user; there is no VM, NSG or
    Windows Firewall, and no private zone answer (the privatelink zone is implied)."""
    account = _check("files.account", answers.files.account, _STORAGE_ACCOUNT, "3-24 lower-case letters and digits")
    share = _check("share.name", answers.share.name, _FILES_SHARE,
                   "3-63 lower-case letters, digits or single '-', starting and ending with a letter or digit")
    profile = _check("profile", answers.profile, _PROFILE,
                     "1-40 letters, digits, '_' or '-', starting with a letter or digit")
    private_ip = _check("facts.private_ip (the private endpoint's address)", facts.private_ip, _IPV4,
                        "an IPv4 address such as 10.0.0.4")
    node_group = answers.cluster.node_group
    if node_group:
        _check("cluster.node_group", node_group, _NODE_GROUP,
               "1-64 letters, digits, '_', '.' or '-', starting with a letter or digit")
    ids: list[tuple[str, str]] = []
    for step, rid in sorted(facts.resource_ids.items()):
        _check("facts.resource_ids (step name)", step, _STEP, "lower-case letters, digits and '-'")
        ids.append((step, _check(f"facts.resource_ids[{step}]", rid, _RESOURCE_ID, "an Azure resource id")))
    return Values(
        profile=profile, server=account, private_ip=private_ip, share=share, user=account,
        access="full", encrypt=True, public_ip=None, fqdn=None,
        subscription_id=_check("subscription.id", facts.subscription_id or answers.subscription.id, _GUID,
                               "a subscription GUID"),
        resource_group=_check("subscription.resource_group", facts.resource_group or answers.subscription.resource_group,
                              _RESOURCE_GROUP, "1-90 letters, digits, '_', '-', '.', '(' or ')'"),
        region=_check("subscription.region", facts.region or answers.subscription.region, _REGION, "an Azure region name"),
        resource_ids=tuple(ids), node_group=node_group, vnet_cidr="", files_account=account,
        demo=bool(facts.demo))
