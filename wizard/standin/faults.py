"""Fault injection: parse HPCSHARE_STANDIN_FAULTS and decide, request by request, which fault fires.

Grammar (whitespace around tokens is ignored)::

    spec  := entry ("," entry)*
    entry := KIND "." VERB "=" FAULT ["*" COUNT]
    KIND  := subscriptions | locations | skus | resourcegroup | vnet | subnet | nsg | publicip
             | nic | disk | vm | runcommand | runcommand-action | storageaccount | fileservice
             | fileshare | privateendpoint | privatednszone | privatednslink | privatednsrecord | "*"
    VERB  := get | put | post | delete | head | "*"
    FAULT := 403 | 429 | 500 | lro-fail | drop | substep:NAME
    COUNT := a positive integer | inf          (default 1: fire once)

403 (the caller lacks a role: AuthorizationFailed), 429, 500 and drop fire before the request is handled (like a throttling front door). lro-fail
fires when the request starts a long-running operation (which then ends Failed); substep:NAME
fires when a run command executes a script (that sub-step reports failure). Entries are tried
in order; each firing uses up one count.

Which KIND a request counts as: lists count as their type's ``get`` (``vnet.get`` also for the VNet
lists); checkDnsNameAvailability is ``publicip.get``; vmSizes is ``skus.get``; a VM's instanceView
is ``vm.get``; checkNameAvailability and listKeys are ``storageaccount.post``; managed run commands are ``runcommand.*``, ``POST …/runCommand`` is
``runcommand-action.post``. Operation status polls and the generic ``/resources`` lists are never
faulted.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

KINDS = (
    "subscriptions", "locations", "skus", "resourcegroup", "vnet", "subnet", "nsg", "publicip",
    "nic", "disk", "vm", "runcommand", "runcommand-action", "usages", "prices",
    "storageaccount", "fileservice", "fileshare", "privateendpoint",
    "privatednszone", "privatednslink", "privatednsrecord",
)
VERBS = ("get", "put", "post", "delete", "head")
IMMEDIATE = ("403", "429", "500", "drop")
RUN_KINDS = ("runcommand", "runcommand-action")
# (kind, verb) pairs that start a long-running operation, the only places lro-fail can fire.
LRO_STARTS = {
    *((k, "put") for k in ("vnet", "subnet", "nsg", "publicip", "nic", "disk", "vm", "runcommand",
                           "storageaccount", "privateendpoint", "privatednszone", "privatednslink")),
    *((k, "delete") for k in ("resourcegroup", "vnet", "subnet", "nsg", "publicip", "nic", "disk", "vm", "runcommand",
                              "privateendpoint")),
    ("runcommand-action", "post"),
}

_ENTRY = re.compile(r"^(?P<kind>[a-z*-]+)\.(?P<verb>[a-z*]+)=(?P<fault>[^*]+?)(?:\*(?P<count>[^*]+))?$", re.IGNORECASE)


@dataclass
class Fault:
    kind: str
    verb: str
    fault: str          # "429" | "500" | "drop" | "lro-fail" | "substep"
    substep: str = ""
    remaining: float = 1  # math.inf = always
    text: str = ""        # the entry as written, for messages

    def matches(self, kind: str, verb: str) -> bool:
        return self.remaining > 0 and self.kind in ("*", kind) and self.verb in ("*", verb)

    def use(self) -> None:
        self.remaining -= 1


def parse_faults(spec: str | None) -> list[Fault]:
    """The entries of a fault spec; ValueError naming the first bad entry."""
    if spec is None or not spec.strip():
        return []
    out = []
    for raw in spec.split(","):
        text = re.sub(r"\s+", "", raw)
        if not text:
            continue
        out.append(_parse_entry(text))
    return out


def _parse_entry(text: str) -> Fault:
    def bad(why: str) -> ValueError:
        return ValueError(f"bad fault entry {text!r}: {why} (expected KIND.VERB=FAULT[*COUNT], e.g. vm.put=429*2)")

    m = _ENTRY.match(text)
    if not m:
        raise bad("not of the form KIND.VERB=FAULT[*COUNT]")
    kind, verb, fault, count = m["kind"].lower(), m["verb"].lower(), m["fault"], m["count"]
    if kind != "*" and kind not in KINDS:
        raise bad(f"unknown kind {kind!r}; kinds are {', '.join(KINDS)} or *")
    if verb != "*" and verb not in VERBS:
        raise bad(f"unknown verb {verb!r}; verbs are {', '.join(VERBS)} or *")
    remaining: float = 1
    if count is not None:
        if count.lower() == "inf":
            remaining = math.inf
        elif count.isdigit() and int(count) > 0:
            remaining = int(count)
        else:
            raise bad(f"count {count!r} is not a positive integer or 'inf'")
    substep = ""
    low = fault.lower()
    if low.startswith("substep:"):
        substep = fault[len("substep:"):]
        if not substep:
            raise bad("substep needs a sub-step name, e.g. substep:share")
        if kind not in (*RUN_KINDS, "*"):
            raise bad("substep faults apply only to runcommand or runcommand-action")
        low = "substep"
    elif low == "lro-fail":
        if kind != "*" and verb != "*" and (kind, verb) not in LRO_STARTS:
            raise bad(f"{kind}.{verb} does not start a long-running operation")
    elif low not in IMMEDIATE:
        raise bad(f"unknown fault {fault!r}; faults are 403, 429, 500, lro-fail, drop, substep:NAME")
    return Fault(kind, verb, low, substep, remaining, text)


class FaultPlan:
    """The active faults and their remaining counts. Callers hold the stand-in's lock."""

    def __init__(self, spec: str | None = None):
        self.spec = spec or ""
        self.entries = parse_faults(spec)

    def _take(self, kind: str, verb: str, wanted: tuple[str, ...]) -> Fault | None:
        for entry in self.entries:
            if entry.fault in wanted and entry.matches(kind, verb):
                entry.use()
                return entry
        return None

    def take_immediate(self, kind: str, verb: str) -> Fault | None:
        return self._take(kind, verb, IMMEDIATE)

    def take_lro_fail(self, kind: str, verb: str) -> Fault | None:
        return self._take(kind, verb, ("lro-fail",))

    def take_substep(self, kind: str, verb: str) -> Fault | None:
        return self._take(kind, verb, ("substep",))
