"""Fixtures shared by every suite; suites in tests/<subdir>/ add their own in their conftest."""
from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def hpcshare_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """HPCSHARE_HOME is a fresh temporary folder and no password comes from the environment."""
    monkeypatch.setenv("HPCSHARE_HOME", str(tmp_path))
    monkeypatch.delenv("HPCSHARE_ADMIN_PASSWORD", raising=False)
    monkeypatch.delenv("HPCSHARE_SHARE_PASSWORD", raising=False)
    return tmp_path


# Variables of the developer's shell that would change what a test sees.
HPCSHARE_VARS = ("HPCSHARE_ADMIN_PASSWORD", "HPCSHARE_SHARE_PASSWORD", "HPCSHARE_STANDIN_FAULTS",
                 "HPCSHARE_STANDIN_LOG", "HPCSHARE_STANDIN_SCALE", "HPCSHARE_STANDIN_QUOTA",
                 "HPCSHARE_AZURE_POLLING", "FORCE_COLOR",
                 "TTY_COMPATIBLE")


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A demo-ready world: a fresh HPCSHARE_HOME (tmp/home), the instant stand-in, no password or
    fault from the environment, and the working directory in tmp/work (so a default output
    folder ./hpcshare-out/PROFILE never lands in the repository)."""
    h = tmp_path / "home"
    monkeypatch.setenv("HPCSHARE_HOME", str(h))
    monkeypatch.setenv("HPCSHARE_STANDIN_LATENCY", "instant")
    for var in HPCSHARE_VARS:
        monkeypatch.delenv(var, raising=False)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    return h
