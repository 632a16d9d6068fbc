"""Microsoft.Compute: resource SKUs, managed disks and virtual machines (with instance view).

A VM PUT validates what Azure would (size offered and not restricted in the region, platform
image, admin account rules, NIC and disk references, premium storage support, data-disk count)
before it changes anything; it then creates the OS disk and any Empty data disks as disk
resources, as Azure does. ``osProfile.adminPassword`` (and customData) are never stored or echoed.
"""
from __future__ import annotations

import copy
import re
import uuid
from typing import Any

from wizard import diskcaps
from wizard.validation import LARGE_DISK_GIB

from .. import catalog, premiumv2, validation
from ..errors import ArmError, bad_request, conflict, invalid_reference, resource_not_found
from ..operations import Operation, iso
from ..routing import DISK, NIC, VM, resource_id
from ..store import Store
from . import generic, network
from .common import Ctx, KindSpec, Response, register, route_location, state_of, sub_object


def _invalid(message: str) -> ArmError:
    return bad_request("InvalidParameter", message)


# -- catalogue endpoints ---------------------------------------------------------------------------
_LOCATION_FILTER = re.compile(r"location\s+eq\s+'([^']*)'", re.IGNORECASE)


def list_skus(ctx: Ctx) -> Response:
    """GET …/providers/Microsoft.Compute/skus[?$filter=location eq 'X']; no nextLink."""
    text = ctx.query("$filter")
    location: str | None = None
    if text:
        m = _LOCATION_FILTER.search(text)
        if m is None:
            raise bad_request("InvalidFilterInQueryString", f"The $filter '{text}' is not supported; use location eq '<region>'.")
        location = catalog.normalize_location(m.group(1))
        if location is None:
            return Response(200, {"value": []})
    return Response(200, {"value": catalog.resource_skus(ctx.route.sub, location)})


def list_usages(ctx: Ctx) -> Response:
    """GET …/providers/Microsoft.Compute/locations/{region}/usages (Usage_List): vCPUs used and
    allowed per family and in the region, from the same quota the VM create enforces."""
    location = route_location(ctx, "locations/usages")
    return Response(200, {"value": ctx.arm.quota.usages(ctx.store, location)})


def list_vm_sizes(ctx: Ctx) -> Response:
    location = route_location(ctx, "locations/vmSizes")
    return Response(200, {"value": catalog.vm_sizes_list(location)})


# -- disks -----------------------------------------------------------------------------------------
def _sku_name(value: Any) -> str:
    for name in catalog.DISK_SKU_NAMES:
        if isinstance(value, str) and value.lower() == name.lower():
            return name
    raise _invalid(f"The value '{value}' of parameter 'sku.name' is invalid. Allowed values: {', '.join(catalog.DISK_SKU_NAMES)}.")


def disk_body(ctx: Ctx, rid: str, name: str, location: str, sku: str, size_gb: int, creation: dict[str, Any],
              tags: dict[str, str], extra: dict[str, Any] | None = None, existing: dict | None = None,
              zones: list[str] | None = None) -> dict:
    old = (existing or {}).get("properties", {})
    props = {
        **(extra or {}),
        "creationData": creation,
        "diskSizeGB": size_gb,
        "diskSizeBytes": size_gb * 1024 ** 3,
        "uniqueId": old.get("uniqueId") or str(uuid.uuid4()),
        "timeCreated": old.get("timeCreated") or iso(ctx.now),
        "encryption": {"type": "EncryptionAtRestWithPlatformKey"},
        "networkAccessPolicy": "AllowAll",
        "publicNetworkAccess": "Enabled",
    }
    props.update(premiumv2.performance(sku, size_gb, props))
    out = {"name": name, "id": rid, "type": DISK.full, "location": location, "tags": tags,
           "sku": {"name": sku, "tier": "Premium" if sku.startswith("Premium") else "Standard"}, "properties": props}
    if zones:
        out["zones"] = list(zones)
    return out


