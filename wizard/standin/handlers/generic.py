"""The ARM protocol for resources stored as their own record (everything except subnets, which live
inside their VNet): GET / PUT (201|200 + Azure-AsyncOperation) / DELETE (202 + both headers, 204 when
absent) / list, and applying a completed PUT or DELETE operation.
"""
from __future__ import annotations

import copy
from typing import Any

from .. import validation
from ..errors import ArmError, bad_request, resource_not_found
from ..operations import Operation
from ..routing import ResourceType, parse_id, resource_id, rg_id
from ..store import Store
from .common import KINDS, Ctx, KindSpec, Response, new_etag, render, set_state, state_of


def _spec(ctx: Ctx) -> KindSpec:
    assert ctx.route.rtype is not None
    return KINDS[ctx.route.rtype.kind]


def _id(ctx: Ctx) -> str:
    r = ctx.route
    assert r.rtype is not None
    return resource_id(r.sub, r.rg, r.rtype, r.name, r.child)


def _display_name(ctx: Ctx) -> str:
    return f"{ctx.route.name}/{ctx.route.child}" if ctx.route.child else ctx.route.name


def get_resource(ctx: Ctx) -> Response:
    spec = _spec(ctx)
    ctx.group()
    if spec.parent_check:
        spec.parent_check(ctx)
    body = ctx.store.get(_id(ctx))
    if body is None:
        raise resource_not_found(spec.rtype.full, _display_name(ctx), ctx.route.rg)
    return Response(200, render(ctx, spec, body))


def put_resource(ctx: Ctx) -> Response:
    spec = _spec(ctx)
    ctx.group(for_write=True)
    if spec.parent_check:
        spec.parent_check(ctx)
    rid = _id(ctx)
    body = validation.check_shape(ctx.req.body, spec.owner)
    location = validation.require_location(body, spec.rtype.full)
    existing = ctx.store.get(rid)
    if existing is None and spec.rtype.namespace == "Microsoft.Network":
        validation.check_network_name(spec.rtype.kind, ctx.route.name)
    if existing is not None and existing.get("location") != location:
        raise bad_request(
            "InvalidResourceLocation",
            f"The resource '{_display_name(ctx)}' already exists in location '{existing.get('location')}' in resource "
            f"group '{ctx.route.rg}'. A resource with the same name cannot be created in location '{location}'. "
            "Please select a new resource name.",
        )
    stored = spec.build(ctx, body, existing, rid, location)
    rid = stored["id"]  # canonical casing: the first PUT's
    if spec.rtype.namespace == "Microsoft.Network":
        stored["etag"] = new_etag()
    set_state(stored, spec.update_state if existing else spec.new_state)
    ctx.store.put(stored)
    op = ctx.start_operation(kind=spec.rtype.kind, verb="put", action="put", target=rid, location=location,
                             namespace=spec.rtype.namespace, error=ctx.op_error)
    status = spec.update_status if existing else spec.new_status
    answer = render(ctx, spec, stored)
    if spec.first_body:
        answer = spec.first_body(answer, body, existing is None)
    return Response(status, answer, ctx.lro_headers(op, location=status == 202))


_PATCH_KEYS = frozenset({"tags", "sku", "properties"})


def patch_resource(ctx: Ctx) -> Response:
    """PATCH (the SDKs' update_tags / begin_update), answered as each provider does (review row 7):
    network resources take a TagsObject and answer 200 with the resource at once; a VM answers 200
    with provisioningState Updating and an operation to poll; a disk answers 202 with both
    operation headers and no body, and goes through the same size/type rules as a PUT."""
    spec = _spec(ctx)
    ctx.group(for_write=True)
    rid = _id(ctx)
    stored = ctx.store.get(rid)
    if stored is None:
        raise resource_not_found(spec.rtype.full, _display_name(ctx), ctx.route.rg)
    kind = spec.rtype.kind
    allowed = _PATCH_KEYS if kind == "disk" else frozenset({"tags"})
    body = validation.check_shape(ctx.req.body, f"{spec.owner}Update" if kind in ("vm", "disk") else "TagsObject",
                                  top_level=allowed)
    if kind == "disk":
        merged = {"location": stored["location"], "tags": body.get("tags", stored.get("tags") or {}),
                  "sku": body.get("sku") or stored["sku"],
                  "properties": {**stored["properties"], **validation.properties_of(body)}}
        updated = spec.build(ctx, merged, stored, rid, stored["location"])
    else:
        updated = copy.deepcopy(stored)
        if "tags" in body:
            updated["tags"] = validation.tags_of(body)
    if spec.rtype.namespace == "Microsoft.Network":
        updated["etag"] = new_etag()
        ctx.store.put(updated)
        return Response(200, render(ctx, spec, updated))
    set_state(updated, "Updating")
    ctx.store.put(updated)
    op = ctx.start_operation(kind=kind, verb="patch", action="put", target=rid, location=stored["location"],
                             namespace=spec.rtype.namespace)
    if kind == "disk":
        return Response(202, None, ctx.lro_headers(op, location=True))
    return Response(200, render(ctx, spec, updated), ctx.lro_headers(op, location=False))


