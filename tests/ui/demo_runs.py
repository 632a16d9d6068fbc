"""Earlier runs for the Welcome tests: real demo runs against the in-process Azure stand-in
(set HPCSHARE_STANDIN_LATENCY=instant), stopped the way a user stops one."""
from __future__ import annotations

from pathlib import Path

from wizard.provision import Provision
from wizard.questions import SECTIONS
from wizard.runner import RunEvent, RunResult
from wizard.session import Session


def demo_profile(name: str, out: Path | None = None) -> Session:
    """A demo profile saved with the answers each screen offers (Next on every section)."""
    session = Session(name, demo=True, out_dir=out)
    for sec in SECTIONS:
        values = {q.key: session.value(q.key) for q in sec.questions if not q.secret}
        assert session.submit_section(sec.key, values).ok, sec.key
    return session


async def demo_run(name: str, out: Path, *, cancel_after: str | None = None) -> RunResult:
    """A demo profile run against the stand-in; with ``cancel_after``, cancelled the moment that
    step is done."""
    session = demo_profile(name, out)
    provision = Provision(session)

    def on_event(event: RunEvent) -> None:
        if event.step == cancel_after and event.substep is None and event.state == "done":
            provision.cancel()

    try:
        return await provision.run(on_event)
    finally:
        session.close()
