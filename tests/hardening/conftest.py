"""Fixtures for the hardening suite (the per-test ``home`` is in tests/conftest.py).

The fault matrix is assembled from one JSON file per cell in a folder every xdist worker shares
(see ``matrix_dir``); when this conftest is loaded by the controlling process (``pytest
tests/hardening``), the terminal summary prints the whole matrix once at the end.
"""
from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def tty(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let wizard.commands believe it runs in a terminal (prompts read prompt_toolkit pipe input)."""
    monkeypatch.setattr("wizard.commands.interactive", lambda: True)


def shared_tmp(basetemp: Path) -> Path:
    """The session's temporary root, the same for the controller and every xdist worker."""
    return basetemp.parent if basetemp.name.startswith("popen-gw") else basetemp


@pytest.fixture(scope="session")
def matrix_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = shared_tmp(tmp_path_factory.getbasetemp()) / "hpcshare-fault-matrix"
    d.mkdir(parents=True, exist_ok=True)
    return d


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, exitstatus: int, config: pytest.Config) -> None:
    factory = getattr(config, "_tmp_path_factory", None)
    if factory is None:
        return
    try:
        d = shared_tmp(factory.getbasetemp()) / "hpcshare-fault-matrix"
    except OSError:
        return
    if not d.is_dir() or not any(d.glob("cell-*.json")):
        return
    from tests.hardening.matrix import render_matrix_dir

    text = render_matrix_dir(d)
    (d / "matrix.txt").write_text(text, encoding="utf-8")
    terminalreporter.write_sep("=", "hpcshare fault matrix")
    terminalreporter.write_line(text)
    terminalreporter.write_line(f"(also in {d / 'matrix.txt'})")
