"""Microsoft.Storage for the Azure Files backend: storage accounts (create LRO, name availability,
listKeys, synchronous delete), the file service ``default`` (SMB settings) and file shares.

Shapes follow the recorded REST examples in reference/azure-rest/storage_*.json
(StorageAccountCreate, StorageAccountCheckNameAvailability, StorageAccountListKeys,
StorageAccountDelete, FileServicesPut[_EnableSecureSmbFeatures], FileSharesPut, FileSharesGet).
The rules, each with its source:

* Account names: 3-24 lower-case letters and digits, unique across Azure ("Storage account
  overview", learn.microsoft.com/azure/storage/common/storage-account-overview, "Storage account
  name"). A bad one is 400 AccountNameInvalid; one held elsewhere is 409 StorageAccountAlreadyTaken
  "The storage account named X is already taken." (the wording Azure returned in
  hashicorp/terraform issue #11485). ``TAKEN_ELSEWHERE`` stands for accounts of other tenants.
* checkNameAvailability answers nameAvailable / reason (AccountNameInvalid | AlreadyExists) /
  message (StorageAccountCheckNameAvailability; StorageAccountCheckNameAvailabilityResult model).
* A FileStorage account takes a premium SKU only, Premium_LRS or Premium_ZRS ("Azure Files
  planning", learn.microsoft.com/azure/storage/files/storage-files-planning, "Storage account kinds").
* Create is long-running (200 | 202, StorageAccountCreate); delete is synchronous 200 | 204
  (StorageAccountDelete) and takes the account's shares with it.
* listKeys: two keys, key1 and key2, permissions Full (StorageAccountListKeys).
* SMB settings are ';'-separated lists of known values (FileServicesPut_EnableSecureSmbFeatures;
  SmbSetting model: versions SMB2.1/SMB3.0/SMB3.1.1, channelEncryption AES-128-CCM/AES-128-GCM/
  AES-256-GCM, authenticationMethods NTLMv2/Kerberos, kerberosTicketEncryption RC4-HMAC/AES-256).
* Share names: 3-63 lower-case letters, digits and single hyphens ("Naming and referencing shares,
  directories, files, and metadata"); the storage service answers InvalidResourceName.
* A premium share's quota is 100 to 102,400 GiB ("Azure Files scalability and performance
  targets"); below it the service answers 400 InvalidHeaderValue "The value for one of the HTTP
  headers is not in the correct format." (crossplane-contrib/provider-upjet-azure issue #869).
* Usages (``GET .../providers/Microsoft.Storage/locations/{region}/usages``, Usages_ListByLocation):
  one item, StorageAccounts, with the subscription's accounts in the region against the default
  limit of 250 per region per subscription ("Scalability and performance targets for standard
  storage accounts", learn.microsoft.com/azure/storage/common/scalability-targets-standard-account);
  shape from the StorageAccountListLocationUsage example of Usages - List By Location
  (learn.microsoft.com/rest/api/storagerp/usages/list-by-location).
* A share's enabledProtocols is SMB or NFS, fixed at creation (FileShare model: "can only be
  specified when creating a share").
"""
from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import re
import secrets
from typing import Any

from .. import catalog, validation
from ..errors import ArmError, bad_request, conflict, resource_not_found
from ..routing import FILE_SERVICE, FILE_SHARE, PRIVATE_ENDPOINT, STORAGE_ACCOUNT, resource_id
from ..store import Store
from .common import Ctx, KindSpec, Response, register, route_location

_ACCOUNT = re.compile(r"^[a-z0-9]{3,24}$")
_SHARE = re.compile(r"^(?!.*--)[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$")
TAKEN_ELSEWHERE = frozenset({"contoso", "hpcshare", "storage"})
FILE_STORAGE_SKUS = ("Premium_LRS", "Premium_ZRS")
KINDS_ALLOWED = ("Storage", "StorageV2", "BlobStorage", "FileStorage", "BlockBlobStorage")
TLS_VERSIONS = ("TLS1_0", "TLS1_1", "TLS1_2", "TLS1_3")
PUBLIC_ACCESS = ("Enabled", "Disabled", "SecuredByPerimeter")
SMB_TOKENS = {
    "versions": ("SMB2.1", "SMB3.0", "SMB3.1.1"),
    "channelEncryption": ("AES-128-CCM", "AES-128-GCM", "AES-256-GCM"),
    "authenticationMethods": ("NTLMv2", "Kerberos"),
    "kerberosTicketEncryption": ("RC4-HMAC", "AES-256"),
}
PREMIUM_QUOTA_GIB = (100, 102_400)
SHARE_PROTOCOLS = ("SMB", "NFS")