def delete_resource(ctx: Ctx) -> Response:
    spec = _spec(ctx)
    ctx.group(for_write=True)
    rid = _id(ctx)
    body = ctx.store.get(rid)
    if body is None:
        return Response(204)
    if spec.check_delete:
        spec.check_delete(ctx.store, body)
    set_state(body, "Deleting")
    ctx.store.put(body)
    op = ctx.start_operation(kind=spec.rtype.kind, verb="delete", action="delete", target=rid,
                             location=body.get("location") or "global", namespace=spec.rtype.namespace)
    return Response(202, None, ctx.lro_headers(op, location=True))


def list_in_group(ctx: Ctx) -> Response:
    spec = _spec(ctx)
    ctx.group()
    prefix = rg_id(ctx.route.sub, ctx.route.rg).lower() + "/"
    items = [r for r in ctx.store.of_type(spec.rtype.full) if r["id"].lower().startswith(prefix)]
    return Response(200, {"value": [render(ctx, spec, r) for r in items]})


def list_in_subscription(ctx: Ctx) -> Response:
    spec = _spec(ctx)
    prefix = f"/subscriptions/{ctx.route.sub}/".lower()
    items = [r for r in ctx.store.of_type(spec.rtype.full) if r["id"].lower().startswith(prefix)]
    return Response(200, {"value": [render(ctx, spec, r) for r in items]})


def list_children(ctx: Ctx) -> Response:
    """GET .../virtualMachines/{vm}/runCommands (children stored as their own records)."""
    spec = _spec(ctx)
    ctx.group()
    if spec.parent_check:
        spec.parent_check(ctx)
    collection = resource_id(ctx.route.sub, ctx.route.rg, spec.rtype, ctx.route.name, "")  # ".../runCommands/"
    items = [r for r in ctx.store.under(collection) if r.get("type", "").lower() == spec.rtype.full.lower()]
    return Response(200, {"value": [render(ctx, spec, r) for r in items]})


# -- applying completed operations -----------------------------------------------------------------
def apply_put(store: Store, op: Operation) -> None:
    body = store.get(op.target)
    if body is None:
        return
    set_state(body, "Failed" if op.error else "Succeeded")
    spec = KINDS.get(op.kind)
    if spec and spec.on_put_applied:
        spec.on_put_applied(store, op, body)
    store.put(body)


def apply_delete(store: Store, op: Operation) -> None:
    body = store.get(op.target)
    if body is None:
        return
    if op.error:
        set_state(body, "Failed")
        store.put(body)
        return
    remove_with_children(store, body)


def remove_with_children(store: Store, body: dict[str, Any]) -> None:
    """Delete one resource, its child records (run commands) and what its kind cascades to."""
    for child in store.under(body["id"]):
        store.remove(child["id"])
    store.remove(body["id"])
    spec = spec_for(body)
    if spec and spec.on_removed:
        spec.on_removed(store, body)


def spec_for(body: dict[str, Any]) -> KindSpec | None:
    parsed = parse_id(body.get("id", ""))
    return KINDS.get(parsed.rtype.kind) if parsed else None


def find_ref(store: Store, ref: str, expected: ResourceType) -> dict[str, Any] | None:
    """The stored resource a body's ``{"id": ...}`` points at, if it is of the expected type."""
    parsed = parse_id(ref)
    if parsed is None or parsed.rtype is not expected:
        return None
    return store.get(resource_id(parsed.sub, parsed.rg, parsed.rtype, parsed.name, parsed.child))


def not_succeeded_conflict(body: dict[str, Any], operation: str) -> ArmError | None:
    state = state_of(body)
    if state == "Succeeded":
        return None
    return ArmError(
        409, "OperationNotAllowed",
        f"Operation '{operation}' is not allowed on VM '{body['name']}' since the VM is in provisioning state '{state}'.",
    )
