"""Answers (+ what provisioning learned) -> the parameters each PowerShell script receives.

Every value sent to the server comes from here, and only from validated answers: each field is
checked again with its question's rule (wizard/questions.py) and, because the values end up on
Windows, also against the stricter allow-list the scripts themselves enforce (``PATTERNS``; the
scripts repeat these checks as defence in depth). A value that fails raises ``ConfigError``
naming the answer key, before any transport is called.

Config keys (``ConfigB64``; schema 1) for configure-server::

    computer_name  disk_lun  disk_size_gib  cluster_bytes  drive_letter  volume_label
    share_user  share_name  folder  access  encrypt  smb_remote  udp_445  schema

and for self-test: ``computer_name share_name share_user access schema``. The secret dict
(``SecretB64``) is ``{"share_password": ...}`` for both. winrm-bootstrap gets
``schema computer_name dns_names winrm_remote port`` and an empty secret ``{}``; its
``winrm_remote`` (the firewall scope for TCP 5986) maps ``remote.winrm_source`` like
``smb_remote`` below (``VirtualNetwork`` -> the VNet's prefixes, a CIDR -> that CIDR).

Firewall scope (``smb_remote``): the NSG source answer, a comma-separated list, is mapped entry by
entry to Windows Firewall ``-RemoteAddress`` values (all of them on the one rule):

* ``VirtualNetwork`` -> the VNet's address prefixes (the existing VNet's real prefixes when
  provisioning reported them, else the ``endpoints.vnet_cidr`` answer). Not ``LocalSubnet``:
  compute nodes often sit in another subnet of the cluster's VNet, and LocalSubnet would block
  them. This is narrower than the NSG tag, which also admits peered VNets and on-premises
  ranges behind a gateway; nodes there need an explicit CIDR answer.
* ``AzureLoadBalancer`` -> ``168.63.129.16`` (the platform address that tag stands for).
* a CIDR -> that CIDR.
* ``Internet`` / ``AzureCloud`` are refused by validation and never reach a script.

The script owns its rules (``hpcshare-SMB-In-TCP-445``, and ``...-UDP-445`` only when asked; an
existing UDP rule is removed when not) and disables every other enabled inbound Allow rule that
admits TCP 445 or 139, chosen by its port filter, not its name: Windows enables "File and Printer
Sharing" (with NetBIOS 139) or, on Server 2025, "File and Printer Sharing (Restrictive)" when a
share is created, and either would make the scope moot.
"""
from __future__ import annotations

import ipaddress
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from wizard.answers import Answers, Secrets
from wizard.questions import QUESTIONS
from wizard.remote.protocol import RESET_ADMIN_PASSWORD, WINRM_BOOTSTRAP, WINRM_HTTPS_PORT

SCHEMA = 1
AZURE_LOAD_BALANCER_IP = "168.63.129.16"
NTFS_CLUSTER_SIZES = (4096, 8192, 16384, 32768, 65536, 131072, 262144, 524288, 1048576, 2097152)

# The scripts' own allow-lists (same patterns, .NET-compatible; matched as a whole string).
PATTERNS: dict[str, str] = {
    "computer_name": r"(?![0-9]+$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,13}[A-Za-z0-9])?",
    "drive_letter": r"[F-Z]",
    "volume_label": r"[A-Za-z0-9 _-]{1,32}",
    "share_user": r"[A-Za-z][A-Za-z0-9._-]{0,19}",
    "share_name": r"[A-Za-z0-9][A-Za-z0-9_-]{0,78}",
    "folder": r"[A-Za-z0-9](?:[A-Za-z0-9 _.-]{0,62}[A-Za-z0-9_-])?",
    "access": r"(?:read|change|full)",
    "smb_remote": r"(?:\d{1,3}(?:\.\d{1,3}){3}(?:/\d{1,2})?|LocalSubnet)",
    "dns_names": r"(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*",
    "winrm_remote": r"\d{1,3}(?:\.\d{1,3}){3}(?:/\d{1,2})?",
    "admin_user": r"[A-Za-z0-9][A-Za-z0-9._-]{0,19}",
}

CONFIGURE_KEYS = ("schema", "computer_name", "disk_lun", "disk_size_gib", "cluster_bytes", "drive_letter",
                  "volume_label", "share_user", "share_name", "folder", "access", "encrypt", "smb_remote",
                  "udp_445", "keep_password")