def _invalid_name(name: str) -> str:
    return (f"{name} is not a valid storage account name. Storage account name must be between 3 and 24 "
            "characters in length and use numbers and lower-case letters only.")


def _taken(store: Store, name: str, rid: str) -> bool:
    """Held by another subscription or group (names are global), or by another tenant."""
    if name in TAKEN_ELSEWHERE:
        return True
    return any(a["name"] == name and a["id"].lower() != rid.lower() for a in store.of_type(STORAGE_ACCOUNT.full))


def check_name(ctx: Ctx) -> Response:
    body = validation.require_object(ctx.req.body)
    name = body.get("name")
    if body.get("type") != STORAGE_ACCOUNT.full or not isinstance(name, str):
        raise bad_request("InvalidRequestContent", "The request must name a Microsoft.Storage/storageAccounts name.")
    if not _ACCOUNT.fullmatch(name):
        return Response(200, {"nameAvailable": False, "reason": "AccountNameInvalid", "message": _invalid_name(name)})
    if _taken(ctx.store, name, ""):
        return Response(200, {"nameAvailable": False, "reason": "AlreadyExists",
                              "message": f"The storage account named {name} is already taken."})
    return Response(200, {"nameAvailable": True})


# Account keys are secrets: like the fake server's password verifiers, they never go into the
# state file the stand-in saves (review finding 9). Each is derived from a secret of this process
# and the account's id, so it is stable while the stand-in runs and new after a restart (as after
# a key rotation on Azure).
_KEY_SECRET = secrets.token_bytes(32)


def account_keys(account_id: str) -> list[str]:
    return [base64.b64encode(hmac.new(_KEY_SECRET, f"{account_id.lower()}|key{i}".encode(), hashlib.sha512).digest()).decode()
            for i in (1, 2)]


def build_account(ctx: Ctx, body: dict, existing: dict | None, rid: str, location: str) -> dict:
    name = ctx.route.name
    if existing is None:
        if not _ACCOUNT.fullmatch(name):
            raise bad_request("AccountNameInvalid", _invalid_name(name))
        if _taken(ctx.store, name, rid):
            raise conflict("StorageAccountAlreadyTaken", f"The storage account named {name} is already taken.")
    kind = body.get("kind")
    sku = (body.get("sku") or {}).get("name") if isinstance(body.get("sku"), dict) else None
    if kind not in KINDS_ALLOWED:
        raise bad_request("InvalidRequestPropertyValue", f"The value '{kind}' is not allowed for property kind.")
    if not isinstance(sku, str):
        raise bad_request("InvalidRequestPropertyValue", "The sku property is required.")
    if kind == "FileStorage" and sku not in FILE_STORAGE_SKUS:
        raise bad_request("InvalidRequestPropertyValue",
                          f"The value '{sku}' is not allowed for property sku.name with kind FileStorage: "
                          f"use one of {', '.join(FILE_STORAGE_SKUS)}.")
    if existing is not None and (existing["kind"] != kind or existing["sku"]["name"] != sku):
        raise conflict("OperationNotAllowed", f"The kind or SKU of storage account {name} cannot be changed this way.")
    props = validation.properties_of(body)
    tls = props.get("minimumTlsVersion", "TLS1_0")
    access = props.get("publicNetworkAccess", "Enabled")
    for field, value, allowed in (("minimumTlsVersion", tls, TLS_VERSIONS), ("publicNetworkAccess", access, PUBLIC_ACCESS)):
        if value not in allowed:
            raise bad_request("InvalidRequestPropertyValue", f"The value '{value}' is not allowed for property {field}.")
    for flag in ("supportsHttpsTrafficOnly", "allowSharedKeyAccess"):
        if flag in props and not isinstance(props[flag], bool):
            raise bad_request("InvalidRequestPropertyValue", f"The property {flag} must be true or false.")
    old = (existing or {}).get("properties", {})
    return {
        "id": existing["id"] if existing else rid, "name": existing["name"] if existing else name,
        "type": STORAGE_ACCOUNT.full, "location": location, "kind": kind,
        "sku": {"name": sku, "tier": "Premium" if sku.startswith("Premium") else "Standard"},
        "tags": validation.tags_of(body),
        "properties": {
            "minimumTlsVersion": tls, "publicNetworkAccess": access,
            "supportsHttpsTrafficOnly": props.get("supportsHttpsTrafficOnly", True),
            "allowSharedKeyAccess": props.get("allowSharedKeyAccess", True),
            "primaryLocation": location, "statusOfPrimary": "available",
            "primaryEndpoints": {"file": f"https://{name}.file.core.windows.net/"},
            "creationTime": old.get("creationTime") or "2026-12-02T00:00:00.0000000Z",
        },
    }


