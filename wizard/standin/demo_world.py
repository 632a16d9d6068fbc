"""What the demo subscription already holds: an HPC cluster's network in a resource group of its
own (a VNet with a compute subnet, and the head node's NIC on 10.1.0.4), so that the wizard's
existing-VNet path can be tried in the demo: choose it on the Network screen, or name it in
another group, or take the address the head node holds.

It is created through the stand-in's own request pipeline (the PUTs a client would send), so it
is stored, validated and served exactly like anything hpcshare creates; once per state file.
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from wizard.questions import QUESTIONS

from .catalog import DEFAULT_SUBSCRIPTION_ID

if TYPE_CHECKING:
    from .app import Arm

CLUSTER_GROUP = "rg-hpc-cluster"
CLUSTER_VNET = "vnet-hpc-cluster"
CLUSTER_RANGE = "10.1.0.0/16"
CLUSTER_SUBNET = ("compute", "10.1.0.0/24")
HEAD_NODE_NIC = "headnode-nic"
HEAD_NODE_IP = "10.1.0.4"
# The wizard's default region: the demo's Network screen lists the VNet there.
REGION = str(QUESTIONS["subscription.region"].default)

_GROUP = f"/subscriptions/{DEFAULT_SUBSCRIPTION_ID}/resourceGroups/{CLUSTER_GROUP}"
_NET = f"{_GROUP}/providers/Microsoft.Network"
_TAGS = {"purpose": "HPC Pack cluster (hpcshare demo)"}


def _requests() -> list[tuple[str, str, dict[str, Any]]]:
    subnet_id = f"{_NET}/virtualNetworks/{CLUSTER_VNET}/subnets/{CLUSTER_SUBNET[0]}"
    return [
        (_GROUP, "2021-04-01", {"location": REGION, "tags": _TAGS}),
        (f"{_NET}/virtualNetworks/{CLUSTER_VNET}", "2024-05-01", {
            "location": REGION, "tags": _TAGS, "properties": {
                "addressSpace": {"addressPrefixes": [CLUSTER_RANGE]},
                "subnets": [{"name": CLUSTER_SUBNET[0], "properties": {"addressPrefix": CLUSTER_SUBNET[1]}}]}}),
        (f"{_NET}/networkInterfaces/{HEAD_NODE_NIC}", "2024-05-01", {
            "location": REGION, "tags": _TAGS, "properties": {"ipConfigurations": [{
                "name": "ipconfig1", "properties": {"privateIPAllocationMethod": "Static",
                                                    "privateIPAddress": HEAD_NODE_IP, "subnet": {"id": subnet_id}}}]}}),
    ]


def seeded(resource: dict[str, Any]) -> bool:
    """A resource of the demo's cluster network (its group, or anything in it)."""
    rid = str(resource.get("id", "")).lower()
    return rid == _GROUP.lower() or rid.startswith(_GROUP.lower() + "/")


def seed(arm: "Arm") -> None:
    """Create the cluster network unless its resource group is there already (a later demo on
    the same state file, or one where the user changed it: left as it is)."""
    from .handlers import Request

    if arm.store.get(_GROUP) is not None:
        return
    for path, api, body in _requests():
        resp = arm.handle(Request("PUT", path, {"api-version": api}, body,
                                  {"authorization": f"Bearer {arm.token}"}))
        if resp.status >= 300:
            raise RuntimeError(f"the demo's cluster network could not be created: {path}: {resp.body}")
    arm.settle(math.inf)        # in place at once: it was there before the demo started
