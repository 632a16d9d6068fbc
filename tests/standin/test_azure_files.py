"""Microsoft.Storage (FileStorage accounts, file service, shares) and private endpoints, through
the real azure-mgmt-storage / azure-mgmt-network clients against the stand-in. Each rule's source
is named in wizard/standin/handlers/storage.py and privateendpoint.py."""
from __future__ import annotations

from typing import Any

import pytest
from azure.core.exceptions import HttpResponseError

from wizard.standin import FakeCredential, StandIn

from .helpers import REGION, Clients, nic_body, vnet_body

RG = "rg-files"


@pytest.fixture
def storage(standin: StandIn) -> Any:
    from azure.mgmt.storage import StorageManagementClient

    return StorageManagementClient(FakeCredential(), standin.subscription_id, base_url=standin.base_url,
                                   connection_verify=str(standin.ca_path), polling_interval=0, retry_total=0)


def account_body(sku: str = "Premium_LRS", kind: str = "FileStorage") -> dict[str, Any]:
    return {"location": REGION, "kind": kind, "sku": {"name": sku}, "tags": {"managed-by": "hpcshare"},
            "properties": {"publicNetworkAccess": "Disabled", "minimumTlsVersion": "TLS1_2",
                           "supportsHttpsTrafficOnly": True, "allowSharedKeyAccess": True}}


@pytest.fixture
def group(clients: Clients) -> str:
    clients.rmc.resource_groups.create_or_update(RG, {"location": REGION})
    return RG


def _code(exc: pytest.ExceptionInfo[HttpResponseError]) -> str:
    return exc.value.error.code if exc.value.error else ""


def test_account_name_rules_and_availability(storage: Any, group: str) -> None:
    check = storage.storage_accounts.check_name_availability
    assert check({"name": "hpcfiles01", "type": "Microsoft.Storage/storageAccounts"}).name_available is True
    bad = check({"name": "Hpc-Files", "type": "Microsoft.Storage/storageAccounts"})
    assert bad.name_available is False and bad.reason == "AccountNameInvalid"
    taken = check({"name": "contoso", "type": "Microsoft.Storage/storageAccounts"})
    assert taken.name_available is False and taken.reason == "AlreadyExists"
    with pytest.raises(HttpResponseError) as exc:
        storage.storage_accounts.begin_create(group, "Hpc-Files", account_body()).result()
    assert _code(exc) == "AccountNameInvalid" and "lower-case letters" in str(exc.value)
    with pytest.raises(HttpResponseError) as exc:
        storage.storage_accounts.begin_create(group, "contoso", account_body()).result()
    assert exc.value.status_code == 409 and _code(exc) == "StorageAccountAlreadyTaken"


def test_file_storage_takes_premium_skus_only(storage: Any, group: str) -> None:
    with pytest.raises(HttpResponseError) as exc:
        storage.storage_accounts.begin_create(group, "hpcfiles02", account_body("Standard_LRS")).result()
    assert exc.value.status_code == 400 and "FileStorage" in str(exc.value)


def test_account_create_get_keys_and_delete(storage: Any, group: str) -> None:
    created = storage.storage_accounts.begin_create(group, "hpcfiles03", account_body("Premium_ZRS")).result()
    assert created.provisioning_state == "Succeeded" and created.kind == "FileStorage"
    assert created.public_network_access == "Disabled" and created.minimum_tls_version == "TLS1_2"
    assert created.primary_endpoints.file == "https://hpcfiles03.file.core.windows.net/"
    # A name is global: now taken for everyone else.
    assert storage.storage_accounts.check_name_availability(
        {"name": "hpcfiles03", "type": "Microsoft.Storage/storageAccounts"}).reason == "AlreadyExists"
    keys = storage.storage_accounts.list_keys(group, "hpcfiles03")["keys"]
    assert [k["keyName"] for k in keys] == ["key1", "key2"] and all(len(k["value"]) == 88 for k in keys)
    assert keys[0]["value"] not in str(dict(storage.storage_accounts.get_properties(group, "hpcfiles03")))
    # a re-PUT keeps the keys
    storage.storage_accounts.begin_create(group, "hpcfiles03", account_body("Premium_ZRS")).result()
    assert storage.storage_accounts.list_keys(group, "hpcfiles03")["keys"][0]["value"] == keys[0]["value"]
    storage.storage_accounts.delete(group, "hpcfiles03")
    with pytest.raises(HttpResponseError) as exc:
        storage.storage_accounts.get_properties(group, "hpcfiles03")
    assert exc.value.status_code == 404