# Disk types that "Expand without downtime" does not cover while the VM runs: the include
# virtual-machines-disks-expand-without-downtime-restrictions (2025-05-28) exempts Ultra Disk and
# Premium SSD v2 from the 4 TiB rule only; they have limits of their own the stand-in does not model.
_BOUNDARY_SKUS = frozenset({"Standard_LRS", "StandardSSD_LRS", "Premium_LRS", "StandardSSD_ZRS", "Premium_ZRS"})


def check_disk_change(store: Store, disk: dict[str, Any], sku: str, size_gb: int) -> None:
    """What Azure allows when an existing disk is PUT or PATCHed with another size or type.

    Sources: the Disk REST spec's diskSizeGB ("Resizes are only allowed if the disk is not attached
    to a running VM, and can only increase the disk's size"), the Learn article "Expand virtual hard
    disks attached to a Windows VM" (section Expand without downtime: data disks only, not shared
    disks, not across 4 TiB), and the errors quoted in MicrosoftDocs/azure-docs PR #57951 (shrink),
    issue #94452 (OS disk) and PR #111328 (OperationNotAllowed). Stand-in VMs are never deallocated,
    so "attached" means "attached to a running VM" here.
    """
    old_size = disk["properties"]["diskSizeGB"]
    old_sku = disk["sku"]["name"]
    if size_gb < old_size:
        # [unverified] the code: the quoted message is what users report; BadRequest is the likely code.
        raise bad_request(
            "BadRequest",
            f"The disk/snapshot resource with id {disk['id']} cannot be resized down. Reducing disk/snapshot size is "
            "not supported in Azure to prevent data loss. If you do need to reduce the size of the disk, please "
            "create new snapshot/disks with the appropriate size. More information is available at "
            "https://aka.ms/AzureDisksFAQ",
        )
    owner = disk_owner(store, disk["id"])
    if owner is None or (size_gb == old_size and sku == old_sku):
        return
    if sku != old_sku:
        raise conflict(
            "OperationNotAllowed",
            f"Disk {disk['name']} is attached to VM {owner}. The disk's account type can be changed only when the "
            "disk is unattached or the owner VM is deallocated.",
        )
    vm = store.get(owner) or {}
    os_disk = vm.get("properties", {}).get("storageProfile", {}).get("osDisk") or {}
    if (os_disk.get("managedDisk") or {}).get("id", "").lower() == disk["id"].lower():
        raise conflict("OperationNotAllowed",
                       f"Change in disk property of OS disk '{disk['name']}' is not allowed when VM is running")
    shared = (disk["properties"].get("maxShares") or 1) > 1
    crosses = sku in _BOUNDARY_SKUS and old_size < LARGE_DISK_GIB <= size_gb
    if shared or crosses:
        raise conflict("OperationNotAllowed",
                       "Disk resizing is allowed only when creating a VM or when the VM is deallocated.")


def build_disk(ctx: Ctx, body: dict, existing: dict | None, rid: str, location: str) -> dict:
    rid = existing["id"] if existing else rid
    props = copy.deepcopy(validation.properties_of(body))
    sku_in = sub_object(body, "sku")
    # Standard_LRS is the create default; an update without a sku keeps the disk's.
    sku = _sku_name(sku_in.get("name") or (existing["sku"]["name"] if existing else "Standard_LRS"))
    creation = props.get("creationData")
    option = creation.get("createOption") if isinstance(creation, dict) else None
    if not option:
        raise _invalid("Required parameter 'creationData.createOption' is missing (null).")
    if option.lower() != "empty" and not existing:
        raise _invalid(f"Disk createOption '{option}' is not supported by the hpcshare stand-in (use Empty).")
    size = props.get("diskSizeGB")
    top = diskcaps.v2_size_range()[1] if sku == diskcaps.PREMIUM_V2 else 32767
    if not isinstance(size, int) or isinstance(size, bool) or not 1 <= size <= top:
        raise _invalid(f"Disk size {size} GB is invalid: diskSizeGB must be an integer between 1 and {top}.")
    zones = premiumv2.check_disk(sku, size, props, body.get("zones", (existing or {}).get("zones")), location,
                                creating=existing is None)
    for derived in ("diskState", "managedBy", "provisioningState"):
        props.pop(derived, None)
    if existing is not None:
        check_disk_change(ctx.store, existing, sku, size)
    old_creation = (existing or {}).get("properties", {}).get("creationData")
    return disk_body(ctx, rid, existing["name"] if existing else ctx.route.name, location, sku, size,
                     old_creation or {"createOption": "Empty"}, validation.tags_of(body), props, existing, zones)


