"""One converging function per Azure provisioning step.

Each looks first: a resource that exists and matches is left alone ("no change"); one that can be
brought in line is updated; one that conflicts (another region, a prefix that differs, a resource
hpcshare does not manage) stops the step with a message saying which answer to change. Request
bodies are REST-shaped camelCase dicts: the SDK sends a plain dict verbatim.
"""
from __future__ import annotations

import copy
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from wizard.answers import Answers, Secrets
from wizard.plan import DNS_LABEL_SCOPE, TAG_MANAGED_BY, TAG_PROFILE, VNET_DENY_RULE, Names, image_urn, tags
from wizard.remote.protocol import WINRM_HTTPS_PORT
from wizard.runner import StepContext, StepFailed
from wizard import diskcaps
from wizard.diskcaps import PREMIUM_V2
from wizard.validation import LARGE_DISK_GIB, smb_sources

if TYPE_CHECKING:
    from wizard.environment import Environment

Outputs = dict[str, Any]


@dataclass(frozen=True)
class Target:
    """What every Azure step needs: where, what names, which tags."""
    env: "Environment"
    answers: Answers
    names: Names
    secrets: Secrets

    @property
    def sub(self) -> str:
        return self.answers.subscription.id

    @property
    def rg(self) -> str:
        return self.answers.subscription.resource_group

    @property
    def region(self) -> str:
        return self.answers.subscription.region

    @property
    def tags(self) -> dict[str, str]:
        return tags(self.answers)

    def owns(self, resource: Any) -> bool:
        t = getattr(resource, "tags", None) or {}
        return t.get(TAG_MANAGED_BY) == "hpcshare" and t.get(TAG_PROFILE) == self.answers.profile


