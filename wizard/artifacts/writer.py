"""Write the artifacts atomically: everything goes to a temporary folder beside the output
folder first, each file is flushed to disk, then moved into place with os.replace, so no reader
ever sees a half-written file, and a failure before the moves leaves the folder as it was.
The job XML is created mode 0600 when it holds the password (never readable by others, even for
a moment); every other file exactly 0644, whatever the umask. On Windows the mode only sets the
read-only flag (Python docs, os.chmod), so there the staged secret file gets an owner-only ACL with
icacls before it is moved into place, and when that fails nothing is written (SecretFileError).

The output folder must be the user's own: nodeprep.cmd and clusrun-hosts.cmd run as administrator
on every compute node, so whoever can write the folder can swap them after hpcshare wrote them.
A folder that is a symlink, belongs to someone else, or is writable by group or others is refused
(check_out_dir); a new one is created 0700. Files in the folder that hpcshare does not
write are left alone; a file it does write replaces the old one (an old job XML with an embedded
password included). The staging folder is a sibling so os.replace stays on one file system."""
from __future__ import annotations

import getpass
import os
import shutil
import stat
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path

from wizard.paths import make_missing_dirs

SECRET_MODE = 0o600
PUBLIC_MODE = 0o644
FOLDER_MODE = 0o700


class OutDirRefused(ValueError):
    """An output folder hpcshare will not write into; the message names it and the reason."""


def check_out_dir(out_dir: Path) -> str | None:
    """Why ``out_dir`` must not be written into, or None when it is fine or does not exist yet."""
    try:
        st = os.lstat(out_dir)
    except FileNotFoundError:
        return None
    if stat.S_ISLNK(st.st_mode):
        return f"output folder {out_dir} is a symbolic link: give the real folder, or a new one"
    if not stat.S_ISDIR(st.st_mode):
        return f"output folder {out_dir} exists and is not a folder"
    if hasattr(os, "geteuid") and st.st_uid != os.geteuid():
        return (f"output folder {out_dir} belongs to another user (uid {st.st_uid}): they could replace "
                "nodeprep.cmd, which runs as administrator on every node; use a folder of your own")
    if st.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return (f"output folder {out_dir} is writable by group or others (mode {stat.S_IMODE(st.st_mode):04o}): "
                f"they could replace nodeprep.cmd; run 'chmod go-w {out_dir}' or use another folder")
    return None


def prepare_out_dir(out_dir: Path) -> None:
    """Create ``out_dir`` (and missing parents) mode 0700, then check it: also catches a folder
    that someone else created between a first check and this one."""
    make_missing_dirs(out_dir, FOLDER_MODE)    # a folder someone else made meanwhile: judged below
    broken = check_out_dir(out_dir)
    if broken:
        raise OutDirRefused(broken)


def _write_file(path: Path, data: bytes, mode: int) -> None:
    """Create ``path`` (new) with exactly ``mode``, write ``data``, flush it to disk."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags, mode & SECRET_MODE)     # never wider than 0600 while it is written
    try:
        if hasattr(os, "fchmod"):
            os.fchmod(fd, mode)
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
    prepare_out_dir(out_dir)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.hpcshare-", dir=out_dir.parent))
    try:
        for name, text in files.items():
            if Path(name).name != name:
                raise ValueError(f"artifact name {name!r} is not a plain file name")
            mode = SECRET_MODE if name in secret else PUBLIC_MODE
            _write_file(staging / name, text.encode("utf-8"), mode)
            if name in secret and _is_windows():
                _owner_only_acl(staging / name)
        written = []
        for name in files:
            target = out_dir / name
            os.replace(staging / name, target)
            written.append(target)
        _fsync_dir(out_dir)
        return written
    finally:
        shutil.rmtree(staging, ignore_errors=True)
