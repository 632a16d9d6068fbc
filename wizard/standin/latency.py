"""How long each long-running operation takes, per profile, before the scale factor.

`realistic` figures (seconds) come from DESIGN.md: VM create 52 s and action run command 27 s
were measured on real Azure; the rest are stated assumptions. Deletes of network resources and
disks reuse their create figure (an assumption too). Only long-running operations take time:
a synchronous call (resource-group PUT, GETs) answers at once, because the stand-in never sleeps
in a request handler; the time passes between the client's status polls.
"""
from __future__ import annotations

PROFILES = ("instant", "realistic")

_REALISTIC: dict[tuple[str, str], float] = {
    ("vm", "put"): 52,
    ("runcommand-action", "post"): 27,
    ("runcommand", "put"): 30,
    ("resourcegroup", "put"): 1,
    ("vnet", "put"): 5,
    ("subnet", "put"): 3,
    ("nsg", "put"): 4,
    ("publicip", "put"): 3,
    ("nic", "put"): 3,
    ("storageaccount", "put"): 20,    # a FileStorage account: tens of seconds
    ("privateendpoint", "put"): 30,   # the endpoint and its NIC
    ("privateendpoint", "delete"): 20,
    ("disk", "put"): 3,
    ("vm", "delete"): 60,
    ("resourcegroup", "delete"): 90,
    ("vnet", "delete"): 5,
    ("subnet", "delete"): 3,
    ("nsg", "delete"): 4,
    ("publicip", "delete"): 3,
    ("nic", "delete"): 3,
    ("disk", "delete"): 3,
    ("runcommand", "delete"): 5,
}


class Latency:
    def __init__(self, profile: str = "instant", scale: float = 1.0):
        if profile not in PROFILES:
            raise ValueError(f"unknown latency profile {profile!r}; expected one of {', '.join(PROFILES)}")
        if not scale >= 0:  # also rejects NaN
            raise ValueError(f"latency scale must be a number >= 0, got {scale!r}")
        self.profile = profile
        self.scale = float(scale)

    def duration(self, kind: str, verb: str) -> float:
        """Seconds an operation of this kind takes; instant operations still go through the LRO protocol."""
        if self.profile == "instant":
            return 0.0
        return _REALISTIC.get((kind, verb), 1.0) * self.scale

    def describe(self) -> str:
        return self.profile if self.profile == "instant" else f"{self.profile} x{self.scale:g}"
