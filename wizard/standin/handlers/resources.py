"""Microsoft.Resources: subscriptions, locations, resource groups, generic resource lists and the
operation-status endpoints every long-running operation points its clients at.
"""
from __future__ import annotations

import re
from typing import Any

from .. import catalog, validation
from ..errors import ArmError, bad_request, conflict, resource_group_not_found
from ..operations import Operation
from ..routing import RESOURCE_GROUP_TYPE, rg_id
from ..store import Store
from .common import Ctx, Response, state_of

_RG_KEYS = frozenset({"location", "tags", "properties", "managedBy", "name", "id", "type"})


def list_subscriptions(ctx: Ctx) -> Response:
    # No nextLink: the SDK pager follows any non-empty one.
    return Response(200, {"value": catalog.subscriptions()})


def get_subscription(ctx: Ctx) -> Response:
    return Response(200, catalog.subscription(ctx.route.sub))


def list_locations(ctx: Ctx) -> Response:
    return Response(200, {"value": catalog.locations(ctx.route.sub)})


# -- resource groups -------------------------------------------------------------------------------
def _group_id(ctx: Ctx) -> str:
    return rg_id(ctx.route.sub, ctx.route.rg)


def get_group(ctx: Ctx) -> Response:
    rg = ctx.store.get(_group_id(ctx))
    if rg is None:
        raise resource_group_not_found(ctx.route.rg)
    return Response(200, rg)


def head_group(ctx: Ctx) -> Response:
    return Response(204 if ctx.store.get(_group_id(ctx)) else 404)


def put_group(ctx: Ctx) -> Response:
    """Synchronous in ARM: 201 new / 200 existing, no operation to poll."""
    body = validation.check_shape(ctx.req.body, "ResourceGroup", top_level=_RG_KEYS)
    raw = body.get("location")
    if not isinstance(raw, str) or not raw.strip():
        raise bad_request("LocationRequired", "The location property is required for this definition.")
    location = catalog.normalize_location(raw)
    if location is None:
        raise bad_request(
            "LocationNotAvailableForResourceGroup",
            f"The provided location '{raw}' is not available for resource group. "
            f"List of available regions is '{','.join(catalog.location_names())}'.",
        )
    existing = ctx.store.get(_group_id(ctx))
    if existing is None:
        validation.check_group_name(ctx.route.rg)
    if existing is not None:
        if state_of(existing) == "Deleting":
            raise conflict(
                "ResourceGroupBeingDeleted",
                f"The resource group '{existing['name']}' is in deprovisioning state and cannot perform this operation.",
            )
        if existing["location"] != location:
            raise conflict(
                "InvalidResourceGroupLocation",
                f"Invalid resource group location '{raw}'. The Resource group already exists in location "
                f"'{existing['location']}'.",
            )
    group = {
        "id": existing["id"] if existing else _group_id(ctx),
        "name": existing["name"] if existing else ctx.route.rg,
        "type": RESOURCE_GROUP_TYPE,
        "location": location,
        "tags": validation.tags_of(body),
        "properties": {"provisioningState": "Succeeded"},
    }
    if isinstance(body.get("managedBy"), str):
        group["managedBy"] = body["managedBy"]
    ctx.store.put(group)
    return Response(200 if existing else 201, group)


def patch_group(ctx: Ctx) -> Response:
    group = ctx.group(for_write=True)
    body = validation.check_shape(ctx.req.body, "ResourceGroupPatchable", top_level=_RG_KEYS)
    if "tags" in body:
        group["tags"] = validation.tags_of(body)
    ctx.store.put(group)
    return Response(200, group)


def delete_group(ctx: Ctx) -> Response:
    """202 + Location (…/operationresults/{id}); everything in the group goes when it completes."""
    group = ctx.group()
    group["properties"]["provisioningState"] = "Deleting"
    ctx.store.put(group)
    op = ctx.start_operation(kind="resourcegroup", verb="delete", action="rg-delete", target=group["id"],
                             location=group["location"], namespace="Microsoft.Resources")
    url = f"{ctx.base_url}/subscriptions/{ctx.route.sub}/operationresults/{op.id}?api-version={ctx.api_version}"
    return Response(202, None, {"Location": url})


def apply_group_delete(store: Store, op: Operation) -> None:
    group = store.get(op.target)
    if group is None:
        return
    if op.error:
        group["properties"]["provisioningState"] = "Succeeded"
        store.put(group)
        return
    for res in store.under(group["id"]):
        store.remove(res["id"])
    store.remove(group["id"])


_FILTER_TERM = re.compile(r"(\w+)\s+eq\s+'((?:[^']|'')*)'", re.IGNORECASE)


