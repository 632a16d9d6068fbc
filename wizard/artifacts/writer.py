"""Write the artifacts atomically: everything goes to a temporary folder beside the output
folder first, each file is flushed to disk, then moved into place with os.replace, so no reader
ever sees a half-written file, and a failure before the moves leaves the folder as it was.
The job XML is created mode 0600 when it holds the password (never readable by others, even for
a moment); every other file 0644 less the umask. Files in the folder that hpcshare does not
write are left alone; a file it does write replaces the old one (an old job XML with an embedded
password included). The staging folder is a sibling so os.replace stays on one file system."""
from __future__ import annotations

import os
import shutil
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
