"""One ``hpcshare run`` through plain mode's live view, in this process, with a hook on the runner's
events: what the tests that interrupt a run (Ctrl+C at a step) or arm a fault when a step starts
share. The hook sees each event before the front end does (``first=True``) or after it."""
from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from wizard.runner import RunEvent
from wizard.session import Session

Hook = Callable[[RunEvent], None]


def hook_runs(session: Session, hook: Hook, *, first: bool = False) -> None:
    """Every runner ``session`` makes from now on passes its events through ``hook``."""
    make_runner = session.make_runner

    def hooked(**kwargs: Any) -> Any:
        runner = make_runner(**kwargs)
        real_run = runner.run

        async def run(on_event: Any) -> Any:
            def both(e: RunEvent) -> None:
                if first:
                    hook(e)
                on_event(e)
                if not first:
                    hook(e)
            return await real_run(both)

        runner.run = run
        return runner

    session.make_runner = hooked  # type: ignore[method-assign]  # the test's hook around the real runner


def interrupt_at(step: str, state: str) -> Hook:
    """Ctrl+C (what it does to the event loop) once ``step`` reaches ``state`` (not a sub-step's event)."""
    def hook(e: RunEvent) -> None:
        if e.step == step and e.state == state and e.substep is None:
            raise KeyboardInterrupt
    return hook


def run_plain(session: Session) -> tuple[int, str]:
    """The run with its output captured as a log (not a terminal); closes the session."""
    from wizard.plain.live import run_with_live_view

    buf = io.StringIO()
    try:
        code = run_with_live_view(session, out=buf)
    finally:
        session.close()
    return code, buf.getvalue()
