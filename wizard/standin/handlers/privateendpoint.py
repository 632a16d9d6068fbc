"""Microsoft.Network privateEndpoints: a storage account's ``file`` endpoint placed in a subnet.

Shapes follow reference/azure-rest/network_PrivateEndpointCreate_2025-07-01.json,
network_PrivateEndpointGet and network_PrivateEndpointDelete. The rules, each with its source:

* The endpoint creates a network interface of its own in the subnet (``networkInterfaces`` in the
  PrivateEndpointGet answer; named ``customNetworkInterfaceName`` when given, else
  ``<endpoint>.nic.<guid>``); it goes when the endpoint is deleted. Its address is the static one
  in ``ipConfigurations`` (groupId/memberName ``file``) or the first free one, under the same
  subnet rules as any NIC (PrivateIPAddressNotInSubnet, ...InReservedRange, ...IsAllocated).
* ``privateLinkServiceConnections[].groupIds`` names one sub-resource of the target; for a storage
  account: blob, table, queue, file, web, dfs and their _secondary ("What is a private endpoint?",
  learn.microsoft.com/azure/private-link/private-endpoint-overview, "Private-link resource").
* A connection to a resource in the caller's own subscription is approved at once ("Auto-Approved",
  PrivateEndpointCreate answer); without a DNS zone group the endpoint reports the names to map in
  ``customDnsConfigs`` (fqdn + ipAddresses, PrivateEndpointCreate answer).
* The endpoint lives in the region of its VNet; the subnet and the target must exist
  (InvalidResourceReference, the network provider's wording for a missing reference).
"""
from __future__ import annotations

import copy
import uuid
from ipaddress import IPv4Network
from typing import Any

from .. import validation
from ..errors import bad_request, invalid_reference
from ..routing import NIC, PRIVATE_ENDPOINT, STORAGE_ACCOUNT, parse_id, resource_id
from ..store import Store
from .common import Ctx, KindSpec, new_etag, register
from .network import _assign_address, _used_addresses, find_subnet

STORAGE_GROUP_IDS = ("blob", "blob_secondary", "table", "table_secondary", "queue", "queue_secondary",
                     "file", "file_secondary", "web", "web_secondary", "dfs", "dfs_secondary")


def _bad(message: str) -> Any:
    return bad_request("InvalidRequestFormat", f"Cannot parse the request. {message}")


