"""Every artifact of every answer set against its golden file, byte for byte.

Regenerate after an intended change, then review the diff:
    HPCSHARE_UPDATE_GOLDEN=1 .venv/bin/pytest tests/artifacts/test_golden.py
"""
from __future__ import annotations

import os

import pytest

from tests.artifacts.conftest import CASES, GOLDEN
from wizard.artifacts import ARTIFACT_NAMES, render_artifacts

UPDATE = os.environ.get("HPCSHARE_UPDATE_GOLDEN") == "1"


@pytest.mark.parametrize("artifact", ARTIFACT_NAMES)
@pytest.mark.parametrize("case_name", sorted(CASES))
def test_golden(case_name: str, artifact: str) -> None:
    case = CASES[case_name]
    text = render_artifacts(case.answers, case.facts, embed_password=case.embed_password)[artifact]
    path = GOLDEN / case_name / artifact
    data = text.encode("utf-8")
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    assert path.exists(), f"no golden file {path}; run with HPCSHARE_UPDATE_GOLDEN=1 to create it"
    assert data == path.read_bytes(), (
        f"{artifact} for {case_name} differs from {path}; if the change is intended, regenerate with "
        "HPCSHARE_UPDATE_GOLDEN=1 and review the diff")


def test_no_stray_goldens() -> None:
    expected = {(c, a) for c in CASES for a in ARTIFACT_NAMES}
    found = {(p.parent.name, p.name) for p in GOLDEN.glob("*/*")}
    assert found <= expected, sorted(found - expected)