def disk_owner(store: Store, disk_id: str) -> str | None:
    key = disk_id.lower()
    for vm in store.of_type(VM.full):
        storage = vm["properties"].get("storageProfile", {})
        disks = [storage.get("osDisk") or {}, *storage.get("dataDisks", [])]
        if any((d.get("managedDisk") or {}).get("id", "").lower() == key for d in disks):
            return vm["id"]
    return None


def decorate_disk(store: Store, disk: dict[str, Any]) -> None:
    owner = disk_owner(store, disk["id"])
    disk["properties"]["diskState"] = "Attached" if owner else "Unattached"
    if owner:
        disk["managedBy"] = owner


def check_delete_disk(store: Store, disk: dict[str, Any]) -> None:
    owner = disk_owner(store, disk["id"])
    if owner:
        raise conflict("OperationNotAllowed", f"Disk {disk['name']} is attached to VM {owner}.")


def first_disk_body(disk: dict[str, Any], request: dict[str, Any], created: bool) -> dict[str, Any]:
    """The 202 body of a disk PUT: creationData, diskSizeGB and Updating, and a sku only when one was
    sent (Disk_Create_Empty example; review row 11)."""
    props = disk["properties"]
    out: dict[str, Any] = {"name": disk["name"], "id": disk["id"], "type": disk["type"], "location": disk["location"],
                           "properties": {"creationData": props["creationData"], "diskSizeGB": props["diskSizeGB"],
                                          "provisioningState": "Updating"}}
    if request.get("tags"):
        out["tags"] = disk.get("tags") or {}
    if isinstance(request.get("sku"), dict):
        out["sku"] = {"name": disk["sku"]["name"]}
    return out


register(KindSpec(DISK, "Disk", build_disk, new_status=202, update_status=202, decorate=decorate_disk,
                  check_delete=check_delete_disk, first_body=first_disk_body))


# -- virtual machines ------------------------------------------------------------------------------
_BAD_USERNAMES = frozenset({
    "administrator", "admin", "user", "user1", "test", "user2", "test1", "user3", "admin1", "1", "123", "a",
    "actuser", "adm", "admin2", "aspnet", "backup", "console", "david", "guest", "john", "owner", "root", "server",
    "sql", "support", "support_388945a0", "sys", "test2", "test3", "user4", "user5",
})
_USERNAME_BAD_CHARS = set('\\/"[]:|<>+=;,?*@&')
_COMPUTER_NAME_BAD_CHARS = set("`~!@#$%^&*()=+_[]{}\\|;:.'\",<>/? ")


def _check_admin(os_profile: dict[str, Any], windows: bool) -> None:
    user = os_profile.get("adminUsername")
    if not isinstance(user, str) or not user:
        raise _invalid("Required parameter 'adminUsername' is missing (null).")
    if (user.lower() in _BAD_USERNAMES or user.endswith(".") or len(user) > (20 if windows else 64)
            or any(c in _USERNAME_BAD_CHARS or c.isspace() for c in user)):
        raise _invalid("The Admin Username specified is not allowed.")
    password = os_profile.get("adminPassword")
    if windows and not password:
        raise _invalid("Required parameter 'adminPassword' is missing (null).")
    if password is not None and not _password_ok(password, windows):
        raise _invalid(
            f"The supplied password must be between {'8-123' if windows else '6-72'} characters long and must "
            "satisfy at least 3 of password complexity requirements from the following: 1) Contains an uppercase "
            "character 2) Contains a lowercase character 3) Contains a numeric digit 4) Contains a special "
            "character 5) Control characters are not allowed"
        )


