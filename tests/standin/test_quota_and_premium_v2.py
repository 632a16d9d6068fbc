"""Compute usages, the quota the VM create enforces (one source: HPCSHARE_STANDIN_QUOTA), and the
Premium SSD v2 rules, all through the real azure-mgmt-compute client against the stand-in.

Sources: Usage_List example (compute_Usage_List_MaximumSet_Gen_2026-03-01.json); the QuotaExceeded
wording as in public CLI logs; "Deploy a Premium SSD v2" Limitations (learn.microsoft.com/azure/
virtual-machines/disks-deploy-premium-v2); the caching error from azuredisk-csi-driver issue #1715.
"""
from __future__ import annotations

from typing import Any

import pytest
from azure.core.exceptions import HttpResponseError

from wizard.standin import StandIn

from .helpers import REGION, create_network, disk_body, make_clients, nic_body, vm_body


def _usages(c: Any, region: str = REGION) -> dict[str, Any]:
    return {u.name.value: u for u in c.cmc.usage.list(region)}


def _error(exc: pytest.ExceptionInfo[HttpResponseError]) -> tuple[int, str, str]:
    err = exc.value
    return err.status_code, err.error.code if err.error else "", err.message


def test_usages_list_limits_from_the_quota_spec_and_count_the_vms() -> None:
    with StandIn(quota="standardDSv5Family=8,cores=12") as s:
        c = make_clients(s, retry_total=0)
        before = _usages(c)
        assert (before["standardDSv5Family"].limit, before["standardDSv5Family"].current_value) == (8, 0)
        assert (before["cores"].limit, before["cores"].name.localized_value) == (12, "Total Regional vCPUs")
        assert before["standardESv5Family"].limit == 32          # not named: the default
        vnet = create_network(c)
        nic = c.nmc.network_interfaces.begin_create_or_update("rg-fs", "n1", nic_body(vnet.subnets[0].id)).result()
        c.cmc.virtual_machines.begin_create_or_update("rg-fs", "fs01", vm_body(nic.id)).result()
        after = _usages(c)
        assert after["standardDSv5Family"].current_value == 4 and after["cores"].current_value == 4
        assert _usages(c, "eastus")["cores"].current_value == 0      # per region


def test_vm_create_over_the_family_quota_names_the_family() -> None:
    with StandIn(quota="standardDSv5Family=2") as s:
        c = make_clients(s, retry_total=0)
        vnet = create_network(c)
        nic = c.nmc.network_interfaces.begin_create_or_update("rg-fs", "n1", nic_body(vnet.subnets[0].id)).result()
        with pytest.raises(HttpResponseError) as exc:
            c.cmc.virtual_machines.begin_create_or_update("rg-fs", "fs01", vm_body(nic.id)).result()
        status, code, message = _error(exc)
        assert (status, code) == (409, "QuotaExceeded")
        assert "standardDSv5Family Cores quota" in message and "Current Limit: 2" in message
        assert "Additional Required: 4" in message


def test_vm_create_over_the_regional_cores_quota() -> None:
    with StandIn(quota="cores=3") as s:
        c = make_clients(s, retry_total=0)
        vnet = create_network(c)
        nic = c.nmc.network_interfaces.begin_create_or_update("rg-fs", "n1", nic_body(vnet.subnets[0].id)).result()
        with pytest.raises(HttpResponseError) as exc:
            c.cmc.virtual_machines.begin_create_or_update("rg-fs", "fs01", vm_body(nic.id)).result()
        assert "Total Regional Cores quota" in _error(exc)[2]


@pytest.mark.parametrize(("spec", "words"), [
    ("standardDSv5Family", "NAME=LIMIT"), ("nosuchFamily=3", "unknown quota"), ("cores=-1", "NAME=LIMIT")])
