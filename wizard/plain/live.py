"""Plain mode's drawing of a run: the engine's run model as a Rich live table (terminal) or one
line per state change (logs, pipes, CI). The run itself is ``wizard.provision``."""
from __future__ import annotations

import asyncio
import sys
import time
from typing import TYPE_CHECKING, TextIO

from rich.console import Console
from rich.live import Live
from rich.table import Table
from rich.text import Text

from wizard.catalog import Catalog
from wizard.exits import ExitCode
from wizard.provision import PreflightFailed, Provision, RunnerFactory, SignInFailed
from wizard.run_model import STATE_GLYPHS, RunModel
from wizard.runlog import format_event
from wizard.runner import RunEvent, RunResult

if TYPE_CHECKING:
    from wizard.session import Session

STYLE = {"pending": "dim", "running": "cyan", "done": "green", "failed": "bold red",
         "skipped": "yellow", "warning": "yellow"}


def table(model: RunModel) -> Table:
    """The engine's run model as a Rich table (step ids, as ``hpcshare plan`` names them)."""
    t = Table(box=None, show_header=True, header_style="bold", expand=False)
    t.add_column("", width=1)
    t.add_column("step")
    t.add_column("time", justify="right")
    t.add_column("detail", overflow="fold")
    for row in model.rows.values():
        elapsed = time.monotonic() - row.started if row.started is not None else row.elapsed
        name = f"   {row.substep}" if row.substep else row.step
        detail = row.message if row.state != "failed" else f"{row.message}\n{row.hint}".strip()
        style = STYLE.get(row.state, "")
        t.add_row(Text(STATE_GLYPHS.get(row.state, " "), style=style), Text(name, style=style),
                  f"{elapsed:.1f}s" if elapsed else "", detail)
    return t


def run_with_live_view(session: "Session", *, out: TextIO | None = None,
                       runner_factory: RunnerFactory | None = None, catalog: Catalog | None = None) -> int:
    """Run the session's plan through ``wizard.provision``; show it live on a terminal, as log
    lines otherwise. Returns the exit code. ``runner_factory``/``catalog``: tests' fakes."""
    stream = out or sys.stdout
    console = Console(file=stream)
    live_terminal = console.is_terminal
    if not live_terminal:
        console.soft_wrap = True      # log lines stay whole: rich would wrap them at 80 columns
    model = RunModel()
    answers = session.answers(require=True)
    console.print(f"hpcshare: profile '{answers.profile}'" + (" (demo: built-in Azure stand-in)" if session.demo else ""))
    run = Provision(session, catalog=catalog, runner_factory=runner_factory)

    def log_line(e: RunEvent) -> None:
        model.apply(e)
        text = format_event(e)
        if text is not None:
            console.print(text, highlight=False, markup=False)

    async def go() -> RunResult:
        if not live_terminal:
            return await run.run(log_line)
        with Live(table(model), console=console, refresh_per_second=8, transient=False) as live:
            def on_event(e: RunEvent) -> None:
                model.apply(e)
                live.update(table(model))

            ticker = asyncio.create_task(_tick(live, model))
            try:
                return await run.run(on_event)
            finally:
                ticker.cancel()
                live.update(table(model))

    try:
        result = asyncio.run(go())
    except PreflightFailed as exc:
        console.print(str(exc), highlight=False, markup=False)
        return ExitCode.USAGE
    except SignInFailed as exc:
        # One message, before any step: which sign-in, why, and what to do (exit 1, like a failed step).
        print(f"hpcshare: {exc}", file=sys.stderr if out is None else stream)
        return ExitCode.FAILED
    except KeyboardInterrupt:
        run.cancel()
        # A step that started may already have applied a generated password: show it now or never.
        show_generated_passwords(console, session, RunResult("cancelled", (), {}, run.started, 0.0))
        console.print("Interrupted. Azure finishes what it had started; run the same command again to resume.")
        return ExitCode.CANCELLED
    return report(console, session, result)


async def _tick(live: Live, model: RunModel) -> None:
    while True:
        await asyncio.sleep(0.25)
        live.update(table(model))


def report(console: Console, session: "Session", result: RunResult) -> int:
    show_generated_passwords(console, session, result)
    if result.status == "failed":
        console.print(f"[bold red]Failed at {', '.join(result.failed)}.[/] Fix the cause shown above and run the "
                      "same command again: finished steps are kept.")
        return ExitCode.FAILED
    if result.status == "cancelled":
        console.print("Cancelled. Steps already started finished on Azure; run again to resume.")
        return ExitCode.CANCELLED
    if not result.changed or set(result.changed) <= {"artifacts"}:
        console.print("Nothing changed: everything was already in place.")
    out = result.outputs.get("artifacts", {}).get("out_dir")
    if out:
        console.print(f"HPC Pack files written to {out}. Next: read {out}/SUMMARY.md.", highlight=False)
    console.print(f"Done in {result.elapsed:.1f}s.")
    return ExitCode.OK


def generated_passwords(session: "Session", result: RunResult) -> list[tuple[str, str]]:
    """Passwords hpcshare generated and applied in this run (even one that later failed): the
    user sees them exactly once, here, or loses access."""
    secrets = session.secrets()
    shown: list[tuple[str, str]] = []
    if secrets.share_generated and "configure-server" in result.changed:
        shown.append(("Share user password", secrets.share_password))
    if secrets.admin_generated and "vm" in result.changed:
        shown.append(("VM admin password", secrets.admin_password))
    return shown


def show_generated_passwords(console: Console, session: "Session", result: RunResult) -> None:
    for label, password in generated_passwords(session, result):
        if session.password_file is not None:
            console.print(f"{label} (generated): in {session.password_file} (mode 0600)", highlight=False,
                          markup=False)
        else:   # a terminal: 'hpcshare run' refuses to generate a password for any other output
            console.print(f"[bold]{label} (generated; shown once, not saved anywhere):[/] " + password,
                          highlight=False, markup=True)