def _password_ok(password: Any, windows: bool) -> bool:
    if not isinstance(password, str) or not (8 if windows else 6) <= len(password) <= (123 if windows else 72):
        return False
    classes = [any(c.isupper() for c in password), any(c.islower() for c in password),
               any(c.isdigit() for c in password), any(not c.isalnum() for c in password)]
    return sum(classes) >= 3 and not any(ord(c) < 32 for c in password)


def _check_computer_name(name: str) -> None:
    if not 1 <= len(name) <= 15 or name.isdigit() or any(c in _COMPUTER_NAME_BAD_CHARS for c in name):
        raise _invalid(
            "Windows computer name cannot be more than 15 characters long, be entirely numeric, or contain the "
            "following characters: ` ~ ! @ # $ % ^ & * ( ) = + _ [ ] { } \\ | ; : . ' \" , < > / ?."
        )


class _VmPlan:
    """What a VM PUT will create once every check passed (nothing is written before that)."""

    def __init__(self) -> None:
        self.disks: list[dict[str, Any]] = []


def build_vm(ctx: Ctx, body: dict, existing: dict | None, rid: str, location: str) -> dict:
    rid = existing["id"] if existing else rid
    name = existing["name"] if existing else ctx.route.name
    props = copy.deepcopy(validation.properties_of(body))
    old = (existing or {}).get("properties", {})
    plan = _VmPlan()

    hardware = sub_object(props, "hardwareProfile")
    size_name = hardware.get("vmSize")
    if not size_name:
        raise _invalid("Required parameter 'hardwareProfile.vmSize' is missing (null).")
    size = catalog.vm_size(size_name)
    if size is None or not size.offered_in(location):
        offered = ", ".join(s.name for s in catalog.VM_SIZES if s.offered_in(location))
        raise _invalid(f"The requested VM size {size_name} is not available in the current region. "
                       f"The sizes available in the current region are: {offered}.")
    if size.restricted(location):
        raise conflict(
            "SkuNotAvailable",
            f"The requested VM size for resource 'Following SKUs have failed for Capacity Restrictions: {size.name}' "
            f"is currently not available in location '{location}'. Please try another size or deploy to a different "
            "location or zones. See https://aka.ms/azureskunotavailable for details.",
        )
    hardware["vmSize"] = size.name
    ctx.arm.quota.check_create(ctx.store, size, location, rid)

    storage = sub_object(props, "storageProfile")
    os_in = sub_object(storage, "osDisk")
    if (os_in.get("createOption") or "FromImage").lower() != "fromimage":
        raise _invalid("The hpcshare stand-in creates VMs from platform images only (osDisk.createOption FromImage).")
    image = storage.get("imageReference")
    if not isinstance(image, dict) or not image.get("publisher"):
        raise _invalid("Required parameter 'storageProfile.imageReference' is missing (null).")
    image = dict(image)
    windows = image["publisher"].lower() == catalog.WINDOWS_PUBLISHER
    if windows:
        known = catalog.WINDOWS_IMAGES.get(str(image.get("sku", "")).lower())
        if str(image.get("offer", "")).lower() != catalog.WINDOWS_OFFER or known is None:
            raise ArmError(
                404, "PlatformImageNotFound",
                f"The platform image '{image.get('publisher')}:{image.get('offer')}:{image.get('sku')}:"
                f"{image.get('version', 'latest')}' is not available. Verify that all fields in the storage profile "
                "are correct. For more details about storage profile information, please refer to https://aka.ms/storageprofile",
            )
        image.setdefault("version", "latest")
        image["exactVersion"] = known[0]
    os_type = "Windows" if windows else (os_in.get("osType") or "Linux")

    os_profile = props.get("osProfile") if isinstance(props.get("osProfile"), dict) else None
    if os_profile is None:
        raise _invalid("Required parameter 'osProfile' is missing (null).")
    _check_admin(os_profile, windows)
    computer_name = os_profile.get("computerName") or name
    if windows:
        _check_computer_name(computer_name)
    # Azure never returns the password or customData; the stand-in does not even keep them.
    out_os = {k: v for k, v in os_profile.items() if k not in ("adminPassword", "customData")}
    out_os.update({"computerName": computer_name, "secrets": out_os.get("secrets") or [],
                   "allowExtensionOperations": out_os.get("allowExtensionOperations", True),
                   "requireGuestProvisionSignal": True})
    if windows:
        wc = dict(out_os.get("windowsConfiguration") or {})
        wc.setdefault("provisionVMAgent", True)
        wc.setdefault("enableAutomaticUpdates", True)
        wc.setdefault("patchSettings", {"patchMode": "AutomaticByOS", "assessmentMode": "ImageDefault"})
        wc.setdefault("enableVMAgentPlatformUpdates", False)
        out_os["windowsConfiguration"] = wc
    else:
        out_os.setdefault("linuxConfiguration", {"disablePasswordAuthentication": False, "provisionVMAgent": True})

    out_nics = _vm_nics(ctx, props, rid, location, name)
    storage_out = _vm_storage(ctx, plan, storage, os_in, image, os_type, size, old, rid, name, location,
                              body.get("zones") or (existing or {}).get("zones"))

    for derived in ("instanceView", "provisioningState"):
        props.pop(derived, None)
    props.update({
        "hardwareProfile": hardware,
        "storageProfile": storage_out,
        "osProfile": out_os,
        "networkProfile": {**(props.get("networkProfile") or {}), "networkInterfaces": out_nics},
        "vmId": old.get("vmId") or str(uuid.uuid4()),
        "timeCreated": old.get("timeCreated") or iso(ctx.now),
    })
    for disk in plan.disks:          # every check passed: now create the implicit disks
        ctx.store.put(disk)
    server = ctx.store.private(rid).setdefault("server", {})
    if windows and os_profile.get("adminPassword") and "admin" not in server:
        # The simulated Windows' SAM: the admin account with its NT hash (what Windows keeps, and all
        # the stand-in's WinRM endpoint needs to check an NTLM logon). The hash stays in memory
        # (wizard.standin.vault); the state file holds only a reference to it.
        from spnego._ntlm_raw.crypto import ntowfv1

        from .. import vault

        server["admin"] = {"name": os_profile["adminUsername"],
                           "nt_hash_ref": vault.keep(ntowfv1(os_profile["adminPassword"]).hex())}
    out = {"name": name, "id": rid, "type": VM.full, "location": location,
           "tags": validation.tags_of(body), "properties": props}
    if body.get("zones"):
        out["zones"] = body["zones"]
    return out


