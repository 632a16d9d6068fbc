"""``hpcshare verify``'s terminal report: runs ``wizard.verify.probe_share`` and prints one line per
step with rich. The password is never printed: every line passes through the probe's own scrubbing."""
from __future__ import annotations

from rich.console import Console
from rich.markup import escape

from wizard.exits import ExitCode
from wizard.verify import probe_share, redact, unc_path


def verify_main(
    *,
    server: str,
    share: str,
    user: str,
    port: int,
    password: str,
    console: Console | None = None,
    timeout: float = 10.0,
    encrypt: bool | None = None,
) -> int:
    """``hpcshare verify``: run :func:`probe_share` and print a short report. 0 = share works, 1 = it does not.

    ``console`` is a ``rich.console.Console`` (a default one on stdout if omitted). The password is
    never printed: every line passes through the same scrubbing as the report itself.
    """
    if console is None:
        console = Console(highlight=False)
    unc = unc_path(server, share)

    def out(text: str, style: str | None = None) -> None:
        console.print(redact(text, password), style=style, markup=False, highlight=False,
                      soft_wrap=False)

    out(f"Probing {unc} (port {port}) as '{user}' ...")
    report = probe_share(server, share, user, password, port=port, timeout=timeout, encrypt=encrypt)
    width = max(len(s.name) for s in report.steps) if report.steps else 7
    failure = report.failure
    for step in report.steps:
        mark, style = ("✓", "green") if step.ok else ("✗", "red")
        text = step.message
        if failure is not None and not step.ok and text == failure.message:
            text = failure.kind  # the full message follows once, below
        console.print(
            f"[{style}]{mark}[/] {escape(step.name.ljust(width))} {step.elapsed_s:6.2f}s  "
            f"{escape(redact(text, password))}",
            highlight=False,
        )
    if report.ok:
        out(f"OK: {unc} is reachable and writable from this machine as '{user}'.", style="bold green")
        return ExitCode.OK
    assert failure is not None
    out(f"FAILED ({failure.kind}): {failure.message}", style="bold red")
    out(f"What to do: {failure.hint}")
    return ExitCode.FAILED
