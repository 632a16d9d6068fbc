"""Password verifiers of the simulated Windows servers, kept in this process's memory only.

state.json (the stand-in's persistence, readable by whoever can read HPCSHARE_HOME) holds a random
reference, never a password or a hash of one (security review 2026-12-02, finding 9): a PBKDF2
hash or an NT hash is as good as the password to anyone who can run a dictionary or pass-the-hash.
After a restart of the stand-in the references dangle; the fake server then treats the next
password it is given as the one set before (see fake_windows._password_matches)."""
from __future__ import annotations

import secrets

_VALUES: dict[str, str] = {}


def keep(value: str, ref: str | None = None) -> str:
    """Store ``value`` under ``ref`` (a new random one when not given) and return the reference."""
    ref = ref or secrets.token_hex(16)
    _VALUES[ref] = value
    return ref


def recall(ref: object) -> str | None:
    return _VALUES.get(str(ref or ""))