def _vm_nics(ctx: Ctx, props: dict[str, Any], rid: str, location: str, name: str) -> list[dict[str, Any]]:
    refs = (props.get("networkProfile") or {}).get("networkInterfaces")
    if not isinstance(refs, list) or not refs:
        raise _invalid("Virtual machine must have at least one network interface (networkProfile.networkInterfaces).")
    out = []
    for ref in refs:
        nic_ref = validation.ref_id(ref)
        if nic_ref is None:
            raise _invalid("Every entry of networkProfile.networkInterfaces needs an id.")
        nic = generic.find_ref(ctx.store, nic_ref, NIC)
        if nic is None or nic["location"] != location:
            raise invalid_reference(nic_ref, rid)
        # A VM re-PUT after its own failed create keeps its NIC; a new VM (even of the same name,
        # after a delete) must wait out the hold.
        reserved = network.nic_reserved(ctx.store, nic["id"], rid if ctx.store.get(rid) else None)
        if reserved is not None:
            raise reserved
        owner = network.nic_owner(ctx.store, nic["id"])
        if owner and owner.lower() != rid.lower():
            raise bad_request(
                "NicInUse",
                f"Network Interface {nic['id']} is used by existing resource {owner}. A network interface can be "
                "attached to one virtual machine only.",
            )
        nic_props = dict(ref.get("properties") or {})
        if len(refs) == 1:
            nic_props.setdefault("primary", True)
        out.append({"id": nic["id"], "properties": nic_props})
    if len(out) > 1 and sum(bool(n["properties"].get("primary")) for n in out) != 1:
        raise _invalid(f"Virtual machine {name} must have exactly one network interface set as the primary.")
    return out