def get_or_none(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    from azure.core.exceptions import ResourceNotFoundError

    try:
        return fn(*args, **kwargs)
    except ResourceNotFoundError:
        return None


def text(value: Any) -> Any:
    """An SDK enum member as its wire value (they are str subclasses whose str() is the name)."""
    return getattr(value, "value", value)


def failed(resource: Any) -> bool:
    """A resource whose last operation failed: PUT it again, as ARM expects, rather than trust it."""
    return text(getattr(resource, "provisioning_state", None)) == "Failed"


IN_FLIGHT = ("Creating", "Updating", "Deleting")


def settled(ctx: StepContext, get: Callable[[], Any], resource: Any, what: str, *,
            timeout_s: float = 1800, poll_s: float = 2.0) -> Any:
    """Wait while an operation an earlier (interrupted) run started is still going: acting on a
    resource that is Creating would fail, or report "in place" too early."""
    deadline = time.monotonic() + timeout_s
    said = False
    while resource is not None and text(getattr(resource, "provisioning_state", None)) in IN_FLIGHT:
        ctx.check_cancelled()
        if time.monotonic() > deadline:
            raise StepFailed(f"{what} is still {text(resource.provisioning_state)} after {timeout_s / 60:.0f} minutes",
                             "Wait for Azure to finish (see the portal), then run again.")
        if not said:
            ctx.log(f"{what} is still {text(resource.provisioning_state)} (an earlier run started it): waiting.")
            said = True
        time.sleep(poll_s)
        resource = get()
    return resource


def find(ctx: StepContext, get: Callable[..., Any], *args: Any, what: str) -> Any:
    """The resource, once any operation on it has finished; None when it does not exist."""
    def fetch() -> Any:
        return get_or_none(get, *args)
    return settled(ctx, fetch, fetch(), what)


def _require_owned(t: Target, resource: Any, what: str, answer: str) -> None:
    if not t.owns(resource):
        raise StepFailed(f"{what} already exists and is not managed by hpcshare profile '{t.answers.profile}'",
                         f"Choose another {answer}, or delete that resource yourself if it is a leftover.")


# ---- resource group ------------------------------------------------------------------------------

def resource_group(ctx: StepContext, t: Target) -> Outputs:
    rgs = t.env.resources(t.sub).resource_groups
    existing = find(ctx, rgs.get, t.rg, what=f"Resource group {t.rg}")
    if existing is not None:
        if existing.location.lower() != t.region.lower():
            raise StepFailed(f"Resource group {t.rg} exists in {existing.location}, not {t.region}",
                             f"Set the region to {existing.location} or choose another resource group.")
        ctx.log(f"Resource group {t.rg} exists in {existing.location}.")
        return {"id": existing.id, "owned": t.owns(existing), "changed": False}
    created = rgs.create_or_update(t.rg, {"location": t.region, "tags": t.tags})
    ctx.log(f"Created resource group {t.rg} in {t.region}.")
    return {"id": created.id, "owned": True, "changed": True}


# ---- network -------------------------------------------------------------------------------------

def network(ctx: StepContext, t: Target) -> Outputs:
    ep = t.answers.endpoints
    net = t.env.network(t.sub)
    group = ep.vnet_resource_group or t.rg
    foreign = group.lower() != t.rg.lower()
    vnet = find(ctx, net.virtual_networks.get, group, ep.vnet, what=f"VNet {ep.vnet}")
    if vnet is None and foreign:
        raise StepFailed(f"VNet {ep.vnet} not found in resource group {group}",
                         "hpcshare creates VNets only in its own resource group: check {endpoints.vnet} and "
                         "{endpoints.vnet_resource_group}, or leave the latter empty to create a new VNet.")
    if vnet is None:
        body = {
            "location": t.region,
            "tags": t.tags,
            "properties": {
                "addressSpace": {"addressPrefixes": [ep.vnet_cidr]},
                "subnets": [{"name": ep.subnet, "properties": {"addressPrefix": ep.subnet_cidr}}],
            },
        }
        vnet = net.virtual_networks.begin_create_or_update(t.rg, ep.vnet, body).result()
        ctx.log(f"Created VNet {ep.vnet} ({ep.vnet_cidr}) with subnet {ep.subnet} ({ep.subnet_cidr}).")
        subnet = next(s for s in vnet.subnets if s.name == ep.subnet)
        return {"vnet_id": vnet.id, "subnet_id": subnet.id, "subnet_prefix": ep.subnet_cidr, "changed": True}
    ctx.log(f"Using the existing VNet {ep.vnet}" + (f" in {group}." if foreign else "."))
    subnet = next((s for s in (vnet.subnets or []) if s.name == ep.subnet), None)
    if subnet is None and foreign:
        raise StepFailed(f"Subnet {ep.subnet} not found in VNet {ep.vnet} ({group})",
                         "Choose one of the VNet's subnets: hpcshare does not change a VNet it does not manage.")
    if subnet is not None:
        if subnet.address_prefix != ep.subnet_cidr:
            raise StepFailed(f"Subnet {ep.subnet} exists with range {subnet.address_prefix}, not {ep.subnet_cidr}",
                             f"Set endpoints.subnet_cidr to {subnet.address_prefix} (and a private IP inside it).")
        return {"vnet_id": vnet.id, "subnet_id": subnet.id, "subnet_prefix": subnet.address_prefix, "changed": False}
    subnet = net.subnets.begin_create_or_update(
        group, ep.vnet, ep.subnet, {"properties": {"addressPrefix": ep.subnet_cidr}}).result()
    ctx.log(f"Added subnet {ep.subnet} ({ep.subnet_cidr}) to {ep.vnet}.")
    return {"vnet_id": vnet.id, "subnet_id": subnet.id, "subnet_prefix": ep.subnet_cidr, "changed": True}


# ---- network security group ----------------------------------------------------------------------

def _source(sources: list[str]) -> dict[str, Any]:
    """One source as sourceAddressPrefix (a service tag must be alone there), several ranges as
    sourceAddressPrefixes (NetworkSecurityGroupCreateWithRule / SecurityRule REST reference)."""
    if len(sources) == 1:
        return {"sourceAddressPrefix": sources[0]}
    return {"sourceAddressPrefixes": list(sources)}


def nsg_rules(answers: Answers) -> list[dict[str, Any]]:
    ep = answers.endpoints
    smb = smb_sources(ep.smb_source)

    def rule(name: str, priority: int, protocol: str, sources: list[str], port: str) -> dict[str, Any]:
        return {"name": name, "properties": {
            "priority": priority, "direction": "Inbound", "access": "Allow", "protocol": protocol,
            **_source(sources), "sourcePortRange": "*",
            "destinationAddressPrefix": "*", "destinationPortRange": port}}

    rules = [rule("allow-smb-tcp-445", 100, "Tcp", smb, "445")]
    if ep.udp_445:
        rules.append(rule("allow-smb-udp-445", 110, "Udp", smb, "445"))
    if ep.rdp_source:
        rules.append(rule("allow-rdp", 120, "Tcp", [ep.rdp_source], "3389"))
    rules.extend(winrm_nsg_rules(answers))
    rules.append(copy.deepcopy(VNET_DENY_RULE))   # after every allow rule
    return rules


def _sources_of(prefix: Any, prefixes: Any) -> tuple[str, ...]:
    return tuple(prefixes) if prefixes else ((prefix,) if prefix else ())


WINRM_RULE_NAME = "allow-winrm-https-5986"
# Sources that would open the WinRM administrator login to the whole Internet (validation refuses
# them already; the rule builder refuses them again because this is the last stop before Azure).
_OPEN_TO_ALL = frozenset({"internet", "*", "any", "0.0.0.0/0", "azurecloud"})


def winrm_nsg_rules(answers: Answers) -> list[dict[str, Any]]:
    """TCP 5986 from where hpcshare runs (``remote.winrm_source``), only with the WinRM transport."""
    if answers.remote.transport != "winrm":
        return []
    source = answers.remote.winrm_source
    if source.strip().lower() in _OPEN_TO_ALL:
        raise StepFailed(f"Refused: an NSG rule for WinRM (TCP {WINRM_HTTPS_PORT}) from {source!r}",
                         "Set {remote.winrm_source} to VirtualNetwork or the address range hpcshare runs from.")
    return [{"name": WINRM_RULE_NAME, "properties": {
        "priority": 130, "direction": "Inbound", "access": "Allow", "protocol": "Tcp",
        "sourceAddressPrefix": source, "sourcePortRange": "*",
        "destinationAddressPrefix": "*", "destinationPortRange": str(WINRM_HTTPS_PORT)}}]


def _rule_key(rule: Any) -> tuple[Any, ...]:
    return (rule.name, rule.priority, text(rule.access), text(rule.protocol),
            _sources_of(rule.source_address_prefix, getattr(rule, "source_address_prefixes", None)),
            rule.destination_port_range)


def nsg(ctx: StepContext, t: Target) -> Outputs:
    net = t.env.network(t.sub)
    wanted = nsg_rules(t.answers)
    existing = find(ctx, net.network_security_groups.get, t.rg, t.names.nsg, what=f"NSG {t.names.nsg}")
    if existing is not None:
        _require_owned(t, existing, f"Network security group {t.names.nsg}", "VM name")
        have = sorted(_rule_key(r) for r in (existing.security_rules or []))
        want = sorted((r["name"], r["properties"]["priority"], r["properties"]["access"], r["properties"]["protocol"],
                       _sources_of(r["properties"].get("sourceAddressPrefix"),
                                   r["properties"].get("sourceAddressPrefixes")),
                       r["properties"]["destinationPortRange"])
                      for r in wanted)
        if have == want and not failed(existing):
            ctx.log(f"NSG {t.names.nsg} already has the right rules.")
            return {"id": existing.id, "changed": False}
    body = {"location": t.region, "tags": t.tags, "properties": {"securityRules": wanted}}
    result = net.network_security_groups.begin_create_or_update(t.rg, t.names.nsg, body).result()
    for r in wanted:
        p = r["properties"]
        source = p.get("sourceAddressPrefix") or ", ".join(p.get("sourceAddressPrefixes", []))
        ctx.log(f"Rule {r['name']}: {p['access'].lower()} {p['protocol']} {p['destinationPortRange']} from {source}.")
    return {"id": result.id, "changed": True}


# ---- public IP -----------------------------------------------------------------------------------


def public_ip(ctx: StepContext, t: Target) -> Outputs:
    net = t.env.network(t.sub)
    label = t.answers.endpoints.dns_label
    existing = find(ctx, net.public_ip_addresses.get, t.rg, t.names.public_ip, what=f"Public IP {t.names.public_ip}")
    if existing is not None:
        _require_owned(t, existing, f"Public IP {t.names.public_ip}", "VM name")
        dns = existing.dns_settings
        have = (dns.domain_name_label, text(dns.domain_name_label_scope)) if dns else ("", "")
        if have == ((label, DNS_LABEL_SCOPE) if label else ("", "")) and not failed(existing):
            return _pip_outputs(existing, changed=False)
    elif label:
        check = net.check_dns_name_availability(t.region, domain_name_label=label)
        if not check.available:
            raise StepFailed(f"DNS label '{label}' is already taken in {t.region}",
                             "Choose another {endpoints.dns_label} (it must be unique per region).")
    body: dict[str, Any] = {
        "location": t.region, "tags": t.tags,
        "sku": {"name": "Standard", "tier": "Regional"},
        "properties": {"publicIPAllocationMethod": "Static", "publicIPAddressVersion": "IPv4"},
    }
    if label:
        body["properties"]["dnsSettings"] = {"domainNameLabel": label, "domainNameLabelScope": DNS_LABEL_SCOPE}
    result = net.public_ip_addresses.begin_create_or_update(t.rg, t.names.public_ip, body).result()
    ctx.log(f"Public IP {result.ip_address}" + (f" ({result.dns_settings.fqdn})" if label else "") + ".")
    return _pip_outputs(result, changed=True)


def _pip_outputs(pip: Any, *, changed: bool) -> Outputs:
    fqdn = pip.dns_settings.fqdn if pip.dns_settings else None
    return {"id": pip.id, "ip_address": pip.ip_address, "fqdn": fqdn, "changed": changed}


# ---- network interface ---------------------------------------------------------------------------

def nic(ctx: StepContext, t: Target) -> Outputs:
    net = t.env.network(t.sub)
    ip = t.answers.endpoints.private_ip
    subnet_id = ctx.outputs["network"]["subnet_id"]
    nsg_id = ctx.outputs["nsg"]["id"]
    pip_id = ctx.outputs.get("public-ip", {}).get("id") if t.answers.endpoints.public_ip else None
    existing = find(ctx, net.network_interfaces.get, t.rg, t.names.nic, what=f"NIC {t.names.nic}")
    if existing is not None:
        _require_owned(t, existing, f"Network interface {t.names.nic}", "VM name")
        cfg = existing.ip_configurations[0]
        have = (cfg.private_ip_address, _id(cfg.subnet), _id(existing.network_security_group),
                _id(cfg.public_ip_address))
        if have == (ip, subnet_id.lower(), nsg_id.lower(), pip_id.lower() if pip_id else None) and not failed(existing):
            ctx.log(f"NIC {t.names.nic} already has {ip}.")
            return {"id": existing.id, "private_ip": ip, "changed": False}
    ip_props: dict[str, Any] = {"privateIPAllocationMethod": "Static", "privateIPAddress": ip,
                                "subnet": {"id": subnet_id}}
    if pip_id:
        ip_props["publicIPAddress"] = {"id": pip_id}
    body = {"location": t.region, "tags": t.tags, "properties": {
        "ipConfigurations": [{"name": "ipconfig1", "properties": ip_props}],
        "networkSecurityGroup": {"id": nsg_id}}}
    result = net.network_interfaces.begin_create_or_update(t.rg, t.names.nic, body).result()
    ctx.log(f"NIC {t.names.nic} with static private IP {ip}.")
    return {"id": result.id, "private_ip": ip, "changed": True}


def _id(ref: Any) -> str | None:
    return ref.id.lower() if ref is not None and getattr(ref, "id", None) else None


# ---- data disk -----------------------------------------------------------------------------------

def _vm_of(disk: Any) -> tuple[str, str] | None:
    """(resource group, name) of the VM a disk is attached to, from its managedBy id."""
    from azure.mgmt.core.tools import parse_resource_id

    vm = parse_resource_id(getattr(disk, "managed_by", None) or "")
    if str(vm.get("type", "")).lower() != "virtualmachines" or not vm.get("resource_group"):
        return None
    return str(vm["resource_group"]), str(vm["name"])


def _deallocated(compute: Any, vm: tuple[str, str]) -> bool:
    view = compute.virtual_machines.instance_view(*vm)
    return any((s.code or "").lower() == "powerstate/deallocated" for s in (view.statuses or []))


def _check_attached_change(compute: Any, t: Target, existing: Any, size: int, sku: str | None) -> None:
    """Stop before a disk PUT Azure would refuse while the disk's VM runs (Disk REST spec,
    diskSizeGB; Learn "Expand virtual hard disks attached to a Windows VM", Expand without downtime:
    data disks grow online, but not across 4 TiB, and the type changes only while deallocated)."""
    d = t.answers.disk
    vm = _vm_of(existing)
    if vm is None or _deallocated(compute, vm):
        return
    az = f"-g {vm[0]} -n {vm[1]}"
    if sku != d.sku:
        raise StepFailed(
            f"Disk {t.names.data_disk} is attached to the running VM {vm[1]}: Azure changes a disk's type "
            f"({sku} -> {d.sku}) only while its VM is deallocated",
            f"Set {{disk.sku}} back to {sku}, or stop the VM first (az vm deallocate {az}), re-run, then start it "
            f"(az vm start {az}).")
    if size < LARGE_DISK_GIB <= d.size_gb:
        raise StepFailed(
            f"Disk {t.names.data_disk} ({size} GiB) cannot grow to {d.size_gb} GiB while VM {vm[1]} runs: "
            f"Azure moves a disk past 4 TiB only when it is detached from a deallocated VM",
            f"Set {{disk.size_gb}} to {LARGE_DISK_GIB - 1} or less, or: az vm deallocate {az}; "
            f"az vm disk detach {az} --name {t.names.data_disk}; re-run; az vm start {az}.")


def disk_body(answers: Answers) -> dict[str, Any]:
    """The data disk PUT. Premium SSD v2 is zonal and provisioned: ``zones`` and, when asked for,
    diskIOPSReadWrite / diskMBpsReadWrite (Disk_Create_WithPremiumV2_LRSAccountType example; 0 keeps
    Azure's baseline of 3,000 IOPS / 125 MB/s). A zonal VM's disk goes in the VM's zone."""
    d, zone = answers.disk, answers.vm.zone
    props: dict[str, Any] = {"creationData": {"createOption": "Empty"}, "diskSizeGB": d.size_gb}
    if d.sku == PREMIUM_V2:
        if d.iops:
            props["diskIOPSReadWrite"] = d.iops
        if d.mbps:
            props["diskMBpsReadWrite"] = d.mbps
    body: dict[str, Any] = {"location": answers.subscription.region, "tags": tags(answers), "sku": {"name": d.sku},
                            "properties": props}
    if zone:
        body["zones"] = [zone]
    return body


def _performance_matches(existing: Any, answers: Answers) -> bool:
    d = answers.disk
    if d.sku != PREMIUM_V2:
        return True
    base = diskcaps.caps(PREMIUM_V2, d.size_gb)
    return (existing.disk_iops_read_write == (d.iops or base.iops)
            and existing.disk_m_bps_read_write == (d.mbps or base.mbps))


def data_disk(ctx: StepContext, t: Target) -> Outputs:
    compute = t.env.compute(t.sub)
    disks = compute.disks
    d = t.answers.disk
    existing = find(ctx, disks.get, t.rg, t.names.data_disk, what=f"Disk {t.names.data_disk}")
    if existing is not None:
        _require_owned(t, existing, f"Disk {t.names.data_disk}", "VM name")
        size, sku = existing.disk_size_gb, text(existing.sku.name) if existing.sku else None
        if size == d.size_gb and sku == d.sku and not failed(existing) and _performance_matches(existing, t.answers):
            ctx.log(f"Disk {t.names.data_disk} ({size} GiB {sku}) is in place.")
            return {"id": existing.id, "size_gb": size, "changed": False}
        if size is not None and d.size_gb < size:
            raise StepFailed(f"Disk {t.names.data_disk} is {size} GiB; Azure disks cannot shrink to {d.size_gb} GiB",
                             f"Set {{disk.size_gb}} to {size} or more.")
        if size is not None:
            _check_attached_change(compute, t, existing, size, sku)
            if d.size_gb > size and _vm_of(existing):
                ctx.log(f"Growing disk {t.names.data_disk} from {size} to {d.size_gb} GiB while its VM runs "
                        "(Azure expands data disks online).")
    result = disks.begin_create_or_update(t.rg, t.names.data_disk, disk_body(t.answers)).result()
    ctx.log(f"Disk {t.names.data_disk}: {d.size_gb} GiB {d.sku}.")
    return {"id": result.id, "size_gb": d.size_gb, "changed": True}


# ---- virtual machine -----------------------------------------------------------------------------

def vm_body(t: Target, nic_id: str, disk_id: str) -> dict[str, Any]:
    publisher, offer, sku, version = image_urn(t.answers.vm.image).split(":")
    body: dict[str, Any] = {
        "location": t.region,
        "tags": t.tags,
        "properties": {
            "hardwareProfile": {"vmSize": t.answers.vm.size},
            "storageProfile": {
                "imageReference": {"publisher": publisher, "offer": offer, "sku": sku, "version": version},
                "osDisk": {"name": t.names.os_disk, "createOption": "FromImage", "caching": "ReadWrite",
                           "managedDisk": {"storageAccountType": "StandardSSD_LRS"}, "deleteOption": "Delete"},
                "dataDisks": [{"lun": 0, "createOption": "Attach", "caching": t.answers.disk.caching,
                               "managedDisk": {"id": disk_id}, "deleteOption": "Detach"}],
            },
            "osProfile": {
                "computerName": t.names.vm,
                "adminUsername": t.answers.vm.admin_username,
                "adminPassword": t.secrets.admin_password,
                "windowsConfiguration": {"provisionVMAgent": True, "enableAutomaticUpdates": True},
            },
            "networkProfile": {"networkInterfaces": [
                {"id": nic_id, "properties": {"primary": True, "deleteOption": "Detach"}}]},
        },
    }
    if t.answers.vm.zone:
        # A zonal VM (Premium SSD v2 attaches only to one, in its own zone).
        body["zones"] = [t.answers.vm.zone]
    return body


def _clear_leftover_os_disk(ctx: StepContext, t: Target, compute: Any) -> None:
    """A VM PUT whose osDisk name is an existing disk is refused (ConflictingUserInput: "Only
    CreateOption.Attach is supported"). A leftover OS disk of this profile (its VM was deleted
    without it, or an earlier attempt died) is deleted rather than attached: attaching boots a
    specialized disk and skips osProfile, so the admin account from the answers would never be set,
    and the disk holds nothing of the user's (the share lives on the data disk)."""
    leftover = get_or_none(compute.disks.get, t.rg, t.names.os_disk)
    if leftover is None:
        return
    name = t.names.os_disk
    if getattr(leftover, "managed_by", None):
        raise StepFailed(f"OS disk name {name} is taken by a disk attached to {leftover.managed_by}",
                         "Choose another VM name (the OS disk is named after it).")
    if not t.owns(leftover):
        raise StepFailed(f"Disk {name} already exists and is not managed by hpcshare profile '{t.answers.profile}'",
                         f"If it is a leftover, delete it (az disk delete -g {t.rg} -n {name}); "
                         "otherwise choose another VM name.")
    ctx.log(f"Deleting the leftover OS disk {name} of an earlier attempt (unattached): the new VM gets a "
            "fresh one from the image.")
    compute.disks.begin_delete(t.rg, name).result()


def _tag_os_disk(ctx: StepContext, t: Target, compute: Any, vm_model: Any) -> None:
    """Azure does not pass a VM's tags to the OS disk it creates: tag it, so teardown and a later
    run can tell it is this profile's."""
    os_disk = vm_model.storage_profile.os_disk if vm_model.storage_profile else None
    if os_disk is None or os_disk.name is None:
        return
    disk = get_or_none(compute.disks.get, t.rg, os_disk.name)
    if disk is None or t.owns(disk):
        return
    compute.disks.begin_update(t.rg, os_disk.name, {"tags": {**(disk.tags or {}), **t.tags}}).result()
    ctx.log(f"Tagged OS disk {os_disk.name} for profile '{t.answers.profile}'.")


def _put_vm(ctx: StepContext, t: Target, compute: Any, nic_id: str, disk_id: str) -> Any:
    from wizard.azure.reservations import while_nic_reserved

    def put() -> Any:
        return compute.virtual_machines.begin_create_or_update(t.rg, t.names.vm, vm_body(t, nic_id, disk_id)).result()
    return while_nic_reserved(put, ctx.log, f"VM {t.names.vm} waits for NIC {t.names.nic}", check=ctx.check_cancelled)


def vm(ctx: StepContext, t: Target) -> Outputs:
    compute = t.env.compute(t.sub)
    nic_id = ctx.outputs["nic"]["id"]
    disk_id = ctx.outputs["data-disk"]["id"]
    existing = find(ctx, compute.virtual_machines.get, t.rg, t.names.vm, what=f"VM {t.names.vm}")
    if existing is not None and failed(existing):
        _require_owned(t, existing, f"VM {t.names.vm}", "VM name")
        ctx.log(f"VM {t.names.vm} is in a failed state after an earlier attempt: provisioning it again.")
        result = _put_vm(ctx, t, compute, nic_id, disk_id)
        _tag_os_disk(ctx, t, compute, result)
        return {"id": result.id, "computer_name": t.names.vm, "admin_created": True, "changed": True}
    if existing is not None:
        _require_owned(t, existing, f"VM {t.names.vm}", "VM name")
        nics = [n.id.lower() for n in existing.network_profile.network_interfaces]
        disks = {dd.lun: (dd.managed_disk.id.lower() if dd.managed_disk else "")
                 for dd in (existing.storage_profile.data_disks or [])}
        if nic_id.lower() not in nics or disks.get(0) != disk_id.lower():
            raise StepFailed(f"VM {t.names.vm} exists but is not wired to {t.names.nic} and {t.names.data_disk} at LUN 0",
                             "Choose another VM name, or tear down this profile and run again.")
        if text(existing.hardware_profile.vm_size) != t.answers.vm.size:
            ctx.warn(f"VM {t.names.vm} is {text(existing.hardware_profile.vm_size)}, not {t.answers.vm.size}: "
                     "hpcshare does not resize a running server; resize it in the portal if you mean to.")
        _tag_os_disk(ctx, t, compute, existing)
        ctx.log(f"VM {t.names.vm} exists with its NIC and data disk.")
        return {"id": existing.id, "computer_name": t.names.vm, "admin_created": False, "changed": False}
    _clear_leftover_os_disk(ctx, t, compute)
    ctx.log(f"Creating VM {t.names.vm} ({t.answers.vm.size}, {t.answers.vm.image}); this takes a few minutes on Azure.")
    result = _put_vm(ctx, t, compute, nic_id, disk_id)
    _tag_os_disk(ctx, t, compute, result)
    return {"id": result.id, "computer_name": t.names.vm, "admin_created": True, "changed": True}


# The plan's step id -> its converging function; the private-dns step lives in
# wizard.azure.privatedns (built on this module), and wizard.execute joins the two tables.
AZURE_STEPS: dict[str, Callable[[StepContext, Target], Outputs]] = {
    "resource-group": resource_group,
    "network": network,
    "nsg": nsg,
    "public-ip": public_ip,
    "nic": nic,
    "data-disk": data_disk,
    "vm": vm,
}
