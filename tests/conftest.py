"""Shared fixtures for the engine tests. Suites in tests/<subdir>/ keep their own conftest."""
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
