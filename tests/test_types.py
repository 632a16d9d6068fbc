"""The type check runs as part of the suite, as the import contracts do (tests/test_import_hygiene.py):
mypy in its default mode plus ``warn_unused_ignores`` and ``ignore-without-code``, configured in
pyproject.toml ([tool.mypy]). A ``type: ignore`` is only where a library forces it, with the reason."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_mypy_finds_no_errors() -> None:
    # --no-incremental: a stale .mypy_cache must not hide an error, and the test writes none.
    proc = subprocess.run([sys.executable, "-m", "mypy", "--no-incremental", "--cache-dir", "/dev/null"],
                          cwd=REPO, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Success: no issues found" in proc.stdout


def test_every_type_ignore_names_its_code_and_reason() -> None:
    """An ignore is a library's fault, written down: ``# type: ignore[code]`` with the reason on the
    line or in the comment just above it."""
    bare: list[str] = []
    for path in sorted([*REPO.glob("wizard/**/*.py"), *REPO.glob("screens/**/*.py")]):
        lines = path.read_text(encoding="utf-8").splitlines()
        for i, line in enumerate(lines):
            if "type: ignore" not in line:
                continue
            coded = re.search(r"#\s*type:\s*ignore\[[a-z-, ]+\]", line)
            before = lines[i - 1].strip() if i else ""
            reason = re.search(r"ignore\[[^\]]+\]\s*#\s*\S", line) or before.startswith("#")
            if not (coded and reason):
                bare.append(f"{path.relative_to(REPO)}:{i + 1}: {line.strip()}")
    assert bare == []
