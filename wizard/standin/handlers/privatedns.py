"""Microsoft.Network Private DNS: zones, virtual network links and A record sets.

Shapes follow the recorded REST examples in reference/azure-rest/privatedns_*_2024-06-01.json
(PrivateZonePut, VirtualNetworkLinkPut, RecordSetAPut, PrivateZoneDelete). The rules, each with
its source:

* A zone and a link are global resources: their PUT carries ``location: "Global"`` and the answer
  says ``"global"`` (PrivateZonePut, VirtualNetworkLinkPut). A regional location is refused with
  ARM's LocationNotAvailableForResourceType (the wording ARM uses for a region a type lacks).
* A zone name has 2 to 34 labels, and azure.com, windows.net, ... are reserved ("What is an Azure
  Private DNS zone?", learn.microsoft.com/azure/dns/private-dns-privatednszone, Restrictions).
* A zone and a link PUT answer 201 (new) / 200 with Azure-AsyncOperation; a zone DELETE is a
  long-running 202 (PrivateZoneDelete). A record set PUT answers 200/201 at once, its name
  lower-cased in ``name``/``id`` and ``fqdn`` ending with a dot (RecordSetAPut).
* A zone with virtual network links cannot be deleted: 409 CannotDeleteResource "Cannot delete
  resource while nested resources exist ..." (the message Azure returned in
  learntocloud/networking-lab issue #8). Its record sets go with it.
* A link names an existing virtual network by id (the network resource provider's
  InvalidResourceReference when it does not exist), and one VNet is linked to a zone once
  (a second link for it is a 409 Conflict).
"""
from __future__ import annotations

import copy
import ipaddress
import re
import uuid
from typing import Any

from .. import validation
from ..errors import ArmError, bad_request, conflict, invalid_reference, resource_not_found
from ..routing import PRIVATE_DNS_A, PRIVATE_DNS_LINK, PRIVATE_DNS_ZONE, VNET, parse_id, resource_id
from ..store import Store
from .common import Ctx, KindSpec, Response, register, render, set_state

GLOBAL = "global"
_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$", re.I)
RESERVED_ZONES = frozenset({"azclient.ms", "azure.com", "cloudapp.net", "core.windows.net", "microsoft.com",
                            "msidentity.com", "trafficmanager.net", "windows.net"})
_RECORD_NAME = re.compile(r"^(?:@|[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)*)$", re.I)


def _etag() -> str:
    return str(uuid.uuid4())  # Private DNS etags are bare GUIDs (PrivateZonePut)


def _zone_id(ctx: Ctx) -> str:
    return resource_id(ctx.route.sub, ctx.route.rg, PRIVATE_DNS_ZONE, ctx.route.name)


def _require_global(body: dict[str, Any], full_type: str) -> None:
    raw = body.get("location")
    if not isinstance(raw, str) or not raw.strip():
        raise bad_request("LocationRequired", "The location property is required for this definition.")
    if raw.strip().lower() != GLOBAL:
        raise bad_request(
            "LocationNotAvailableForResourceType",
            f"The provided location '{raw}' is not available for resource type '{full_type}'. "
            "List of available regions for the resource type is 'global'.")


def _check_zone_name(name: str) -> None:
    labels = name.split(".")
    if not 2 <= len(labels) <= 34 or len(name) > 253 or not all(_LABEL.fullmatch(x) for x in labels):
        raise bad_request("BadRequest", f"The zone name '{name}' is invalid: a private DNS zone needs 2 to 34 "
                                        "labels of letters, digits and hyphens.")
    if name.lower() in RESERVED_ZONES:
        raise bad_request("BadRequest", f"The zone name '{name}' is reserved and cannot be created.")


def _zone(ctx: Ctx) -> dict[str, Any]:
    zone = ctx.store.get(_zone_id(ctx))
    if zone is None:
        raise ArmError(404, "ParentResourceNotFound",
                       f"Can not perform requested operation on nested resource. Parent resource "
                       f"'{ctx.route.name}' not found.")
    return zone


def _links(store: Store, zone_id: str) -> list[dict[str, Any]]:
    return [r for r in store.under(zone_id) if r.get("type", "").lower() == PRIVATE_DNS_LINK.full.lower()]


def _records(store: Store, zone_id: str) -> list[dict[str, Any]]:
    return [r for r in store.under(zone_id) if r.get("type", "").lower() == PRIVATE_DNS_A.full.lower()]