def _filter_terms(text: str) -> dict[str, str]:
    """The subset of OData $filter the SDK callers use: ``a eq 'x' and b eq 'y'``."""
    if not text.strip():
        return {}
    terms = {m.group(1).lower(): m.group(2).replace("''", "'") for m in _FILTER_TERM.finditer(text)}
    if not terms:
        raise bad_request("InvalidFilterInQueryString", f"Invalid $filter '{text}' (hpcshare stand-in understands 'x eq \\'y\\'' terms).")
    return terms


def _matches(resource: dict[str, Any], terms: dict[str, str]) -> bool:
    tags = {k.lower(): v for k, v in (resource.get("tags") or {}).items()}
    if "tagname" in terms:
        if terms["tagname"].lower() not in tags:
            return False
        if "tagvalue" in terms and tags[terms["tagname"].lower()] != terms["tagvalue"]:
            return False
    if "resourcetype" in terms and resource.get("type", "").lower() != terms["resourcetype"].lower():
        return False
    if "name" in terms and resource.get("name", "").lower() != terms["name"].lower():
        return False
    if "location" in terms and resource.get("location", "") != terms["location"].lower():
        return False
    return True


def list_groups(ctx: Ctx) -> Response:
    terms = _filter_terms(ctx.query("$filter"))
    prefix = f"/subscriptions/{ctx.route.sub}/resourcegroups/".lower()
    groups = [
        r for r in ctx.store.of_type(RESOURCE_GROUP_TYPE)
        if r["id"].lower().startswith(prefix) and _matches(r, terms)
    ]
    return Response(200, {"value": _top(ctx, groups)})


def list_generic(ctx: Ctx) -> Response:
    """GET /subscriptions/{sub}[/resourcegroups/{rg}]/resources: top-level resources, generic shape."""
    terms = _filter_terms(ctx.query("$filter"))
    if ctx.route.rg:
        prefix = _group_id(ctx).lower() + "/providers/"
        ctx.group()
    else:
        prefix = f"/subscriptions/{ctx.route.sub}/resourcegroups/".lower()
    items = []
    for res in list(ctx.store.resources.values()):
        rid = res["id"].lower()
        if not rid.startswith(prefix) or res.get("type") == RESOURCE_GROUP_TYPE:
            continue
        if res.get("type", "").count("/") != 1 or not _matches(res, terms):
            continue  # child records (run commands) are not listed by ARM here
        item: dict[str, Any] = {k: res[k] for k in ("id", "name", "type", "location", "tags", "sku", "kind", "managedBy") if k in res}
        items.append(item)
    return Response(200, {"value": _top(ctx, items)})


def _top(ctx: Ctx, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    top = ctx.query("$top")
    return items[: int(top)] if top.isdigit() else items


# -- operation status endpoints --------------------------------------------------------------------
def _operation(ctx: Ctx) -> Operation:
    op = ctx.store.operations.get(ctx.route.op_id.lower())
    if op is None or op.sub.lower() != ctx.route.sub.lower():
        raise ArmError(404, "NotFound", f"The operation '{ctx.route.op_id}' could not be found.")
    return op


def get_operation(ctx: Ctx) -> Response:
    """Azure-AsyncOperation (always 200 + status) or, with monitor=true, the Location semantics
    (202 while running, then what the synchronous call would have answered)."""
    op = _operation(ctx)
    # Azure sends Retry-After on the polls of a running operation only (recording entries 1 vs 2).
    running = {} if op.applied else ctx.retry_after(op, first=False)
    if ctx.query("monitor").lower() != "true":
        return Response(200, op.status_body(), running)
    if not op.applied:
        return Response(202, None, running)
    if op.error:
        # 409, not 5xx: a failed operation is final and the client's retry policy must not repeat the poll.
        return Response(409, {"error": op.error})
    if op.action == "run" and op.result is not None:
        return Response(200, {"value": op.result.get("value", [])})
    return Response(200)


def get_network_operation_result(ctx: Ctx) -> Response:
    """A network DELETE's Location: 202 (echoing both operation headers) while it runs, then 204
    with no body (review row 9)."""
    op = _operation(ctx)
    if not op.applied:
        return Response(202, None, ctx.lro_headers(op, location=True, first=False))
    if op.error:
        return Response(409, {"error": op.error})
    return Response(204)


def get_operation_result(ctx: Ctx) -> Response:
    op = _operation(ctx)
    if not op.applied:
        return Response(202, None, {"Location": f"{ctx.base_url}{ctx.req.path}?api-version={ctx.api_version}"})
    if op.error:
        return Response(409, {"error": op.error})
    return Response(200)
