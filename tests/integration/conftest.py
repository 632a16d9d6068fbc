"""Integration helpers: an answers file for the stand-in's subscription and one in-process
`hpcshare run --demo --yes` (the `home` fixture is in tests/conftest.py)."""
from __future__ import annotations

import io
from pathlib import Path

import pytest

from wizard import profiles
from wizard.answers import resolve
from wizard.session import Session


def write_answers(path: Path, **changes: object) -> Path:
    from wizard.standin.catalog import DEFAULT_SUBSCRIPTION_ID

    values = {"subscription.id": DEFAULT_SUBSCRIPTION_ID, "subscription.region": "westeurope",
              "subscription.resource_group": "rg-it", "vm.name": "fs01"}
    values.update({k.replace("__", "."): v for k, v in changes.items()})
    res = resolve(saved=values, require=True)
    assert res.ok, res.errors
    profiles.save(path, res.values)
    return path


@pytest.fixture
def answers_file(home: Path, tmp_path: Path) -> Path:
    return write_answers(tmp_path / "it.toml")


class TerminalBuffer(io.StringIO):
    """Output that says it is a terminal (the live view, and what is shown only on one)."""

    def isatty(self) -> bool:
        return True


def run_session(answers: Path, out_dir: Path, *, faults: str | None = None,
                terminal: bool = False) -> tuple[int, str, Session]:
    """One `hpcshare run --demo --yes` in this process; returns (exit code, output, session).
    ``terminal``: the output is a terminal (its raw text, escape sequences included)."""
    from wizard.plain.live import run_with_live_view

    session = Session(answers.stem, demo=True, answers_file=answers, out_dir=out_dir)
    if faults:
        session.environment.standin.set_faults(faults)
    buf = TerminalBuffer() if terminal else io.StringIO()
    try:
        code = run_with_live_view(session, out=buf)
    finally:
        session.close()
    return code, buf.getvalue(), session