def decorate_account(store: Store, account: dict[str, Any]) -> None:
    props = account["properties"]
    conns = []
    for pe in store.of_type(PRIVATE_ENDPOINT.full):
        for c in pe["properties"].get("privateLinkServiceConnections", []):
            if (c["properties"].get("privateLinkServiceId") or "").lower() == account["id"].lower():
                conns.append({"id": f"{account['id']}/privateEndpointConnections/{pe['name']}",
                              "name": pe["name"], "type": "Microsoft.Storage/storageAccounts/privateEndpointConnections",
                              "properties": {"privateEndpoint": {"id": pe["id"]},
                                             "privateLinkServiceConnectionState": {"status": "Approved",
                                                                                    "description": "Auto-Approved",
                                                                                    "actionRequired": "None"},
                                             "provisioningState": "Succeeded"}})
    props["privateEndpointConnections"] = conns


ACCOUNT_SPEC = register(KindSpec(STORAGE_ACCOUNT, "StorageAccountCreateParameters", build_account,
                                 new_status=202, decorate=decorate_account))


def _account(ctx: Ctx) -> dict[str, Any]:
    ctx.group()
    body = ctx.store.get(resource_id(ctx.route.sub, ctx.route.rg, STORAGE_ACCOUNT, ctx.route.name))
    if body is None:
        raise resource_not_found(STORAGE_ACCOUNT.full, ctx.route.name, ctx.route.rg)
    return body


def delete_account(ctx: Ctx) -> Response:
    ctx.group(for_write=True)
    rid = resource_id(ctx.route.sub, ctx.route.rg, STORAGE_ACCOUNT, ctx.route.name)
    if ctx.store.get(rid) is None:
        return Response(204)
    for child in ctx.store.under(rid):
        ctx.store.remove(child["id"])
    ctx.store.remove(rid)
    return Response(200)


def list_keys(ctx: Ctx) -> Response:
    account = _account(ctx)
    keys = account_keys(account["id"])
    return Response(200, {"keys": [{"keyName": f"key{i}", "permissions": "Full", "value": k}
                                   for i, k in enumerate(keys, 1)]})


# -- file service ----------------------------------------------------------------------------------
def _service_id(account: dict[str, Any]) -> str:
    return f"{account['id']}/fileServices/default"


def _check_smb(smb: Any) -> dict[str, Any]:
    if not isinstance(smb, dict):
        return {}
    out = {}
    for field, allowed in SMB_TOKENS.items():
        if field not in smb:
            continue
        value = smb[field]
        tokens = value.split(";") if isinstance(value, str) else [None]
        bad = [t for t in tokens if t not in allowed]
        if bad:
            raise bad_request("InvalidRequestPropertyValue",
                              f"The value '{value}' is not allowed for property protocolSettings.smb.{field}: "
                              f"';'-separated values from {', '.join(allowed)}.")
        out[field] = value
    if "multichannel" in smb:
        out["multichannel"] = smb["multichannel"]
    return out


def _service_body(account: dict[str, Any], smb: dict[str, Any]) -> dict[str, Any]:
    return {"id": _service_id(account), "name": "default", "type": FILE_SERVICE.full,
            "sku": copy.deepcopy(account["sku"]), "properties": {"protocolSettings": {"smb": smb}}}


