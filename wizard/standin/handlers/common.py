"""What every handler shares: the request/response types, the per-request context (store, clock,
faults, LRO helpers) and the per-kind registry the generic resource handlers are driven by.
"""
from __future__ import annotations

import copy
import uuid
from dataclasses import dataclass, field
from collections.abc import Mapping
from typing import Any, Callable, Protocol

from .. import catalog
from ..errors import bad_request, conflict, resource_group_not_found
from ..faults import Fault, FaultPlan
from ..latency import Latency
from ..operations import Operation
from ..quota import Quota
from ..routing import ResourceType, Route, rg_id
from ..store import Store


DEFAULT_API_VERSION = "2024-07-01"


@dataclass
class Request:
    method: str
    path: str                      # without the query string
    query: dict[str, str]          # keys lower-cased ("$filter", "api-version", ...)
    body: Any = None               # parsed JSON, or None
    headers: dict[str, str] = field(default_factory=dict)  # keys lower-cased


@dataclass
class Response:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    drop: bool = False             # close the connection without answering (fault "drop")


# Error codes an injected lro-fail ends with, per kind: what real ARM most often reports there.
_FAIL_CODES = {
    "vm": ("AllocationFailed", "Allocation failed. We do not have sufficient capacity for the requested VM size in this region."),
    "disk": ("InternalDiskManagementError", "An internal disk management error occurred."),
    "runcommand": ("VMAgentStatusCommunicationError", "VM has reported a failure when processing extension 'RunCommandHandlerWindows'."),
    "runcommand-action": ("VMAgentStatusCommunicationError", "VM has reported a failure when processing extension 'RunCommandWindows'."),
    "resourcegroup": ("ResourceGroupDeletionBlocked", "Deletion of resource group was blocked because a resource could not be deleted."),
}


def injected_error(kind: str, fault: Fault) -> dict[str, Any]:
    code, message = _FAIL_CODES.get(kind, ("InternalServerError", "An error occurred."))
    return {"code": code, "message": f"{message} (injected by the hpcshare stand-in: {fault.text})"}


def sub_object(body: Mapping[str, Any], key: str) -> dict[str, Any]:
    """``body[key]`` when it is a JSON object, else {} (a missing or null object reads as empty)."""
    value = body.get(key)
    return value if isinstance(value, dict) else {}


class ArmState(Protocol):
    """What a handler may use of the stand-in (``app.Arm``), without importing it: handlers sit
    below the app that dispatches to them."""
    store: Store
    latency: Latency
    faults: FaultPlan
    base_url: str
    quota: Quota



# A NIC released by a VM (deleted, or its create failed) stays reserved for that VM for 180 s:
# NicReservedForAnotherVm (review 2026-12-02 row 3; the wording is Azure's, see aka.ms/deletenic).
NIC_HOLD_S = 180
# The instant profile shrinks the hold 1000-fold (0.18 s x scale): tests stay fast, the rule stays observable.
INSTANT_HOLD_FACTOR = 0.001


def nic_hold_seconds(latency: Any) -> float:
    return NIC_HOLD_S * latency.scale * (1.0 if latency.profile == "realistic" else INSTANT_HOLD_FACTOR)


class Ctx:
    """One request being handled, with the state it may read and change. The Arm lock is held."""

    def __init__(self, arm: ArmState, req: Request, route: Route, now: float):
        self.arm = arm
        self.req = req
        self.route = route
        self.now = now
        # A builder may set this so the operation its PUT starts ends Failed with this error.
        self.op_error: dict[str, Any] | None = None

    @property
    def store(self) -> Store:
        return self.arm.store

    @property
    def base_url(self) -> str:
        return self.arm.base_url

    @property
    def api_version(self) -> str:
        return self.req.query.get("api-version") or DEFAULT_API_VERSION

    def query(self, name: str) -> str:
        return self.req.query.get(name.lower(), "")

    def expand(self, what: str) -> bool:
        return what.lower() in self.query("$expand").lower()

    # -- resource groups -------------------------------------------------------------------------
    def group(self, *, for_write: bool = False) -> dict[str, Any]:
        rg = self.store.get(rg_id(self.route.sub, self.route.rg))
        if rg is None:
            raise resource_group_not_found(self.route.rg)
        if for_write and rg["properties"].get("provisioningState") == "Deleting":
            raise conflict(
                "ResourceGroupBeingDeleted",
                f"The resource group '{rg['name']}' is in deprovisioning state and cannot perform this operation.",
            )
        return rg

    # -- long-running operations -----------------------------------------------------------------
    def start_operation(self, *, kind: str, verb: str, action: str, target: str, location: str,
                        namespace: str, error: dict[str, Any] | None = None,
                        result: dict[str, Any] | None = None) -> Operation:
        fault = self.arm.faults.take_lro_fail(kind, verb)
        if fault is not None:
            error = injected_error(kind, fault)
        extra: dict[str, Any] = {}
        if kind == "vm":  # how long the NICs stay reserved if this deletes the VM or fails its create
            extra["nic_hold_s"] = nic_hold_seconds(self.arm.latency)
        op = Operation.new(
            sub=self.route.sub, namespace=namespace, location=location, kind=kind, verb=verb,
            action=action, target=target, started=self.now,
            duration=self.arm.latency.duration(kind, verb),
            error=error, result=result, extra=extra,
        )
        self.store.add_operation(op)
        return op

    def take_substep(self, kind: str, verb: str) -> str | None:
        fault = self.arm.faults.take_substep(kind, verb)
        return fault.substep if fault else None

    def operation_urls(self, op: Operation) -> tuple[str, str]:
        """(Azure-AsyncOperation URL, Location/monitor URL), absolute, on this server."""
        # Each provider its own pattern (review rows 9-10): disks poll …/DiskOperations/{id}; a network
        # DELETE's Location is …/operationResults/{id}, which ends in 204.
        where = f"{self.base_url}/subscriptions/{op.sub}/providers/{op.namespace}/locations/{op.location}"
        base = f"{where}/{'DiskOperations' if op.kind == 'disk' else 'operations'}/{op.id}"
        # Compute adds an opaque p= parameter; clients must treat the URL as opaque, so do the same.
        prefix = f"p={uuid.uuid5(uuid.NAMESPACE_URL, op.sub)}&" if op.namespace == "Microsoft.Compute" else ""
        if op.namespace == "Microsoft.Network" and op.verb == "delete":
            return (f"{base}?api-version={self.api_version}",
                    f"{where}/operationResults/{op.id}?api-version={self.api_version}")
        return (f"{base}?{prefix}api-version={self.api_version}",
                f"{base}?{prefix}monitor=true&api-version={self.api_version}")

    def lro_headers(self, op: Operation, *, location: bool, first: bool = True) -> dict[str, str]:
        """The operation's headers; ``first``: on the answer that started it (else on a poll)."""
        async_url, monitor_url = self.operation_urls(op)
        headers = {"Azure-AsyncOperation": async_url}
        if location:
            headers["Location"] = monitor_url
        headers.update(self.retry_after(op, first=first))
        return headers

    def retry_after(self, op: Operation, *, first: bool) -> dict[str, str]:
        """Retry-After as Azure sends it (realistic profile only: see latency.py)."""
        return self.arm.latency.retry_after(op.kind, op.verb, first=first)


