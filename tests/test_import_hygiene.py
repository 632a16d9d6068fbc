"""The engine does not import UI libraries, and imports Azure only when it talks to Azure.

Static: the import-linter contract in pyproject.toml. Runtime: a fresh interpreter imports every
wizard module (except wizard.plain, the plain front end, and wizard.__main__, which runs the CLI) and runs the
offline plan command (``--format az``), then reports which heavy packages got loaded.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import wizard

REPO = Path(__file__).resolve().parents[1]
WIZARD = Path(wizard.__file__).resolve().parent
EXAMPLE_FILE = REPO / "examples" / "myfileserver.toml"
UI = ("textual", "questionary", "rich", "screens")


def engine(name: str) -> bool:
    """Everything in wizard/ except the plain front end and the entry point."""
    return name != "wizard.__main__" and name != "wizard.plain" and not name.startswith("wizard.plain.")


def wizard_modules() -> list[str]:
    """Module names from the source tree (walking packages with pkgutil would import them)."""
    names = []
    for path in sorted(WIZARD.rglob("*.py")):
        parts = list(path.relative_to(WIZARD.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        names.append(".".join(parts))
    return names


PROBE = r"""
import contextlib, importlib, io, json, sys
modules, heavy, example = sys.argv[1].split(","), sys.argv[2].split(","), sys.argv[3]
for name in modules:
    importlib.import_module(name)
run_cli = sys.argv[4] == "cli"
if run_cli:
    from wizard.cli import main
    with contextlib.redirect_stdout(io.StringIO()) as out:
        # Not the text or JSON plan: they ask Azure (prices, quota, VM sizes) since issue 17.
        codes = [main(["--help"]), main(["plan", "--answers", example, "--format", "az"])]
    assert codes == [0, 0], codes
    assert "az vm create" in out.getvalue()
loaded = sorted(m for m in sys.modules if m.split(".")[0] in heavy)
print(json.dumps({"imported": modules, "loaded": loaded}))
"""


def probe(modules: list[str], heavy: tuple[str, ...], *, cli: bool, home: Path) -> dict[str, list[str]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HPCSHARE_")}
    env["HPCSHARE_HOME"] = str(home)
    proc = subprocess.run([sys.executable, "-c", PROBE, ",".join(modules), ",".join(heavy), str(EXAMPLE_FILE),
                           "cli" if cli else "-"],
                          capture_output=True, text=True, cwd=REPO, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.splitlines()[-1])


def test_import_linter_contract_holds() -> None:
    lint = Path(sys.executable).parent / "lint-imports"
    assert lint.exists(), lint
    # --no-cache: a stale .import_linter_cache can hide a change, and the test must not write one
    proc = subprocess.run([str(lint), "--no-cache"], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "KEPT" in proc.stdout and "BROKEN" not in proc.stdout


def test_module_list_is_complete() -> None:
    names = wizard_modules()
    for expected in ("wizard", "wizard.cli", "wizard.validation", "wizard.plan", "wizard.runner",
                     "wizard.remote.protocol"):
        assert expected in names


def test_engine_modules_load_no_ui_and_no_azure(tmp_path: Path) -> None:
    modules = [m for m in wizard_modules()
               if engine(m) and m != "wizard.standin" and not m.startswith("wizard.standin.")]
    result = probe(modules, UI + ("azure",), cli=True, home=tmp_path)
    assert result["imported"] == modules
    assert result["loaded"] == [], f"imported at module level or by the plan command: {result['loaded']}"


def test_standin_modules_load_no_ui(tmp_path: Path) -> None:
    modules = [m for m in wizard_modules() if engine(m)]
    result = probe(modules, UI, cli=False, home=tmp_path)
    assert result["loaded"] == []
