"""Per-profile run state: which steps finished, with which input fingerprint, and what they produced.

Outputs are resource ids, names and IP addresses, never secrets. The file is rewritten atomically
after every finished step, so a run killed at any moment resumes at the first unfinished step.
"""
from __future__ import annotations

import json
import os
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from wizard import paths

STATE_SCHEMA = 1


@dataclass
class StepRecord:
    fingerprint: str
    outputs: dict[str, Any] = field(default_factory=dict)
    finished_at: float = 0.0
    # The answers the step ran with (never secrets: the plan's step inputs), so that the next
    # plan can say "old -> new" (wizard.changes). Empty for a record of an older hpcshare.
    inputs: dict[str, Any] = field(default_factory=dict)


@dataclass
class RunState:
    path: Path | None
    steps: dict[str, StepRecord] = field(default_factory=dict)
    last_status: str = "new"            # new | running | succeeded | failed | cancelled
    last_failure: str = ""

    @classmethod
    def for_profile(cls, profile: str) -> "RunState":
        return cls.load(paths.state_dir() / f"{profile}.json")

    @classmethod
    def load(cls, path: Path) -> "RunState":
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return cls(path)
        except (OSError, ValueError):
            # A damaged state file only costs convergence checks: keep it aside and start clean.
            path.replace(path.with_suffix(".json.bak"))
            return cls(path)
        steps = {k: StepRecord(v.get("fingerprint", ""), v.get("outputs", {}), v.get("finished_at", 0.0),
                               v.get("inputs", {}))
                 for k, v in data.get("steps", {}).items()}
        return cls(path, steps, data.get("last_status", "new"), data.get("last_failure", ""))

    def is_done(self, step_id: str, fingerprint: str) -> bool:
        rec = self.steps.get(step_id)
        return rec is not None and rec.fingerprint == fingerprint

    def outputs(self, step_id: str) -> dict[str, Any]:
        rec = self.steps.get(step_id)
        return dict(rec.outputs) if rec else {}

    def all_outputs(self) -> dict[str, dict[str, Any]]:
        return {k: dict(v.outputs) for k, v in self.steps.items()}

    def record(self, step_id: str, fingerprint: str, outputs: dict[str, Any],
               inputs: dict[str, Any] | None = None) -> None:
        self.steps[step_id] = StepRecord(fingerprint, dict(outputs), time.time(), dict(inputs or {}))
        self.save()

    def note_inputs(self, step_id: str, inputs: dict[str, Any]) -> None:
        """A record from an older hpcshare lacks the inputs; an unchanged step fills them in."""
        rec = self.steps.get(step_id)
        if rec is not None and not rec.inputs and inputs:
            rec.inputs = dict(inputs)
            self.save()

    def forget(self, step_id: str) -> None:
        if self.steps.pop(step_id, None) is not None:
            self.save()

    def set_status(self, status: str, failure: str = "") -> None:
        self.last_status, self.last_failure = status, failure
        self.save()

    def clear(self) -> None:
        self.steps.clear()
        self.set_status("new")

    def save(self) -> None:
        if self.path is None:
            return
        body = {
            "schema": STATE_SCHEMA,
            "last_status": self.last_status,
            "last_failure": self.last_failure,
            "steps": {k: {"fingerprint": r.fingerprint, "outputs": r.outputs, "finished_at": r.finished_at,
                          "inputs": r.inputs}
                      for k, r in self.steps.items()},
        }
        paths.private_dir(self.path.parent)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(body, fh, indent=1, sort_keys=True)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, 0o600)
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
