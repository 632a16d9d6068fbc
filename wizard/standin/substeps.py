"""How a simulated hpcshare script runs its sub-steps, as the scripts' Invoke-HpcSubStep does
(assets/powershell/prologue.ps1): in order, one HPCSHARE_RESULT line each; a failure marks the rest
"skipped"; parameters that could not be read fail the first sub-step. Shared by the fake Windows
server (configure-server, self-test) and its WinRM bootstrap."""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from wizard.remote.protocol import Status, SubStepResult

Outcome = tuple[Status, str, dict[str, Any]]


class SubStepFailure(Exception):
    """A sub-step failed as Windows would fail it: the message, and the error id when it has one."""

    def __init__(self, message: str, error_id: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.error_id = error_id


def clip(text: str) -> str:
    """One line, at most 400 characters: what the scripts' Protect-HpcText leaves of a message."""
    text = " ".join(text.split())
    return text if len(text) <= 400 else text[:397] + "..."


def run_substeps(steps: Iterable[str], handlers: Mapping[str, Callable[[], Outcome]], *,
                 start_error: str | None, fail_substep: str | None,
                 failures: Mapping[str, tuple[str, str]]) -> tuple[list[str], bool]:
    """(result lines, whether one failed). ``fail_substep`` injects that sub-step's failure from
    ``failures`` (the stand-in's fault spec)."""
    lines: list[str] = []
    failed = False
    for step in steps:
        if failed:
            lines.append(SubStepResult(step, "skipped", "not run: an earlier sub-step failed").to_line())
            continue
        if start_error is not None:
            lines.append(SubStepResult(step, "failed", start_error, {"stage": "start"}).to_line())
            failed = True
            continue
        try:
            if fail_substep == step:
                raise SubStepFailure(*failures[step])
            status, message, data = handlers[step]()
        except SubStepFailure as f:
            lines.append(SubStepResult(step, "failed", clip(f.message),
                                       {"errorId": f.error_id} if f.error_id else {}).to_line())
            failed = True
            continue
        lines.append(SubStepResult(step, status, clip(message), data).to_line())
    return lines, failed
