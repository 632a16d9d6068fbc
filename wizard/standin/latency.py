"""How long each long-running operation takes, per profile, before the scale factor.

`realistic` figures (seconds) come from DESIGN.md: VM create 52 s and action run command 27 s
were measured on real Azure; the rest are stated assumptions. Deletes of network resources and
disks reuse their create figure (an assumption too). Only long-running operations take time:
a synchronous call (resource-group PUT, GETs) answers at once, because the stand-in never sleeps
in a request handler; the time passes between the client's status polls.

The realistic profile also sends ``Retry-After`` as Azure does (``_RETRY_AFTER``), scaled like the
durations, on an operation's first answer and on its status polls while it runs; the instant
profile sends none, so a client with ``polling_interval=0`` never waits.
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

# Retry-After (seconds) that ARM sends with an operation's first answer (the 201/202) and with each
# status poll while the operation runs, per (kind, verb): (first, polls). None: Azure sends none.
# Sources, per row:
#   [rec N]  reference/azure-rest/recording_excerpt_vnet_vm_runcommand_delete_2023-09-01.json, entry N
#   [review] reference/reviews/2026-12-02-stand-in-vs-azure.md, row 6 (the full recordings it compared)
#   [issue]  issue 15 ("VM power operations 10 then 30"), from the same recordings
#   [spec]   the api spec example in reference/azure-rest (its 202 answer)
#   [assumed] not in any recording: the nearest recorded operation of the same provider
_RETRY_AFTER: dict[tuple[str, str], tuple[float | None, float | None]] = {
    ("vnet", "put"): (3, 10),                    # [rec 0] 3, [rec 1] 10
    ("vm", "put"): (10, 50),                     # [rec 4] 10, [rec 5] 50
    ("runcommand-action", "post"): (None, None), # [rec 8-11]: none on the POST or its polls
    ("vm", "delete"): (10, 30),                  # [rec 12] 10, [rec 13] 30
    ("vm", "post"): (10, 30),                    # [issue] power operations (not served by the stand-in yet)
    ("subnet", "put"): (3, 10),                  # [review] first 3; network polls 10
    ("publicip", "put"): (1, 10),                # [review] first 1; network polls 10
    ("disk", "put"): (2, 2),                     # [review] first 2; polls [assumed] like the first
    ("nsg", "put"): (3, 10),                     # [assumed] like the VNet PUT
    ("nic", "put"): (3, 10),                     # [assumed] like the VNet PUT
    ("publicip", "delete"): (10, 10),            # [review] first 10; network polls 10
    ("vnet", "delete"): (10, 10),                # [assumed] like the public IP delete
    ("subnet", "delete"): (10, 10),              # [assumed] like the public IP delete
    ("nsg", "delete"): (10, 10),                 # [assumed] like the public IP delete
    ("nic", "delete"): (10, 10),                 # [assumed] like the public IP delete
    ("disk", "delete"): (10, 2),                 # [issue] deletes 10; polls [assumed] like the disk PUT
    ("disk", "patch"): (2, 2),                   # [review] row 7: 202 + Retry-After 2; polls [assumed]
    ("privatednszone", "put"): (60, 60),         # [spec] privatedns_PrivateZonePut 60; polls [assumed]
    ("privatednslink", "put"): (60, 60),         # [spec] privatedns_VirtualNetworkLinkPut 60; polls [assumed]
    ("privatednszone", "delete"): (60, 60),      # [spec] privatedns_PrivateZoneDelete 60; polls [assumed]
    ("privatednslink", "delete"): (60, 60),      # [assumed] like the zone delete
    # Managed run commands and resource-group deletes: not in any recording, so none is sent.
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

    def retry_after(self, kind: str, verb: str, *, first: bool) -> dict[str, str]:
        """The Retry-After header for an operation's first answer (first=True) or for a status
        poll while it runs; {} when none is sent. Scaled like the durations. Azure sends whole
        seconds and the SDK parses the header as an integer (``'0.5'`` makes it raise), so a scaled
        value that is not whole goes as ``retry-after-ms``, which azure-core honours the same way."""
        if self.profile == "instant":
            return {}
        value = _RETRY_AFTER.get((kind, verb), (None, None))[0 if first else 1]
        scaled = (value or 0) * self.scale
        if scaled <= 0:
            return {}
        if scaled == int(scaled):
            return {"Retry-After": str(int(scaled))}
        return {"retry-after-ms": str(max(1, round(scaled * 1000)))}

    def describe(self) -> str:
        return self.profile if self.profile == "instant" else f"{self.profile} x{self.scale:g}"
