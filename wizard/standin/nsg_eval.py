"""Which rule of a network security group decides an inbound or outbound flow, as Azure decides it.

"Network security groups" (learn.microsoft.com/azure/virtual-network/network-security-groups-overview),
"Security rules": rules are processed in priority order, lower numbers first, and processing stops
at the first rule the traffic matches; "Default security rules": AllowVNetInBound (65000),
AllowAzureLoadBalancerInBound (65001) and DenyAllInBound (65500), and their outbound counterparts,
which the stand-in adds to every NSG (handlers/network.py ``_DEFAULT_RULES``) and which cannot be
removed, only overridden by a rule of lower number. A service tag such as ``VirtualNetwork`` is
matched by the tags the caller says the source carries (the VNet's space, peered VNets, on-premises
ranges behind a gateway: the stand-in does not model routing).
"""
from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Verdict:
    access: str          # "Allow" | "Deny"
    rule: str            # the deciding rule's name
    priority: int


def _prefixes(props: Mapping[str, Any], side: str) -> list[str]:
    many = props.get(f"{side}AddressPrefixes") or []
    one = props.get(f"{side}AddressPrefix")
    return list(many) + ([one] if one else [])


def _ports(props: Mapping[str, Any], side: str) -> list[str]:
    many = props.get(f"{side}PortRanges") or []
    one = props.get(f"{side}PortRange")
    return list(many) + ([str(one)] if one not in (None, "") else [])


def _source_matches(prefix: str, address: str, tags: frozenset[str]) -> bool:
    if prefix == "*":
        return True
    if "." not in prefix and ":" not in prefix:          # a service tag
        return prefix.lower() in {t.lower() for t in tags}
    try:
        return ipaddress.ip_address(address) in ipaddress.ip_network(prefix, strict=False)
    except ValueError:
        return False


def _port_matches(spec: str, port: int) -> bool:
    if spec == "*":
        return True
    low, _, high = spec.partition("-")
    return int(low) <= port <= int(high or low)


def decide(nsg: Mapping[str, Any], *, direction: str, protocol: str, source: str, port: int,
           source_tags: Iterable[str] = ()) -> Verdict:
    """The rule (custom or default) that decides a flow from ``source`` (an address, carrying
    ``source_tags``) to ``port``; the NSG body is what a GET returns."""
    props = nsg.get("properties", {})
    tags = frozenset(source_tags)
    rules = [*(props.get("securityRules") or []), *(props.get("defaultSecurityRules") or [])]
    for rule in sorted(rules, key=lambda r: r["properties"]["priority"]):
        p = rule["properties"]
        if p["direction"].lower() != direction.lower():
            continue
        if p["protocol"] != "*" and p["protocol"].lower() != protocol.lower():
            continue
        if not any(_source_matches(s, source, tags) for s in _prefixes(p, "source")):
            continue
        if not any(_port_matches(d, port) for d in _ports(p, "destination")):
            continue
        return Verdict(p["access"], rule["name"], p["priority"])
    raise ValueError("no rule matched: an NSG body without its default rules")
