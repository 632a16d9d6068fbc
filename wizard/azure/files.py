"""The Azure Files backend's steps (share.backend = "azure-files"), through azure-mgmt-storage and
azure-mgmt-network: a FileStorage account, its SMB settings, the share, a private endpoint for its
``file`` sub-resource in the subnet, and the account's A record in privatelink.file.core.windows.net.

Each step converges like the VM steps: what exists and matches is left alone, what differs is
PUT again, what belongs to someone else stops the step naming the answer to change. The account
key (the share credential) is read once per run (listKeys) and handed to the run with
``ctx.reveal``, which shows it once: no output, state or log line holds it.
"""
from __future__ import annotations

from typing import Any

from wizard.azure.privatedns import ensure_zone_record
from wizard.azure.steps import Outputs, Target, _require_owned, failed, find, get_or_none, text
from wizard.plan import (ACCOUNT_PROPERTIES, FILES_DNS_ZONE, endpoint_nic_name_for, files_endpoint_name, files_host,
                         smb_settings)
from wizard.runner import StepContext, StepFailed

ACCOUNT_TYPE = "Microsoft.Storage/storageAccounts"
_SNAKE = {"publicNetworkAccess": "public_network_access", "minimumTlsVersion": "minimum_tls_version",
          "supportsHttpsTrafficOnly": "enable_https_traffic_only", "allowSharedKeyAccess": "allow_shared_key_access"}


def _account_matches(t: Target, account: Any) -> bool:
    a = t.answers.files
    if text(account.kind) != "FileStorage" or text(account.sku.name) != a.sku:
        return False
    if not t.tags.items() <= (account.tags or {}).items():
        return False
    for rest, attr in _SNAKE.items():
        if text(getattr(account, attr, None)) != ACCOUNT_PROPERTIES[rest]:
            return False
    return True


def storage_account(ctx: StepContext, t: Target) -> Outputs:
    a = t.answers.files
    st = t.env.storage(t.sub)
    account = find(ctx, st.storage_accounts.get_properties, t.rg, a.account, what=f"Storage account {a.account}")
    changed = False
    if account is not None:
        _require_owned(t, account, f"Storage account {a.account}", "storage account name (files.account)")
        if account.location.lower() != t.region.lower():
            raise StepFailed(f"Storage account {a.account} is in {account.location}, not {t.region}",
                             "Choose another {files.account}, or set {subscription.region} to the account's.")
        if text(account.kind) != "FileStorage" or text(account.sku.name) != a.sku:
            raise StepFailed(f"Storage account {a.account} is {text(account.kind)} {text(account.sku.name)}, "
                             f"not FileStorage {a.sku}",
                             "Azure cannot change an account's kind, and hpcshare does not move data between "
                             "redundancy options: set files.sku back, or choose another files.account.")
    else:
        available = st.storage_accounts.check_name_availability({"name": a.account, "type": ACCOUNT_TYPE})
        if not available.name_available:
            raise StepFailed(f"Storage account name {a.account} cannot be used: {available.message}",
                             "Storage account names are unique across all of Azure: choose another files.account.")
    if account is None or failed(account) or not _account_matches(t, account):
        verb = "created" if account is None else "updated"
        body = {"location": t.region, "kind": "FileStorage", "sku": {"name": a.sku},
                "tags": {**((account.tags or {}) if account is not None else {}), **t.tags},
                "properties": dict(ACCOUNT_PROPERTIES)}
        account = st.storage_accounts.begin_create(t.rg, a.account, body).result()
        ctx.log(f"Storage account {a.account} ({a.sku}) {verb}: "
                "public network access disabled, TLS 1.2, shared-key access on.")
        changed = True
    else:
        ctx.log(f"Storage account {a.account} is in place.")
    want = smb_settings(t.answers.share.encrypt)
    service = st.file_services.get_service_properties(t.rg, a.account)
    smb = service.protocol_settings.smb if service.protocol_settings and service.protocol_settings.smb else None
    have = {k: getattr(smb, attr, None) for k, attr in (("versions", "versions"), ("channelEncryption", "channel_encryption"),
                                                        ("authenticationMethods", "authentication_methods"),
                                                        ("kerberosTicketEncryption", "kerberos_ticket_encryption"))}
    if have != want:
        st.file_services.set_service_properties(t.rg, a.account, {"properties": {"protocolSettings": {"smb": want}}})
        ctx.log(f"SMB settings: {want['versions']} only, channel encryption {want['channelEncryption']}.")
        changed = True
    # keys_property: the SDK model is a mapping, so its ``keys`` is the mapping method.
    keys = st.storage_accounts.list_keys(t.rg, a.account).keys_property or []
    key = next((k.value for k in keys if k.key_name == "key1" and k.value), None)
    if key is None:
        raise StepFailed(f"Storage account {a.account} gave no key1 (listKeys)",
                         "The account must allow shared-key access (hpcshare turns it on): run again.")
    ctx.reveal(key)
    return {"id": account.id, "host": files_host(t.answers), "changed": changed}


def file_share(ctx: StepContext, t: Target) -> Outputs:
    a, name = t.answers.files, t.answers.share.name
    st = t.env.storage(t.sub)
    share = get_or_none(st.file_shares.get, t.rg, a.account, name)
    if share is not None and text(share.enabled_protocols) not in (None, "SMB"):
        raise StepFailed(f"Share {name} in {a.account} is an {text(share.enabled_protocols)} share, not SMB",
                         "Choose another {share.name} (a share's protocol is fixed when it is created).")
    if share is not None and share.share_quota == a.quota_gib:
        ctx.log(f"Share {name} ({a.quota_gib} GiB) is in place.")
        return {"id": share.id, "changed": False}
    body: dict[str, Any] = {"properties": {"shareQuota": a.quota_gib}}
    if share is None:
        body["properties"]["enabledProtocols"] = "SMB"
    share = st.file_shares.create(t.rg, a.account, name, body)
    ctx.log(f"Share {name}: {a.quota_gib} GiB provisioned.")
    return {"id": share.id, "changed": True}