SELF_TEST_KEYS = ("schema", "computer_name", "share_name", "share_user", "access")
WINRM_BOOTSTRAP_KEYS = ("schema", "computer_name", "dns_names", "winrm_remote", "port")
RESET_ADMIN_KEYS = ("schema", "computer_name", "admin_user")
SECRET_KEYS = ("share_password",)

# Answer keys each config is built from (validated in this order, with the full answers as context).
_CONFIGURE_ANSWERS = ("vm.name", "vm.admin_username", "disk.sku", "disk.size_gb", "disk.drive_letter",
                      "disk.label", "account.username", "share.name", "share.folder", "share.access",
                      "share.encrypt", "endpoints.vnet_cidr", "endpoints.smb_source", "endpoints.udp_445")
_SELF_TEST_ANSWERS = ("vm.name", "vm.admin_username", "account.username", "share.name", "share.access")
_WINRM_ANSWERS = ("vm.name", "endpoints.vnet_cidr", "endpoints.public_ip", "endpoints.dns_label", "remote.transport",
                  "remote.winrm_source")


class ConfigError(ValueError):
    """A value that must not reach the server. ``field`` is the answer key (e.g. ``share.name``)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class ServerInfo:
    """What provisioning learned that the answers do not say."""
    disk_lun: int = 0                      # the data disk's LUN on the VM (hpcshare attaches it at 0)
    vnet_prefixes: tuple[str, ...] = ()    # the VNet's real address prefixes, when known


def min_ntfs_cluster_bytes(disk_gib: int) -> int:
    """NTFS addresses at most 2**32 - 1 clusters: the smallest cluster that covers the volume."""
    size = disk_gib * 2**30
    for c in NTFS_CLUSTER_SIZES:
        if size <= c * (2**32 - 1):
            return c
    raise ValueError(f"{disk_gib} GiB is too large for one NTFS volume")


# ---- validation -------------------------------------------------------------------------------

def _has_control(value: str) -> bool:
    return any(unicodedata.category(c) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp") for c in value)


def _check_answers(answers: Answers, keys: Iterable[str]) -> dict[str, Any]:
    flat = answers.flat()
    for key in keys:
        q = QUESTIONS[key]
        value = flat.get(key)
        if q.kind == "number":
            ok_type = isinstance(value, int) and not isinstance(value, bool)
        elif q.kind == "toggle":
            ok_type = isinstance(value, bool)
        else:
            ok_type = isinstance(value, str)
        if not ok_type:
            raise ConfigError(key, f"{q.label}: {value!r} has the wrong type")
        # Rules written with '^...$' accept a trailing newline; nothing sent to Windows may carry one.
        if isinstance(value, str) and _has_control(value):
            raise ConfigError(key, f"{q.label}: control characters (newlines, NUL, direction marks) are not allowed")
        message = q.check(value, flat) if q.applies(flat) else None
        if message:
            raise ConfigError(key, message)
    return flat


def check_config(script: str, config: Mapping[str, Any]) -> None:
    """The scripts' own start-up checks, in Python: the stand-in answers as the script would,
    and ``build_*`` never produce a config the script would refuse."""
    if script == WINRM_BOOTSTRAP:
        _check_winrm_config(config)
        return
    if script == RESET_ADMIN_PASSWORD:
        _check_reset_admin_config(config)
        return
    keys = CONFIGURE_KEYS if script == "configure-server" else SELF_TEST_KEYS
    for k in keys:
        if k not in config:
            raise ConfigError(k, f"parameter -ConfigB64 lacks the key '{k}'")

    def integer(k: str, lo: int, hi: int) -> None:
        v = config[k]
        if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
            raise ConfigError(k, f"config value '{k}' must be a whole number from {lo} to {hi}")

    def match(k: str, v: Any) -> None:
        if not isinstance(v, str) or re.fullmatch(PATTERNS[k], v) is None:
            raise ConfigError(k, f"config value '{k}' is not acceptable")

    integer("schema", 1, 1)
    for k in ("computer_name", "share_name", "share_user", "access"):
        match(k, config[k])
    if script != "configure-server":
        return
    integer("disk_lun", 0, 63)
    integer("disk_size_gib", 1, 65536)
    integer("cluster_bytes", 4096, 2097152)
    if config["cluster_bytes"] not in NTFS_CLUSTER_SIZES:
        raise ConfigError("cluster_bytes", "config value 'cluster_bytes' is not an NTFS cluster size")
    for k in ("drive_letter", "volume_label", "folder"):
        match(k, config[k])
    for k in ("encrypt", "udp_445", "keep_password"):
        if not isinstance(config[k], bool):
            raise ConfigError(k, f"config value '{k}' must be true or false")
    remote = config["smb_remote"]
    if not isinstance(remote, list) or not 1 <= len(remote) <= 16:
        raise ConfigError("smb_remote", "config value 'smb_remote' must list 1 to 16 addresses")
    for r in remote:
        match("smb_remote", r)


def _check_reset_admin_config(config: Mapping[str, Any]) -> None:
    """The reset-admin-password script's start-up checks (assets/powershell/reset-admin-password.ps1)."""
    for k in RESET_ADMIN_KEYS:
        if k not in config:
            raise ConfigError(k, f"parameter -ConfigB64 lacks the key '{k}'")
    if isinstance(config["schema"], bool) or config["schema"] != SCHEMA:
        raise ConfigError("schema", "config value 'schema' must be a whole number from 1 to 1")
    for k in ("computer_name", "admin_user"):
        if not isinstance(config[k], str) or re.fullmatch(PATTERNS[k], config[k]) is None:
            raise ConfigError(k, f"config value '{k}' is not acceptable")