def put_file_service(ctx: Ctx) -> Response:
    account = _account(ctx)
    if ctx.route.child != "default":
        raise bad_request("InvalidResourceName", "The file service of a storage account is named 'default'.")
    body = validation.require_object(ctx.req.body)
    smb = _check_smb(((validation.properties_of(body).get("protocolSettings") or {}).get("smb")))
    stored = _service_body(account, smb)
    ctx.store.put(stored)
    return Response(200, copy.deepcopy(stored))


def get_file_service(ctx: Ctx) -> Response:
    account = _account(ctx)
    return Response(200, copy.deepcopy(ctx.store.get(_service_id(account)) or _service_body(account, {})))


def list_file_services(ctx: Ctx) -> Response:
    account = _account(ctx)
    return Response(200, {"value": [copy.deepcopy(ctx.store.get(_service_id(account)) or _service_body(account, {}))]})


# -- file shares -----------------------------------------------------------------------------------
def _share_id(account: dict[str, Any], name: str) -> str:
    return f"{_service_id(account)}/shares/{name}"


def put_share(ctx: Ctx) -> Response:
    account = _account(ctx)
    name = ctx.route.child
    if not _SHARE.fullmatch(name):
        raise bad_request("InvalidResourceName", "The specified resource name contains invalid characters.")
    body = validation.require_object(ctx.req.body)
    props = validation.properties_of(body)
    rid = _share_id(account, name)
    existing = ctx.store.get(rid)
    quota = props.get("shareQuota", (existing or {}).get("properties", {}).get("shareQuota", 100))
    lo, hi = PREMIUM_QUOTA_GIB if account["sku"]["tier"] == "Premium" else (1, 102_400)
    if not isinstance(quota, int) or isinstance(quota, bool) or not lo <= quota <= hi:
        raise bad_request("InvalidHeaderValue", "The value for one of the HTTP headers is not in the correct format.")
    protocol = props.get("enabledProtocols", (existing or {}).get("properties", {}).get("enabledProtocols", "SMB"))
    if protocol not in SHARE_PROTOCOLS:
        raise bad_request("InvalidRequestPropertyValue", f"The value '{protocol}' is not allowed for property enabledProtocols.")
    if existing is not None and existing["properties"]["enabledProtocols"] != protocol:
        raise bad_request("InvalidRequestPropertyValue", "enabledProtocols can only be set when the share is created.")
    stored = {"id": rid, "name": name, "type": FILE_SHARE.full, "etag": f'"0x{secrets.token_hex(7).upper()}"',
              "properties": {"shareQuota": quota, "enabledProtocols": protocol, "accessTier": "Premium",
                             "leaseStatus": "unlocked", "leaseState": "available",
                             "metadata": props.get("metadata") or {}}}
    ctx.store.put(stored)
    return Response(200 if existing else 201, copy.deepcopy(stored))


def get_share(ctx: Ctx) -> Response:
    account = _account(ctx)
    body = ctx.store.get(_share_id(account, ctx.route.child))
    if body is None:
        raise ArmError(404, "ShareNotFound", "The specified share does not exist.")
    return Response(200, copy.deepcopy(body))


def delete_share(ctx: Ctx) -> Response:
    account = _account(ctx)
    rid = _share_id(account, ctx.route.child)
    if ctx.store.get(rid) is None:
        return Response(204)
    ctx.store.remove(rid)
    return Response(200)


def list_shares(ctx: Ctx) -> Response:
    account = _account(ctx)
    items = [copy.deepcopy(r) for r in ctx.store.under(_service_id(account)) if r.get("type") == FILE_SHARE.full]
    return Response(200, {"value": items})


STORAGE_ACCOUNTS_PER_REGION = 250


def list_usages(ctx: Ctx) -> Response:
    """GET …/providers/Microsoft.Storage/locations/{region}/usages: storage accounts in use there."""
    location = route_location(ctx, "locations/usages")
    prefix = f"/subscriptions/{ctx.route.sub}/".lower()
    used = sum(1 for a in ctx.store.of_type(STORAGE_ACCOUNT.full)
               if a["id"].lower().startswith(prefix) and catalog.normalize_location(a.get("location", "")) == location)
    return Response(200, {"value": [{"unit": "Count", "currentValue": used, "limit": STORAGE_ACCOUNTS_PER_REGION,
                                     "name": {"value": "StorageAccounts", "localizedValue": "Storage Accounts"}}]})
