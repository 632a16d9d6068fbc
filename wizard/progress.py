"""The run as a Rich live table (terminal) or one line per state change (logs, pipes, CI)."""
from __future__ import annotations

import asyncio
import sys
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TextIO

from rich.console import Console
from rich.live import Live
from rich.table import Table
from rich.text import Text

from wizard.runlog import RunLog, format_event
from wizard.runner import RunEvent, RunResult

if TYPE_CHECKING:
    from wizard.session import Session

STYLE = {"pending": "dim", "running": "cyan", "done": "green", "failed": "bold red",
         "skipped": "yellow", "warning": "yellow"}
MARK = {"pending": "·", "running": "…", "done": "✓", "failed": "✗", "skipped": "–", "warning": "!"}


@dataclass
class Row:
    key: str
    title: str
    state: str = "pending"
    message: str = ""
    hint: str = ""
    started: float | None = None
    elapsed: float = 0.0
    indent: bool = False


@dataclass
class RunView:
    """Turns RunEvents into rows; knows nothing of how they are drawn."""
    rows: dict[str, Row] = field(default_factory=dict)

    def apply(self, e: RunEvent) -> Row | None:
        if e.state == "log":
            return None
        key = f"{e.step}/{e.substep}" if e.substep else e.step
        row = self.rows.get(key)
        if row is None:
            row = self.rows[key] = Row(key, e.substep or e.message or e.step, indent=bool(e.substep))
        if e.state == "warning" and not e.substep:
            row.message = e.message      # a warning on a step does not change its state
            return row
        if e.state == "running":
            row.started = time.monotonic()
        row.state, row.hint = e.state, e.hint
        if e.state != "pending":
            row.message = e.message
        if e.elapsed:
            row.elapsed = e.elapsed
        return row

    def table(self) -> Table:
        t = Table(box=None, show_header=True, header_style="bold", expand=False)
        t.add_column("", width=1)
        t.add_column("step")
        t.add_column("time", justify="right")
        t.add_column("detail", overflow="fold")
        for row in self.rows.values():
            elapsed = time.monotonic() - row.started if row.state == "running" and row.started else row.elapsed
            name = ("   " + row.key.split("/", 1)[1]) if row.indent else row.key
            detail = row.message if row.state != "failed" else f"{row.message}\n{row.hint}".strip()
            t.add_row(Text(MARK.get(row.state, " "), style=STYLE.get(row.state, "")),
                      Text(name, style=STYLE.get(row.state, "")),
                      f"{elapsed:.1f}s" if elapsed else "", detail)
        return t


def run_with_live_view(session: "Session", *, out: TextIO | None = None) -> int:
    """Run the session's plan; show it live on a terminal, as log lines otherwise. Exit code."""
    stream = out or sys.stdout
    console = Console(file=stream)
    live_terminal = console.is_terminal
    if not live_terminal:
        console.soft_wrap = True      # log lines stay whole: rich would wrap them at 80 columns
    view = RunView()
    answers = session.answers(require=True)
    console.print(f"hpcshare: profile '{answers.profile}'" + (" (demo: built-in Azure stand-in)" if session.demo else ""))
    from wizard.execute import preflight

    problems = preflight(session.environment, answers)
    if problems:
        console.print("Azure would refuse these answers; nothing was created:", highlight=False)
        for problem in problems:
            console.print(f"  - {problem}", highlight=False, markup=False)
        return 2
    runner = session.make_runner()

    def log_line(e: RunEvent) -> None:
        run_log.event(e)
        view.apply(e)
        text = format_event(e)
        if text is not None:
            console.print(text, highlight=False, markup=False)

    async def go() -> RunResult:
        if not live_terminal:
            return await runner.run(log_line)
        with Live(view.table(), console=console, refresh_per_second=8, transient=False) as live:
            def on_event(e: RunEvent) -> None:
                run_log.event(e)
                view.apply(e)
                live.update(view.table())

            ticker = asyncio.create_task(_tick(live, view))
            try:
                return await runner.run(on_event)
            finally:
                ticker.cancel()
                live.update(view.table())

    try:
        with RunLog(answers.profile) as run_log:
            result = asyncio.run(go())
            run_log.line(f"result: {result.status}" + (f" at {', '.join(result.failed)}" if result.failed else ""))
    except KeyboardInterrupt:
        runner.cancel()
        # A step that started may already have applied a generated password: show it now or never.
        show_generated_passwords(console, session, RunResult("cancelled", (), {}, tuple(runner.started), 0.0))
        console.print("Interrupted. Azure finishes what it had started; run the same command again to resume.")
        return 130
    return report(console, session, result)


async def _tick(live: Live, view: RunView) -> None:
    while True:
        await asyncio.sleep(0.25)
        live.update(view.table())


def report(console: Console, session: "Session", result: RunResult) -> int:
    show_generated_passwords(console, session, result)
    if result.status == "failed":
        console.print(f"[bold red]Failed at {', '.join(result.failed)}.[/] Fix the cause shown above and run the "
                      "same command again: finished steps are kept.")
        return 1
    if result.status == "cancelled":
        console.print("Cancelled. Steps already started finished on Azure; run again to resume.")
        return 130
    if not result.changed or set(result.changed) <= {"artifacts"}:
        console.print("Nothing changed: everything was already in place.")
    out = result.outputs.get("artifacts", {}).get("out_dir")
    if out:
        console.print(f"HPC Pack files written to {out}. Next: read {out}/SUMMARY.md.", highlight=False)
    console.print(f"Done in {result.elapsed:.1f}s.")
    return 0


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