def test_smb_settings_and_share_rules(storage: Any, group: str) -> None:
    storage.storage_accounts.begin_create(group, "hpcfiles04", account_body()).result()
    smb = {"versions": "SMB3.1.1", "channelEncryption": "AES-256-GCM", "authenticationMethods": "NTLMv2;Kerberos",
           "kerberosTicketEncryption": "AES-256"}
    svc = storage.file_services.set_service_properties(group, "hpcfiles04", {"properties": {"protocolSettings": {"smb": smb}}})
    assert svc.protocol_settings.smb.versions == "SMB3.1.1"
    assert storage.file_services.get_service_properties(group, "hpcfiles04").protocol_settings.smb.channel_encryption == "AES-256-GCM"
    with pytest.raises(HttpResponseError) as exc:
        storage.file_services.set_service_properties(group, "hpcfiles04", {"properties": {"protocolSettings": {"smb": {"versions": "SMB1.0"}}}})
    assert exc.value.status_code == 400 and "SMB1.0" in str(exc.value)

    share = storage.file_shares.create(group, "hpcfiles04", "data", {"properties": {"shareQuota": 1024, "enabledProtocols": "SMB"}})
    assert share.share_quota == 1024 and share.enabled_protocols == "SMB"
    assert storage.file_shares.get(group, "hpcfiles04", "data").share_quota == 1024
    with pytest.raises(HttpResponseError) as exc:    # premium shares start at 100 GiB
        storage.file_shares.create(group, "hpcfiles04", "small", {"properties": {"shareQuota": 50}})
    assert _code(exc) == "InvalidHeaderValue"
    with pytest.raises(HttpResponseError) as exc:    # share names are lower-case
        storage.file_shares.create(group, "hpcfiles04", "MyShare", {"properties": {"shareQuota": 100}})
    assert _code(exc) == "InvalidResourceName"
    with pytest.raises(HttpResponseError) as exc:
        storage.file_shares.create(group, "hpcfiles04", "data", {"properties": {"shareQuota": 1024, "enabledProtocols": "NFS"}})
    assert exc.value.status_code == 400
    assert [s.name for s in storage.file_shares.list(group, "hpcfiles04")] == ["data"]
    storage.file_shares.delete(group, "hpcfiles04", "data")
    assert list(storage.file_shares.list(group, "hpcfiles04")) == []


def _endpoint(account_id: str, subnet_id: str, ip: str | None = None, group_id: str = "file") -> dict[str, Any]:
    props: dict[str, Any] = {"subnet": {"id": subnet_id}, "privateLinkServiceConnections": [
        {"name": "files", "properties": {"privateLinkServiceId": account_id, "groupIds": [group_id]}}]}
    if ip:
        props["ipConfigurations"] = [{"name": "file", "properties": {"groupId": group_id, "memberName": group_id,
                                                                      "privateIPAddress": ip}}]
    return {"location": REGION, "tags": {"managed-by": "hpcshare"}, "properties": props}