def test_a_bad_quota_spec_is_refused_naming_the_variable(spec: str, words: str) -> None:
    with pytest.raises(ValueError, match="HPCSHARE_STANDIN_QUOTA") as exc:
        StandIn(quota=spec)
    assert words in str(exc.value)


def test_quota_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HPCSHARE_STANDIN_QUOTA", "standardDSv5Family=6")
    with StandIn.from_env() as s:
        assert _usages(make_clients(s))["standardDSv5Family"].limit == 6


# ---- Premium SSD v2 ------------------------------------------------------------------------------
def v2_body(size: int = 200, zones: list[str] | None = None, **perf: int) -> dict[str, Any]:
    body = disk_body(size, "PremiumV2_LRS")
    body["properties"].update(perf)
    if zones is not None:
        body["zones"] = zones
    return body


def test_premium_v2_is_listed_where_offered(clients: Any) -> None:
    def disk_skus(region: str) -> set[str]:
        return {s.name for s in clients.cmc.resource_skus.list(filter=f"location eq '{region}'")
                if s.resource_type == "disks"}
    assert "PremiumV2_LRS" in disk_skus("westeurope")
    assert "PremiumV2_LRS" not in disk_skus("japaneast")


def test_premium_v2_disk_is_zonal_and_keeps_its_provisioned_performance(clients: Any) -> None:
    clients.rmc.resource_groups.create_or_update("rg-fs", {"location": REGION})
    disk = clients.cmc.disks.begin_create_or_update("rg-fs", "d1", v2_body(200, ["1"], diskIOPSReadWrite=6000,
                                                                           diskMBpsReadWrite=400)).result()
    assert disk.zones == ["1"] and (disk.disk_iops_read_write, disk.disk_m_bps_read_write) == (6000, 400)
    base = clients.cmc.disks.begin_create_or_update("rg-fs", "d2", v2_body(200, ["2"])).result()
    assert (base.disk_iops_read_write, base.disk_m_bps_read_write) == (3000, 125)   # the free baseline


@pytest.mark.parametrize(("body", "target"), [
    (v2_body(200), "zones"),                                                # no zone
    (v2_body(8, ["1"], diskIOPSReadWrite=4001), "properties.diskIOPSReadWrite"),   # 8 GiB: 4,000 max
    (v2_body(200, ["1"], diskIOPSReadWrite=3000, diskMBpsReadWrite=751), "properties.diskMBpsReadWrite"),
    (v2_body(65537, ["1"]), None),
    (dict(disk_body(1024, "Premium_LRS"), properties={"creationData": {"createOption": "Empty"}, "diskSizeGB": 1024,
                                                     "diskIOPSReadWrite": 6000}), "properties.diskIOPSReadWrite"),
])
def test_premium_v2_ranges_and_zone_are_enforced(clients: Any, body: dict[str, Any], target: str | None) -> None:
    clients.rmc.resource_groups.create_or_update("rg-fs", {"location": REGION})
    with pytest.raises(HttpResponseError) as exc:
        clients.cmc.disks.begin_create_or_update("rg-fs", "d1", body).result()
    assert exc.value.status_code == 400 and exc.value.error.code == "InvalidParameter"
    if target:
        assert exc.value.error.target == target


def test_premium_v2_is_refused_where_not_offered(clients: Any) -> None:
    clients.rmc.resource_groups.create_or_update("rg-jp", {"location": "japaneast"})
    body = dict(v2_body(200, ["1"]), location="japaneast")
    with pytest.raises(HttpResponseError) as exc:
        clients.cmc.disks.begin_create_or_update("rg-jp", "d1", body).result()
    assert exc.value.error.code == "SkuNotAvailable"


def _v2_vm(clients: Any, *, caching: str, zones: list[str] | None, disk_zone: str = "1") -> dict[str, Any]:
    vnet = create_network(clients)
    nic = clients.nmc.network_interfaces.begin_create_or_update("rg-fs", "n1", nic_body(vnet.subnets[0].id)).result()
    disk = clients.cmc.disks.begin_create_or_update("rg-fs", "d1", v2_body(200, [disk_zone])).result()
    body = vm_body(nic.id, data_disks=[{"lun": 0, "createOption": "Attach", "caching": caching,
                                        "managedDisk": {"id": disk.id}}])
    if zones is not None:
        body["zones"] = zones
    return body


