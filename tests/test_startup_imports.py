"""Nothing slow is loaded before the wizard's first screen (the start-up goal; see benchmarks/README.md).

A fresh interpreter builds the Session exactly as ``hpcshare [--demo]`` does (``wizard.cli``'s
parser, ``wizard.commands.load_session``), runs ``HpcShareApp`` with ``run_test()`` (real
environment: no fake catalog, no fake runner), and records ``sys.modules`` at the moment the
first screen's Mount event is dispatched, before any of its handlers run (a handler may start a
background import on purpose: that is after the first screen). No timing is asserted here;
``benchmarks/startup.py`` measures the time.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

PROBE = r"""
import asyncio, json, sys

from textual import events
from textual.screen import Screen

from wizard.cli import build_parser
from wizard.commands import load_session
from screens.app import HpcShareApp

snapshot = {}
original_dispatch = Screen._dispatch_message


async def _dispatch_message(self, message):
    # The first screen of the flow (the App's own default screen does not count), at its Mount,
    # before any on_mount handler of that screen runs.
    if isinstance(message, events.Mount) and self.id != "_default" and not snapshot:
        modules = list(sys.modules)
        snapshot.update(
            screen=type(self).__name__,
            stack=[type(s).__name__ for s in self.app.screen_stack],
            azure=[m for m in modules if m.startswith("azure")],
            standin=sorted(m for m in modules if m == "wizard.standin" or m.startswith("wizard.standin.")),
        )
    return await original_dispatch(self, message)


Screen._dispatch_message = _dispatch_message

args = build_parser().parse_args(sys.argv[1:])
session = load_session(args, default_profile=None if (args.profile or args.answers) else "default")
app = HpcShareApp(session)


async def main():
    async with app.run_test(size=(120, 36)) as pilot:
        for _ in range(500):
            if snapshot:
                break
            await pilot.pause(0.02)


try:
    asyncio.run(main())
finally:
    app.session.close()
print(json.dumps(snapshot))
"""


def first_screen_modules(tmp_path: Path, *cli_args: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HPCSHARE_")}
    env["HPCSHARE_HOME"] = str(tmp_path / "home")
    # The source tree, not an installed copy of hpcshare.
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH", "")]))
    proc = subprocess.run([sys.executable, "-c", PROBE, *cli_args], capture_output=True, text=True,
                          cwd=tmp_path, env=env, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    snapshot = json.loads(proc.stdout.strip().splitlines()[-1])
    assert snapshot, "the first screen was never mounted:\n" + proc.stderr
    return snapshot


@pytest.mark.parametrize("cli_args", [("--demo",), ()], ids=["demo", "azure"])
def test_no_azure_module_before_the_first_screen(tmp_path: Path, cli_args: tuple[str, ...]) -> None:
    snapshot = first_screen_modules(tmp_path, *cli_args)
    assert snapshot["azure"] == [], (
        f"loaded before the first screen ({snapshot['screen']}) mounted: {snapshot['azure']}. "
        "Import azure.* inside the functions that talk to Azure (reference/notes/azure-sdk-and-arm.md §5).")


def test_demo_stand_in_not_loaded_before_the_first_screen(tmp_path: Path) -> None:
    snapshot = first_screen_modules(tmp_path, "--demo")
    # The demo Session needs the stand-in's catalog (the demo subscription id), which loads the
    # package; those and the small settings types StandIn's constructor uses may load. The server
    # side (HTTP server, TLS, handlers, store, the Windows simulator) must wait for the first run.
    allowed = {"wizard.standin", "wizard.standin.catalog", "wizard.standin.credential",
               "wizard.standin.faults", "wizard.standin.latency"}
    loaded = [m for m in snapshot["standin"] if m not in allowed]
    assert loaded == [], f"loaded before the first screen ({snapshot['screen']}) mounted: {loaded}"
