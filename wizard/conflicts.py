"""Conflicts with what already exists, found before anything is created: a VNet named in another
resource group that is not there, a subnet it does not have, a private IP another NIC holds, a
server or storage account another hpcshare profile already names.

The rules judge plain data (the live lists of ``wizard.catalog``, the other saved profiles) and
return ``{answer key: rule broken}``; each front end names the field its own way: the form puts
the field's label first (``on_field``), the preflight and everything read away from the form the
screen and the label (``place``), plain mode and replay also the answers-file key.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from wizard import profiles
from wizard.catalog import NicInfo, VnetInfo
from wizard.plan import Names, endpoint_nic_name_for
from wizard.questions import QUESTIONS, defaults, place
from wizard.state import RunState
from wizard.validation import BACKEND_FILES

Found = dict[str, str]          # answer key -> the rule it breaks (without the field's name)


def on_field(found: Mapping[str, str]) -> dict[str, str]:
    """The messages the form shows beside each field ("Label: rule", as every field rule)."""
    return {key: f"{QUESTIONS[key].label}: {rule}" for key, rule in found.items()}


def for_preflight(found: Mapping[str, str]) -> list[str]:
    """The preflight's lines: the answers-file key, then the screen and the field."""
    return [f"[{key}] {place(key)}: {rule}" for key, rule in found.items()]


def _same(a: Any, b: Any) -> bool:
    """Azure names compare without regard to case."""
    return str(a or "").lower() == str(b or "").lower()


def _applies(key: str, ctx: Mapping[str, Any]) -> bool:
    return QUESTIONS[key].applies(ctx)


# ---- the network: what the VNet, subnet and private IP meet in Azure ---------------------------

def vnet_group(ctx: Mapping[str, Any]) -> str:
    """The resource group the VNet is in: ``endpoints.vnet_resource_group``, else the server's."""
    return str(ctx.get("endpoints.vnet_resource_group") or ctx.get("subscription.resource_group") or "")


def foreign_vnet(ctx: Mapping[str, Any]) -> bool:
    """The VNet is named in another resource group than the server's: it must exist."""
    return not _same(vnet_group(ctx), ctx.get("subscription.resource_group"))


def find_vnet(ctx: Mapping[str, Any], vnets: Iterable[VnetInfo]) -> VnetInfo | None:
    return next((v for v in vnets if _same(v.name, ctx.get("endpoints.vnet"))
                 and _same(v.resource_group, vnet_group(ctx))), None)


def creates_vnet(ctx: Mapping[str, Any], vnets: Iterable[VnetInfo]) -> bool:
    """The network step will create the VNet: missing, and named in the server's own group."""
    return not foreign_vnet(ctx) and find_vnet(ctx, vnets) is None


def network_conflicts(ctx: Mapping[str, Any], vnets: Iterable[VnetInfo] | None,
                      nics: Iterable[NicInfo] | None) -> Found:
    """The VNet, subnet and private IP against the region's VNets and NICs (None: not loaded,
    nothing judged). A VNet in the server's own group may be missing (the network step creates
    it, and a missing subnet in it); one in another group must exist with the subnet, because
    hpcshare never changes a VNet it does not manage (``wizard.azure.steps.network``)."""
    found: Found = {}
    if vnets is None or not ctx.get("endpoints.vnet"):
        return found
    name, group, region = ctx.get("endpoints.vnet"), vnet_group(ctx), ctx.get("subscription.region", "")
    vnet = find_vnet(ctx, vnets)
    if vnet is None:
        if foreign_vnet(ctx):
            elsewhere = sorted({v.resource_group for v in vnets if _same(v.name, name)})
            found["endpoints.vnet"] = (f"no VNet '{name}' in resource group '{group}' in {region} (hpcshare never "
                                       "creates a VNet in another group)"
                                       + (f"; there is one in {', '.join(elsewhere)}" if elsewhere else ""))
        return found
    subnets = dict((s.lower(), (s, prefix)) for s, prefix in vnet.subnets)
    subnet = subnets.get(str(ctx.get("endpoints.subnet", "")).lower())
    if subnet is None:
        if foreign_vnet(ctx):
            names = ", ".join(s for s, _ in vnet.subnets) or "none"
            found["endpoints.subnet"] = (f"no subnet '{ctx.get('endpoints.subnet')}' in VNet '{vnet.name}' "
                                         f"(resource group '{vnet.resource_group}'); its subnets: {names}")
        return found
    if subnet[1] and subnet[1] != ctx.get("endpoints.subnet_cidr"):
        found["endpoints.subnet_cidr"] = (f"subnet '{subnet[0]}' of VNet '{vnet.name}' is {subnet[1]}, "
                                          f"not {ctx.get('endpoints.subnet_cidr')}")
        return found
    if nics is not None:
        for key, own in (("endpoints.private_ip", _own_vm_nic), ("files.private_ip", _own_endpoint_nic)):
            ip = str(ctx.get(key) or "")
            if not ip or not _applies(key, ctx):
                continue
            holder = next((n for n in nics if ip in n.private_ips and _same(n.vnet, vnet.name)
                           and _same(n.vnet_resource_group, vnet.resource_group) and not own(n, ctx)), None)
            if holder is not None:
                found[key] = (f"{ip} is held by NIC '{holder.name}' (resource group {holder.resource_group}); "
                              "choose a free address in the subnet")
    return found