def reset_admin_config(answers: Answers) -> dict[str, Any]:
    """The ConfigB64 object for reset-admin-password."""
    config: dict[str, Any] = {"schema": SCHEMA, "computer_name": answers.vm.name,
                              "admin_user": answers.vm.admin_username}
    _recheck(RESET_ADMIN_PASSWORD, config)
    return config


def admin_secret_params(answers: Answers, password: str) -> dict[str, str]:
    """The SecretB64 object of reset-admin-password, checked with the admin password's rule."""
    if _has_control(password):
        raise ConfigError("vm.admin_password", "Admin password: control characters are not allowed")
    message = QUESTIONS["vm.admin_password"].check(password, answers.flat())
    if message:
        raise ConfigError("vm.admin_password", message)
    return {"admin_password": password}


def _check_winrm_config(config: Mapping[str, Any]) -> None:
    """The winrm-bootstrap script's start-up checks (assets/powershell/winrm-bootstrap.ps1)."""
    for k in WINRM_BOOTSTRAP_KEYS:
        if k not in config:
            raise ConfigError(k, f"parameter -ConfigB64 lacks the key '{k}'")
    schema, port = config["schema"], config["port"]
    if isinstance(schema, bool) or schema != SCHEMA:
        raise ConfigError("schema", "config value 'schema' must be a whole number from 1 to 1")
    if isinstance(port, bool) or port != WINRM_HTTPS_PORT:
        raise ConfigError("port", f"config value 'port' must be a whole number from {WINRM_HTTPS_PORT} to {WINRM_HTTPS_PORT}")
    name = config["computer_name"]
    if not isinstance(name, str) or re.fullmatch(PATTERNS["computer_name"], name) is None:
        raise ConfigError("computer_name", "config value 'computer_name' is not acceptable")
    for key, lo, hi, what in (("dns_names", 1, 4, "names"), ("winrm_remote", 1, 16, "addresses")):
        values = config[key]
        if not isinstance(values, list) or not lo <= len(values) <= hi:
            raise ConfigError(key, f"config value '{key}' must list {lo} to {hi} {what}")
        for v in values:
            if not isinstance(v, str) or re.fullmatch(PATTERNS[key], v) is None:
                raise ConfigError(key, f"config value '{key}' is not acceptable")
    if config["dns_names"][0] != name:
        raise ConfigError("dns_names", "config value 'dns_names' must start with the computer name")


# ---- server facts -----------------------------------------------------------------------------

def _get(obj: Any, *path: str) -> Any:
    """obj.a.b or obj["a"]["b"] (SDK hybrid models and plain REST dicts alike); None if absent."""
    for name in path:
        if obj is None:
            return None
        if isinstance(obj, Mapping):
            obj = obj.get(name)
        else:
            obj = getattr(obj, name, None)
    return obj