Builder = Callable[[Ctx, dict, "dict | None", str, str], dict]


@dataclass
class KindSpec:
    """How one resource type behaves; the generic handlers in generic.py do the ARM protocol around it."""
    rtype: ResourceType
    owner: str                                   # model name used in deserialization messages
    build: Builder                               # (ctx, body, existing, id, location) -> stored body
    new_status: int = 201                        # disks answer 202 to a create
    update_status: int = 200                     # ... and to an update
    new_state: str = "Updating"                  # provisioningState in the PUT answer (new)
    update_state: str = "Updating"               # ... (existing)
    check_delete: Callable[[Store, dict], None] | None = None    # raise ArmError when in use
    on_removed: Callable[[Store, dict], None] | None = None      # cascade after the delete completed
    decorate: Callable[[Store, dict], None] | None = None        # add derived back-references to a copy
    view: Callable[[Ctx, dict], None] | None = None              # per-request tweaks ($expand, ...)
    parent_check: Callable[[Ctx], None] | None = None            # child kinds: the parent must exist
    on_put_applied: Callable[[Store, Operation, dict], None] | None = None
    # The PUT answer as the provider shapes it, from (rendered resource, request body, created?):
    # Azure's first response shows what it accepted, not yet the finished resource (review row 11).
    first_body: Callable[[dict, dict, bool], dict] | None = None


KINDS: dict[str, KindSpec] = {}


def register(spec: KindSpec) -> KindSpec:
    KINDS[spec.rtype.kind] = spec
    return spec


def render(ctx: Ctx, spec: KindSpec, body: dict[str, Any]) -> dict[str, Any]:
    """What a client sees of a stored body: a copy with derived fields, shaped for this request."""
    out = copy.deepcopy(body)
    if spec.decorate:
        spec.decorate(ctx.store, out)
    if spec.view:
        spec.view(ctx, out)
    return out


_CHILD_ARRAYS = ("subnets", "securityRules", "defaultSecurityRules", "ipConfigurations")


def set_state(body: dict[str, Any], state: str) -> None:
    """provisioningState of a resource and of its inline children (subnets, rules, IP configurations)."""
    props = body.setdefault("properties", {})
    props["provisioningState"] = state
    for key in _CHILD_ARRAYS:
        for child in props.get(key) or []:
            if isinstance(child, dict):
                child.setdefault("properties", {})["provisioningState"] = state


def state_of(body: dict[str, Any]) -> str:
    return (body.get("properties") or {}).get("provisioningState", "")


def new_etag() -> str:
    return f'W/"{uuid.uuid4()}"'


def route_location(ctx: Ctx, resource_type: str) -> str:
    """The request's {location}, normalized. An unknown one gets ARM's 400 NoRegisteredProviderFound,
    worded as azure-cli issues #26639 and #28496 quote it ("No registered resource provider found
    for location 'X' and API version 'Y' for type 'Z'")."""
    location = catalog.normalize_location(ctx.route.location)
    if location is None:
        raise bad_request("NoRegisteredProviderFound",
                          f"No registered resource provider found for location '{ctx.route.location}' and API "
                          f"version '{ctx.req.query.get('api-version', '')}' for type '{resource_type}'.")
    return location
