"""Answers files (TOML, schema 1). A profile is one such file under ``HPCSHARE_HOME/profiles``.

Writes are atomic (temporary file + ``os.replace``) with mode 0600, and never contain a secret.
A file that cannot be read is never overwritten without a ``.bak`` copy first.
"""
from __future__ import annotations

import os
import tempfile
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tomli_w

from wizard import paths
from wizard.questions import QUESTIONS, SAVED_KEYS, SECTION_KEYS, SECRET_KEYS
from wizard.validation import profile_name

SCHEMA = 1


class ProfileError(Exception):
    """An answers file that cannot be used as it is; the message names the file and the problem."""


@dataclass(frozen=True)
class Loaded:
    path: Path
    values: dict[str, Any]          # flat "section.key" -> value, only keys present in the file


def profile_path(name: str) -> Path:
    broken = profile_name(name, {})
    if broken:
        raise ProfileError(f"Profile name: {broken}")
    return paths.profiles_dir() / f"{name}.toml"


def list_profiles() -> list[str]:
    folder = paths.profiles_dir()
    if not folder.is_dir():
        return []
    return sorted(p.stem for p in folder.glob("*.toml") if profile_name(p.stem, {}) is None)


def load(path: Path) -> Loaded:
    """Read and check the file's structure; values are validated later by ``answers.resolve``."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ProfileError(f"{path}: no such answers file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ProfileError(f"{path}: cannot be read ({exc})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # tomllib's message carries "(at line N, column M)".
        raise ProfileError(f"{path}: not valid TOML: {exc}") from None
    return Loaded(path, _flatten(path, data))


def _shown(name: str) -> str:
    """A key or section name as it may be printed: escape codes and invisible characters escaped."""
    return name if name.isascii() and name.isprintable() else repr(name)[1:-1]


def _flatten(path: Path, data: Mapping[str, Any]) -> dict[str, Any]:
    schema = data.get("schema")
    if schema is None:
        raise ProfileError(f"{path}: missing 'schema = {SCHEMA}' at the top")
    if type(schema) is not int or schema != SCHEMA:
        raise ProfileError(f"{path}: schema {schema!r} is not supported (this hpcshare reads schema {SCHEMA})")
    flat: dict[str, Any] = {}
    for section, body in data.items():
        if section == "schema":
            continue
        if section not in SECTION_KEYS:
            raise ProfileError(f"{path}: unknown section [{_shown(section)}]; sections are {', '.join(SECTION_KEYS)}")
        if not isinstance(body, dict):
            raise ProfileError(f"{path}: '{_shown(section)}' must be a table: [{_shown(section)}]")
        for key, value in body.items():
            full = f"{section}.{key}"
            if full in SECRET_KEYS or key in ("password", "admin_password", "share_password"):
                raise ProfileError(f"{path}: {full}: passwords do not belong in an answers file; "
                                   "use HPCSHARE_ADMIN_PASSWORD / HPCSHARE_SHARE_PASSWORD")
            if full not in QUESTIONS:
                raise ProfileError(f"{path}: unknown key '{_shown(key)}' in [{section}]")
            flat[full] = value
    return flat


def to_toml(values: Mapping[str, Any]) -> str:
    doc: dict[str, Any] = {"schema": SCHEMA}
    for key in SAVED_KEYS:
        if key in values:
            section, name = key.split(".", 1)
            doc.setdefault(section, {})[name] = values[key]
    return tomli_w.dumps(doc)


def _write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically, mode 0600; os.replace swaps a symlink at ``path``
    for the file instead of writing through it."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _backup(path: Path) -> None:
    """Keep an unreadable answers file as ``.bak`` without following a symlink at either name:
    a symlink at the profile is not read through (os.replace will swap the link itself, leaving
    its target alone), and one planted at ``.bak`` is replaced, not written through."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return
    with os.fdopen(fd, "rb") as fh:
        data = fh.read()
    _write_private(path.with_suffix(path.suffix + ".bak"), data)


def save(path: Path, values: Mapping[str, Any]) -> Path:
    """Write the saved keys of ``values`` atomically, mode 0600. Secrets are dropped by construction
    (only SAVED_KEYS are written). A previous file that cannot be parsed is kept as ``.bak``."""
    text = to_toml({k: v for k, v in values.items() if k in SAVED_KEYS})
    paths.private_dir(path.parent)
    if path.exists():
        try:
            load(path)
        except ProfileError:
            _backup(path)
    _write_private(path, text.encode("utf-8"))
    return path