def build_private_endpoint(ctx: Ctx, body: dict, existing: dict | None, rid: str, location: str) -> dict:
    rid = existing["id"] if existing else rid
    props = validation.properties_of(body)
    subnet_ref = validation.ref_id(props.get("subnet"))
    found = find_subnet(ctx.store, subnet_ref) if subnet_ref else None
    if found is None or found[0]["location"] != location:
        raise invalid_reference(subnet_ref or "(no subnet)", rid)
    _, subnet = found
    conns = props.get("privateLinkServiceConnections")
    if not isinstance(conns, list) or len(conns) != 1 or not isinstance(conns[0], dict):
        raise _bad("A private endpoint needs exactly one privateLinkServiceConnection.")
    conn = conns[0]
    cprops = validation.properties_of(conn)
    target_ref = cprops.get("privateLinkServiceId") or ""
    parsed = parse_id(target_ref)
    target = None
    if parsed is not None and parsed.rtype is STORAGE_ACCOUNT:
        target = ctx.store.get(resource_id(parsed.sub, parsed.rg, STORAGE_ACCOUNT, parsed.name))
    if target is None:
        raise invalid_reference(target_ref or "(no privateLinkServiceId)", rid)
    group_ids = cprops.get("groupIds")
    if not isinstance(group_ids, list) or len(group_ids) != 1 or group_ids[0] not in STORAGE_GROUP_IDS:
        raise bad_request("PrivateEndpointBadRequest",
                          f"Call to Microsoft.Storage/storageAccounts failed. Error message: The group id "
                          f"{group_ids!r} is not one of {', '.join(STORAGE_GROUP_IDS)}.")
    if existing is not None:
        old_target = existing["properties"]["privateLinkServiceConnections"][0]["properties"]["privateLinkServiceId"]
        if old_target.lower() != target["id"].lower() or \
                existing["properties"]["subnet"]["id"].lower() != subnet["id"].lower():
            raise bad_request("PrivateEndpointCannotBeUpdated",
                              f"Private endpoint {rid} cannot change its subnet or target; delete and re-create it.")
    group = group_ids[0]
    old_nic_id = (existing or {}).get("properties", {}).get("networkInterfaces", [{}])[0].get("id")
    nic_name = props.get("customNetworkInterfaceName") or f"{ctx.route.name}.nic.{uuid.uuid4()}"
    nic_id = old_nic_id or resource_id(ctx.route.sub, ctx.route.rg, NIC, nic_name)
    requested = None
    for cfg in props.get("ipConfigurations") or []:
        cp = validation.properties_of(cfg) if isinstance(cfg, dict) else {}
        if cp.get("groupId") == group and cp.get("privateIPAddress"):
            requested = cp["privateIPAddress"]
    net = IPv4Network(subnet["properties"]["addressPrefix"])
    cfg_id = f"{nic_id}/ipConfigurations/privateEndpointIpConfig.{uuid.uuid5(uuid.NAMESPACE_URL, rid.lower())}"
    old_ip = _nic_ip(ctx.store, old_nic_id) if old_nic_id else None
    want = {"privateIPAddress": requested or old_ip, "privateIPAllocationMethod": "Static" if requested else "Dynamic"}
    address = _assign_address(cfg_id, want, net, _used_addresses(ctx.store, subnet["id"], nic_id))
    ctx.store.put({"id": nic_id, "name": nic_id.rsplit("/", 1)[1], "type": NIC.full, "location": location,
                   "tags": {}, "etag": new_etag(),
                   "properties": {"provisioningState": "Succeeded", "privateEndpoint": {"id": rid},
                                  "ipConfigurations": [{"id": cfg_id, "name": cfg_id.rsplit("/", 1)[1],
                                                        "properties": {"privateIPAddress": address,
                                                                       "privateIPAllocationMethod": want["privateIPAllocationMethod"],
                                                                       "subnet": {"id": subnet["id"]},
                                                                       "primary": True,
                                                                       "privateIPAddressVersion": "IPv4"}}]}})
    fqdn = f"{target['name']}.{group.removesuffix('_secondary')}.core.windows.net"
    out_conn = {"id": f"{rid}/privateLinkServiceConnections/{conn.get('name') or 'connection'}",
                "name": conn.get("name") or "connection",
                "properties": {"privateLinkServiceId": target["id"], "groupIds": [group],
                               "privateLinkServiceConnectionState": {"status": "Approved", "description": "Auto-Approved",
                                                                     "actionsRequired": "None"}}}
    ip_configs = [{"name": cfg.get("name"), "properties": copy.deepcopy(validation.properties_of(cfg))}
                  for cfg in props.get("ipConfigurations") or [] if isinstance(cfg, dict)]
    return {"id": rid, "name": existing["name"] if existing else ctx.route.name, "type": PRIVATE_ENDPOINT.full,
            "location": location, "tags": validation.tags_of(body),
            "properties": {"subnet": {"id": subnet["id"]}, "privateLinkServiceConnections": [out_conn],
                           "manualPrivateLinkServiceConnections": [], "networkInterfaces": [{"id": nic_id}],
                           "customNetworkInterfaceName": props.get("customNetworkInterfaceName") or "",
                           "ipConfigurations": ip_configs, "applicationSecurityGroups": [],
                           "customDnsConfigs": [{"fqdn": fqdn, "ipAddresses": [address]}]}}


def _nic_ip(store: Store, nic_id: str) -> str | None:
    nic = store.get(nic_id)
    if nic is None:
        return None
    return nic["properties"]["ipConfigurations"][0]["properties"].get("privateIPAddress")


def remove_nic(store: Store, endpoint: dict[str, Any]) -> None:
    for ref in endpoint["properties"].get("networkInterfaces", []):
        if store.get(ref["id"]) is not None:
            store.remove(ref["id"])


register(KindSpec(PRIVATE_ENDPOINT, "PrivateEndpoint", build_private_endpoint, on_removed=remove_nic))
