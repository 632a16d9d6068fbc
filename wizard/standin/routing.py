"""URL path -> what it addresses. ARM paths are case-insensitive (the SDK sends ``resourcegroups``
lower-case, other clients ``resourceGroups``), so every fixed segment is compared lower-cased and
types are mapped to their canonical spelling; names keep the case the client used.
"""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote

from .errors import ArmError


@dataclass(frozen=True)
class ResourceType:
    kind: str        # the fault/latency kind: "vnet", "vm", ...
    namespace: str   # "Microsoft.Network"
    type: str        # "virtualNetworks", or "virtualNetworks/subnets" for a child type

    @property
    def full(self) -> str:
        return f"{self.namespace}/{self.type}"


VNET = ResourceType("vnet", "Microsoft.Network", "virtualNetworks")
SUBNET = ResourceType("subnet", "Microsoft.Network", "virtualNetworks/subnets")
NSG = ResourceType("nsg", "Microsoft.Network", "networkSecurityGroups")
PUBLIC_IP = ResourceType("publicip", "Microsoft.Network", "publicIPAddresses")
NIC = ResourceType("nic", "Microsoft.Network", "networkInterfaces")
DISK = ResourceType("disk", "Microsoft.Compute", "disks")
VM = ResourceType("vm", "Microsoft.Compute", "virtualMachines")
RUN_COMMAND = ResourceType("runcommand", "Microsoft.Compute", "virtualMachines/runCommands")
# Azure Private DNS (Microsoft.Network, location "global"): zones, their VNet links and A records.
PRIVATE_DNS_ZONE = ResourceType("privatednszone", "Microsoft.Network", "privateDnsZones")
PRIVATE_DNS_LINK = ResourceType("privatednslink", "Microsoft.Network", "privateDnsZones/virtualNetworkLinks")
PRIVATE_DNS_A = ResourceType("privatednsrecord", "Microsoft.Network", "privateDnsZones/A")
# Azure Files (share.backend = "azure-files"): the account, its one file service ("default") and
# the shares under it (a grandchild: .../fileServices/default/shares/{name}), and the private
# endpoint that puts the account's file endpoint into the subnet.
STORAGE_ACCOUNT = ResourceType("storageaccount", "Microsoft.Storage", "storageAccounts")
FILE_SERVICE = ResourceType("fileservice", "Microsoft.Storage", "storageAccounts/fileServices")
FILE_SHARE = ResourceType("fileshare", "Microsoft.Storage", "storageAccounts/fileServices/shares")
PRIVATE_ENDPOINT = ResourceType("privateendpoint", "Microsoft.Network", "privateEndpoints")
RESOURCE_GROUP_TYPE = "Microsoft.Resources/resourceGroups"

TOP_TYPES = {(t.namespace.lower(), t.type.lower()): t
             for t in (VNET, NSG, PUBLIC_IP, NIC, DISK, VM, PRIVATE_DNS_ZONE, STORAGE_ACCOUNT, PRIVATE_ENDPOINT)}
CHILD_TYPES = {(t.namespace.lower(), t.type.lower()): t
               for t in (SUBNET, RUN_COMMAND, PRIVATE_DNS_LINK, PRIVATE_DNS_A, FILE_SERVICE)}
BY_FULL_TYPE = {t.full.lower(): t for t in (*TOP_TYPES.values(), *CHILD_TYPES.values())}
# Actions on a VM: segment (lower) -> (canonical name, fault kind)
VM_ACTIONS = {"instanceview": ("instanceView", "vm"), "runcommand": ("runCommand", "runcommand-action")}


@dataclass(frozen=True)
class Route:
    target: str              # see parse_route
    kind: str | None = None  # fault kind; None = never faulted (operation polls, generic lists)
    sub: str = ""
    rg: str = ""
    rtype: ResourceType | None = None
    name: str = ""           # top-level resource name
    child: str = ""          # child resource name (subnet / run command)
    action: str = ""         # "instanceView" | "runCommand"
    location: str = ""
    op_id: str = ""


def _unknown_path(path: str) -> ArmError:
    return ArmError(404, "NotFound", f"The requested path '{path}' is not served by the hpcshare Azure stand-in.")


def _unknown_type(namespace: str, rtype: str) -> ArmError:
    return ArmError(
        404, "InvalidResourceType",
        f"The resource type '{rtype}' could not be found in the namespace '{namespace}' (hpcshare stand-in).",
    )


def parse_route(path: str) -> Route:
    """Targets: subscriptions, subscription, locations, skus, vmsizes, usages, storage-usages, operation, operation-result,
    dns-check, provider-list, resource-groups, resource-group, generic-list, resource-list,
    resource, child-list, child, action."""
    # ARM decodes each segment: the SDK sends hpc%28test%29 for the group hpc(test) (review row 4).
    # Split first, so an encoded "/" (%2F) stays inside its name.
    segs = [unquote(s) for s in path.split("/") if s]
    low = [s.lower() for s in segs]
    n = len(segs)
    if not segs or low[0] != "subscriptions":
        raise _unknown_path(path)
    if n == 1:
        return Route("subscriptions", "subscriptions")
    sub = segs[1]
    if n == 2:
        return Route("subscription", "subscriptions", sub=sub)
    if n == 3 and low[2] == "locations":
        return Route("locations", "locations", sub=sub)
    if n == 3 and low[2] == "resources":
        return Route("generic-list", sub=sub)
    if n == 4 and low[2] == "operationresults":
        return Route("operation-result", sub=sub, op_id=segs[3])
    if low[2] == "providers" and n >= 5:
        return _subscription_provider(path, sub, segs, low)
    if low[2] == "resourcegroups":
        if n == 3:
            return Route("resource-groups", "resourcegroup", sub=sub)
        rg = segs[3]
        if n == 4:
            return Route("resource-group", "resourcegroup", sub=sub, rg=rg)
        if n == 5 and low[4] == "resources":
            return Route("generic-list", sub=sub, rg=rg)
        if n >= 7 and low[4] == "providers":
            return _group_provider(path, sub, rg, segs, low)
    raise _unknown_path(path)