def test_private_endpoint_puts_the_file_endpoint_in_the_subnet(storage: Any, clients: Clients, group: str) -> None:
    vnet = clients.nmc.virtual_networks.begin_create_or_update(group, "vnet", vnet_body()).result()
    subnet_id = vnet.subnets[0].id
    account = storage.storage_accounts.begin_create(group, "hpcfiles05", account_body()).result()
    with pytest.raises(HttpResponseError) as exc:
        clients.nmc.private_endpoints.begin_create_or_update(group, "pe", _endpoint(account.id, subnet_id, group_id="smb")).result()
    assert exc.value.status_code == 400
    with pytest.raises(HttpResponseError) as exc:
        clients.nmc.private_endpoints.begin_create_or_update(group, "pe", _endpoint(account.id, subnet_id, "10.0.1.9")).result()
    assert _code(exc) == "PrivateIPAddressNotInSubnet"
    # A VM NIC holds 10.0.0.4: the endpoint cannot have it.
    clients.nmc.network_interfaces.begin_create_or_update(group, "vmnic", nic_body(subnet_id, "10.0.0.4")).result()
    with pytest.raises(HttpResponseError) as exc:
        clients.nmc.private_endpoints.begin_create_or_update(group, "pe", _endpoint(account.id, subnet_id, "10.0.0.4")).result()
    assert _code(exc) == "PrivateIPAddressIsAllocated"

    pe = clients.nmc.private_endpoints.begin_create_or_update(group, "pe", _endpoint(account.id, subnet_id, "10.0.0.10")).result()
    assert pe.provisioning_state == "Succeeded"
    conn = pe.private_link_service_connections[0]
    assert conn.group_ids == ["file"] and conn.private_link_service_connection_state.status == "Approved"
    assert pe.custom_dns_configs[0].fqdn == "hpcfiles05.file.core.windows.net"
    assert pe.custom_dns_configs[0].ip_addresses == ["10.0.0.10"]
    nic_name = pe.network_interfaces[0].id.rsplit("/", 1)[1]
    nic = clients.nmc.network_interfaces.get(group, nic_name)
    assert nic.ip_configurations[0].private_ip_address == "10.0.0.10"
    got = storage.storage_accounts.get_properties(group, "hpcfiles05")
    assert got.private_endpoint_connections[0].private_endpoint.id == pe.id
    # a re-PUT keeps the NIC and its address
    again = clients.nmc.private_endpoints.begin_create_or_update(group, "pe", _endpoint(account.id, subnet_id, "10.0.0.10")).result()
    assert again.network_interfaces[0].id == pe.network_interfaces[0].id
    clients.nmc.private_endpoints.begin_delete(group, "pe").result()
    with pytest.raises(HttpResponseError) as exc:
        clients.nmc.network_interfaces.get(group, nic_name)
    assert exc.value.status_code == 404


def test_a_dynamic_endpoint_takes_the_first_free_address(storage: Any, clients: Clients, group: str) -> None:
    vnet = clients.nmc.virtual_networks.begin_create_or_update(group, "vnet", vnet_body()).result()
    account = storage.storage_accounts.begin_create(group, "hpcfiles06", account_body()).result()
    pe = clients.nmc.private_endpoints.begin_create_or_update(group, "pe", _endpoint(account.id, vnet.subnets[0].id)).result()
    assert pe.custom_dns_configs[0].ip_addresses == ["10.0.0.4"]


def test_account_keys_never_reach_the_saved_state(tmp_path: Any) -> None:
    from azure.mgmt.resource.resources import ResourceManagementClient
    from azure.mgmt.storage import StorageManagementClient

    state = tmp_path / "state.json"
    with StandIn(state_file=state) as s:
        kw = {"base_url": s.base_url, "connection_verify": str(s.ca_path), "polling_interval": 0}
        ResourceManagementClient(FakeCredential(), s.subscription_id, **kw).resource_groups.create_or_update(
            RG, {"location": REGION})
        st = StorageManagementClient(FakeCredential(), s.subscription_id, **kw)
        st.storage_accounts.begin_create(RG, "hpcfiles07", account_body()).result()
        keys = [k["value"] for k in st.storage_accounts.list_keys(RG, "hpcfiles07")["keys"]]
    text = state.read_text()
    assert "hpcfiles07" in text and not any(k in text for k in keys)
