"""Microsoft.Network: virtual networks and their subnets, network security groups, public IP
addresses (with DNS labels) and network interfaces (with private IP allocation).

Back-references ARM shows (a subnet's ipConfigurations, a NIC's virtualMachine, a public IP's
ipConfiguration, an NSG's networkInterfaces) are derived when a body is rendered, never stored,
so they cannot go stale. Error codes and messages follow the network resource provider's.
"""
from __future__ import annotations

import base64
import copy
import hashlib
import ipaddress
import re
import time
import uuid
from typing import Any, Iterator, TypeGuard

from .. import catalog, validation
from ..errors import bad_request, invalid_reference, resource_not_found
from ..operations import Operation
from ..routing import NIC, NSG, PUBLIC_IP, SUBNET, VM, VNET, parse_id, resource_id
from ..store import Store
from . import generic
from .common import NIC_HOLD_S, Ctx, KindSpec, Response, new_etag, register, sub_object

IPv4Net = ipaddress.IPv4Network


# -- shared helpers --------------------------------------------------------------------------------
def _bad_format(message: str):
    return bad_request("InvalidRequestFormat", f"Cannot parse the request. {message}")


def _cidr(text: Any, where: str) -> IPv4Net:
    if not isinstance(text, str):
        raise _bad_format(f"{where}: an address prefix must be a string such as 10.0.0.0/24.")
    try:
        loose = ipaddress.ip_network(text, strict=False)
    except ValueError:
        raise bad_request("InvalidAddressPrefixFormat", f"Address prefix {text} of {where} is not a valid IPv4 CIDR.") from None
    if not isinstance(loose, IPv4Net) or "/" not in text:
        raise bad_request("InvalidAddressPrefixFormat", f"Address prefix {text} of {where} is not a valid IPv4 CIDR.")
    if str(loose) != text:
        raise bad_request(
            "InvalidCIDRNotation",
            f"The address prefix {text} in resource {where} has an invalid CIDR notation. For the given prefix "
            f"length, the address prefix should be {loose.network_address}.",
        )
    return loose


def _same_region(ref: dict[str, Any] | None, location: str) -> TypeGuard[dict[str, Any]]:
    """A referenced resource that exists, in this region (a reference elsewhere is invalid)."""
    return ref is not None and ref.get("location") == location