def _premium_check(size: catalog.VmSize, storage_type: str, disk_name: str) -> None:
    if storage_type.lower().startswith("premium") and not size.premium_io:
        raise conflict(
            "OperationNotAllowed",
            f"Requested operation cannot be performed because the VM size {size.name} does not support the storage "
            f"account type {storage_type} of disk '{disk_name}'. Consider updating the VM to a size that supports "
            "Premium storage.",
        )


def _vm_storage(ctx: Ctx, plan: _VmPlan, storage: dict[str, Any], os_in: dict[str, Any], image: dict[str, Any],
                os_type: str, size: catalog.VmSize, old: dict[str, Any], rid: str, name: str,
                location: str, vm_zones: Any = None) -> dict[str, Any]:
    r = ctx.route
    old_storage = old.get("storageProfile", {})
    old_os = old_storage.get("osDisk")
    os_name = old_os["name"] if old_os else (os_in.get("name") or f"{name}_OsDisk_1_{uuid.uuid4().hex}")
    os_md = dict(os_in.get("managedDisk") or {})
    os_sku = _sku_name(os_md.get("storageAccountType") or ("Premium_LRS" if size.premium_io else "Standard_LRS"))
    premiumv2.check_os_disk(os_sku)
    _premium_check(size, os_sku, os_name)
    os_size = os_in.get("diskSizeGB") or (127 if os_type == "Windows" else 30)
    os_disk_id = (old_os or {}).get("managedDisk", {}).get("id") or resource_id(r.sub, r.rg, DISK, os_name)
    leftover = ctx.store.get(os_disk_id) if old_os is None else None
    if leftover is not None:
        # Azure never adopts an existing disk as a new VM's image-based OS disk (review
        # 2026-12-02-stand-in-vs-azure.md row 1: seen as a direct error and as a failed LRO).
        raise ArmError(
            400, "ConflictingUserInput",
            f"Disk {leftover['name']} already exists in resource group {r.rg.upper()}. "
            "Only CreateOption.Attach is supported.",
            target=leftover["id"],
        )
    if ctx.store.get(os_disk_id) is None:
        plan.disks.append(_implicit_disk(ctx, os_disk_id, os_name, location, os_sku, os_size,
                                         {"createOption": "FromImage", "imageReference": {"id": _image_id(image, location, r.sub)}},
                                         {"osType": os_type, "hyperVGeneration": "V2"}))
    os_md.update({"storageAccountType": os_sku, "id": os_disk_id})
    os_out = {"osType": os_type, "name": os_name, "createOption": "FromImage",
              "caching": os_in.get("caching") or "ReadWrite", "managedDisk": os_md,
              "deleteOption": os_in.get("deleteOption") or "Detach", "diskSizeGB": os_size}

    data_in = storage.get("dataDisks") or []
    if not isinstance(data_in, list):
        raise _invalid("storageProfile.dataDisks must be a list.")
    if len(data_in) > size.max_data_disks:
        raise conflict("OperationNotAllowed", f"The maximum number of data disks allowed to be attached to a VM of this size is {size.max_data_disks}.")
    old_by_lun = {d.get("lun"): d for d in old_storage.get("dataDisks", [])}
    seen: set[int] = set()
    data_out = []
    for entry in data_in:
        lun = entry.get("lun") if isinstance(entry, dict) else None
        if not isinstance(lun, int) or isinstance(lun, bool) or not 0 <= lun <= 63:
            raise _invalid(f"Data disk LUN {lun} is invalid: it must be an integer between 0 and 63.")
        if lun in seen:
            raise _invalid(f"A disk at LUN {lun} already exists.")
        seen.add(lun)
        option = str(entry.get("createOption") or "")
        md = dict(entry.get("managedDisk") or {})
        if option.lower() == "attach":
            disk_ref = md.get("id")
            if not disk_ref:
                raise _invalid(f"Required parameter 'dataDisks[lun={lun}].managedDisk.id' is missing (null).")
            disk = generic.find_ref(ctx.store, disk_ref, DISK)
            if disk is None or disk["location"] != location:
                raise invalid_reference(disk_ref, rid)
            owner = disk_owner(ctx.store, disk["id"])
            if owner and owner.lower() != rid.lower():
                raise conflict("OperationNotAllowed", f"Disk {disk['name']} is already attached to VM {owner}.")
            premiumv2.check_attach(disk, str(entry.get("caching") or "None"), vm_zones, name)
            sku, disk_size, disk_name, disk_id, option = disk["sku"]["name"], disk["properties"]["diskSizeGB"], disk["name"], disk["id"], "Attach"
        elif option.lower() == "empty":
            disk_size = entry.get("diskSizeGB")
            if not isinstance(disk_size, int) or isinstance(disk_size, bool) or not 1 <= disk_size <= 32767:
                raise _invalid(f"Required parameter 'dataDisks[lun={lun}].diskSizeGB' is missing or invalid.")
            sku = _sku_name(md.get("storageAccountType") or "Standard_LRS")
            premiumv2.check_attach({"sku": {"name": sku}, "zones": vm_zones or [], "id": f"dataDisks[lun={lun}]"},
                                   str(entry.get("caching") or "None"), vm_zones, name)
            previous = old_by_lun.get(lun)
            if previous and previous.get("createOption") == "Empty":
                disk_name, disk_id = previous["name"], previous["managedDisk"]["id"]
            else:
                disk_name = f"{name}_disk{lun + 2}_{uuid.uuid4().hex}"
                disk_id = resource_id(r.sub, r.rg, DISK, disk_name)
            if ctx.store.get(disk_id) is None:
                plan.disks.append(_implicit_disk(ctx, disk_id, disk_name, location, sku, disk_size, {"createOption": "Empty"}))
            option = "Empty"
        else:
            raise _invalid(f"Data disk createOption '{option}' is not supported by the hpcshare stand-in (use Attach or Empty).")
        _premium_check(size, sku, disk_name)
        data_out.append({
            "lun": lun, "name": disk_name, "createOption": option, "caching": entry.get("caching") or "None",
            "writeAcceleratorEnabled": bool(entry.get("writeAcceleratorEnabled", False)),
            "managedDisk": {"storageAccountType": sku, "id": disk_id},
            "deleteOption": entry.get("deleteOption") or "Detach", "diskSizeGB": disk_size, "toBeDetached": False,
        })
    return {"imageReference": image, "osDisk": os_out, "dataDisks": data_out, "diskControllerType": "SCSI"}


