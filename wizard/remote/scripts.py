"""The shipped PowerShell scripts (assets/powershell/), loaded as the exact text that is sent.

Each script is self-contained (Run Command sends one script): the helpers they share sit between
``# ---- hpcshare common: begin`` and ``# ---- hpcshare common: end ----`` and are byte-identical in
every script (a test checks), so what is reviewed is exactly what runs.
"""
from __future__ import annotations

import functools

from wizard.paths import asset_text
from wizard.remote.protocol import CONFIGURE_SERVER, SELF_TEST, WINRM_BOOTSTRAP, script_name

SCRIPT_FILES: dict[str, str] = {
    CONFIGURE_SERVER: "powershell/configure-server.ps1",
    SELF_TEST: "powershell/self-test.ps1",
    WINRM_BOOTSTRAP: "powershell/winrm-bootstrap.ps1",
}


@functools.cache
def load_script(name: str) -> str:
    """The script's text exactly as shipped (UTF-8, ASCII only, LF line ends)."""
    try:
        relative = SCRIPT_FILES[name]
    except KeyError:
        raise KeyError(f"unknown script {name!r}; known: {', '.join(SCRIPT_FILES)}") from None
    text = asset_text(relative)
    found = script_name(text)
    if found != name:
        raise RuntimeError(f"{relative}: marker line names {found!r}, expected {name!r}")
    return text
