"""One rule per field. Each check returns None when the value is fine, else the rule it broke.

``check(key, value, context)`` turns that into the message users see, which always names the
field and the rule, e.g. "Share name: 1-79 letters, digits, '-' or '_'; 'IPC$' is reserved".
A rule that points to another answer writes its key in braces, "{vm.zone}": the message names
that field's screen and label instead (``wizard.questions.refer``).
Rules are strict allow-lists (ASCII only where Windows or Azure would accept look-alikes
inconsistently), because these values end up in Azure requests, PowerShell parameters, cmd files
and XML. Sources: reference/notes/windows-server-powershell.md section 5.
"""
from __future__ import annotations

import ipaddress
import re
import unicodedata
from collections.abc import Callable, Mapping
from typing import Any, TypeGuard

from wizard import diskcaps
from wizard.diskcaps import CACHING_MAX_GIB, LARGE_DISK_GIB, PREMIUM_V2

# CACHING_MAX_GIB and LARGE_DISK_GIB are re-exported: steps and the stand-in import them from here.

Context = Mapping[str, Any]
Rule = Callable[[Any, Context], "str | None"]

DISALLOWED_ADMIN_NAMES = frozenset({
    "administrator", "admin", "user", "user1", "test", "user2", "test1", "user3", "admin1", "1",
    "123", "a", "actuser", "adm", "admin2", "aspnet", "backup", "console", "david", "guest", "john",
    "owner", "root", "server", "sql", "support", "support_388945a0", "sys", "test2", "test3",
    "user4", "user5",
})
DISALLOWED_ADMIN_PASSWORDS = frozenset({
    "abc@123", "p@$$w0rd", "p@ssw0rd", "p@ssword123", "pa$$word", "pass@word1", "password!",
    "password1", "password22", "iloveyou!",
})
RESERVED_SHARE_NAMES = frozenset({
    "ipc$", "admin$", "print$", "fax$", "pipe", "mailslot", "netlogon", "sysvol",
})
# Names Windows keeps for local accounts and groups: a share user must not collide with them.
RESERVED_LOCAL_NAMES = DISALLOWED_ADMIN_NAMES | {
    "defaultaccount", "wdagutilityaccount", "system", "everyone", "users", "administrators",
    "guests", "network", "interactive", "authenticated users", "replicator", "iis_iusrs",
    "backup operators", "power users", "remote desktop users", "everyone",
}
SERVICE_TAGS = ("VirtualNetwork", "AzureLoadBalancer", "Internet", "AzureCloud")
DISK_SKUS = ("Standard_LRS", "StandardSSD_LRS", "Premium_LRS", PREMIUM_V2)
DISK_CACHING = ("None", "ReadOnly", "ReadWrite")
IMAGES = ("win2019-datacenter", "win2022-datacenter", "win2025-datacenter")
AUTH_METHODS = ("cli", "device-code", "environment", "managed-identity")
SHARE_ACCESS = ("read", "change", "full")
TRANSPORTS = ("managed-run-command", "run-command", "winrm")
# Premium and Standard data disks: 4 GiB up to 32,767 GiB (section 6 of the notes); Premium SSD v2
# from the caps table (1 GiB to 64 TiB, disks-types page).
DISK_SIZE_RANGE = {"Standard_LRS": (4, 32767), "StandardSSD_LRS": (4, 32767), "Premium_LRS": (4, 32767)}
# Currencies the Retail Prices API answers in (currencyCode; Azure Retail Prices overview, 2021 list).
CURRENCIES = ("USD", "AUD", "BRL", "CAD", "CHF", "CNY", "DKK", "EUR", "GBP", "INR", "JPY", "KRW", "NOK",
              "NZD", "RUB", "SEK", "TWD")
ZONES = ("", "1", "2", "3")
MAX_NODES = 100_000
MAX_NODE_MBPS = 100_000