def _image_id(image: dict[str, Any], location: str, sub: str) -> str:
    return (f"/Subscriptions/{sub}/Providers/Microsoft.Compute/Locations/{location}/Publishers/{image.get('publisher')}"
            f"/ArtifactTypes/VMImage/Offers/{image.get('offer')}/Skus/{image.get('sku')}/Versions/{image.get('exactVersion', image.get('version'))}")


def _implicit_disk(ctx: Ctx, disk_id: str, name: str, location: str, sku: str, size_gb: int,
                   creation: dict[str, Any], extra: dict[str, Any] | None = None) -> dict[str, Any]:
    body = disk_body(ctx, disk_id, name, location, sku, size_gb, creation, {}, extra)
    body["properties"]["provisioningState"] = "Succeeded"
    return body


def instance_view(store: Store, vm: dict[str, Any], now: float) -> dict[str, Any]:
    """The VM's instance view: provisioning and power state follow the stored provisioningState."""
    state = state_of(vm)
    props = vm["properties"]
    private = store.internal.get(vm["id"].lower(), {})
    if state == "Failed":
        err = private.get("lastError") or {"code": "InternalExecutionError", "message": "Provisioning failed."}
        statuses = [{"code": f"ProvisioningState/failed/{err['code']}", "level": "Error",
                     "displayStatus": "Provisioning failed", "message": err["message"], "time": iso(now)}]
    else:
        power = {"Creating": ("starting", "VM starting"), "Deleting": ("deallocating", "VM deallocating")}.get(
            state, ("running", "VM running"))
        statuses = [
            {"code": f"ProvisioningState/{state.lower()}", "level": "Info",
             "displayStatus": "Provisioning succeeded" if state == "Succeeded" else state, "time": iso(now)},
            {"code": f"PowerState/{power[0]}", "level": "Info", "displayStatus": power[1]},
        ]
    image = props.get("storageProfile", {}).get("imageReference", {})
    windows_info = catalog.WINDOWS_IMAGES.get(str(image.get("sku", "")).lower())
    storage = props.get("storageProfile", {})
    disks = [storage.get("osDisk", {}), *storage.get("dataDisks", [])]
    ready = state in ("Succeeded", "Updating")
    return {
        "computerName": props.get("osProfile", {}).get("computerName", vm["name"]),
        "osName": windows_info[1] if windows_info else "Linux",
        "osVersion": f"Microsoft Windows NT 10.0.{windows_info[0].split('.')[0]}.0" if windows_info else "",
        "hyperVGeneration": "V2",
        "vmAgent": {
            "vmAgentVersion": "2.7.41491.1102" if ready else "Unknown",
            "statuses": [{"code": "ProvisioningState/succeeded", "level": "Info", "displayStatus": "Ready",
                          "message": "GuestAgent is running and processing the extensions.", "time": iso(now)}] if ready else [],
            "extensionHandlers": [],
        },
        "disks": [{"name": d.get("name"), "statuses": [{"code": "ProvisioningState/succeeded", "level": "Info",
                                                          "displayStatus": "Provisioning succeeded"}]} for d in disks if d],
        "statuses": statuses,
    }


