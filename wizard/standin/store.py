"""The stand-in's state: ARM resource bodies keyed case-insensitively by id, private per-resource data
(e.g. a VM's simulated Windows state), operations and counters; optionally persisted to one JSON file.

The file is rewritten atomically (temp file + os.replace) after each mutating request, so a second
process started on the same file sees what the first created, as with real Azure. Secrets never
reach it: handlers strip passwords and protected parameters before storing a body.
"""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any, Iterator

from wizard.paths import private_dir

from .operations import Operation

SCHEMA = 1


class Store:
    def __init__(self, path: Path | None = None):
        self.path = path
        self.resources: dict[str, dict[str, Any]] = {}
        self.internal: dict[str, dict[str, Any]] = {}
        self.operations: dict[str, Operation] = {}
        self.counters: dict[str, int] = {}
        self.dirty = False
        if path is not None and path.exists():
            self._load(path)

    # -- resources -------------------------------------------------------------------------------
    def get(self, resource_id: str) -> dict[str, Any] | None:
        return self.resources.get(resource_id.lower())

    def put(self, body: dict[str, Any]) -> None:
        self.resources[body["id"].lower()] = body
        self.dirty = True

    def remove(self, resource_id: str) -> None:
        key = resource_id.lower()
        if self.resources.pop(key, None) is not None or self.internal.pop(key, None) is not None:
            self.dirty = True

    def private(self, resource_id: str) -> dict[str, Any]:
        """Mutable per-resource data that is not part of the ARM body (persisted with it)."""
        self.dirty = True
        return self.internal.setdefault(resource_id.lower(), {})

    def of_type(self, full_type: str) -> Iterator[dict[str, Any]]:
        wanted = full_type.lower()
        return (r for r in list(self.resources.values()) if r.get("type", "").lower() == wanted)

    def under(self, prefix_id: str) -> list[dict[str, Any]]:
        """Every resource whose id lies below prefix_id (a resource group or a parent resource)."""
        prefix = prefix_id.lower().rstrip("/") + "/"
        return [r for k, r in list(self.resources.items()) if k.startswith(prefix)]

    def next_counter(self, name: str) -> int:
        self.counters[name] = self.counters.get(name, 0) + 1
        self.dirty = True
        return self.counters[name]

    # -- operations ------------------------------------------------------------------------------
    def add_operation(self, op: Operation) -> None:
        self.operations[op.id] = op
        self._prune_operations()
        self.dirty = True

    def _prune_operations(self, keep: int = 500) -> None:
        # Old finished operations are only there for late polls; keep the file small.
        done = [o for o in self.operations.values() if o.applied]
        if len(done) > keep:
            for op in sorted(done, key=lambda o: o.started)[: len(done) - keep]:
                del self.operations[op.id]

    # -- persistence -----------------------------------------------------------------------------
    def _load(self, path: Path) -> None:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as err:
            raise ValueError(f"cannot read the stand-in state file {path}: {err}") from err
        if not isinstance(data, dict) or data.get("schema") != SCHEMA:
            raise ValueError(f"the stand-in state file {path} has an unknown format (expected schema {SCHEMA})")
        self.resources = {k.lower(): v for k, v in data.get("resources", {}).items()}
        self.internal = {k.lower(): v for k, v in data.get("internal", {}).items()}
        self.operations = {k: Operation.from_dict(v) for k, v in data.get("operations", {}).items()}
        self.counters = dict(data.get("counters", {}))

    def save(self) -> None:
        """Write the state file atomically if anything changed since the last save."""
        if self.path is None or not self.dirty:
            return
        data = {
            "schema": SCHEMA,
            "resources": self.resources,
            "internal": self.internal,
            "operations": {k: o.to_dict() for k, o in self.operations.items()},
            "counters": self.counters,
        }
        private_dir(self.path.parent)
        fd, tmp = tempfile.mkstemp(prefix=self.path.name + ".", suffix=".tmp", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(data, fh, indent=1, sort_keys=True)
            os.replace(tmp, self.path)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise
        self.dirty = False