def _subscription_provider(path: str, sub: str, segs: list[str], low: list[str]) -> Route:
    ns, rest, rest_low = low[3], segs[4:], low[4:]
    if ns == "microsoft.compute" and rest_low == ["skus"]:
        return Route("skus", "skus", sub=sub)
    if len(rest) >= 2 and rest_low[0] == "locations":
        loc = rest[1]
        if len(rest) == 4 and (rest_low[2] == "operations" or (ns == "microsoft.compute" and rest_low[2] == "diskoperations")):
            return Route("operation", sub=sub, location=loc, op_id=rest[3])
        if len(rest) == 4 and ns == "microsoft.network" and rest_low[2] == "operationresults":
            return Route("network-operation-result", sub=sub, location=loc, op_id=rest[3])
        if len(rest) == 3 and ns == "microsoft.network" and rest_low[2] == "checkdnsnameavailability":
            return Route("dns-check", "publicip", sub=sub, location=loc)
        if len(rest) == 3 and ns == "microsoft.compute" and rest_low[2] == "usages":
            return Route("usages", "usages", sub=sub, location=loc)
        if len(rest) == 3 and ns == "microsoft.storage" and rest_low[2] == "usages":
            return Route("storage-usages", "usages", sub=sub, location=loc)
        if len(rest) == 3 and ns == "microsoft.compute" and rest_low[2] == "vmsizes":
            return Route("vmsizes", "skus", sub=sub, location=loc)
        raise _unknown_path(path)
    if ns == "microsoft.storage" and rest_low == ["checknameavailability"]:
        return Route("storage-name-check", "storageaccount", sub=sub)
    if len(rest) == 1:
        rtype = TOP_TYPES.get((ns, rest_low[0]))
        if rtype is None:
            raise _unknown_type(segs[3], rest[0])
        return Route("provider-list", rtype.kind, sub=sub, rtype=rtype)
    raise _unknown_path(path)


def _group_provider(path: str, sub: str, rg: str, segs: list[str], low: list[str]) -> Route:
    ns, rest, rest_low = low[5], segs[6:], low[6:]
    rtype = TOP_TYPES.get((ns, rest_low[0]))
    if rtype is None:
        raise _unknown_type(segs[5], rest[0])
    if len(rest) == 1:
        return Route("resource-list", rtype.kind, sub=sub, rg=rg, rtype=rtype)
    name = rest[1]
    if len(rest) == 2:
        return Route("resource", rtype.kind, sub=sub, rg=rg, rtype=rtype, name=name)
    child_type = CHILD_TYPES.get((ns, f"{rest_low[0]}/{rest_low[2]}"))
    if child_type is not None and len(rest) in (3, 4):
        target = "child-list" if len(rest) == 3 else "child"
        return Route(target, child_type.kind, sub=sub, rg=rg, rtype=child_type, name=name,
                     child=rest[3] if len(rest) == 4 else "")
    if rtype is STORAGE_ACCOUNT and len(rest) == 3 and rest_low[2] == "listkeys":
        return Route("storage-keys", rtype.kind, sub=sub, rg=rg, rtype=rtype, name=name, action="listKeys")
    if rtype is STORAGE_ACCOUNT and len(rest) in (5, 6) and rest_low[2:5] == ["fileservices", "default", "shares"]:
        return Route("share" if len(rest) == 6 else "share-list", FILE_SHARE.kind, sub=sub, rg=rg, rtype=FILE_SHARE,
                     name=name, child=rest[5] if len(rest) == 6 else "")
    if rtype is VM and len(rest) == 3 and rest_low[2] in VM_ACTIONS:
        action, kind = VM_ACTIONS[rest_low[2]]
        return Route("action", kind, sub=sub, rg=rg, rtype=VM, name=name, action=action)
    raise _unknown_path(path)


def rg_id(sub: str, rg: str) -> str:
    return f"/subscriptions/{sub}/resourceGroups/{rg}"


def resource_id(sub: str, rg: str, rtype: ResourceType, name: str, child: str = "") -> str:
    """Canonical id; for a child type, name is the parent's name and child the child's."""
    if rtype is FILE_SHARE:
        return f"{rg_id(sub, rg)}/providers/{rtype.namespace}/storageAccounts/{name}/fileServices/default/shares/{child}"
    if "/" in rtype.type:
        parent, child_type = rtype.type.split("/")
        return f"{rg_id(sub, rg)}/providers/{rtype.namespace}/{parent}/{name}/{child_type}/{child}"
    return f"{rg_id(sub, rg)}/providers/{rtype.namespace}/{rtype.type}/{name}"


@dataclass(frozen=True)
class ParsedId:
    sub: str
    rg: str
    rtype: ResourceType
    name: str
    child: str = ""


def parse_id(resource_id_: str) -> ParsedId | None:
    """A resource id in a request body -> its parts, or None when it is not a type the stand-in serves."""
    try:
        route = parse_route(resource_id_)
    except ArmError:
        return None
    if route.target == "resource" and route.rtype:
        return ParsedId(route.sub, route.rg, route.rtype, route.name)
    if route.target == "child" and route.rtype:
        return ParsedId(route.sub, route.rg, route.rtype, route.name, route.child)
    return None
