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


def profiles_dir() -> Path:
    return home() / "profiles"


def state_dir() -> Path:
    return home() / "state"


def logs_dir() -> Path:
    return home() / "logs"
