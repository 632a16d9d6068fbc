"""Where hpcshare keeps its files: shipped assets, and the user's profiles, state and logs."""
from __future__ import annotations

import os
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path


def asset(relative: str) -> Traversable:
    """A file under assets/, in the source tree and in an installed wheel alike."""
    node = resources.files("assets")
    for part in relative.split("/"):
        node = node.joinpath(part)
    return node


def asset_text(relative: str) -> str:
    return asset(relative).read_text(encoding="utf-8")


def home() -> Path:
    """Root for profiles, state and logs: HPCSHARE_HOME, else the platform's user config dir."""
    explicit = os.environ.get("HPCSHARE_HOME")
    if explicit:
        return Path(explicit).expanduser()
    from platformdirs import user_config_path

    return user_config_path("hpcshare", appauthor=False)


def make_missing_dirs(path: Path, mode: int = 0o700) -> None:
    """Create ``path`` and its missing parents with exactly ``mode`` (os.mkdir's mode is masked by
    the umask, hence the chmod). A folder someone else creates meanwhile is left to the caller's
    check: only the folders this call made are chmodded."""
    missing: list[Path] = []
    probe = Path(path)
    while not os.path.lexists(probe) and probe != probe.parent:
        missing.append(probe)
        probe = probe.parent
    for folder in reversed(missing):
        try:
            os.mkdir(folder, mode)
        except FileExistsError:
            continue
        os.chmod(folder, mode)


def private_dir(path: Path) -> Path:
    """Create ``path`` and any missing parents mode 0700 whatever the umask (os.mkdir's mode is
    masked by it, hence the chmod); an existing HPCSHARE_HOME or folder inside it is set back to
    0700 too (one created by an older hpcshare under umask 000 was world-writable, and whoever can
    write profiles/ or state/ can change what the next ``run --yes`` does). Folders outside
    HPCSHARE_HOME that exist already (the folder of an --answers file) are left as they are."""
    path = Path(path)
    make_missing_dirs(path)
    root = home().absolute()
    for folder in (path.absolute(), *path.absolute().parents):
        inside = folder == root or root in folder.parents
        if inside and folder.is_dir() and not folder.is_symlink() and (folder.stat().st_mode & 0o777) != 0o700:
            os.chmod(folder, 0o700)
    return path


def profiles_dir() -> Path:
    return home() / "profiles"


def state_dir() -> Path:
    return home() / "state"


def logs_dir() -> Path:
    return home() / "logs"