def server_info(facts_or_vm: Any, answers: Answers | None = None) -> ServerInfo:
    """Accepts a ServerInfo, None (defaults), a mapping (``disk_lun``, ``vnet_prefixes``), or the
    VM itself (SDK model or REST dict): its data disk is the one of the answered size, else the
    only one."""
    if facts_or_vm is None:
        return ServerInfo()
    if isinstance(facts_or_vm, ServerInfo):
        info = facts_or_vm
    elif isinstance(facts_or_vm, Mapping) and ("disk_lun" in facts_or_vm or "vnet_prefixes" in facts_or_vm):
        info = ServerInfo(disk_lun=facts_or_vm.get("disk_lun", 0),
                          vnet_prefixes=tuple(facts_or_vm.get("vnet_prefixes") or ()))
    else:
        disks = (_get(facts_or_vm, "properties", "storage_profile", "data_disks")
                 or _get(facts_or_vm, "storage_profile", "data_disks")
                 or _get(facts_or_vm, "properties", "storageProfile", "dataDisks") or [])
        disks = list(disks)
        lun = 0
        if disks:
            size = answers.disk.size_gb if answers is not None else None
            sized = [d for d in disks if (_get(d, "disk_size_gb") or _get(d, "diskSizeGB")) == size]
            chosen = sized[0] if len(sized) == 1 else (disks[0] if len(disks) == 1 else None)
            if chosen is None:
                raise ConfigError("disk.size_gb", f"the VM has {len(disks)} data disks and none is uniquely "
                                                  f"{size} GiB: cannot tell which one to format")
            lun = _get(chosen, "lun")
        info = ServerInfo(disk_lun=lun if lun is not None else 0)
    if isinstance(info.disk_lun, bool) or not isinstance(info.disk_lun, int) or not 0 <= info.disk_lun <= 63:
        raise ConfigError("disk_lun", f"the data disk's LUN must be 0-63, not {info.disk_lun!r}")
    for p in info.vnet_prefixes:
        try:
            ipaddress.IPv4Network(p, strict=True)
        except (ValueError, TypeError):
            raise ConfigError("vnet_prefixes", f"{p!r} is not an IPv4 CIDR") from None
    return info


def smb_remote_addresses(answers: Answers, info: ServerInfo) -> list[str]:
    """The Windows Firewall scope for TCP/UDP 445 (see the module docstring): every entry of the
    comma-separated ``endpoints.smb_source``, each mapped, duplicates dropped, order kept."""
    out: list[str] = []
    for src in (s.strip() for s in answers.endpoints.smb_source.split(",")):
        if not src:
            continue
        if src == "VirtualNetwork":
            prefixes = list(info.vnet_prefixes) or [answers.endpoints.vnet_cidr]
            mapped = [str(ipaddress.IPv4Network(p, strict=True)) for p in prefixes]
        elif src == "AzureLoadBalancer":
            mapped = [AZURE_LOAD_BALANCER_IP]
        else:
            try:
                mapped = [str(ipaddress.IPv4Network(src, strict=True))]
            except ValueError:
                raise ConfigError("endpoints.smb_source",
                                  f"{src!r} cannot be mapped to a Windows Firewall scope") from None
        out += [m for m in mapped if m not in out]
    if not out:
        raise ConfigError("endpoints.smb_source", "no address to allow SMB from")
    return out


def winrm_remote_addresses(answers: Answers, info: ServerInfo) -> list[str]:
    """The Windows Firewall scope for TCP 5986: the VNet's prefixes for ``VirtualNetwork`` (as for
    SMB, see the module docstring), else the typed range."""
    src = answers.remote.winrm_source
    if src == "VirtualNetwork":
        prefixes = list(info.vnet_prefixes) or [answers.endpoints.vnet_cidr]
        return [str(ipaddress.IPv4Network(p, strict=True)) for p in prefixes]
    try:
        return [str(ipaddress.IPv4Network(src, strict=True))]
    except ValueError:
        raise ConfigError("remote.winrm_source", f"{src!r} cannot be mapped to a Windows Firewall scope") from None


# ---- builders ---------------------------------------------------------------------------------

