"""Windows Firewall address lists in one comparable form, as the scripts' ConvertTo-HpcAddressKey
(assets/powershell/prologue.ps1) computes it: a bare address gets /32, keywords lower-case, sorted.
Shared by the fake Windows server and its WinRM bootstrap."""
from __future__ import annotations

import re


def address_key(addresses: list[str]) -> str:
    out = []
    for a in addresses:
        a = a.strip()
        if re.fullmatch(r"\d{1,3}(?:\.\d{1,3}){3}", a):
            a += "/32"
        out.append(a.lower())
    return ",".join(sorted(out))
