"""Run events as log lines: for terminals that are not terminals (pipes, CI) and for the run log
file under HPCSHARE_HOME/logs/PROFILE.log that every front end appends to.

Only event text goes here: step names, states, Azure's one-line causes. Secrets never reach an
event (the runner scrubs failure messages), so they never reach a log.
"""
from __future__ import annotations

import errno
import logging
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import TextIO

from wizard import paths
from wizard.runner import RunEvent
from wizard.sanitize import printable


def format_event(e: RunEvent) -> str | None:
    """One line per state change (a failure adds its hint on the same line); None for 'pending'."""
    if e.state == "pending":
        return None
    if e.state == "log":
        return printable(f"  {e.step}: {e.message}")
    name = f"{e.step}/{e.substep}" if e.substep else e.step
    extra = f" ({e.elapsed:.1f}s)" if e.elapsed and e.state in ("done", "failed") else ""
    text = f"[{e.state}] {name}{extra}" + (f": {e.message}" if e.message else "")
    # Messages quote the server and Azure: the line goes to stdout and the log without controls.
    return printable(text + (f" -- hint: {e.hint}" if e.hint else ""))


class RunLog:
    """Appends timestamped event lines to the profile's log file (mode 0600)."""

    def __init__(self, profile: str, *, path: Path | None = None) -> None:
        self.path = path or paths.logs_dir() / f"{profile}.log"
        self._fh: TextIO | None = None

    def __enter__(self) -> "RunLog":
        paths.private_dir(self.path.parent)
        # O_NOFOLLOW: a symlink planted at logs/PROFILE.log is refused, not written through;
        # fchmod: a log file that already existed with a wider mode becomes 0600 too.
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | getattr(os, "O_NOFOLLOW", 0), 0o600)
        except OSError as exc:
            if exc.errno != errno.ELOOP:
                raise
            raise OSError(errno.ELOOP, "the run log is a symbolic link; hpcshare does not write through one "
                                       "(remove it, then run again)", str(self.path)) from None
        try:
            if hasattr(os, "fchmod"):
                os.fchmod(fd, 0o600)
        except BaseException:
            os.close(fd)
            raise
        self._fh = os.fdopen(fd, "a", encoding="utf-8")
        self.line(f"=== run started {time.strftime('%Y-%m-%d %H:%M:%S')}")
        return self

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None) -> None:
        if self._fh is not None:
            self.line("=== run ended" + (f" ({et.__name__})" if et else ""))
            self._fh.close()
            self._fh = None

    def line(self, text: str) -> None:
        if self._fh is not None:
            # One line each, and nothing a terminal would obey when the log is shown with cat.
            self._fh.write(f"{time.strftime('%H:%M:%S')} {printable(text)}\n")
            self._fh.flush()

    def event(self, e: RunEvent) -> None:
        text = format_event(e)
        if text is not None:
            self.line(text)


class _RunLogHandler(logging.Handler):
    def __init__(self, run_log: RunLog) -> None:
        super().__init__(logging.WARNING)
        self.run_log = run_log

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.run_log.line(f"{record.name}: {record.getMessage()}")
        except Exception:  # a log line must never break the run
            self.handleError(record)


@contextmanager
def azure_logs_to(run_log: RunLog) -> Iterator[None]:
    """The Azure SDK's warnings (azure-identity's "... get_token failed: ...") go to the run log
    while it is open; on the terminal they would break the Rich view or the Textual screen."""
    handler = _RunLogHandler(run_log)
    logger = logging.getLogger("azure")
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)