def test_premium_v2_attaches_without_caching_to_a_vm_in_its_zone(clients: Any) -> None:
    vm = clients.cmc.virtual_machines.begin_create_or_update("rg-fs", "fs01", _v2_vm(clients, caching="None",
                                                                                       zones=["1"])).result()
    assert vm.zones == ["1"] and vm.storage_profile.data_disks[0].caching == "None"


def test_premium_v2_refuses_host_caching(clients: Any) -> None:
    with pytest.raises(HttpResponseError) as exc:
        clients.cmc.virtual_machines.begin_create_or_update("rg-fs", "fs01", _v2_vm(clients, caching="ReadOnly",
                                                                                      zones=["1"])).result()
    assert exc.value.error.code == "InvalidParameter" and exc.value.error.target == "dataDisk.caching"
    assert ("Storage Account type PremiumV2_LRS is not supported with caching type ReadOnly. "
            "Please use caching type None.") in exc.value.message


@pytest.mark.parametrize("zones", [None, ["2"]])
def test_premium_v2_needs_a_vm_in_the_disk_zone(clients: Any, zones: list[str] | None) -> None:
    with pytest.raises(HttpResponseError) as exc:
        clients.cmc.virtual_machines.begin_create_or_update("rg-fs", "fs01", _v2_vm(clients, caching="None",
                                                                                      zones=zones)).result()
    assert exc.value.status_code == 400 and "same zone" in exc.value.message


def test_premium_v2_is_not_an_os_disk(clients: Any) -> None:
    vnet = create_network(clients)
    nic = clients.nmc.network_interfaces.begin_create_or_update("rg-fs", "n1", nic_body(vnet.subnets[0].id)).result()
    body = vm_body(nic.id)
    body["properties"]["storageProfile"]["osDisk"]["managedDisk"]["storageAccountType"] = "PremiumV2_LRS"
    body["zones"] = ["1"]
    with pytest.raises(HttpResponseError) as exc:
        clients.cmc.virtual_machines.begin_create_or_update("rg-fs", "fs01", body).result()
    assert exc.value.error.code == "InvalidParameter" and "OS disk" in exc.value.message


def test_storage_usages_count_the_accounts_per_region() -> None:
    """Microsoft.Storage usages (StorageAccountListLocationUsage example): one StorageAccounts
    item, limit 250, counting this subscription's accounts in that region only."""
    from azure.mgmt.storage import StorageManagementClient

    from wizard.standin import FakeCredential

    with StandIn() as s:
        c = make_clients(s, retry_total=0)
        st = StorageManagementClient(FakeCredential(), s.subscription_id, base_url=s.base_url,
                                     connection_verify=str(s.ca_path), polling_interval=0, retry_total=0)

        def usage(region: str = REGION) -> Any:
            [u] = list(st.usages.list_by_location(region))
            return u

        before = usage()
        assert (before.name.value, before.name.localized_value, before.unit) == ("StorageAccounts", "Storage Accounts",
                                                                                  "Count")
        assert (before.current_value, before.limit) == (0, 250)
        c.rmc.resource_groups.create_or_update("rg-st", {"location": REGION})
        st.storage_accounts.begin_create("rg-st", "hpcusage01", {
            "location": REGION, "kind": "FileStorage", "sku": {"name": "Premium_LRS"}}).result()
        assert usage().current_value == 1
        assert usage("eastus").current_value == 0
        with pytest.raises(HttpResponseError) as exc:
            usage("nowhere")
        assert _error(exc)[:2] == (400, "NoRegisteredProviderFound")
        st.close()
