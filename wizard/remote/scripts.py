"""The shipped PowerShell scripts (assets/powershell/), assembled as the exact text that is sent.

Run Command sends one self-contained script, so the helpers every script shares live once, in
``assets/powershell/prologue.ps1``, and are spliced in where a script has the line
``# hpcshare: prologue``. The assembled scripts are golden files (tests/remote/golden/): what is
reviewed is exactly what runs.
"""
from __future__ import annotations

import functools

from wizard.paths import asset_text
from wizard.remote.protocol import CONFIGURE_SERVER, RESET_ADMIN_PASSWORD, SELF_TEST, WINRM_BOOTSTRAP, script_name

SCRIPT_FILES: dict[str, str] = {
    CONFIGURE_SERVER: "powershell/configure-server.ps1",
    SELF_TEST: "powershell/self-test.ps1",
    WINRM_BOOTSTRAP: "powershell/winrm-bootstrap.ps1",
    RESET_ADMIN_PASSWORD: "powershell/reset-admin-password.ps1",
}
PROLOGUE_FILE = "powershell/prologue.ps1"
PROLOGUE_SLOT = "# hpcshare: prologue\n"
PROLOGUE_BEGIN = "# ---- hpcshare prologue: begin ----\n"
PROLOGUE_END = "# ---- hpcshare prologue: end ----\n"


@functools.cache
def prologue() -> str:
    """The shared block, from its begin marker to its end marker (the file's header stays behind)."""
    text = asset_text(PROLOGUE_FILE)
    start, end = text.find(PROLOGUE_BEGIN), text.find(PROLOGUE_END)
    if start < 0 or end < start:
        raise RuntimeError(f"{PROLOGUE_FILE}: begin/end markers missing or out of order")
    return text[start:end + len(PROLOGUE_END)]


def assemble(source: str, where: str = "script") -> str:
    """``source`` with its one prologue slot replaced by the prologue."""
    if source.count(PROLOGUE_SLOT) != 1:
        raise RuntimeError(f"{where}: needs exactly one line {PROLOGUE_SLOT.strip()!r}")
    return source.replace(PROLOGUE_SLOT, prologue())


@functools.cache
def load_script(name: str) -> str:
    """The script exactly as sent: its file with the prologue spliced in (ASCII only, LF line ends)."""
    try:
        relative = SCRIPT_FILES[name]
    except KeyError:
        raise KeyError(f"unknown script {name!r}; known: {', '.join(SCRIPT_FILES)}") from None
    text = assemble(asset_text(relative), relative)
    found = script_name(text)
    if found != name:
        raise RuntimeError(f"{relative}: marker line names {found!r}, expected {name!r}")
    return text
