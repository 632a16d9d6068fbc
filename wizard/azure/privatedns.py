"""The server's name in an Azure Private DNS zone (endpoints.private_dns_zone), through
azure-mgmt-privatedns: the zone (global, tagged), its link to the server's VNet (no
auto-registration) and the A record ``<vm name>.<zone>`` -> the static private IP.

Record sets carry no tags, so the record is marked as hpcshare's in its ``metadata`` with the
same two tags. Teardown finds the zones by tag and removes record, links and zone in that order:
Azure refuses to delete a zone that still has links (CannotDeleteResource).
"""
from __future__ import annotations

from typing import Any

from wizard.azure.steps import Outputs, Target, _require_owned, failed, find, get_or_none
from wizard.plan import TAG_MANAGED_BY, TAG_PROFILE
from wizard.runner import StepContext, StepFailed

RECORD_TTL = 300   # seconds: a moved server is found again within minutes
GLOBAL = "Global"  # the location of every Private DNS resource (PrivateZonePut example)


def record_name(t: Target) -> str:
    return t.answers.vm.name.lower()


def link_name(t: Target) -> str:
    return f"{t.answers.endpoints.vnet}-hpcshare"


def _owned_metadata(t: Target, metadata: Any) -> bool:
    m = metadata or {}
    return m.get(TAG_MANAGED_BY) == "hpcshare" and m.get(TAG_PROFILE) == t.answers.profile


def ensure_private_dns(ctx: StepContext, t: Target) -> Outputs:
    zone_name = t.answers.endpoints.private_dns_zone
    if not zone_name:
        raise StepFailed("No private DNS zone was asked for", "Set {endpoints.private_dns_zone}, or leave it empty.")
    return ensure_zone_record(ctx, t, zone_name, record_name(t), t.answers.endpoints.private_ip,
                              "private DNS zone (endpoints.private_dns_zone)", "Choose another zone or VM name")


def ensure_zone_record(ctx: StepContext, t: Target, zone_name: str, rname: str, ip: str, zone_answer: str,
                       record_hint: str) -> Outputs:
    """The zone (tagged), its link to the network step's VNet and the A record ``rname`` -> ``ip``."""
    dns = t.env.privatedns(t.sub)
    vnet_id = ctx.outputs["network"]["vnet_id"]
    changed = False

    zone = find(ctx, dns.private_zones.get, t.rg, zone_name, what=f"Private DNS zone {zone_name}")
    if zone is not None:
        _require_owned(t, zone, f"Private DNS zone {zone_name}", zone_answer)
    if zone is None or failed(zone):
        zone = dns.private_zones.begin_create_or_update(
            t.rg, zone_name, {"location": GLOBAL, "tags": t.tags}).result()
        ctx.log(f"Private DNS zone {zone_name} created.")
        changed = True

    name = link_name(t)
    link = find(ctx, dns.virtual_network_links.get, t.rg, zone_name, name, what=f"VNet link {name}")
    if link is not None:
        _require_owned(t, link, f"VNet link {name} of {zone_name}", zone_answer)
    have_vnet = (link.virtual_network.id.lower() if link is not None and link.virtual_network else "")
    if link is None or failed(link) or have_vnet != vnet_id.lower():
        body = {"location": GLOBAL, "tags": t.tags,
                "properties": {"virtualNetwork": {"id": vnet_id}, "registrationEnabled": False}}
        link = dns.virtual_network_links.begin_create_or_update(t.rg, zone_name, name, body).result()
        ctx.log(f"Linked {zone_name} to VNet {t.answers.endpoints.vnet}.")
        changed = True

    record = get_or_none(dns.record_sets.get, t.rg, zone_name, "A", rname)
    if record is not None and not _owned_metadata(t, record.metadata):
        raise StepFailed(f"The A record {rname}.{zone_name} exists and is not managed by hpcshare profile "
                         f"'{t.answers.profile}'",
                         f"{record_hint}, or delete that record yourself if it is a leftover.")
    have_ips = sorted(r.ipv4_address for r in (record.a_records or [])) if record is not None else []
    if have_ips != [ip] or (record is not None and record.ttl != RECORD_TTL):
        body = {"properties": {"ttl": RECORD_TTL, "aRecords": [{"ipv4Address": ip}], "metadata": dict(t.tags)}}
        record = dns.record_sets.create_or_update(t.rg, zone_name, "A", rname, body)
        ctx.log(f"A record {rname}.{zone_name} -> {ip}.")
        changed = True
    if not changed:
        ctx.log(f"{rname}.{zone_name} -> {ip} is in place, linked to VNet {t.answers.endpoints.vnet}.")
    return {"id": zone.id, "link_id": link.id, "record_id": record.id,
            "fqdn": f"{rname}.{zone_name}", "changed": changed}


def teardown_candidates(t: Target) -> list[tuple[str, str, str, Any]]:
    """(ARM type, name, id, delete) for this profile's records, links and zones, in delete order."""
    dns = t.env.privatedns(t.sub)
    out: list[tuple[str, str, str, Any]] = []
    for zone in dns.private_zones.list_by_resource_group(t.rg):
        if not t.owns(zone):
            continue
        for record in dns.record_sets.list_by_type(t.rg, zone.name, "A"):
            if _owned_metadata(t, record.metadata):
                out.append(("Microsoft.Network/privateDnsZones/A", f"{zone.name}/{record.name}", record.id,
                            _deleter(dns.record_sets.delete, t.rg, zone.name, "A", record.name)))
        for link in dns.virtual_network_links.list(t.rg, zone.name):
            if t.owns(link):
                out.append(("Microsoft.Network/privateDnsZones/virtualNetworkLinks", f"{zone.name}/{link.name}",
                            link.id, _lro_deleter(dns.virtual_network_links.begin_delete, t.rg, zone.name, link.name)))
        out.append(("Microsoft.Network/privateDnsZones", zone.name, zone.id,
                    _lro_deleter(dns.private_zones.begin_delete, t.rg, zone.name)))
    return out


# Teardown calls each deleter with a status-line writer; these deletes have nothing to wait out.
def _deleter(fn: Any, *args: Any) -> Any:
    return lambda say: fn(*args)


def _lro_deleter(fn: Any, *args: Any) -> Any:
    return lambda say: fn(*args).result()