def _put_lro(ctx: Ctx, kind: str, stored: dict[str, Any], existing: dict[str, Any] | None) -> Response:
    set_state(stored, "Updating" if existing else "Creating")
    ctx.store.put(stored)
    op = ctx.start_operation(kind=kind, verb="put", action="put", target=stored["id"], location=GLOBAL,
                             namespace="Microsoft.Network", error=ctx.op_error)
    spec = ZONE_SPEC if kind == PRIVATE_DNS_ZONE.kind else LINK_SPEC
    return Response(200 if existing else 201, render(ctx, spec, stored), ctx.lro_headers(op, location=False))


# -- zones -----------------------------------------------------------------------------------------
def put_zone(ctx: Ctx) -> Response:
    ctx.group(for_write=True)
    body = validation.check_shape(ctx.req.body, "PrivateZone")
    _require_global(body, PRIVATE_DNS_ZONE.full)
    _check_zone_name(ctx.route.name)
    rid = _zone_id(ctx)
    existing = ctx.store.get(rid)
    stored = {
        "id": existing["id"] if existing else rid, "name": existing["name"] if existing else ctx.route.name,
        "type": PRIVATE_DNS_ZONE.full, "location": GLOBAL, "etag": _etag(),
        "tags": validation.tags_of(body),
        "properties": {"maxNumberOfRecordSets": 25000, "maxNumberOfVirtualNetworkLinks": 1000,
                       "maxNumberOfVirtualNetworkLinksWithRegistration": 100},
    }
    return _put_lro(ctx, PRIVATE_DNS_ZONE.kind, stored, existing)


def decorate_zone(store: Store, zone: dict[str, Any]) -> None:
    links = _links(store, zone["id"])
    props = zone["properties"]
    props["numberOfRecordSets"] = 1 + len(_records(store, zone["id"]))  # the SOA record is always there
    props["numberOfVirtualNetworkLinks"] = len(links)
    props["numberOfVirtualNetworkLinksWithRegistration"] = sum(
        1 for link in links if link["properties"].get("registrationEnabled"))


def check_delete_zone(store: Store, zone: dict[str, Any]) -> None:
    links = _links(store, zone["id"])
    if links:
        nested = ", ".join(f"'{PRIVATE_DNS_ZONE.full}/{zone['name']}/virtualNetworkLinks/{link['name']}'"
                           for link in links[:3])
        raise conflict("CannotDeleteResource",
                       "Cannot delete resource while nested resources exist. Some existing nested resource IDs "
                       f"include: {nested}. Please delete all nested resources before deleting this resource.")


def _not_stored_here(*_: Any) -> dict[str, Any]:
    raise AssertionError("private DNS bodies are built by their own PUT handlers")


ZONE_SPEC = register(KindSpec(PRIVATE_DNS_ZONE, "PrivateZone", _not_stored_here, decorate=decorate_zone,
                              check_delete=check_delete_zone))


# -- virtual network links -------------------------------------------------------------------------
def put_link(ctx: Ctx) -> Response:
    ctx.group(for_write=True)
    zone = _zone(ctx)
    body = validation.check_shape(ctx.req.body, "VirtualNetworkLink")
    _require_global(body, PRIVATE_DNS_LINK.full)
    props = validation.properties_of(body)
    rid = resource_id(ctx.route.sub, ctx.route.rg, PRIVATE_DNS_LINK, zone["name"], ctx.route.child)
    vnet_ref = validation.ref_id(props.get("virtualNetwork"))
    if vnet_ref is None:
        raise bad_request("InvalidRequestFormat", "Cannot parse the request. The virtualNetwork id is required.")
    parsed = parse_id(vnet_ref)
    vnet = None
    if parsed is not None and parsed.rtype is VNET:
        vnet = ctx.store.get(resource_id(parsed.sub, parsed.rg, VNET, parsed.name))
    if vnet is None:
        raise invalid_reference(vnet_ref, rid)
    existing = ctx.store.get(rid)
    for other in _links(ctx.store, zone["id"]):
        same_vnet = (validation.ref_id(other["properties"].get("virtualNetwork")) or "").lower() == vnet["id"].lower()
        if same_vnet and other["id"].lower() != rid.lower():
            raise conflict("Conflict", f"A virtual network cannot be linked to the same Private DNS zone more than "
                                       f"once. Virtual network '{vnet['id']}' is already linked by '{other['name']}'.")
    registration = props.get("registrationEnabled", False)
    if not isinstance(registration, bool):
        raise bad_request("InvalidRequestFormat", "Cannot parse the request. registrationEnabled must be true or false.")
    stored = {
        "id": existing["id"] if existing else rid, "name": existing["name"] if existing else ctx.route.child,
        "type": PRIVATE_DNS_LINK.full, "location": GLOBAL, "etag": _etag(), "tags": validation.tags_of(body),
        "properties": {"virtualNetwork": {"id": vnet["id"]}, "registrationEnabled": registration,
                       "virtualNetworkLinkState": "Completed"},
    }
    return _put_lro(ctx, PRIVATE_DNS_LINK.kind, stored, existing)