def held_addresses(vnet: VnetInfo, nics: Iterable[NicInfo] | None, ctx: Mapping[str, Any]) -> set[str]:
    """The private addresses other NICs hold in ``vnet`` (this profile's own server NIC aside)."""
    return {ip for n in nics or () if _same(n.vnet, vnet.name) and _same(n.vnet_resource_group, vnet.resource_group)
            and not _own_vm_nic(n, ctx) for ip in n.private_ips}


def _own_vm_nic(nic: NicInfo, ctx: Mapping[str, Any]) -> bool:
    """The NIC this profile's server has (a re-run keeps its address)."""
    return (_same(nic.resource_group, ctx.get("subscription.resource_group"))
            and _same(nic.name, Names.for_vm(str(ctx.get("vm.name", ""))).nic))


def _own_endpoint_nic(nic: NicInfo, ctx: Mapping[str, Any]) -> bool:
    """The NIC of this profile's private endpoint (a re-run keeps its address)."""
    return (_same(nic.resource_group, ctx.get("subscription.resource_group"))
            and _same(nic.name, endpoint_nic_name_for(str(ctx.get("files.account", "")))))


# ---- other hpcshare profiles ----------------------------------------------------------------------

@dataclass(frozen=True)
class OtherProfile:
    name: str
    values: Mapping[str, Any]      # its answers, defaults filled in
    has_run: bool                  # its run state records finished steps: its resources exist


def other_profiles(own: str) -> list[OtherProfile]:
    """Every saved profile but ``own`` (one that cannot be read is skipped: Welcome reports it)."""
    out = []
    for name in profiles.list_profiles():
        if name == own:
            continue
        try:
            values = profiles.load(profiles.profile_path(name)).values
        except profiles.ProfileError:
            continue
        out.append(OtherProfile(name, {**defaults(), **values}, bool(RunState.for_profile(name).steps)))
    return out


def profile_conflicts(ctx: Mapping[str, Any], others: Iterable[OtherProfile]) -> tuple[Found, Found]:
    """(errors, warnings): another profile names the same server (VM name in the same resource
    group and subscription) or the same storage account (unique across Azure). Every resource
    carries its profile's tag and a step refuses another profile's (``steps._require_owned``),
    so the two cannot both run: an error when the other has run (its resources are there and
    this run would stop part-way), a warning when it has not (nothing is in the way yet)."""
    errors: Found = {}
    warnings: Found = {}
    files = ctx.get("share.backend") == BACKEND_FILES
    for other in others:
        v = other.values
        if files:
            key, hit = "files.account", (v.get("share.backend") == BACKEND_FILES and ctx.get("files.account")
                                         and _same(v.get("files.account"), ctx.get("files.account")))
            where = ""
        else:
            key, hit = "vm.name", (v.get("share.backend") != BACKEND_FILES and ctx.get("vm.name")
                                   and _same(v.get("vm.name"), ctx.get("vm.name"))
                                   and _same(v.get("subscription.id"), ctx.get("subscription.id"))
                                   and _same(v.get("subscription.resource_group"), ctx.get("subscription.resource_group")))
            where = f" in resource group {ctx.get('subscription.resource_group')}"
        if not hit or key in errors:
            continue
        if other.has_run:
            errors[key] = (f"already used by profile '{other.name}'{where}, which created it; choose another "
                           f"name, or tear that profile down first")
        else:
            warnings.setdefault(key, f"also named by profile '{other.name}'{where} (not run yet): only one of "
                                     "the two can be run")
    return errors, warnings


def blocking(ctx: Mapping[str, Any], vnets: Iterable[VnetInfo] | None, nics: Iterable[NicInfo] | None,
             others: Iterable[OtherProfile]) -> Found:
    """Every conflict that stops a run: the network's, then another profile's that has run."""
    found = network_conflicts(ctx, vnets, nics)
    found.update(profile_conflicts(ctx, others)[0])
    return found