def _endpoint_ip(t: Target, pe: Any) -> str:
    for cfg in pe.custom_dns_configs or []:
        if cfg.fqdn and cfg.fqdn.lower() == files_host(t.answers) and cfg.ip_addresses:
            return str(cfg.ip_addresses[0])
    nic_id = pe.network_interfaces[0].id
    nic = t.env.network(t.sub).network_interfaces.get(t.rg, nic_id.rsplit("/", 1)[1])
    return str(nic.ip_configurations[0].private_ip_address)


def private_endpoint(ctx: StepContext, t: Target) -> Outputs:
    a = t.answers.files
    net = t.env.network(t.sub)
    name = files_endpoint_name(t.answers)
    subnet_id = ctx.outputs["network"]["subnet_id"]
    account_id = ctx.outputs["storage-account"]["id"]
    pe = find(ctx, net.private_endpoints.get, t.rg, name, what=f"Private endpoint {name}")
    if pe is not None:
        _require_owned(t, pe, f"Private endpoint {name}", "storage account name (files.account)")
        target = pe.private_link_service_connections[0].private_link_service_id if pe.private_link_service_connections else ""
        if pe.subnet.id.lower() != subnet_id.lower() or (target or "").lower() != account_id.lower():
            raise StepFailed(f"Private endpoint {name} points at another subnet or account",
                             "Azure cannot move a private endpoint: run 'hpcshare teardown' for this profile, or "
                             "delete the endpoint, then run again.")
    if pe is not None and not failed(pe) and (pe.tags or {}).items() >= t.tags.items():
        ip = _endpoint_ip(t, pe)
        if a.private_ip and ip != a.private_ip:
            raise StepFailed(f"Private endpoint {name} has {ip}, not {a.private_ip}",
                             "Azure does not change a private endpoint's address: set {files.private_ip} to "
                             f"{ip} (or empty), or delete the endpoint and run again.")
        ctx.log(f"Private endpoint {name} ({ip}) is in place.")
        return {"id": pe.id, "private_ip": ip, "changed": False}
    props: dict[str, Any] = {
        "subnet": {"id": subnet_id},
        "customNetworkInterfaceName": endpoint_nic_name_for(a.account),
        "privateLinkServiceConnections": [{"name": f"{a.account}-file",
                                           "properties": {"privateLinkServiceId": account_id, "groupIds": ["file"]}}],
    }
    if a.private_ip:
        props["ipConfigurations"] = [{"name": "file", "properties": {"groupId": "file", "memberName": "file",
                                                                     "privateIPAddress": a.private_ip}}]
    pe = net.private_endpoints.begin_create_or_update(
        t.rg, name, {"location": t.region, "tags": t.tags, "properties": props}).result()
    ip = _endpoint_ip(t, pe)
    ctx.log(f"Private endpoint {name}: {files_host(t.answers)} at {ip} in subnet {t.answers.endpoints.subnet}.")
    return {"id": pe.id, "private_ip": ip, "changed": True}


def files_dns(ctx: StepContext, t: Target) -> Outputs:
    ip = ctx.outputs["private-endpoint"]["private_ip"]
    out = ensure_zone_record(ctx, t, FILES_DNS_ZONE, t.answers.files.account, ip,
                             f"storage account name (files.account); the zone {FILES_DNS_ZONE}",
                             "Choose another {files.account}")
    return {**out, "fqdn": files_host(t.answers)}


FILES_AZURE_STEPS = {"storage-account": storage_account, "file-share": file_share,
                     "private-endpoint": private_endpoint, "files-dns": files_dns}


def account_name_problems(env: Any, answers: Any) -> list[str]:
    """The preflight's check: the account name is free, or already this profile's account in its
    group. Anything that cannot be read is not a problem here (the step reports Azure's error)."""
    sub, rg, name = answers.subscription.id, answers.subscription.resource_group, answers.files.account
    try:
        st = env.storage(sub)
        if get_or_none(st.storage_accounts.get_properties, rg, name) is not None:
            return []       # the step checks that it is ours
        result = st.storage_accounts.check_name_availability({"name": name, "type": ACCOUNT_TYPE})
    except Exception:
        return []
    if result.name_available:
        return []
    return [f"[files.account] {result.message or 'the name is not available'} Storage account names are "
            "unique across all of Azure: choose another."]


def teardown_candidates(t: Target) -> list[tuple[str, str, str, Any]]:
    """(ARM type, name, id, delete): the endpoint (its NIC goes with it), then the account."""
    if not t.answers.files.account:
        return []
    out: list[tuple[str, str, str, Any]] = []
    net, st = t.env.network(t.sub), t.env.storage(t.sub)
    name = files_endpoint_name(t.answers)
    pe = get_or_none(net.private_endpoints.get, t.rg, name)
    if pe is not None and t.owns(pe):
        out.append(("Microsoft.Network/privateEndpoints", name, pe.id,
                    lambda say: net.private_endpoints.begin_delete(t.rg, name).result()))
    account = get_or_none(st.storage_accounts.get_properties, t.rg, t.answers.files.account)
    if account is not None and t.owns(account):
        out.append((ACCOUNT_TYPE, account.name, account.id,
                    lambda say: st.storage_accounts.delete(t.rg, t.answers.files.account)))
    return out