_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_REGION = re.compile(r"^[a-z][a-z0-9]{1,39}$")
_COMPUTER_NAME = re.compile(r"^(?![0-9]+$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,13}[A-Za-z0-9])?$")
_NETWORK_NAME = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,62}[A-Za-z0-9_])?$")
_ADMIN_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,19}$")
_SHARE_USER = re.compile(r"^[A-Za-z][A-Za-z0-9._-]{0,19}$")
_SHARE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,78}$")
_FOLDER = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9 _.-]{0,62}[A-Za-z0-9_-])?$")
_NTFS_RESERVED = re.compile(r"^(CON|PRN|AUX|NUL|COM[0-9]|LPT[0-9])(\..*)?$", re.I)
_LABEL = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9 _-]{0,30}[A-Za-z0-9_-])?$")
_DNS_LABEL = re.compile(r"^[a-z][a-z0-9-]{1,61}[a-z0-9]$")
_PROFILE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$")
_VM_SIZE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{2,63}$")


def _ascii_printable(value: str) -> bool:
    return all(32 <= ord(c) < 127 for c in value)


def _has_control(value: str) -> bool:
    return any(unicodedata.category(c) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp") for c in value)


# ---- single-field rules ---------------------------------------------------------------------

def subscription_id(v: str, ctx: Context) -> str | None:
    if not _GUID.fullmatch(v):
        return "a subscription GUID like 00000000-0000-0000-0000-000000000000"
    return None


def region(v: str, ctx: Context) -> str | None:
    if not _REGION.fullmatch(v):
        return "an Azure region name such as 'westeurope' (lower-case letters and digits)"
    return None


def resource_group(v: str, ctx: Context) -> str | None:
    rule = "1-90 letters, digits, '_', '-', '.', '(' or ')', not ending with '.'"
    if not 1 <= len(v) <= 90 or v.endswith("."):
        return rule
    # Azure accepts Unicode letters here; we keep to ASCII so names survive every shell and file.
    if not _ascii_printable(v) or any(not (c.isalnum() or c in "_-.()") for c in v):
        return rule
    return None


def optional_resource_group(v: str, ctx: Context) -> str | None:
    return resource_group(v, ctx) if v else None


def computer_name(v: str, ctx: Context) -> str | None:
    if not _COMPUTER_NAME.fullmatch(v):
        return ("1-15 letters, digits or '-', starting and ending with a letter or digit, "
                "not only digits (it is also the Windows computer name)")
    return None


def vm_size(v: str, ctx: Context) -> str | None:
    if not _VM_SIZE.fullmatch(v):
        return "an Azure VM size such as 'Standard_D4s_v5'"
    return None


def choice(options: tuple[str, ...]) -> Rule:
    def rule(v: str, ctx: Context) -> str | None:
        if v not in options:
            return "one of " + ", ".join(options)
        return None
    return rule


def admin_username(v: str, ctx: Context) -> str | None:
    if not _ADMIN_NAME.fullmatch(v) or v.endswith("."):
        return "1-20 letters, digits, '.', '_' or '-', starting with a letter or digit, not ending with '.'"
    if v.lower() in DISALLOWED_ADMIN_NAMES:
        return f"'{v}' is reserved by Azure (e.g. admin, administrator, root, guest, test)"
    return None


def _password_rule(v: str, username: str, lo: int, hi: int) -> str | None:
    if not lo <= len(v) <= hi:
        return f"{lo}-{hi} characters"
    if _has_control(v) or not _ascii_printable(v):
        return "printable ASCII characters only"
    classes = sum(bool(re.search(p, v)) for p in (r"[a-z]", r"[A-Z]", r"[0-9]", r"[^A-Za-z0-9]"))
    if classes < 3:
        return "at least 3 of: lower-case, upper-case, digit, symbol"
    if len(username) > 2 and username.lower() in v.lower():
        return "must not contain the user name"
    return None


def admin_password(v: str, ctx: Context) -> str | None:
    broken = _password_rule(v, str(ctx.get("vm.admin_username", "")), 12, 123)
    if broken is None and v.lower() in DISALLOWED_ADMIN_PASSWORDS:
        return "a well-known password that Azure refuses"
    return broken


def share_username(v: str, ctx: Context) -> str | None:
    if not _SHARE_USER.fullmatch(v) or v.endswith("."):
        return "1-20 letters, digits, '.', '_' or '-', starting with a letter, not ending with '.'"
    if v.lower() in RESERVED_LOCAL_NAMES:
        return f"'{v}' is a reserved Windows account or group name"
    if v.lower() == str(ctx.get("vm.admin_username", "")).lower():
        return "must differ from the VM admin user name (the share user has no admin rights)"
    return None


def share_password(v: str, ctx: Context) -> str | None:
    return _password_rule(v, str(ctx.get("account.username", "")), 12, 127)


def share_name(v: str, ctx: Context) -> str | None:
    if files_backend(ctx):
        return files_share_name(v)
    if v.lower() in RESERVED_SHARE_NAMES or re.fullmatch(r"[A-Za-z]\$", v):
        return f"'{v}' is a reserved Windows share name"
    if not _SHARE_NAME.fullmatch(v):
        return "1-79 letters, digits, '-' or '_', starting with a letter or digit; 'IPC$' is reserved"
    return None


def folder(v: str, ctx: Context) -> str | None:
    if not _FOLDER.fullmatch(v):
        return ("1-64 letters, digits, spaces, '.', '_' or '-', starting with a letter or digit and "
                "not ending with a space or '.'")
    if _NTFS_RESERVED.fullmatch(v):
        return f"'{v}' is a reserved Windows device name (CON, PRN, AUX, NUL, COM1-9, LPT1-9)"
    return None


def drive_letter(v: str, ctx: Context) -> str | None:
    if len(v) != 1 or not "F" <= v.upper() <= "Z" or not v.isascii():
        return "one letter from F to Z (C is the OS, D the temporary disk, E often the DVD drive)"
    return None


def volume_label(v: str, ctx: Context) -> str | None:
    if not _LABEL.fullmatch(v):
        return "1-32 letters, digits, spaces, '_' or '-', starting with a letter or digit, not ending with a space"
    return None


def disk_sku(v: str, ctx: Context) -> str | None:
    broken = choice(DISK_SKUS)(v, ctx)
    if broken:
        return broken
    if v == PREMIUM_V2 and not ctx.get("vm.zone"):
        # "Premium SSD v2 disks can only be attached to zonal VMs" (disks-deploy-premium-v2, Limitations).
        return "Premium SSD v2 needs a zonal VM: set {vm.zone} to 1, 2 or 3"
    return None


def disk_size(v: int, ctx: Context) -> str | None:
    sku = str(ctx.get("disk.sku", "Premium_LRS"))
    lo, hi = diskcaps.v2_size_range() if sku == PREMIUM_V2 else DISK_SIZE_RANGE.get(sku, (4, 32767))
    if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
        return f"a whole number of GiB from {lo} to {hi} for {sku}"
    return None


def caching(v: str, ctx: Context) -> str | None:
    broken = choice(DISK_CACHING)(v, ctx)
    if broken:
        return broken
    if v != "None" and ctx.get("disk.sku") == PREMIUM_V2:
        return "must be 'None' for Premium SSD v2: it has no host caching (disks-deploy-premium-v2)"
    size = ctx.get("disk.size_gb")
    if v != "None" and isinstance(size, int) and size > CACHING_MAX_GIB:
        return "must be 'None' for disks of 4 TiB (4096 GiB) or more: Azure has no host caching there"
    return None


def network_name(v: str, ctx: Context) -> str | None:
    if not 2 <= len(v) <= 64 or not _NETWORK_NAME.fullmatch(v):
        return ("2-64 letters, digits, '_', '.' or '-', starting with a letter or digit and ending "
                "with a letter, digit or '_'")
    return None


_CIDR = re.compile(r"[0-9]{1,3}(?:\.[0-9]{1,3}){3}(?:/[0-9]{1,2})?")


def _ipv4_network(v: str) -> ipaddress.IPv4Network | None:
    """An address or a CIDR range (prefix length, not a netmask), host bits clear; else None."""
    if not _CIDR.fullmatch(v):
        return None
    try:
        return ipaddress.IPv4Network(v, strict=True)
    except ValueError:
        return None


def _network(v: str) -> ipaddress.IPv4Network | None:
    return _ipv4_network(v) if "/" in v else None


# The widest public range SMB may be opened to (a site's or a VPN's egress range, not a continent).
PUBLIC_SMB_MIN_PREFIX = 16
PRIVATE_RANGES = tuple(ipaddress.IPv4Network(p) for p in
                       ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"))


def _private(net: ipaddress.IPv4Network) -> bool:
    return any(net.subnet_of(p) for p in PRIVATE_RANGES)


def smb_sources(value: str) -> list[str]:
    """``endpoints.smb_source`` as its items: one service tag, or comma-separated address ranges
    (no spaces: the value is validated and used exactly as written)."""
    return str(value).split(",")


def public_range(value: str) -> str | None:
    """The network(s) when an NSG source holds address ranges outside the private ranges (so it
    opens a port to the Internet and needs the user's explicit confirmation), else None. Several
    are joined with ", ". Service tags such as VirtualNetwork are not address ranges."""
    public: list[str] = []
    for item in smb_sources(value):
        net = _ipv4_network(item)
        if net is not None and not _private(net):
            public.append(str(net))
    return ", ".join(public) or None


# Answers that open a port to an address range: each public range needs the user's explicit yes
# when typed, and a --yes replay refuses a public RDP range unless --allow-public-rdp.
# key -> (what becomes reachable, why that is dangerous)
EXPOSING_KEYS: dict[str, tuple[str, str]] = {
    "endpoints.smb_source": ("TCP 445 (SMB)", "SMB exposed to the Internet is scanned and attacked constantly, "
                             "and many ISPs block it anyway; SMB encryption is then required."),
    "endpoints.rdp_source": ("TCP 3389 (RDP)", "RDP exposed to the Internet is a constant target of password "
                             "guessing; most operators reach the server through the VNet or a bastion."),
}


def public_exposures(values: Mapping[str, Any]) -> list[tuple[str, str, str, str]]:
    """(key, public range, what becomes reachable, why it is dangerous) for each valid answer in
    ``values`` that opens a port to a public address range (a value its own rule refuses is
    reported by that rule, not confirmed)."""
    rules: dict[str, Callable[[str, Context], str | None]] = {"endpoints.smb_source": smb_source,
                                                            "endpoints.rdp_source": rdp_source}
    found = []
    for key, (what, why) in EXPOSING_KEYS.items():
        value = values.get(key)
        if not isinstance(value, str) or not value.strip() or rules[key](value.strip(), values) is not None:
            continue
        cidr = public_range(value.strip())
        if cidr:
            found.append((key, cidr, what, why))
    return found


def vnet_cidr(v: str, ctx: Context) -> str | None:
    net = _network(v)
    if net is None or not 8 <= net.prefixlen <= 29 or not _private(net):
        return "a private IPv4 range in CIDR form with a prefix from /8 to /29, e.g. 10.0.0.0/16"
    return None


def subnet_cidr(v: str, ctx: Context) -> str | None:
    net = _network(v)
    if net is None or not 8 <= net.prefixlen <= 29:
        return "an IPv4 range in CIDR form with a prefix from /8 to /29, e.g. 10.0.0.0/24"
    vnet = _network(str(ctx.get("endpoints.vnet_cidr", "")))
    if vnet is not None and not net.subnet_of(vnet):
        return f"must lie inside the VNet range {vnet}"
    return None


def private_ip(v: str, ctx: Context) -> str | None:
    try:
        ip = ipaddress.IPv4Address(v)
    except ValueError:
        return "an IPv4 address inside the subnet, e.g. 10.0.0.4"
    net = _network(str(ctx.get("endpoints.subnet_cidr", "")))
    if net is None:
        return None
    if ip not in net:
        return f"must lie inside the subnet {net}"
    reserved = {net.network_address, net.broadcast_address, *(net.network_address + i for i in (1, 2, 3))}
    if ip in reserved:
        return f"{ip} is reserved by Azure (the first four addresses and the last of {net})"
    return None


def dns_label(v: str, ctx: Context) -> str | None:
    if not v:
        if ctx.get("endpoints.public_ip"):
            return "required when a public IP is requested"
        return None
    if not _DNS_LABEL.fullmatch(v):
        return "3-63 lower-case letters, digits or '-', starting with a letter and not ending with '-'"
    return None


def nsg_source(v: str, ctx: Context) -> str | None:
    if v in SERVICE_TAGS:
        return None
    if _ipv4_network(v) is None:
        return "a service tag (" + ", ".join(SERVICE_TAGS) + ") or an IPv4 CIDR such as 203.0.113.7/32"
    return None


# Ranges one SMB rule may name: far below the NSG's own limit, and the Windows Firewall scope
# gets the same list (a short list stays reviewable).
SMB_SOURCE_MAX_RANGES = 16


def _one_smb_source(v: str) -> str | None:
    if v in ("Internet", "AzureCloud"):
        return "SMB must not be open to the whole Internet; use VirtualNetwork or address ranges"
    broken = nsg_source(v, {})
    if broken:
        return broken
    net = _ipv4_network(v)
    if net is not None and net.prefixlen == 0:
        return "SMB must not be open to the whole Internet; use VirtualNetwork or address ranges"
    if net is not None and not _private(net) and net.prefixlen < PUBLIC_SMB_MIN_PREFIX:
        return (f"a public range must be /{PUBLIC_SMB_MIN_PREFIX} or narrower: SMB open to "
                f"{net.num_addresses:,} Internet addresses invites attacks")
    return None


def smb_source(v: str, ctx: Context) -> str | None:
    """VirtualNetwork (or another allowed service tag) alone, or 1-16 comma-separated IPv4
    ranges (cluster VNets, peered VNets, on-premises ranges). An NSG rule takes a service tag
    only as its single sourceAddressPrefix; several ranges go to sourceAddressPrefixes."""
    items = smb_sources(v)
    if len(items) == 1:
        return _one_smb_source(items[0])
    if any(c.isspace() for c in v):
        return "comma-separated without spaces, e.g. 10.1.0.0/16,192.168.10.0/24"
    if len(items) > SMB_SOURCE_MAX_RANGES:
        return f"at most {SMB_SOURCE_MAX_RANGES} comma-separated address ranges"
    for item in items:
        if item in SERVICE_TAGS:
            return f"{item} must stand alone; a list holds IPv4 ranges only, e.g. 10.1.0.0/16,192.168.10.0/24"
        broken = _one_smb_source(item)
        if broken:
            return f"{item or '(empty item)'}: {broken}"
    if len(set(items)) != len(items):
        return "each address range once"
    return None


def rdp_source(v: str, ctx: Context) -> str | None:
    if not v:
        return None
    net = _ipv4_network(v)
    if net is None:
        return "empty (no RDP) or one IPv4 address or range, e.g. 203.0.113.7/32"
    if net.prefixlen < 24:
        return "at most a /24 range: RDP open to many addresses invites brute-force attacks"
    return None


# HPC Pack node group names as they reach a job XML attribute (NodeGroups, ';'-separated there)
# and a clusrun /nodegroup: switch: kept to characters no shell, XML or list syntax reads.
_NODE_GROUP = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


def node_group(v: str, ctx: Context) -> str | None:
    if v and not _NODE_GROUP.fullmatch(v):
        return ("empty, or the name of one HPC Pack node group: 1-64 letters, digits, '_', '.' or '-', "
                "starting with a letter or digit (e.g. ComputeNodes)")
    return None


# Azure Private DNS zones: at least two labels and at most 34; some names are reserved
# ("What is an Azure Private DNS zone?", learn.microsoft.com/azure/dns/private-dns-privatednszone,
# Restrictions). Lower case only: DNS is case-insensitive and the files compare it as text.
_DNS_ZONE_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
RESERVED_DNS_ZONES = ("azclient.ms", "azure.com", "cloudapp.net", "core.windows.net", "microsoft.com",
                      "msidentity.com", "trafficmanager.net", "windows.net")


def private_dns_zone(v: str, ctx: Context) -> str | None:
    if not v:
        return None
    rule = ("empty (a hosts entry on each node), or a private DNS zone such as hpc.internal: 2-34 "
            "lower-case labels of letters, digits and '-', separated by dots")
    labels = v.split(".")
    if not 2 <= len(labels) <= 34 or len(v) > 253 or not all(_DNS_ZONE_LABEL.fullmatch(x) for x in labels):
        return rule
    if labels[-1].isdigit():
        return rule
    if v in RESERVED_DNS_ZONES:  # the exact names: privatelink.* zones below them are allowed
        return f"{v} is a zone name Azure reserves"
    name = str(ctx.get("vm.name", "")).lower()
    if name and len(name) + 1 + len(v) > 253:
        return "the server's name in it would be longer than 253 characters"
    return None


# WinRM over HTTPS (5986) is an administrator login: as narrow as RDP when it faces the Internet.
WINRM_PUBLIC_MIN_PREFIX = 24


def winrm_source(v: str, ctx: Context) -> str | None:
    """Where hpcshare runs from, for the WinRM HTTPS port (NSG and Windows Firewall): the VNet
    (hpcshare on the HPC head node, the common case) or one typed range. Every other service tag,
    '*' and /0 would open an administrator login to far more than this machine."""
    if v == "VirtualNetwork":
        return None
    net = _ipv4_network(v)
    if v in SERVICE_TAGS or v in ("*", "Any") or (net is not None and net.prefixlen == 0):
        return ("WinRM (TCP 5986) must not be open to the Internet or to all of Azure; use VirtualNetwork "
                "or the range hpcshare runs from, e.g. 10.1.0.0/24 or 203.0.113.7/32")
    if net is None:
        return "VirtualNetwork or one IPv4 address or range, e.g. 10.1.0.0/24 or 203.0.113.7/32"
    if not _private(net):
        if net.prefixlen < WINRM_PUBLIC_MIN_PREFIX:
            return (f"a public range must be /{WINRM_PUBLIC_MIN_PREFIX} or narrower: an administrator login "
                    "open to many Internet addresses invites brute-force attacks")
        if ctx.get("remote.transport") == "winrm" and not ctx.get("endpoints.public_ip"):
            return "a public range reaches the server only through a public IP: set {endpoints.public_ip} to yes or use VirtualNetwork"
    return None


def profile_name(v: str, ctx: Context) -> str | None:
    if not _PROFILE.fullmatch(v):
        return "1-40 letters, digits, '_' or '-', starting with a letter or digit"
    return None


def boolean(v: Any, ctx: Context) -> str | None:
    return None if isinstance(v, bool) else "true or false"


def _whole(v: Any) -> TypeGuard[int]:
    return isinstance(v, int) and not isinstance(v, bool)


def disk_iops(v: int, ctx: Context) -> str | None:
    """Premium SSD v2's provisioned IOPS; 0 = the free baseline. Other disk types take none."""
    if not _whole(v) or v < 0:
        return "a whole number, 0 for the baseline"
    sku, size = ctx.get("disk.sku"), ctx.get("disk.size_gb")
    if sku != PREMIUM_V2:
        return None if v == 0 else f"only Premium SSD v2 takes provisioned IOPS ({sku} has fixed tiers): set 0"
    if v == 0 or not _whole(size):
        return None
    r = diskcaps.v2_range(size)
    if not r.min_iops <= v <= r.max_iops:
        return f"from {r.min_iops:,} to {r.max_iops:,} for a {size} GiB Premium SSD v2 disk (0 = {r.min_iops:,})"
    return None


def disk_mbps(v: int, ctx: Context) -> str | None:
    """Premium SSD v2's provisioned MB/s; 0 = the free baseline. At most 0.25 MB/s per IOPS."""
    if not _whole(v) or v < 0:
        return "a whole number, 0 for the baseline"
    sku, size, iops = ctx.get("disk.sku"), ctx.get("disk.size_gb"), ctx.get("disk.iops") or 0
    if sku != PREMIUM_V2:
        return None if v == 0 else f"only Premium SSD v2 takes provisioned MB/s ({sku} has fixed tiers): set 0"
    if v == 0 or not _whole(size) or not _whole(iops):
        return None
    r = diskcaps.v2_range(int(size), iops or diskcaps.v2_range(size).min_iops)
    if not r.min_mbps <= v <= r.max_mbps:
        return (f"from {r.min_mbps} to {r.max_mbps} MB/s for {iops or r.min_iops:,} IOPS "
                "(at most 0.25 MB/s per IOPS, 1,200 in all; 0 = 125)")
    return None


def zone(v: str, ctx: Context) -> str | None:
    if v not in ZONES:
        return "empty (no zone) or an availability zone: 1, 2 or 3"
    return None


def cluster_nodes(v: int, ctx: Context) -> str | None:
    if not _whole(v) or not 0 <= v <= MAX_NODES:
        return f"a whole number from 0 (not given) to {MAX_NODES:,}"
    return None


def node_mbps(v: int, ctx: Context) -> str | None:
    if not _whole(v) or not 0 <= v <= MAX_NODE_MBPS:
        return f"MB/s as a whole number from 0 (not given) to {MAX_NODE_MBPS:,}"
    return None


# ---- Azure Files backend (share.backend = "azure-files") -----------------------------------------
BACKEND_VM = "vm"
BACKEND_FILES = "azure-files"
BACKENDS = (BACKEND_VM, BACKEND_FILES)
# FileStorage accounts take premium SKUs only ("Azure Files planning", learn.microsoft.com/azure/
# storage/files/storage-files-planning, "Storage account kinds"); these two keep the share in one
# region (LRS in one datacenter, ZRS across three zones).
FILES_SKUS = ("Premium_LRS", "Premium_ZRS")
# Provisioned (v1) premium file shares: 100 GiB to 100 TiB ("Azure Files scalability and
# performance targets", learn.microsoft.com/azure/storage/files/storage-files-scale-targets).
FILES_QUOTA_GIB = (100, 102_400)
# "Storage account overview", learn.microsoft.com/azure/storage/common/storage-account-overview,
# "Storage account name": 3 to 24 characters, numbers and lower-case letters only.
_STORAGE_ACCOUNT = re.compile(r"^[a-z0-9]{3,24}$")
# "Naming and referencing shares, directories, files, and metadata" (learn.microsoft.com/rest/api/
# storageservices/naming-and-referencing-shares--directories--files--and-metadata): 3-63 lower-case
# letters, digits and hyphens, starting and ending with a letter or digit, no two hyphens in a row.
_FILES_SHARE = re.compile(r"^(?!.*--)[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$")


def files_backend(ctx: Context) -> bool:
    return ctx.get("share.backend") == BACKEND_FILES


def storage_account_name(v: str, ctx: Context) -> str | None:
    if not v:
        return "required for the Azure Files backend: 3-24 lower-case letters and digits" if files_backend(ctx) else None
    if not _STORAGE_ACCOUNT.fullmatch(v):
        return "3-24 lower-case letters and digits only (it becomes <name>.file.core.windows.net)"
    return None


def files_share_name(v: str) -> str | None:
    if not _FILES_SHARE.fullmatch(v):
        return ("Azure Files share names are 3-63 lower-case letters, digits or '-', starting and ending "
                "with a letter or digit, no '--' (e.g. myshare)")
    return None


def files_quota(v: int, ctx: Context) -> str | None:
    lo, hi = FILES_QUOTA_GIB
    if not _whole(v) or not lo <= v <= hi:
        return f"a premium file share holds {lo:,} to {hi:,} GiB"
    return None


def files_private_ip(v: str, ctx: Context) -> str | None:
    """Empty: Azure picks a free address in the subnet for the private endpoint."""
    if not v:
        return None
    return private_ip(v, ctx)
