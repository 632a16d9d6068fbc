"""The demo's cluster network (wizard/standin/demo_world.py), read and used through the real SDK
clients: it is there from the first request, served like anything a client created, refuses a
second holder of the head node's address as Azure does, and is created once per state file."""
from __future__ import annotations

from pathlib import Path

import pytest
from azure.core.exceptions import HttpResponseError

from wizard.standin import StandIn
from wizard.standin.demo_world import CLUSTER_GROUP, CLUSTER_VNET, HEAD_NODE_IP, HEAD_NODE_NIC

from .helpers import REGION, make_clients, nic_body


def test_the_cluster_network_is_listed_and_read_through_the_sdk(tmp_path: Path) -> None:
    with StandIn(state_file=tmp_path / "state.json", demo_world=True) as s:
        c = make_clients(s, retry_total=0)
        assert c.rmc.resource_groups.get(CLUSTER_GROUP).location == REGION
        vnets = [v for v in c.nmc.virtual_networks.list_all() if v.name == CLUSTER_VNET]
        assert len(vnets) == 1 and f"/resourceGroups/{CLUSTER_GROUP}/" in vnets[0].id
        vnet = c.nmc.virtual_networks.get(CLUSTER_GROUP, CLUSTER_VNET)
        assert vnet.address_space.address_prefixes == ["10.1.0.0/16"]
        assert [(sn.name, sn.address_prefix) for sn in vnet.subnets] == [("compute", "10.1.0.0/24")]
        assert vnet.provisioning_state == "Succeeded"
        nic = c.nmc.network_interfaces.get(CLUSTER_GROUP, HEAD_NODE_NIC)
        assert nic.ip_configurations[0].private_ip_address == HEAD_NODE_IP
        assert nic.ip_configurations[0].subnet.id.lower() == vnet.subnets[0].id.lower()
        assert HEAD_NODE_NIC in [n.name for n in c.nmc.network_interfaces.list_all()]
        # The subnet shows who uses it, as ARM derives it.
        assert [ip.id.lower() for ip in vnet.subnets[0].ip_configurations] == [
            nic.ip_configurations[0].id.lower()]

        # Another NIC asking for the head node's address is refused with Azure's code.
        with pytest.raises(HttpResponseError) as err:
            c.nmc.network_interfaces.begin_create_or_update(
                CLUSTER_GROUP, "other-nic", nic_body(vnet.subnets[0].id, HEAD_NODE_IP)).result()
        assert err.value.error is not None and err.value.error.code == "PrivateIPAddressIsAllocated"
        assert HEAD_NODE_NIC in str(err.value)
        # What hpcshare created is listed without it; asked for, it is there.
        assert s.resources() == []
        assert {r["name"] for r in s.resources(demo_world=True)} == {CLUSTER_GROUP, CLUSTER_VNET, HEAD_NODE_NIC}


def test_created_once_per_state_file_and_a_change_is_kept(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    with StandIn(state_file=state, demo_world=True) as s:
        c = make_clients(s, retry_total=0)
        c.nmc.network_interfaces.begin_delete(CLUSTER_GROUP, HEAD_NODE_NIC).result()
    with StandIn(state_file=state, demo_world=True) as s:
        names = sorted(r["name"] for r in s.resources(demo_world=True))
        assert names == sorted([CLUSTER_GROUP, CLUSTER_VNET]), names     # not re-created, nothing doubled


def test_only_the_demo_has_it() -> None:
    with StandIn() as s:
        c = make_clients(s, retry_total=0)
        assert not c.rmc.resource_groups.check_existence(CLUSTER_GROUP)
        assert list(c.nmc.virtual_networks.list_all()) == []


def test_a_fault_plan_is_left_for_the_users_run(tmp_path: Path) -> None:
    """HPCSHARE_STANDIN_FAULTS is for the run under test: the cluster network, there before it,
    is built without the faults and does not use them up."""
    with StandIn(state_file=tmp_path / "state.json", demo_world=True, faults="vnet.put=500,nic.put=lro-fail") as s:
        c = make_clients(s, retry_total=0)
        vnet = c.nmc.virtual_networks.get(CLUSTER_GROUP, CLUSTER_VNET)
        assert c.nmc.network_interfaces.get(CLUSTER_GROUP, HEAD_NODE_NIC).provisioning_state == "Succeeded"
        with pytest.raises(HttpResponseError) as err:             # the user's first VNet PUT meets the 500
            c.nmc.virtual_networks.begin_create_or_update(
                CLUSTER_GROUP, "vnet-other", {"location": REGION,
                                              "address_space": {"address_prefixes": ["10.9.0.0/16"]}}).result()
        assert err.value.status_code == 500
        assert vnet.provisioning_state == "Succeeded"
