"""Shipped script templates (assets/templates/*.in) and the one way to fill them.

A template names its slots ``@@NAME@@``. ``fill`` replaces every slot with a value the caller
has already checked (wizard.artifacts.safety) and refuses a template with a slot left over or a
value that no slot uses, so a typo cannot ship a half-filled script.
"""
from __future__ import annotations

import re
from collections.abc import Mapping

from wizard.paths import asset_text

_SLOT = re.compile(r"@@([A-Z][A-Z0-9_]*)@@")


def fill(template: str, values: Mapping[str, str]) -> str:
    text = asset_text(f"templates/{template}")
    used: set[str] = set()

    def slot(m: re.Match[str]) -> str:
        name = m.group(1)
        if name not in values:
            raise KeyError(f"templates/{template}: no value for @@{name}@@")
        used.add(name)
        return values[name]

    out = _SLOT.sub(slot, text)
    unused = set(values) - used
    if unused:
        raise KeyError(f"templates/{template}: values with no slot: {', '.join(sorted(unused))}")
    return out
