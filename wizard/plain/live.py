"""Plain mode's drawing of a run: the engine's run model as a Rich live table (terminal) or one
line per state change (logs, pipes, CI). The run itself is ``wizard.provision``."""
from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Callable
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
from wizard.passwords import PasswordNotice
from wizard.runner import RunEvent, RunResult

if TYPE_CHECKING:
    from wizard.session import Session

STYLE = {"pending": "dim", "running": "cyan", "done": "green", "failed": "bold red",
         "skipped": "yellow", "warning": "yellow"}


def table(model: RunModel, *, height: int | None = None) -> Table:
    """The engine's run model as a Rich table (step ids, as ``hpcshare plan`` names them).

    ``height``: the live view's room. Rich's Live cannot erase what scrolled off the screen, so a
    table taller than the terminal leaves copies behind (its header once per refresh). Within a
    height each row is one line (detail cut with an ellipsis), only the sub-steps of a running or
    failed step are listed, and the oldest rows give way to a count. Without it: every row, every
    word (the table printed once when the run ends)."""
    rows = list(model.rows.values())
    earlier = 0
    if height is not None:
        rows = [r for r in rows if r.substep is None or model.rows[r.step].state in ("running", "failed")]
        room = max(2, height - 2)                    # the header, and the line the cursor rests on
        if len(rows) > room:
            earlier = len(rows) - room + 1
            rows = rows[earlier:]
    t = Table(box=None, show_header=True, header_style="bold", expand=False)
    t.add_column("", width=1)
    t.add_column("step", no_wrap=height is not None)
    t.add_column("time", justify="right", no_wrap=True)
    t.add_column("detail", overflow="ellipsis" if height is not None else "fold", no_wrap=height is not None)
    if earlier:
        t.add_row("", Text("…", style="dim"), "", Text(f"{earlier} earlier rows not shown", style="dim"))
    for row in rows:
        elapsed = time.monotonic() - row.started if row.started is not None else row.elapsed
        name = f"   {row.substep}" if row.substep else row.step
        detail = row.message if row.state != "failed" else f"{row.message}\n{row.hint}".strip()
        if height is not None:
            detail = detail.split("\n", 1)[0]
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
    run = Provision(session, catalog=catalog, runner_factory=runner_factory,
                    on_password=lambda notice: show_password(console, session, notice))

    def log_line(e: RunEvent) -> None:
        model.apply(e)
        text = format_event(e)
        if text is not None:
            console.print(text, highlight=False, markup=False)

    async def go() -> RunResult:
        if not live_terminal:
            return await run.run(log_line)
        fitted = lambda: table(model, height=console.size.height)  # noqa: E731  (resized terminals too)
        try:
            with Live(fitted(), console=console, refresh_per_second=8, transient=True,
                      vertical_overflow="crop") as live:
                def on_event(e: RunEvent) -> None:
                    model.apply(e)
                    live.update(fitted())

                ticker = asyncio.create_task(_tick(live, fitted))
                try:
                    return await run.run(on_event)
                finally:
                    ticker.cancel()
        finally:
            console.print(table(model))       # the whole run, once, every word (header printed once)

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
        # A step that started may still apply a generated password on Azure: show it now or never.
        for notice in run.unshown_passwords():
            show_password(console, session, notice)
        console.print("Interrupted. Azure finishes what it had started; run the same command again to resume.")
        return ExitCode.CANCELLED
    return report(console, session, result)


async def _tick(live: Live, render: "Callable[[], Table]") -> None:
    while True:
        await asyncio.sleep(0.25)
        live.update(render())


def report(console: Console, session: "Session", result: RunResult) -> int:
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


def show_password(console: Console, session: "Session", notice: PasswordNotice) -> None:
    """One generated password, the moment its step is done (above the live table), or the
    plain statement that an earlier run applied it and how to set a new one. The storage account
    key (Azure Files) likewise, on a terminal only: elsewhere (a log, a pipe, CI) it is not printed,
    the command that reads it is."""
    if notice.who == "key":
        if console.is_terminal:
            lines = notice.lines()
        else:
            lines = [f"{notice.title}: not printed, as this output is not a terminal (a log would keep it).",
                     f"  Read it where you are signed in to Azure: {notice.reset}"]
        # soft_wrap: the terminal wraps the 88-character key, so it copies whole (rich would cut it in two).
        console.print(Text(lines[0], style="bold"), *lines[1:], sep="\n", highlight=False, markup=False,
                      soft_wrap=True)
        return
    if notice.password is not None and session.password_file is not None:
        console.print(f"{notice.label} for '{notice.user}' (generated): in {session.password_file} (mode 0600)",
                      highlight=False, markup=False)
        return
    # A terminal, or a password-file: 'hpcshare run' refuses to generate a password for any other output.
    lines = notice.lines()
    console.print(Text(lines[0], style="bold"), *lines[1:], sep="\n", highlight=False, markup=False)