def view_vm(ctx: Ctx, vm: dict[str, Any]) -> None:
    if ctx.req.method == "GET" and ctx.expand("instanceView"):
        vm["properties"]["instanceView"] = instance_view(ctx.store, vm, ctx.now)


def get_instance_view(ctx: Ctx) -> Response:
    ctx.group()
    vm = ctx.store.get(resource_id(ctx.route.sub, ctx.route.rg, VM, ctx.route.name))
    if vm is None:
        raise resource_not_found(VM.full, ctx.route.name, ctx.route.rg)
    return Response(200, instance_view(ctx.store, vm, ctx.now))


def on_vm_put_applied(store: Store, op: Operation, vm: dict[str, Any]) -> None:
    private = store.private(vm["id"])
    if op.error:
        private["lastError"] = op.error
    else:
        private.pop("lastError", None)


def on_vm_removed(store: Store, vm: dict[str, Any]) -> None:
    """What goes with a deleted VM: only what it marked deleteOption: Delete (Azure's default is Detach)."""
    props = vm["properties"]
    for ref in props.get("networkProfile", {}).get("networkInterfaces", []):
        if (ref.get("properties") or {}).get("deleteOption") == "Delete":
            store.remove(ref["id"])
    storage = props.get("storageProfile", {})
    for disk in [storage.get("osDisk") or {}, *storage.get("dataDisks", [])]:
        if disk.get("deleteOption") == "Delete" and disk.get("managedDisk", {}).get("id"):
            store.remove(disk["managedDisk"]["id"])


def first_vm_body(vm: dict[str, Any], request: dict[str, Any], created: bool) -> dict[str, Any]:
    """The 201 body of a VM create: the disks Azure is about to make have no name or id yet, and
    what it fills in later (disk controller, write accelerator) is absent (recorded VM PUT, review row 11)."""
    if not created:
        return vm
    storage = vm["properties"]["storageProfile"]
    storage.pop("diskControllerType", None)
    storage["osDisk"]["managedDisk"] = {"storageAccountType": storage["osDisk"]["managedDisk"]["storageAccountType"]}
    for disk in storage.get("dataDisks", []):
        disk.pop("writeAcceleratorEnabled", None)
        if disk.get("createOption") == "Empty":
            disk.pop("name", None)
            disk["managedDisk"] = {"storageAccountType": disk["managedDisk"]["storageAccountType"]}
    return vm


register(KindSpec(VM, "VirtualMachine", build_vm, new_state="Creating", view=view_vm,
                  on_put_applied=on_vm_put_applied, on_removed=on_vm_removed, first_body=first_vm_body))
