"""The one interface every transport implements, and what a remote run returns.

``RemoteShell.run(script, config, secret)`` is synchronous (the async runner calls it in a worker
thread). ``config`` and ``secret`` are JSON-able dicts; a transport sends each as ONE base64
parameter (``ConfigB64``, ``SecretB64``: protocol.encode_param) and never puts a value into the
script text or a command line. The script text is sent byte for byte as given.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from wizard.remote.protocol import SUBSTEPS, SubStepResult, parse_results, script_name
from wizard.sanitize import printable

STDERR_TAIL = 600


@dataclass(frozen=True)
class RemoteResult:
    script: str                       # the marker name, e.g. "configure-server" ("" for a foreign script)
    stdout: str                       # secrets redacted
    stderr: str                       # secrets redacted
    exit_code: int | None             # None when the transport reports none (action Run Command)
    results: list[SubStepResult] = field(default_factory=list)
    transport: str = ""

    @property
    def ok(self) -> bool:
        """Every sub-step reported and none failed, and the script did not exit non-zero."""
        if any(r.failed for r in self.results):
            return False
        if self.exit_code not in (0, None):
            return False
        expected = SUBSTEPS.get(self.script)
        return expected is None or [r.step for r in self.results] == list(expected)

    @property
    def failed_step(self) -> SubStepResult | None:
        return next((r for r in self.results if r.failed), None)

    @property
    def changed(self) -> bool:
        return any(r.status == "changed" for r in self.results)

    @property
    def restart_needed(self) -> bool:
        return any(str(r.data.get("restartNeeded", "No")) not in ("No", "") for r in self.results)

    def summary(self) -> str:
        bad = self.failed_step
        if bad is not None:
            return f"{self.script or 'script'}: sub-step '{bad.step}' failed: {bad.message}"
        return f"{self.script or 'script'}: " + ", ".join(f"{n} {s}" for s, n in self.status_counts().items())

    def status_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for r in self.results:
            counts[r.status] = counts.get(r.status, 0) + 1
        return counts


@runtime_checkable
class RemoteShell(Protocol):
    """Runs one hpcshare PowerShell script on the server and returns its parsed result."""

    name: str

    def run(self, script: str, config: dict[str, Any], secret: dict[str, Any]) -> RemoteResult:
        ...


def redact(text: str, secrets: Iterable[str]) -> str:
    for s in secrets:
        if s:
            text = text.replace(s, "***")
    return text


def complete_results(name: str, parsed: list[SubStepResult], stderr: str, exit_code: int | None) -> list[SubStepResult]:
    """Exactly one result per expected sub-step, in order. A script that died before reporting
    (syntax error, timeout, killed) gets its first missing sub-step marked failed with the tail of
    stderr (the Windows error text) and the rest skipped; lines for unknown steps are dropped."""
    expected = SUBSTEPS.get(name)
    if expected is None:
        return list(parsed)
    by_step: dict[str, SubStepResult] = {}
    for result in parsed:
        if result.step in expected and result.step not in by_step:
            by_step[result.step] = result
    out: list[SubStepResult] = []
    failed = False
    for step in expected:
        r = by_step.get(step)
        if r is not None and not failed:
            out.append(r)
            failed = r.failed
            continue
        if r is not None and failed:
            out.append(r if r.status == "skipped" else SubStepResult(step, "skipped", "not run: an earlier sub-step failed"))
            continue
        if failed:
            out.append(SubStepResult(step, "skipped", "not run: an earlier sub-step failed"))
            continue
        tail = " ".join(stderr.split())[-STDERR_TAIL:]
        why = f"no result reported (exit code {exit_code})" if exit_code is not None else "no result reported"
        out.append(SubStepResult(step, "failed", f"{why}: {tail}" if tail else why))
        failed = True
    return out


def make_result(script: str, stdout: str, stderr: str, exit_code: int | None, *, transport: str,
                secrets: Iterable[str] = ()) -> RemoteResult:
    """Redact, parse and complete: what every transport returns."""
    secrets = tuple(secrets)
    # Server text: no terminal control sequences past this point (see wizard.sanitize).
    out = printable(redact(stdout or "", secrets), multiline=True)
    err = printable(redact(stderr or "", secrets), multiline=True)
    name = script_name(script) or ""
    results = complete_results(name, parse_results(out), err, exit_code)
    return RemoteResult(script=name, stdout=out, stderr=err, exit_code=exit_code, results=results,
                        transport=transport)


def json_object(value: Mapping[str, Any], what: str) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise TypeError(f"{what} must be a dict, not {type(value).__name__}")
    return dict(value)
