"""`hpcshare verify` as a user runs it: a subprocess, the password from the environment."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.samba


def _verify(server, user: str, password: str, share: str | None = None, port: int | None = None):
    env = {**os.environ, "HPCSHARE_SHARE_PASSWORD": password, "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "-m", "wizard", "verify", "--server", server.host, "--share", share or server.share_rw,
           "--user", user, "--port", str(port or server.port)]
    return subprocess.run(cmd, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)


def test_verify_command_succeeds_and_never_prints_the_password(samba_server) -> None:
    run = _verify(samba_server, samba_server.rw_user, samba_server.rw_password)
    assert run.returncode == 0, run.stdout + run.stderr
    for step in ("connect", "write", "read", "delete"):
        assert step in run.stdout
    assert samba_server.rw_password not in run.stdout + run.stderr


def test_verify_command_reports_a_logon_failure_with_exit_1(samba_server) -> None:
    run = _verify(samba_server, samba_server.rw_user, "Wrong-Password-123")
    assert run.returncode == 1
    assert "logon" in (run.stdout + run.stderr).lower()
    assert "Traceback" not in run.stderr


def test_verify_command_without_a_password_and_terminal_exits_2(samba_server) -> None:
    env = {k: v for k, v in os.environ.items() if k != "HPCSHARE_SHARE_PASSWORD"}
    env["PYTHONPATH"] = str(ROOT)
    run = subprocess.run([sys.executable, "-m", "wizard", "verify", "--server", "127.0.0.1", "--share", "x",
                          "--user", "u"], env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True)
    assert run.returncode == 2
    assert "HPCSHARE_SHARE_PASSWORD" in run.stderr
