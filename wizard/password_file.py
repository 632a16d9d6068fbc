"""``run --password-file FILE``: where generated passwords go when they must not be printed.

A password printed by an unattended run ends up in a CI log or an output file that others can
read. So when output is not a terminal, hpcshare generates a password only if it is told where to
put it: this file, created mode 0600 (never wider, even for a moment) and never through a symlink.
It is shell syntax, so a later run can take the same passwords from the environment:
``set -a; . FILE; set +a``. An existing file is never overwritten: it may hold the passwords an
earlier run set on the server, and they would be lost.
"""
from __future__ import annotations

import os
import shlex
import time
from collections.abc import Sequence
from pathlib import Path


class PasswordFileError(Exception):
    """The file cannot be created; the message names it and says why."""


def write_password_file(path: Path, profile: str, passwords: Sequence[tuple[str, str]]) -> None:
    """Create ``path`` with one ``VARIABLE='password'`` line per (variable, password)."""
    lines = [
        f"# hpcshare: passwords generated for profile '{profile}' on {time.strftime('%Y-%m-%d %H:%M:%S')}.",
        "# Only those the run applied are in effect (see its output). Reuse them in a re-run with:",
        f"#   set -a; . {shlex.quote(str(path))}; set +a",
    ]
    lines += [f"{variable}={shlex.quote(password)}" for variable, password in passwords]
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags, 0o600)
    except FileExistsError:
        raise PasswordFileError(
            f"--password-file {path}: the file exists and may hold passwords an earlier run applied; "
            f"reuse them with 'set -a; . {path}; set +a' before this command, or remove the file") from None
    except OSError as exc:
        raise PasswordFileError(f"--password-file {path}: cannot be created ({exc.strerror})") from None
    try:
        if hasattr(os, "fchmod"):
            os.fchmod(fd, 0o600)
        os.write(fd, ("\n".join(lines) + "\n").encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)
