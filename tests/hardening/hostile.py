"""The hostile-input corpus (tests/data/hostile_inputs.txt) and the strict, independent allow-lists
the tests judge accepted values by.

The allow-lists below are written from the answers-file contract in DESIGN.md and the Azure /
Windows naming rules, not copied from wizard/validation.py, so they are a second opinion: a value
outside them must be refused; a value inside them may still be refused (hpcshare can be stricter).
"""
from __future__ import annotations

import codecs
import re
import unicodedata
from pathlib import Path

CORPUS_FILE = Path(__file__).resolve().parents[1] / "data" / "hostile_inputs.txt"


def load_corpus(path: Path = CORPUS_FILE) -> list[str]:
    """Every value in the corpus, decoded (see the file's header for the format)."""
    raw = path.read_bytes()
    assert raw.isascii(), f"{path} must be pure ASCII (non-ASCII characters are written as escapes)"
    lines = raw.decode("ascii").split("\n")
    assert lines[-1] == "", f"{path} must end with a newline"
    return [codecs.decode(line, "unicode_escape") for line in lines[:-1] if not line.startswith("#")]


HOSTILE: list[str] = load_corpus()

_CIDR = r"[0-9]{1,3}(\.[0-9]{1,3}){3}/[0-9]{1,2}"
_IP = r"[0-9]{1,3}(\.[0-9]{1,3}){3}"
# What an accepted value of each non-secret string answer may look like, as a whole.
STRICT: dict[str, str] = {
    "subscription.auth": r"cli|device-code|environment|managed-identity",
    "subscription.id": r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}",
    "subscription.region": r"[a-z][a-z0-9]{1,39}",
    "subscription.currency": r"[A-Z]{3}",
    "subscription.resource_group": r"[A-Za-z0-9_.()-]{0,89}[A-Za-z0-9_()-]",   # parentheses are legal in Azure
    "endpoints.vnet_resource_group": r"|[A-Za-z0-9_.()-]{0,89}[A-Za-z0-9_()-]",   # empty: the server's own group
    "vm.name": r"[A-Za-z0-9][A-Za-z0-9-]{0,14}",
    "vm.size": r"[A-Za-z][A-Za-z0-9_]{2,63}",
    "vm.image": r"win20(19|22|25)-datacenter",
    "vm.admin_username": r"[A-Za-z0-9][A-Za-z0-9._-]{0,19}",
    "vm.zone": r"[123]?",
    "disk.sku": r"Standard_LRS|StandardSSD_LRS|Premium_LRS|PremiumV2_LRS",
    "disk.caching": r"None|ReadOnly|ReadWrite",
    "disk.drive_letter": r"[F-Zf-z]",
    "disk.label": r"[A-Za-z0-9][A-Za-z0-9 _-]{0,31}",          # spaces are legal in a volume label
    "account.username": r"[A-Za-z][A-Za-z0-9._-]{0,19}",
    "share.name": r"[A-Za-z0-9][A-Za-z0-9_-]{0,78}",
    "share.folder": r"[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}",       # spaces and dots are legal in a folder
    "share.access": r"read|change|full",
    "share.backend": r"vm|azure-files",
    "files.account": r"|[a-z0-9]{3,24}",                        # empty: not the Azure Files backend
    "files.sku": r"|Premium_LRS|Premium_ZRS",                   # empty: not asked (VM backend), so not judged
    "files.private_ip": rf"|{_IP}",                              # empty: Azure picks the address
    "endpoints.vnet": r"[A-Za-z0-9][A-Za-z0-9_.-]{1,63}",
    "endpoints.vnet_cidr": _CIDR,
    "endpoints.subnet": r"[A-Za-z0-9][A-Za-z0-9_.-]{1,63}",
    "endpoints.subnet_cidr": _CIDR,
    "endpoints.private_ip": _IP,
    "endpoints.dns_label": r"([a-z][a-z0-9-]{1,61}[a-z0-9])?",
    "endpoints.smb_source": rf"VirtualNetwork|AzureLoadBalancer|({_IP}|{_CIDR})(,({_IP}|{_CIDR}))*",
    # Empty: a hosts entry; else a DNS zone of lower-case labels (Azure Private DNS zone names).
    "endpoints.private_dns_zone": r"|([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?",
    "endpoints.rdp_source": rf"({_IP}|{_CIDR})?",
    "remote.transport": r"managed-run-command|run-command|winrm",
    "cluster.node_group": r"|[A-Za-z0-9][A-Za-z0-9_.-]{0,63}",   # one HPC Pack node group, or none
    "remote.winrm_source": rf"VirtualNetwork|{_IP}|{_CIDR}",
}
# Characters that mean something to cmd.exe, PowerShell, XML, TOML or a shell (space, '.', '-',
# '_', '(', ')' and '/' are not here: fields that need them are listed in STRICT).
METACHARACTERS = set("'\"`$;&|%^<>*?!{}[]=#@~\\,:+") | {"\u2018", "\u2019", "\u201a", "\u201b",
                                                        "\u201c", "\u201d", "\u201e"}
# Fields that legitimately hold some of them.
LEGIT_META: dict[str, set[str]] = {"endpoints.smb_source": {","}}   # a list of address ranges


def strict_ok(key: str, value: object) -> bool:
    """A string value fits the key's allow-list (never, for the number and true/false answers)."""
    return isinstance(value, str) and key in STRICT and re.fullmatch(STRICT[key], value) is not None


def suspicious(key: str, value: str) -> list[str]:
    """Why an accepted value looks dangerous: non-ASCII, a control character, a metacharacter."""
    why = []
    if not value.isascii():
        why.append("non-ASCII")
    if any(unicodedata.category(c).startswith(("C", "Z")) and c != " " for c in value):
        why.append("control/format/separator character")
    meta = sorted(set(value) & (METACHARACTERS - LEGIT_META.get(key, set())))
    if meta:
        why.append("metacharacters " + "".join(meta))
    return why


def bad_terminal_text(text: str) -> list[str]:
    """Characters a message must never print raw: C0/C1 controls other than newline and tab,
    and the Unicode direction overrides/isolates that reorder what a terminal shows."""
    found = set()
    for c in text:
        o = ord(c)
        if (o < 0x20 and c not in "\n\t") or 0x7f <= o < 0xa0 or c in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c":
            found.add(repr(c))
    return sorted(found)
