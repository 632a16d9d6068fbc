"""Write the artifacts atomically: everything goes to a temporary folder beside the output
folder first, each file is flushed to disk, then moved into place with os.replace, so no reader
ever sees a half-written file, and a failure before the moves leaves the folder as it was.
The job XML is created mode 0600 when it holds the password (never readable by others, even for
a moment); every other file 0644 less the umask. On Windows the mode only sets the read-only flag
(Python docs, os.chmod), so there the staged secret file gets an owner-only ACL with icacls
before it is moved into place, and when that fails nothing is written (SecretFileError). Files in the folder that hpcshare does not
write are left alone; a file it does write replaces the old one (an old job XML with an embedded
password included). The staging folder is a sibling so os.replace stays on one file system."""
from __future__ import annotations

import getpass
import os
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path

SECRET_MODE = 0o600
PUBLIC_MODE = 0o644


def _write_file(path: Path, data: bytes, mode: int) -> None:
    """Create ``path`` (new) with ``mode`` less the umask, write ``data``, flush it to disk."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags, mode)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    finally:
        os.close(fd)


class SecretFileError(OSError):
    """The file holding the password could not be limited to its owner: nothing was written."""


def _is_windows() -> bool:
    return os.name == "nt"


def _owner_only_acl(path: Path) -> None:
    """Windows: drop inherited entries and grant the current user alone full control.

    icacls ``/inheritance:r`` removes the inherited ACEs and ``/grant:r`` replaces any explicit
    grant for that user (icacls, Windows Commands reference). A move within one volume keeps the
    file's own ACL, so the file is never readable by others in the output folder."""
    user = getpass.getuser()
    domain = os.environ.get("USERDOMAIN", "")
    account = f"{domain}\\{user}" if domain else user
    try:
        done = subprocess.run(["icacls", str(path), "/inheritance:r", "/grant:r", f"{account}:F"],
                              capture_output=True, text=True, timeout=60, check=False)
    except (OSError, subprocess.SubprocessError) as exc:
        raise SecretFileError(f"--embed-password: cannot make {path.name} readable by {account} only "
                              f"(icacls did not run: {exc}); nothing was written. Submit with "
                              "submit-job.ps1 instead, which asks for the password.") from None
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()[:1]
        raise SecretFileError(f"--embed-password: cannot make {path.name} readable by {account} only "
                              f"(icacls: {detail[0] if detail else f'exit {done.returncode}'}); nothing was "
                              "written. Submit with submit-job.ps1 instead, which asks for the password.")


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # Windows cannot open a directory
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_files(files: Mapping[str, str], out_dir: Path, *, secret: frozenset[str] = frozenset()) -> list[Path]:
    """Write ``files`` (name -> text, already with their line ends) into ``out_dir``."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.hpcshare-", dir=out_dir.parent))
    try:
        for name, text in files.items():
            if Path(name).name != name:
                raise ValueError(f"artifact name {name!r} is not a plain file name")
            if name in secret:
                _write_file(staging / name, text.encode("utf-8"), SECRET_MODE)
                os.chmod(staging / name, SECRET_MODE)  # exactly 0600, whatever the umask took away
                if _is_windows():
                    _owner_only_acl(staging / name)
            else:
                _write_file(staging / name, text.encode("utf-8"), PUBLIC_MODE)
        written = []
        for name in files:
            target = out_dir / name
            os.replace(staging / name, target)
            written.append(target)
        _fsync_dir(out_dir)
        return written
    finally:
        shutil.rmtree(staging, ignore_errors=True)
