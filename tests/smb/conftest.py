"""Fixtures for the SMB probe tests: one real smbd on 127.0.0.1 per test session (per xdist worker).

Samba is installed on first use (``apt-get install samba``; CI runs as root on a fresh Debian
machine). Nothing is skipped: without root or apt the fixture errors with a message saying what
is missing.
"""

from __future__ import annotations

import pytest

from tests.samba_server import SambaServer, ensure_samba_installed


@pytest.fixture(scope="session")
def samba_server():
    """A running :class:`tests.samba_server.SambaServer` (see that module for users and shares)."""
    ensure_samba_installed()
    with SambaServer() as server:
        yield server
