"""Long-running operation bookkeeping: one record per PUT/DELETE/POST that ARM would answer asynchronously.

An operation is due at ``started + duration`` (wall clock). Nothing sleeps: before every request
the stand-in applies the effects of every operation that has become due (``Arm.settle``), so a
resource GET shows Succeeded exactly when its operation's status poll would.
"""
from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from typing import Any


def iso(ts: float) -> str:
    """ARM's timestamp style: 2023-12-28T06:13:33.1682098+00:00 (7 fractional digits)."""
    dt = datetime.fromtimestamp(ts, tz=timezone.utc)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond:06d}0+00:00"


@dataclass
class Operation:
    id: str
    sub: str
    namespace: str           # provider namespace the status URL lives under
    location: str
    kind: str                # fault/latency kind, e.g. "vm"
    verb: str                # "put" | "delete" | "post"
    action: str              # "put" | "delete" | "rg-delete" | "run" (what applying it does)
    target: str              # canonical id of the resource it acts on
    started: float
    duration: float
    error: dict[str, Any] | None = None     # set when the operation is to end Failed
    result: dict[str, Any] | None = None    # run command output, kept for the status/result bodies
    applied: bool = False
    ended: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def new(cls, **kw: Any) -> "Operation":
        return cls(id=str(uuid.uuid4()), **kw)

    @property
    def due(self) -> float:
        return self.started + self.duration

    @property
    def status(self) -> str:
        if not self.applied:
            return "InProgress"
        return "Failed" if self.error else "Succeeded"

    def status_body(self) -> dict[str, Any]:
        """The Azure-AsyncOperation resource: always answered with 200."""
        body: dict[str, Any] = {"name": self.id, "status": self.status, "startTime": iso(self.started)}
        if self.applied and self.ended is not None:
            body["endTime"] = iso(self.ended)
        if self.applied and self.error:
            body["error"] = self.error
        if self.applied and not self.error and self.action == "run" and self.result is not None:
            body["properties"] = {"output": {"value": self.result.get("value", [])}}
        elif self.applied and not self.error and self.result and "output" in self.result:
            body["properties"] = {"output": self.result["output"]}  # disks: the finished resource
        return body

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Operation":
        return cls(**data)
