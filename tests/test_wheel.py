"""The installed product, not the source tree: build the wheel, install it apart from the sources
and check that every shipped asset is found at run time and the command line works."""
from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                    "-w", str(out), str(ROOT)], check=True, cwd=ROOT)
    (found,) = out.glob("hpcshare-*.whl")
    return found


def test_wheel_carries_every_asset(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = {p.relative_to(ROOT).as_posix() for p in (ROOT / "assets").rglob("*")
               if p.is_file() and "__pycache__" not in p.parts}
    assert shipped, "assets/ is empty"
    assert shipped <= names, f"missing from the wheel: {sorted(shipped - names)}"
    assert any(n.endswith(".tcss") for n in names)
    assert any(n.startswith("assets/powershell/") and n.endswith(".ps1") for n in names)
    assert "wizard/cli.py" in names and "screens/__init__.py" in names
    entry = [n for n in names if n.endswith("entry_points.txt")]
    assert entry and "hpcshare = wizard.cli:entry" in zipfile.ZipFile(wheel).read(entry[0]).decode()


def test_installed_wheel_finds_assets_and_runs(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target), str(wheel)],
                   check=True)
    env = {**os.environ, "PYTHONPATH": str(target), "HPCSHARE_HOME": str(tmp_path / "home")}
    probe = (
        "import wizard.paths as p, assets, pathlib, sys\n"
        "root = pathlib.Path(str(p.asset('')))\n"
        f"assert str(root).startswith({str(target)!r}), root\n"
        "files = [f for f in root.rglob('*') if f.is_file() and f.suffix in ('.tcss', '.ps1', '.tmpl', '.txt', '.md')]\n"
        "assert files, 'no assets found'\n"
        "for f in files:\n"
        "    rel = f.relative_to(root).as_posix()\n"
        "    assert p.asset_text(rel), rel\n"
        "print(len(files))\n"
    )
    run = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert int(run.stdout.strip()) >= 1
    plan = subprocess.run([sys.executable, "-m", "wizard", "plan", "--answers", str(ROOT / "examples" / "myfileserver.toml")],
                          cwd=tmp_path, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    assert plan.returncode == 0, plan.stderr
    assert "configure-server" in plan.stdout
