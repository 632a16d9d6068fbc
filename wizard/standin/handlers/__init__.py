"""Request handlers, one module per resource provider, and the table that routes to them.

Importing this package registers every resource kind (see ``common.KINDS``).
"""
from __future__ import annotations

import copy
from typing import Callable

from ..errors import ArmError
from ..operations import Operation
from ..store import Store
from . import compute, generic, network, privatedns, privateendpoint, resources, runcommands, storage
from .common import Ctx, Request, Response

Handler = Callable[[Ctx], Response]

_TABLE: dict[tuple[str, str], Handler] = {
    ("subscriptions", "GET"): resources.list_subscriptions,
    ("subscription", "GET"): resources.get_subscription,
    ("locations", "GET"): resources.list_locations,
    ("skus", "GET"): compute.list_skus,
    ("vmsizes", "GET"): compute.list_vm_sizes,
    ("usages", "GET"): compute.list_usages,
    ("storage-usages", "GET"): storage.list_usages,
    ("operation", "GET"): resources.get_operation,
    ("operation-result", "GET"): resources.get_operation_result,
    ("network-operation-result", "GET"): resources.get_network_operation_result,
    ("dns-check", "GET"): network.check_dns,
    ("resource-groups", "GET"): resources.list_groups,
    ("resource-group", "GET"): resources.get_group,
    ("resource-group", "HEAD"): resources.head_group,
    ("resource-group", "PUT"): resources.put_group,
    ("resource-group", "PATCH"): resources.patch_group,
    ("resource-group", "DELETE"): resources.delete_group,
    ("generic-list", "GET"): resources.list_generic,
    ("provider-list", "GET"): generic.list_in_subscription,
    ("resource-list", "GET"): generic.list_in_group,
    ("resource", "GET"): generic.get_resource,
    ("resource", "PUT"): generic.put_resource,
    ("resource", "DELETE"): generic.delete_resource,
    ("resource", "PATCH"): generic.patch_resource,
    ("action", "GET"): compute.get_instance_view,
    ("action", "POST"): runcommands.run_action,
    ("storage-name-check", "POST"): storage.check_name,
    ("storage-keys", "POST"): storage.list_keys,
    ("share", "GET"): storage.get_share,
    ("share", "PUT"): storage.put_share,
    ("share", "DELETE"): storage.delete_share,
    ("share-list", "GET"): storage.list_shares,
}
# Subnets live inside their VNet's body, so they have their own handlers; run commands are generic.
_CHILD: dict[tuple[str, str, str], Handler] = {
    ("subnet", "child-list", "GET"): network.list_subnets,
    ("subnet", "child", "GET"): network.get_subnet,
    ("subnet", "child", "PUT"): network.put_subnet,
    ("subnet", "child", "DELETE"): network.delete_subnet,
    ("runcommand", "child-list", "GET"): generic.list_children,
    ("runcommand", "child", "GET"): generic.get_resource,
    ("runcommand", "child", "PUT"): generic.put_resource,
    ("runcommand", "child", "DELETE"): generic.delete_resource,
    ("privatednslink", "child-list", "GET"): generic.list_children,
    ("privatednslink", "child", "GET"): generic.get_resource,
    ("privatednslink", "child", "PUT"): privatedns.put_link,
    ("privatednslink", "child", "DELETE"): generic.delete_resource,
    ("privatednsrecord", "child-list", "GET"): privatedns.list_records,
    ("privatednsrecord", "child", "GET"): privatedns.get_record,
    ("privatednsrecord", "child", "PUT"): privatedns.put_record,
    ("privatednsrecord", "child", "DELETE"): privatedns.delete_record,
    ("fileservice", "child-list", "GET"): storage.list_file_services,
    ("fileservice", "child", "GET"): storage.get_file_service,
    ("fileservice", "child", "PUT"): storage.put_file_service,
}
# Kinds whose top-level PUT is their own (Private DNS zones are global, not regional).
_OWN_PUT: dict[str, Handler] = {"privatednszone": privatedns.put_zone}
# A storage account's delete is synchronous (200 | 204, StorageAccountDelete), not an LRO.
_OWN_DELETE: dict[str, Handler] = {"storageaccount": storage.delete_account}


def dispatch(ctx: Ctx) -> Response:
    route, method = ctx.route, ctx.req.method
    if route.target in ("child", "child-list"):
        handler = _CHILD.get((route.kind or "", route.target, method))
    elif route.target == "action":
        wanted = "GET" if route.action == "instanceView" else "POST"
        handler = _TABLE[("action", method)] if method == wanted else None
    elif route.target == "resource" and method == "PUT" and route.kind in _OWN_PUT:
        handler = _OWN_PUT[route.kind]
    elif route.target == "resource" and method == "DELETE" and route.kind in _OWN_DELETE:
        handler = _OWN_DELETE[route.kind]
    else:
        handler = _TABLE.get((route.target, method))
    if handler is None:
        raise ArmError(405, "HttpMethodNotAllowed", f"The requested resource does not support http method '{method}'.")
    return handler(ctx)


def apply_operation(store: Store, op: Operation) -> None:
    """Make a completed operation's effect visible (called once, when it becomes due)."""
    vm_before = copy.deepcopy(store.get(op.target)) if op.kind == "vm" else None
    _apply(store, op)
    releases = (op.action == "delete" and not op.error) or (op.action == "put" and op.error and op.verb == "put")
    if vm_before is not None and releases:
        network.hold_nics(store, vm_before, op.due + float(op.extra.get("nic_hold_s", 0)))
    if op.kind == "disk" and op.action == "put" and not op.error:
        # The disk provider's Succeeded status carries the finished disk (review row 10).
        disk = store.get(op.target)
        if disk is not None:
            out = copy.deepcopy(disk)
            compute.decorate_disk(store, out)
            op.result = {"output": out}


def _apply(store: Store, op: Operation) -> None:
    if op.kind == "subnet":
        network.apply_subnet(store, op)
    elif op.action == "put":
        generic.apply_put(store, op)
    elif op.action == "delete":
        generic.apply_delete(store, op)
    elif op.action == "rg-delete":
        resources.apply_group_delete(store, op)
    # "run" (action run command): the result was computed when it started; nothing to change.


__all__ = ["Ctx", "Request", "Response", "apply_operation", "dispatch"]
