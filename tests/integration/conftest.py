"""A demo environment per test: HPCSHARE_HOME in tmp, the in-process stand-in at instant latency,
and an answers file for the stand-in's subscription."""
from __future__ import annotations

import io
from pathlib import Path

import pytest

from wizard import profiles
from wizard.answers import resolve
from wizard.session import Session


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    h = tmp_path / "home"
    monkeypatch.setenv("HPCSHARE_HOME", str(h))
    monkeypatch.setenv("HPCSHARE_STANDIN_LATENCY", "instant")
    for var in ("HPCSHARE_ADMIN_PASSWORD", "HPCSHARE_SHARE_PASSWORD", "HPCSHARE_STANDIN_FAULTS",
                "HPCSHARE_STANDIN_LOG", "HPCSHARE_STANDIN_SCALE"):
        monkeypatch.delenv(var, raising=False)
    return h


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


def run_session(answers: Path, out_dir: Path, *, faults: str | None = None) -> tuple[int, str, Session]:
    """One `hpcshare run --demo --yes` in this process; returns (exit code, output, session)."""
    from wizard.progress import run_with_live_view

    session = Session(answers.stem, demo=True, answers_file=answers, out_dir=out_dir)
    if faults:
        session.environment.standin.set_faults(faults)
    buf = io.StringIO()
    try:
        code = run_with_live_view(session, out=buf)
    finally:
        session.close()
    return code, buf.getvalue(), session