def configure_config(answers: Answers, facts_or_vm: Any = None, *, keep_password: bool = False) -> dict[str, Any]:
    """The ConfigB64 object for configure-server. ``keep_password``: an existing share user keeps
    its password (a re-run with a generated one); a new user is created with the given one."""
    _check_answers(answers, _CONFIGURE_ANSWERS)
    info = server_info(facts_or_vm, answers)
    a = answers
    config: dict[str, Any] = {
        "schema": SCHEMA,
        "computer_name": a.vm.name,
        "disk_lun": info.disk_lun,
        "disk_size_gib": a.disk.size_gb,
        "cluster_bytes": min_ntfs_cluster_bytes(a.disk.size_gb),
        "drive_letter": a.disk.drive_letter.upper(),
        "volume_label": a.disk.label,
        "share_user": a.account.username,
        "share_name": a.share.name,
        "folder": a.share.folder,
        "access": a.share.access,
        "encrypt": a.share.encrypt,
        "smb_remote": smb_remote_addresses(a, info),
        "udp_445": a.endpoints.udp_445,
        "keep_password": keep_password,
    }
    _recheck("configure-server", config)
    return config


def self_test_config(answers: Answers) -> dict[str, Any]:
    """The ConfigB64 object for self-test."""
    _check_answers(answers, _SELF_TEST_ANSWERS)
    a = answers
    config: dict[str, Any] = {
        "schema": SCHEMA,
        "computer_name": a.vm.name,
        "share_name": a.share.name,
        "share_user": a.account.username,
        "access": a.share.access,
    }
    _recheck("self-test", config)
    return config


def winrm_bootstrap_config(answers: Answers, facts_or_vm: Any = None, fqdn: str | None = None) -> dict[str, Any]:
    """The ConfigB64 object for winrm-bootstrap: the certificate's names (the computer name first:
    it becomes the subject, which the listener's Hostname must match; then the public DNS name
    when there is one) and the firewall scope for 5986."""
    _check_answers(answers, _WINRM_ANSWERS)
    if answers.remote.transport != "winrm":
        raise ConfigError("remote.transport", "the WinRM bootstrap runs only with remote.transport = winrm")
    info = server_info(facts_or_vm, answers)
    names = [answers.vm.name] + ([fqdn] if fqdn and fqdn.lower() != answers.vm.name.lower() else [])
    config: dict[str, Any] = {
        "schema": SCHEMA,
        "computer_name": answers.vm.name,
        "dns_names": names,
        "winrm_remote": winrm_remote_addresses(answers, info),
        "port": WINRM_HTTPS_PORT,
    }
    _recheck(WINRM_BOOTSTRAP, config)
    return config


_FIELD_OF = {"computer_name": "vm.name", "drive_letter": "disk.drive_letter", "volume_label": "disk.label",
             "share_user": "account.username", "share_name": "share.name", "folder": "share.folder",
             "access": "share.access", "disk_size_gib": "disk.size_gb", "cluster_bytes": "disk.size_gb",
             "smb_remote": "endpoints.smb_source", "winrm_remote": "remote.winrm_source",
             "dns_names": "endpoints.dns_label", "admin_user": "vm.admin_username"}


def _recheck(script: str, config: Mapping[str, Any]) -> None:
    try:
        check_config(script, config)
    except ConfigError as e:
        # Name the answer, not the script's key: that is what the user can change.
        raise ConfigError(_FIELD_OF.get(e.field, e.field),
                          f"refused by the server script's allow-list: {e.message}") from None


def secret_params(answers: Answers, secrets: Secrets) -> dict[str, str]:
    """The SecretB64 object: the share user's password, checked with its question's rule."""
    pw = secrets.share_password
    if not isinstance(pw, str) or not pw:
        raise ConfigError("account.password", "Share user password: missing (generate or ask for it first)")
    if _has_control(pw):
        raise ConfigError("account.password", "Share user password: control characters are not allowed")
    message = QUESTIONS["account.password"].check(pw, answers.flat())
    if message:
        raise ConfigError("account.password", message)
    return {"share_password": pw}


def secret_values(secret: Mapping[str, Any]) -> tuple[str, ...]:
    """The plain secret strings, for redacting them from anything that is shown or logged."""
    return tuple(v for v in secret.values() if isinstance(v, str) and v)


__all__ = [
    "CONFIGURE_KEYS", "ConfigError", "PATTERNS", "SELF_TEST_KEYS", "ServerInfo", "check_config",
    "configure_config", "min_ntfs_cluster_bytes", "secret_params", "secret_values", "self_test_config",
    "server_info", "smb_remote_addresses", "winrm_bootstrap_config", "winrm_remote_addresses",
]
