"""Exit codes and the usage error: the one small module both front ends (the command line and
the Textual App) use, so neither imports the other for them.

0 success, 1 a step failed (a re-run resumes), 2 usage or validation error (nothing touched),
130 cancelled (the shell's code for Ctrl+C).
"""
from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    FAILED = 1
    USAGE = 2
    CANCELLED = 130


class UsageError(Exception):
    """Bad input on the command line or in an answers file: printed as is, exit 2."""