def find_subnet(store: Store, subnet_id: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """(vnet body, subnet entry inside it) for a subnet id, or None."""
    parsed = parse_id(subnet_id)
    if parsed is None or parsed.rtype is not SUBNET:
        return None
    vnet = store.get(resource_id(parsed.sub, parsed.rg, VNET, parsed.name))
    if vnet is None:
        return None
    for subnet in vnet["properties"].get("subnets", []):
        if subnet["name"].lower() == parsed.child.lower():
            return vnet, subnet
    return None


def ip_configurations(store: Store) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    for nic in store.of_type(NIC.full):
        for cfg in nic["properties"].get("ipConfigurations", []):
            yield nic, cfg


def _ref_of(cfg: dict[str, Any], key: str) -> str:
    return (validation.ref_id(cfg["properties"].get(key)) or "").lower()


def subnet_users(store: Store, subnet_id: str) -> list[str]:
    """Ids of the NIC IP configurations placed in a subnet."""
    return [cfg["id"] for _, cfg in ip_configurations(store) if _ref_of(cfg, "subnet") == subnet_id.lower()]


# -- virtual networks and subnets ------------------------------------------------------------------
def _build_subnet(ctx: Ctx, vnet_id: str, vnet_name: str, vnet_nets: list[IPv4Net], location: str,
                  entry: Any, old: dict[str, Any] | None) -> tuple[dict[str, Any], IPv4Net]:
    if not isinstance(entry, dict) or not isinstance(entry.get("name"), str) or not entry["name"]:
        raise _bad_format(f"Every subnet of virtual network {vnet_name} needs a name.")
    name = old["name"] if old else entry["name"]
    if old is None:
        validation.check_network_name("subnet", name)
    sid = f"{vnet_id}/subnets/{name}"
    props = copy.deepcopy(validation.properties_of(entry))
    prefix = props.get("addressPrefix") or (props.get("addressPrefixes") or [None])[0]
    if prefix is None:
        raise _bad_format(f"Subnet {name} of virtual network {vnet_name} has no addressPrefix.")
    net = _cidr(prefix, sid)
    if not any(net.subnet_of(v) for v in vnet_nets):
        raise bad_request(
            "NetcfgSubnetRangeOutsideVnet",
            f"Subnet '{name}' is not valid because its IP address range is outside the IP address range of "
            f"virtual network '{vnet_name}'.",
        )
    if net.prefixlen > 29:
        raise bad_request("InvalidAddressPrefix", f"Subnet '{name}' prefix {net} is too small: the smallest supported IPv4 subnet is /29.")
    if old is not None and old["properties"].get("addressPrefix") != str(net) and subnet_users(ctx.store, old["id"]):
        raise bad_request("InUseSubnetCannotBeUpdated", f"Subnet {name} is in use and its address prefix cannot be updated.")
    nsg_ref = validation.ref_id(props.get("networkSecurityGroup"))
    if nsg_ref is not None:
        nsg = generic.find_ref(ctx.store, nsg_ref, NSG)
        if not _same_region(nsg, location):
            raise invalid_reference(nsg_ref, sid)
        props["networkSecurityGroup"] = {"id": nsg["id"]}
    props.pop("addressPrefixes", None)
    props.pop("ipConfigurations", None)  # derived
    props["addressPrefix"] = str(net)
    props.setdefault("delegations", [])
    props.setdefault("privateEndpointNetworkPolicies", "Disabled")
    props.setdefault("privateLinkServiceNetworkPolicies", "Enabled")
    return {"name": name, "id": sid, "etag": new_etag(), "type": SUBNET.full, "properties": props}, net


def _check_overlap(name: str, net: IPv4Net, others: list[tuple[str, IPv4Net]], vnet_name: str) -> None:
    for other_name, other in others:
        if other_name.lower() != name.lower() and net.overlaps(other):
            raise bad_request(
                "NetcfgSubnetRangesOverlap",
                f"Subnet '{name}' is not valid because its IP address range overlaps with that of an existing "
                f"subnet in virtual network '{vnet_name}'.",
            )


def _in_use_subnet(store: Store, subnet: dict[str, Any]) -> None:
    users = subnet_users(store, subnet["id"])
    if users:
        raise bad_request(
            "InUseSubnetCannotBeDeleted",
            f"Subnet {subnet['name']} is in use by {users[0]} and cannot be deleted. In order to delete the "
            "subnet, delete all the resources within the subnet. See aka.ms/deletesubnet.",
        )


def build_vnet(ctx: Ctx, body: dict, existing: dict | None, rid: str, location: str) -> dict:
    rid = existing["id"] if existing else rid
    name = existing["name"] if existing else ctx.route.name
    props = copy.deepcopy(validation.properties_of(body))
    space = props.get("addressSpace")
    prefixes = space.get("addressPrefixes") if isinstance(space, dict) else None
    if not isinstance(prefixes, list) or not prefixes:
        raise _bad_format(f"Virtual network {name} needs properties.addressSpace.addressPrefixes.")
    nets = [_cidr(p, rid) for p in prefixes]
    old = {s["name"].lower(): s for s in (existing or {}).get("properties", {}).get("subnets", [])}
    subnets: list[dict[str, Any]] = []
    built: list[tuple[str, IPv4Net]] = []
    for entry in props.get("subnets") or []:
        key = entry.get("name", "").lower() if isinstance(entry, dict) else ""
        subnet, net = _build_subnet(ctx, rid, name, nets, location, entry, old.get(key))
        _check_overlap(subnet["name"], net, built, name)
        subnets.append(subnet)
        built.append((subnet["name"], net))
    # A VNet PUT replaces the subnet list: omitted subnets are deleted, which fails while in use.
    kept = {s["name"].lower() for s in subnets}
    for key, subnet in old.items():
        if key not in kept:
            _in_use_subnet(ctx.store, subnet)
    props.update({
        "addressSpace": {"addressPrefixes": [str(n) for n in nets]},
        "subnets": subnets,
        "virtualNetworkPeerings": props.get("virtualNetworkPeerings") or [],
        "enableDdosProtection": bool(props.get("enableDdosProtection", False)),
        "resourceGuid": (existing or {}).get("properties", {}).get("resourceGuid") or str(uuid.uuid4()),
    })
    return {"name": name, "id": rid, "type": VNET.full, "location": location,
            "tags": validation.tags_of(body), "properties": props}


def _decorate_subnet(store: Store, subnet: dict[str, Any]) -> None:
    users = subnet_users(store, subnet["id"])
    if users:
        subnet["properties"]["ipConfigurations"] = [{"id": u} for u in users]


def decorate_vnet(store: Store, vnet: dict[str, Any]) -> None:
    for subnet in vnet["properties"].get("subnets", []):
        _decorate_subnet(store, subnet)


def check_delete_vnet(store: Store, vnet: dict[str, Any]) -> None:
    for subnet in vnet["properties"].get("subnets", []):
        _in_use_subnet(store, subnet)


register(KindSpec(VNET, "VirtualNetwork", build_vnet, decorate=decorate_vnet, check_delete=check_delete_vnet))


def _vnet_of_route(ctx: Ctx) -> dict[str, Any]:
    vnet = ctx.store.get(resource_id(ctx.route.sub, ctx.route.rg, VNET, ctx.route.name))
    if vnet is None:
        raise resource_not_found(VNET.full, ctx.route.name, ctx.route.rg)
    return vnet


def _subnet_of_route(ctx: Ctx, vnet: dict[str, Any]) -> dict[str, Any] | None:
    for subnet in vnet["properties"].get("subnets", []):
        if subnet["name"].lower() == ctx.route.child.lower():
            return subnet
    return None


def _render_subnet(ctx: Ctx, subnet: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(subnet)
    _decorate_subnet(ctx.store, out)
    return out


def list_subnets(ctx: Ctx) -> Response:
    ctx.group()
    vnet = _vnet_of_route(ctx)
    return Response(200, {"value": [_render_subnet(ctx, s) for s in vnet["properties"].get("subnets", [])]})


def get_subnet(ctx: Ctx) -> Response:
    ctx.group()
    subnet = _subnet_of_route(ctx, _vnet_of_route(ctx))
    if subnet is None:
        raise resource_not_found(SUBNET.full, f"{ctx.route.name}/{ctx.route.child}", ctx.route.rg)
    return Response(200, _render_subnet(ctx, subnet))


_SUBNET_KEYS = frozenset({"name", "id", "type", "etag", "properties"})


def put_subnet(ctx: Ctx) -> Response:
    ctx.group(for_write=True)
    vnet = _vnet_of_route(ctx)
    body = validation.check_shape(ctx.req.body, "Subnet", top_level=_SUBNET_KEYS)
    old = _subnet_of_route(ctx, vnet)
    nets = [IPv4Net(p) for p in vnet["properties"]["addressSpace"]["addressPrefixes"]]  # stored: checked IPv4
    entry = {"name": ctx.route.child, "properties": validation.properties_of(body)}
    subnet, net = _build_subnet(ctx, vnet["id"], vnet["name"], nets, vnet["location"], entry, old)
    others = [(s["name"], IPv4Net(s["properties"]["addressPrefix"])) for s in vnet["properties"]["subnets"]]
    _check_overlap(subnet["name"], net, others, vnet["name"])
    subnet["properties"]["provisioningState"] = "Updating"
    subnets = [s for s in vnet["properties"]["subnets"] if s["name"].lower() != subnet["name"].lower()]
    position = next((i for i, s in enumerate(vnet["properties"]["subnets"]) if s is old), len(subnets))
    subnets.insert(position, subnet)
    vnet["properties"]["subnets"] = subnets
    vnet["etag"] = new_etag()
    ctx.store.put(vnet)
    op = ctx.start_operation(kind="subnet", verb="put", action="put", target=subnet["id"],
                             location=vnet["location"], namespace="Microsoft.Network")
    return Response(200 if old else 201, _render_subnet(ctx, subnet), ctx.lro_headers(op, location=False))


def delete_subnet(ctx: Ctx) -> Response:
    ctx.group(for_write=True)
    vnet = _vnet_of_route(ctx)
    subnet = _subnet_of_route(ctx, vnet)
    if subnet is None:
        return Response(204)
    _in_use_subnet(ctx.store, subnet)
    subnet["properties"]["provisioningState"] = "Deleting"
    ctx.store.put(vnet)
    op = ctx.start_operation(kind="subnet", verb="delete", action="delete", target=subnet["id"],
                             location=vnet["location"], namespace="Microsoft.Network")
    return Response(202, None, ctx.lro_headers(op, location=True))


def apply_subnet(store: Store, op: Operation) -> None:
    found = find_subnet(store, op.target)
    if found is None:
        return
    vnet, subnet = found
    if op.action == "delete" and not op.error:
        vnet["properties"]["subnets"] = [s for s in vnet["properties"]["subnets"] if s is not subnet]
    else:
        subnet["properties"]["provisioningState"] = "Failed" if op.error else "Succeeded"
    store.put(vnet)


# -- network security groups -----------------------------------------------------------------------
_DEFAULT_RULES = (
    ("AllowVnetInBound", "Allow inbound traffic from all VMs in VNET", "Allow", "VirtualNetwork", "Inbound", 65000, "VirtualNetwork"),
    ("AllowAzureLoadBalancerInBound", "Allow inbound traffic from azure load balancer", "Allow", "*", "Inbound", 65001, "AzureLoadBalancer"),
    ("DenyAllInBound", "Deny all inbound traffic", "Deny", "*", "Inbound", 65500, "*"),
    ("AllowVnetOutBound", "Allow outbound traffic from all VMs to all VMs in VNET", "Allow", "VirtualNetwork", "Outbound", 65000, "VirtualNetwork"),
    ("AllowInternetOutBound", "Allow outbound traffic from all VMs to Internet", "Allow", "Internet", "Outbound", 65001, "*"),
    ("DenyAllOutBound", "Deny all outbound traffic", "Deny", "*", "Outbound", 65500, "*"),
)
_ENUMS = {
    "direction": ("Inbound", "Outbound"),
    "access": ("Allow", "Deny"),
    "protocol": ("Tcp", "Udp", "Icmp", "Esp", "Ah", "*"),
}
_SERVICE_TAG = re.compile(r"^[A-Za-z][A-Za-z0-9.]*$")


def _default_rules(nsg_id: str) -> list[dict[str, Any]]:
    return [
        {
            "name": name,
            "id": f"{nsg_id}/defaultSecurityRules/{name}",
            "type": "Microsoft.Network/networkSecurityGroups/defaultSecurityRules",
            "properties": {
                "description": desc, "access": access, "destinationAddressPrefix": dest,
                "destinationPortRange": "*", "direction": direction, "priority": prio,
                "sourceAddressPrefix": src, "sourcePortRange": "*", "protocol": "*",
                "provisioningState": "Succeeded",
            },
        }
        for name, desc, access, dest, direction, prio, src in _DEFAULT_RULES
    ]


def _check_port_range(value: Any) -> None:
    text = str(value)
    m = re.fullmatch(r"(\d+)(?:-(\d+))?", text)
    ok = text == "*" or (m is not None and int(m[1]) <= 65535 and (m[2] is None or int(m[1]) <= int(m[2]) <= 65535))
    if not ok:
        raise bad_request(
            "SecurityRuleInvalidPortRange",
            f"Security rule has invalid Port range. Value provided: {text}. Value should be an integer OR integer "
            "range with '-' delimiter. Valid range 0-65535.",
        )


def _check_address_prefix(rule: str, value: Any) -> None:
    text = str(value)
    if text == "*" or ("." not in text and ":" not in text and _SERVICE_TAG.match(text)):
        return
    try:
        ipaddress.ip_network(text, strict=False)
    except ValueError:
        raise bad_request(
            "SecurityRuleInvalidAddressPrefix",
            f"Security rule {rule} has invalid Address prefix. Value provided: {text}.",
        ) from None


def _build_rule(nsg_id: str, entry: Any) -> dict[str, Any]:
    if not isinstance(entry, dict) or not isinstance(entry.get("name"), str) or not entry["name"]:
        raise _bad_format("Every security rule needs a name.")
    name = entry["name"]
    props = copy.deepcopy(validation.properties_of(entry))
    priority = props.get("priority")
    if not isinstance(priority, int) or isinstance(priority, bool) or not 100 <= priority <= 4096:
        raise bad_request(
            "SecurityRuleInvalidPriority",
            f"Security rule has invalid Priority. Value provided: {priority} Allowed range 100-4096.",
        )
    for key, allowed in _ENUMS.items():
        value = props.get(key)
        match = next((a for a in allowed if isinstance(value, str) and a.lower() == value.lower()), None)
        if match is None:
            raise _bad_format(f"Security rule {name}: {key} must be one of {', '.join(allowed)}, got {value!r}.")
        props[key] = match
    for side in ("source", "destination"):
        prefixes = props.get(f"{side}AddressPrefixes") or ([props[f"{side}AddressPrefix"]] if props.get(f"{side}AddressPrefix") else [])
        if not prefixes and not props.get(f"{side}ApplicationSecurityGroups"):
            raise _bad_format(f"Security rule {name} needs {side}AddressPrefix or {side}AddressPrefixes.")
        for p in prefixes:
            _check_address_prefix(name, p)
        ports = props.get(f"{side}PortRanges") or ([props[f"{side}PortRange"]] if props.get(f"{side}PortRange") not in (None, "") else [])
        if not ports:
            raise _bad_format(f"Security rule {name} needs {side}PortRange or {side}PortRanges.")
        for p in ports:
            _check_port_range(p)
    return {"name": name, "id": f"{nsg_id}/securityRules/{name}", "etag": new_etag(),
            "type": "Microsoft.Network/networkSecurityGroups/securityRules", "properties": props}


def build_nsg(ctx: Ctx, body: dict, existing: dict | None, rid: str, location: str) -> dict:
    rid = existing["id"] if existing else rid
    props = copy.deepcopy(validation.properties_of(body))
    rules: list[dict[str, Any]] = []
    for entry in props.get("securityRules") or []:
        rule = _build_rule(rid, entry)
        for other in rules:
            if other["name"].lower() == rule["name"].lower():
                raise _bad_format(f"Security rule name {rule['name']} is used more than once.")
            same = (other["properties"]["direction"], other["properties"]["priority"]) == (
                rule["properties"]["direction"], rule["properties"]["priority"])
            if same:
                raise bad_request(
                    "SecurityRuleConflict",
                    f"Security rule {other['name']} conflicts with rule {rule['name']}. Rules cannot have the same "
                    "Priority and Direction. To learn more, see aka.ms/nsgrules.",
                )
        rules.append(rule)
    for derived in ("networkInterfaces", "subnets"):
        props.pop(derived, None)
    props.update({
        "securityRules": rules,
        "defaultSecurityRules": _default_rules(rid),
        "resourceGuid": (existing or {}).get("properties", {}).get("resourceGuid") or str(uuid.uuid4()),
    })
    return {"name": existing["name"] if existing else ctx.route.name, "id": rid, "type": NSG.full,
            "location": location, "tags": validation.tags_of(body), "properties": props}


def _nsg_users(store: Store, nsg_id: str) -> tuple[list[str], list[str]]:
    key = nsg_id.lower()
    nics = [n["id"] for n in store.of_type(NIC.full)
            if (validation.ref_id(n["properties"].get("networkSecurityGroup")) or "").lower() == key]
    subnets = [s["id"] for v in store.of_type(VNET.full) for s in v["properties"].get("subnets", [])
               if (validation.ref_id(s["properties"].get("networkSecurityGroup")) or "").lower() == key]
    return nics, subnets


def decorate_nsg(store: Store, nsg: dict[str, Any]) -> None:
    nics, subnets = _nsg_users(store, nsg["id"])
    if nics:
        nsg["properties"]["networkInterfaces"] = [{"id": i} for i in nics]
    if subnets:
        nsg["properties"]["subnets"] = [{"id": i} for i in subnets]


def check_delete_nsg(store: Store, nsg: dict[str, Any]) -> None:
    nics, subnets = _nsg_users(store, nsg["id"])
    if nics or subnets:
        raise bad_request(
            "InUseNetworkSecurityGroupCannotBeDeleted",
            f"Network security group {nsg['id']} cannot be deleted because it is in use by the following resources: "
            f"{', '.join(nics + subnets)}. In order to delete the Network security group, remove the association "
            "with the resource(s). To learn how to do this, see aka.ms/deletensg.",
        )


register(KindSpec(NSG, "NetworkSecurityGroup", build_nsg, decorate=decorate_nsg, check_delete=check_delete_nsg))


# -- public IP addresses ---------------------------------------------------------------------------
DNS_LABEL = re.compile(r"^[a-z][a-z0-9-]{1,61}[a-z0-9]$")
# Labels the stand-in treats as taken by someone else, so "not available" can be exercised.
RESERVED_DNS_LABELS = frozenset({"www", "mail", "portal", "login", "azure", "microsoft", "testdns", "taken"})


def _dns_owner(store: Store, label: str, location: str) -> str | None:
    for pip in store.of_type(PUBLIC_IP.full):
        dns = pip["properties"].get("dnsSettings") or {}
        if (dns.get("domainNameLabel") or "").lower() == label.lower() and pip["location"] == location:
            return pip["id"]
    return None


def _scope_hash(ctx: Ctx, scope: Any, label: str) -> str:
    """With domainNameLabelScope, Azure adds "an additional, hashed string in between the
    domainnamelabel and location fields" that stays the same within the scope (tenant, subscription,
    resource group; NoReuse: random) ("Public preview: Public IP Domain Name Label Scope",
    azure.microsoft.com/updates, 2024-03-21). Returns "HASH." or "" without a scope."""
    keys = {"tenantreuse": (catalog.TENANT_ID,), "subscriptionreuse": (catalog.TENANT_ID, ctx.route.sub),
            "resourcegroupreuse": (catalog.TENANT_ID, ctx.route.sub, (ctx.route.rg or "").lower()),
            "noreuse": (str(uuid.uuid4()),)}
    key = keys.get(str(scope or "").lower())
    if key is None:
        return ""
    digest = hashlib.sha256("|".join((*key, label.lower())).encode()).digest()
    return base64.b32encode(digest).decode().lower()[:16] + "."


def _new_public_address(store: Store) -> str:
    n = store.next_counter("public-ip")
    return f"20.{74 + n // 65536 % 100}.{n // 256 % 256}.{n % 256}"


def build_public_ip(ctx: Ctx, body: dict, existing: dict | None, rid: str, location: str) -> dict:
    rid = existing["id"] if existing else rid
    props = copy.deepcopy(validation.properties_of(body))
    sku = sub_object(body, "sku")
    sku_name = sku.get("name") or "Basic"  # ARM's default; Basic was retired on 30 Sep 2025
    if sku_name.lower() == "basic":
        raise bad_request(
            "IPv4BasicSkuPublicIpCountLimitReached",
            "Cannot create more than 0 IPv4 Basic SKU public IP addresses for this subscription in this region."
            + ("" if sku.get("name") else " (No sku was given, so ARM defaulted to Basic: send sku.name Standard.)"),
        )
    if (props.get("publicIPAllocationMethod") or "Dynamic").lower() != "static":
        raise bad_request(
            "StandardSkuPublicIPAddressesMustBeStatic",
            f"Standard sku publicIp {rid} must have AllocationMethod set to Static.",
        )
    if (props.get("publicIPAddressVersion") or "IPv4") != "IPv4":
        raise bad_request("InvalidRequestFormat", "The hpcshare stand-in only serves IPv4 public IP addresses.")
    dns = props.get("dnsSettings")
    if isinstance(dns, dict) and dns.get("domainNameLabel"):
        label = dns["domainNameLabel"]
        if not isinstance(label, str) or not DNS_LABEL.match(label):
            raise bad_request(
                "InvalidDomainNameLabel",
                f"The domain name label {label} is invalid. It must conform to the following regular expression: "
                f"{DNS_LABEL.pattern}.",
            )
        owner = _dns_owner(ctx.store, label, location)
        fqdn = f"{label}.{_scope_hash(ctx, dns.get('domainNameLabelScope'), label)}{location}.cloudapp.azure.com"
        if label in RESERVED_DNS_LABELS or (owner is not None and owner.lower() != rid.lower()):
            raise bad_request("DnsRecordInUse", f"DNS record {fqdn} is already used by another public IP.")
        props["dnsSettings"] = {**dns, "fqdn": fqdn}
    props.pop("ipConfiguration", None)  # derived
    old = (existing or {}).get("properties", {})
    props.update({
        "publicIPAddressVersion": "IPv4",
        "publicIPAllocationMethod": "Static",
        "idleTimeoutInMinutes": props.get("idleTimeoutInMinutes", 4),
        "ipAddress": old.get("ipAddress") or _new_public_address(ctx.store),
        "ipTags": props.get("ipTags") or [],
        "ddosSettings": props.get("ddosSettings") or {"protectionMode": "VirtualNetworkInherited"},
        "resourceGuid": old.get("resourceGuid") or str(uuid.uuid4()),
    })
    out = {"name": existing["name"] if existing else ctx.route.name, "id": rid, "type": PUBLIC_IP.full,
           "location": location, "tags": validation.tags_of(body),
           "sku": {"name": "Standard" if sku_name.lower() == "standard" else sku_name, "tier": sku.get("tier") or "Regional"},
           "properties": props}
    if body.get("zones"):
        out["zones"] = body["zones"]
    return out


def _pip_user(store: Store, pip_id: str) -> str | None:
    for _, cfg in ip_configurations(store):
        if _ref_of(cfg, "publicIPAddress") == pip_id.lower():
            return cfg["id"]
    return None


def decorate_public_ip(store: Store, pip: dict[str, Any]) -> None:
    user = _pip_user(store, pip["id"])
    if user:
        pip["properties"]["ipConfiguration"] = {"id": user}


def check_delete_public_ip(store: Store, pip: dict[str, Any]) -> None:
    user = _pip_user(store, pip["id"])
    if user:
        raise bad_request(
            "PublicIPAddressCannotBeDeleted",
            f"Public IP address {pip['id']} can not be deleted since it is still allocated to resource {user}. In order "
            "to delete the public IP, disassociate/detach the Public IP address from the resource. To learn how to do "
            "this, see aka.ms/deletepublicip.",
        )


register(KindSpec(PUBLIC_IP, "PublicIPAddress", build_public_ip, decorate=decorate_public_ip,
                  check_delete=check_delete_public_ip))


def check_dns(ctx: Ctx) -> Response:
    """GET …/locations/{loc}/CheckDnsNameAvailability?domainNameLabel=…"""
    label = ctx.query("domainNameLabel")
    if not label:
        raise bad_request("MissingRequiredParameter", "The domainNameLabel query parameter is required.")
    location = catalog.normalize_location(ctx.route.location)
    if location is None:
        raise bad_request("LocationNotAvailableForResourceType",
                          f"The provided location '{ctx.route.location}' is not available for checkDnsNameAvailability.")
    taken = (not DNS_LABEL.match(label) or label in RESERVED_DNS_LABELS
             or _dns_owner(ctx.store, label, location) is not None)
    return Response(200, {"available": not taken})


# -- network interfaces ----------------------------------------------------------------------------
def _used_addresses(store: Store, subnet_id: str, except_nic: str) -> dict[str, str]:
    """private IP -> IP configuration id, for every other NIC in the subnet."""
    out = {}
    for nic, cfg in ip_configurations(store):
        if nic["id"].lower() != except_nic.lower() and _ref_of(cfg, "subnet") == subnet_id.lower():
            if cfg["properties"].get("privateIPAddress"):
                out[cfg["properties"]["privateIPAddress"]] = cfg["id"]
    return out


def _reserved(net: IPv4Net) -> set[ipaddress.IPv4Address]:
    # Azure keeps the network address, .1 (gateway), .2 and .3 (DNS) and the broadcast address.
    base = int(net.network_address)
    return {ipaddress.IPv4Address(base + i) for i in range(4)} | {net.broadcast_address}


def _assign_address(cfg_id: str, props: dict[str, Any], net: IPv4Net, used: dict[str, str]) -> str:
    method = props.get("privateIPAllocationMethod") or "Dynamic"
    requested = props.get("privateIPAddress")
    if method.lower() == "static" and not requested:
        raise bad_request(
            "PrivateIPAddressMissing",
            f"Private IP address is required when privateIPAllocationMethod is Static in IP configuration {cfg_id}.",
        )
    if requested:
        try:
            address = ipaddress.IPv4Address(requested)
        except ValueError:
            raise bad_request("PrivateIPAddressInvalid", f"Private IP address {requested} of IP configuration {cfg_id} is not a valid IPv4 address.") from None
        if address not in net:
            raise bad_request(
                "PrivateIPAddressNotInSubnet",
                f"Private static IP address {address} does not belong to the range of subnet prefix {net}.",
            )
        if address in _reserved(net):
            raise bad_request(
                "PrivateIPAddressInReservedRange",
                f"Private static IP address {address} falls within reserved IP range of subnet prefix {net}.",
            )
        if str(address) in used:
            raise bad_request(
                "PrivateIPAddressIsAllocated",
                f"IP configuration {cfg_id} is using the private IP address {address} which is already allocated to "
                f"resource {used[str(address)]}.",
            )
        return str(address)
    reserved = _reserved(net)
    for address in net:
        if address not in reserved and str(address) not in used:
            return str(address)
    raise bad_request("SubnetIsFull", f"Subnet with address prefix {net} does not have enough capacity for 1 IP address.")


def build_nic(ctx: Ctx, body: dict, existing: dict | None, rid: str, location: str) -> dict:
    rid = existing["id"] if existing else rid
    props = copy.deepcopy(validation.properties_of(body))
    configs = props.get("ipConfigurations")
    if not isinstance(configs, list) or not configs:
        raise _bad_format(f"Network interface {rid} needs at least one IP configuration.")
    nsg_ref = validation.ref_id(props.get("networkSecurityGroup"))
    if nsg_ref is not None:
        nsg = generic.find_ref(ctx.store, nsg_ref, NSG)
        if not _same_region(nsg, location):
            raise invalid_reference(nsg_ref, rid)
        props["networkSecurityGroup"] = {"id": nsg["id"]}
    out_configs = []
    taken_here: dict[str, str] = {}
    old_configs = {c["name"].lower(): c for c in (existing or {}).get("properties", {}).get("ipConfigurations", [])}
    for i, entry in enumerate(configs):
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str) or not entry["name"]:
            raise _bad_format(f"Every IP configuration of network interface {rid} needs a name.")
        cfg_id = f"{rid}/ipConfigurations/{entry['name']}"
        cp = copy.deepcopy(validation.properties_of(entry))
        subnet_ref = validation.ref_id(cp.get("subnet"))
        found = find_subnet(ctx.store, subnet_ref) if subnet_ref else None
        if subnet_ref is None:
            raise _bad_format(f"IP configuration {cfg_id} needs a subnet reference.")
        if found is None or found[0]["location"] != location:
            raise invalid_reference(subnet_ref, rid)
        _, subnet = found
        net = IPv4Net(subnet["properties"]["addressPrefix"])
        used = {**_used_addresses(ctx.store, subnet["id"], rid), **taken_here}
        previous = old_configs.get(entry["name"].lower())
        if not cp.get("privateIPAddress") and previous and _ref_of(previous, "subnet") == subnet["id"].lower():
            cp["privateIPAddress"] = previous["properties"].get("privateIPAddress")  # a re-PUT keeps its address
        cp["privateIPAddress"] = _assign_address(cfg_id, cp, net, used)
        taken_here[cp["privateIPAddress"]] = cfg_id
        cp["privateIPAllocationMethod"] = "Static" if (cp.get("privateIPAllocationMethod") or "").lower() == "static" else "Dynamic"
        cp["subnet"] = {"id": subnet["id"]}
        pip_ref = validation.ref_id(cp.get("publicIPAddress"))
        if pip_ref is not None:
            pip = generic.find_ref(ctx.store, pip_ref, PUBLIC_IP)
            if not _same_region(pip, location):
                raise invalid_reference(pip_ref, rid)
            user = _pip_user(ctx.store, pip["id"])
            if user and not user.lower().startswith(rid.lower() + "/"):
                raise bad_request(
                    "PublicIPAddressInUse",
                    f"IP configuration {cfg_id} is referencing public IP address {pip['id']} that is already "
                    f"allocated to resource {user}.",
                )
            cp["publicIPAddress"] = {"id": pip["id"]}
        cp["primary"] = bool(cp.get("primary", i == 0))
        cp.setdefault("privateIPAddressVersion", "IPv4")
        out_configs.append({"name": entry["name"], "id": cfg_id, "etag": new_etag(),
                            "type": "Microsoft.Network/networkInterfaces/ipConfigurations", "properties": cp})
    props.pop("virtualMachine", None)  # derived
    props.pop("macAddress", None)
    old = (existing or {}).get("properties", {})
    props.update({
        "ipConfigurations": out_configs,
        "dnsSettings": props.get("dnsSettings") or {"dnsServers": [], "appliedDnsServers": []},
        "enableAcceleratedNetworking": bool(props.get("enableAcceleratedNetworking", False)),
        "enableIPForwarding": bool(props.get("enableIPForwarding", False)),
        "disableTcpStateTracking": bool(props.get("disableTcpStateTracking", False)),
        "nicType": props.get("nicType") or "Standard",
        "vnetEncryptionSupported": False,
        "resourceGuid": old.get("resourceGuid") or str(uuid.uuid4()),
    })
    return {"name": existing["name"] if existing else ctx.route.name, "id": rid, "type": NIC.full,
            "location": location, "tags": validation.tags_of(body), "properties": props}


def nic_owner(store: Store, nic_id: str) -> str | None:
    """Id of the VM that uses a NIC."""
    for vm in store.of_type(VM.full):
        for ref in vm["properties"].get("networkProfile", {}).get("networkInterfaces", []):
            if (ref.get("id") or "").lower() == nic_id.lower():
                return vm["id"]
    return None


def decorate_nic(store: Store, nic: dict[str, Any]) -> None:
    owner = nic_owner(store, nic["id"])
    if owner:
        nic["properties"]["virtualMachine"] = {"id": owner}
        digest = hashlib.sha256(nic["id"].lower().encode()).hexdigest().upper()
        nic["properties"]["macAddress"] = "00-0D-3A-" + "-".join(digest[i:i + 2] for i in (0, 2, 4))




def hold_nics(store: Store, vm: dict[str, Any], until: float) -> None:
    """Reserve the NICs a VM referenced for it until ``until`` (wall clock)."""
    for ref in vm["properties"].get("networkProfile", {}).get("networkInterfaces", []):
        if store.get(ref.get("id") or "") is not None:
            store.private(ref["id"]).update(heldFor=vm["id"], heldUntil=until)


def nic_reserved(store: Store, nic_id: str, for_vm: str | None = None) -> Any:
    """The NicReservedForAnotherVm error while a NIC is held for another VM than ``for_vm``."""
    held = store.internal.get(nic_id.lower(), {})
    holder = held.get("heldFor")
    if not holder or held.get("heldUntil", 0) <= time.time() or (for_vm and for_vm.lower() == holder.lower()):
        return None
    return bad_request(
        "NicReservedForAnotherVm",
        f"Nic(s) in request is reserved for another Virtual Machine for {NIC_HOLD_S} seconds. Please provide "
        f"another nic(s) or retry after {NIC_HOLD_S} seconds. Reserved VM: {holder}",
    )


def check_delete_nic(store: Store, nic: dict[str, Any]) -> None:
    reserved = nic_reserved(store, nic["id"])
    if reserved is not None:
        raise reserved
    owner = nic_owner(store, nic["id"])
    if owner:
        raise bad_request(
            "NicInUse",
            f"Network Interface {nic['id']} is used by existing resource {owner}. In order to delete the network "
            "interface, it must be dissociated from the resource. To learn more, see aka.ms/deletenic.",
        )


# A NIC create answers provisioningState Succeeded at once (review row 11), and still names an operation.
register(KindSpec(NIC, "NetworkInterface", build_nic, new_state="Succeeded", decorate=decorate_nic,
                  check_delete=check_delete_nic))