def _zone_parent(ctx: Ctx) -> None:
    _zone(ctx)


LINK_SPEC = register(KindSpec(PRIVATE_DNS_LINK, "VirtualNetworkLink", _not_stored_here, parent_check=_zone_parent))


# -- A record sets ---------------------------------------------------------------------------------
def _record_id(ctx: Ctx, zone: dict[str, Any]) -> str:
    return resource_id(ctx.route.sub, ctx.route.rg, PRIVATE_DNS_A, zone["name"], ctx.route.child.lower())


def put_record(ctx: Ctx) -> Response:
    ctx.group(for_write=True)
    zone = _zone(ctx)
    name = ctx.route.child
    if not _RECORD_NAME.fullmatch(name):
        raise bad_request("BadRequest", f"The record set name '{name}' is invalid.")
    body = validation.check_shape(ctx.req.body, "RecordSet")
    props = copy.deepcopy(validation.properties_of(body))
    ttl = props.get("ttl", 3600)
    if not isinstance(ttl, int) or isinstance(ttl, bool) or not 0 <= ttl <= 2147483647:
        raise bad_request("BadRequest", f"The TTL {ttl!r} is invalid: a whole number of seconds is needed.")
    records = props.get("aRecords")
    if not isinstance(records, list) or not records or len(records) > 20:
        raise bad_request("BadRequest", "An A record set needs 1 to 20 aRecords.")
    for entry in records:
        address = entry.get("ipv4Address") if isinstance(entry, dict) else None
        try:
            ipaddress.IPv4Address(address)
        except (ValueError, TypeError):
            raise bad_request("BadRequest", f"The IPv4 address {address!r} of an A record is invalid.") from None
    metadata = props.get("metadata") or {}
    if not isinstance(metadata, dict) or not all(isinstance(v, str) for v in metadata.values()):
        raise bad_request("BadRequest", "The record set metadata must map names to strings.")
    rid = _record_id(ctx, zone)
    existing = ctx.store.get(rid)
    lower = name.lower()
    stored = {
        "id": rid, "name": lower, "type": PRIVATE_DNS_A.full, "etag": _etag(),
        "properties": {"metadata": metadata, "ttl": ttl, "fqdn": f"{lower}.{zone['name'].lower()}.",
                       "isAutoRegistered": False, "aRecords": [{"ipv4Address": e["ipv4Address"]} for e in records]},
    }
    ctx.store.put(stored)
    return Response(200 if existing else 201, copy.deepcopy(stored))


def get_record(ctx: Ctx) -> Response:
    ctx.group()
    zone = _zone(ctx)
    body = ctx.store.get(_record_id(ctx, zone))
    if body is None:
        raise resource_not_found(PRIVATE_DNS_A.full, f"{zone['name']}/{ctx.route.child}", ctx.route.rg)
    return Response(200, copy.deepcopy(body))


def delete_record(ctx: Ctx) -> Response:
    ctx.group(for_write=True)
    zone = _zone(ctx)
    rid = _record_id(ctx, zone)
    if ctx.store.get(rid) is None:
        return Response(204)
    ctx.store.remove(rid)
    return Response(200)


def list_records(ctx: Ctx) -> Response:
    ctx.group()
    zone = _zone(ctx)
    return Response(200, {"value": [copy.deepcopy(r) for r in _records(ctx.store, zone["id"])]})


register(KindSpec(PRIVATE_DNS_A, "RecordSet", _not_stored_here, parent_check=_zone_parent))
