"""A simulated Windows Server that answers hpcshare's PowerShell scripts as a healthy server would.

The stand-in's Run Command handlers call ``simulate(script, parameters, protected, server,
fail_substep)`` and put the returned stdout/stderr/exit code into the instance view (managed) or
the StdOut/StdErr statuses (action). It recognises the project's scripts by their marker line
(``protocol.script_name``); a foreign script gets no output and exit code 0.

winrm-bootstrap is answered by ``wizard.standin.fake_winrm`` (certificate, HTTPS listener,
firewall rule), whose listener the stand-in then serves over real HTTPS (wizard/standin/wsman.py).

It mirrors the real scripts (assets/powershell/): the same parameter checks and messages, one
``HPCSHARE_RESULT`` line per sub-step, "changed" the first time and "ok" on a re-run, a failure
stops the remaining sub-steps ("skipped") and exits 1. Messages are derived from the decoded
config. Where Windows would refuse (a second credential for one server in a logon session, a
rule Group Policy keeps enabled, a disk that holds someone else's volume) it refuses too.

``server`` is the VM's simulated state, a JSON-able dict the caller keeps per VM (empty for a new
VM) and this module updates in place. Keys the caller MAY set beforehand:

* ``computer_name``: the VM's ``osProfile.computerName`` (default: the config's).
* ``data_disks``: ``[{"lun": 0, "size_gib": 1024}, ...]`` from the VM's ``dataDisks``; when absent
  the disk the config asks for is assumed attached. ``"file_system"``/``"label"`` on an entry
  simulate a disk that arrived holding data (the script leaves it alone).
* ``windows`` (2019 | 2022 | 2025) and ``disk_bus`` (scsi | nvme); when absent they come from
  ``HPCSHARE_STANDIN_WINDOWS`` / ``HPCSHARE_STANDIN_DISKS`` (defaults 2022, scsi) and stay with the VM.
  The version chooses the built-in firewall rules and the group a new share enables; the bus the
  disks' Location / Path / Model strings, and the temporary disk (SCSI: D: 'Temporary Storage' on
  the OS disk's adapter; NVMe: a raw local disk), which always has the data disk's size.
* ``firewall_rules``, ``smb_client_connections``: to stage a Group Policy rule or a connection
  left in SYSTEM's logon session (the self-test must clear it, or Windows answers 1219).

Keys this module writes: ``disk_state`` (partitions and volumes per disk), ``registry``, ``users``
(name, SID, a reference to the password's PBKDF2 hash, which stays in this process's memory: never
the password nor its hash), ``features``, ``folders``, ``shares``, ``smb_server``, ``firewall_rules``,
``smb_client_connections``.
The secret is never stored or printed in plain text (nor in base64).
"""
from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import hmac
import json
import os
import re
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from wizard.remote.config import ConfigError, check_config
from wizard.remote.protocol import (
    CONFIG_PARAM,
    CONFIGURE_SERVER,
    RESET_ADMIN_PASSWORD,
    SECRET_PARAM,
    SELF_TEST,
    SUBSTEPS,
    WINRM_BOOTSTRAP,
    SubStepResult,
    decode_param,
    script_name,
)
from wizard.standin import vault
from wizard.standin.firewall_addresses import address_key
from wizard.standin.substeps import Outcome, SubStepFailure, clip, run_substeps

_PBKDF2_ROUNDS = 10_000
_ADMINS = "BUILTIN\\Administrators"
_SID_PREFIX = "S-1-5-21-1004336348-1177238915-682003330-"

# A realistic Windows error per sub-step, for fail_substep: (message, FullyQualifiedErrorId).
FAILURES: dict[str, tuple[str, str]] = {
    "disk": ("Format-Volume: Access to a CIM resource was not available to the client.",
             "HRESULT 0x80041003,Format-Volume"),
    "user": ("New-LocalUser: The password does not meet the password policy requirements. Check the minimum "
             "password length, password complexity and password history requirements.",
             "InvalidPassword,Microsoft.PowerShell.Commands.NewLocalUserCommand"),
    "file-server-role": ("Install-WindowsFeature: The request to add or remove features on the specified server "
                         "failed. Installation of one or more roles, role services, or features failed. The source "
                         "files could not be found. Error: 0x800f081f",
                         "DISMAPI_Error__Failed_To_Enable_Updates,Microsoft.Windows.ServerManager.Commands.AddWindowsFeatureCommand"),
    "folder-acl": ("Set-Acl: Attempted to perform an unauthorized operation.",
                   "System.UnauthorizedAccessException,Microsoft.PowerShell.Commands.SetAclCommand"),
    "share": ("New-SmbShare: The name has already been shared.",
              "Windows System Error 2118,New-SmbShare"),
    "smb-hardening": ("Set-SmbServerConfiguration: The service has not been started.",
                      "Windows System Error 1062,Set-SmbServerConfiguration"),
    "firewall": ("New-NetFirewallRule: Access is denied.",
                 "Windows System Error 5,New-NetFirewallRule"),
    "connect": ("New-PSDrive: Multiple connections to a server or shared resource by the same user, using more "
                "than one user name, are not allowed. Disconnect all previous connections to the server or shared "
                "resource and try again.",
                "CouldNotMapNetworkDrive,Microsoft.PowerShell.Commands.NewPSDriveCommand"),
    "write": ("Set-Content: Access to the path is denied.",
              "GetContentWriterUnauthorizedAccessError,Microsoft.PowerShell.Commands.SetContentCommand"),
    "read": ("Get-Content: The network path was not found.",
             "GetContentReaderIOError,Microsoft.PowerShell.Commands.GetContentCommand"),
    "delete": ("Remove-Item: The process cannot access the file because it is being used by another process.",
               "RemoveFileSystemItemIOError,Microsoft.PowerShell.Commands.RemoveItemCommand"),
}
# Set-LocalUser's refusal of a password the local policy rejects (New-LocalUser's words): a share
# user's reset, and reset-admin-password's one sub-step (also its injected failure).
_SET_LOCAL_USER_REFUSED = ("Set-LocalUser: " + FAILURES["user"][0].split(": ", 1)[1], FAILURES["user"][1])
FAILURES["admin-password"] = _SET_LOCAL_USER_REFUSED


_Fail = SubStepFailure
_clip = clip


def simulate(script: str, parameters: Mapping[str, str], protected: Mapping[str, str], server: dict[str, Any],
             fail_substep: str | None = None) -> tuple[str, str, int]:
    """(stdout, stderr, exit_code) of running ``script`` on the simulated server."""
    name = script_name(script)
    if name not in SUBSTEPS:
        return "", "", 0
    if name == WINRM_BOOTSTRAP:
        from wizard.standin.fake_winrm import simulate_bootstrap

        return simulate_bootstrap(dict(parameters or {}), dict(protected or {}), server, fail_substep, _decode)
    if name == RESET_ADMIN_PASSWORD:
        return _reset_admin(parameters or {}, protected or {}, server, fail_substep)
    start_error, cfg, secret = _read_params(name, parameters or {}, protected or {})
    handlers = _CONFIGURE if name == CONFIGURE_SERVER else _SELF_TEST
    run = _Run(server, cfg, secret)
    lines, failed = run_substeps(SUBSTEPS[name], {step: functools.partial(handlers[step], run) for step in SUBSTEPS[name]},
                                 start_error=start_error, fail_substep=fail_substep, failures=FAILURES)
    if name == SELF_TEST and cfg:
        remove_connections(server, cfg["computer_name"])     # the script's finally { Disconnect-HpcProbe }
    run.cleanup()
    stdout = "\r\n".join(lines) + "\r\n"
    return stdout, "", 1 if failed else 0


def _reset_admin(parameters: Mapping[str, str], protected: Mapping[str, str], server: dict[str, Any],
                 fail_substep: str | None) -> tuple[str, str, int]:
    """reset-admin-password.ps1: the admin account's NT hash (what the stand-in's WinRM endpoint
    checks a logon against; the compute handler set it at VM creation) becomes the new password's."""
    start_error, cfg, secret = _read_params(RESET_ADMIN_PASSWORD, parameters, protected, key="admin_password")

    def set_admin() -> Outcome:
        admin = server.get("admin")
        name, password = cfg["admin_user"], secret["admin_password"]
        if not admin or str(admin.get("name", "")).lower() != name.lower():
            raise _Fail(f"no local user '{name}' on this server (the VM was created with another admin user name)")
        if not _meets_policy(password, name):
            raise _Fail(*_SET_LOCAL_USER_REFUSED)     # as for the share user: the local policy says no
        from spnego._ntlm_raw.crypto import ntowfv1

        admin.pop("nt_hash", None)       # never in the state file: the hash stays in memory (vault)
        admin["nt_hash_ref"] = vault.keep(ntowfv1(password).hex(), admin.get("nt_hash_ref"))
        return "changed", f"Local administrator '{name}': password set", {}

    (step,) = SUBSTEPS[RESET_ADMIN_PASSWORD]
    lines, failed = run_substeps((step,), {step: set_admin}, start_error=start_error, fail_substep=fail_substep,
                                 failures=FAILURES)
    return "\r\n".join(lines) + "\r\n", "", 1 if failed else 0


# ---- parameters, as the script's start block reads them ---------------------------------------

def _decode(name: str, text: str | None) -> dict[str, Any]:
    if not isinstance(text, str) or not text.strip():
        raise _Fail(f"parameter -{name} is missing or empty")
    try:
        base64.b64decode(text.strip().encode("ascii"), validate=True)
    except (binascii.Error, ValueError, UnicodeEncodeError):
        raise _Fail(f"parameter -{name} is not valid base64") from None
    try:
        return decode_param(text.strip())
    except json.JSONDecodeError:
        raise _Fail(f"parameter -{name} is not valid JSON") from None
    except (ValueError, UnicodeDecodeError):
        raise _Fail(f"parameter -{name} is not a JSON object") from None


def _read_params(name: str, parameters: Mapping[str, str], protected: Mapping[str, str], *,
                 key: str = "share_password") -> tuple[str | None, dict[str, Any], dict[str, Any]]:
    """(start error, config, {key: password}) as the script's start block reads them."""
    try:
        cfg = _decode(CONFIG_PARAM, parameters.get(CONFIG_PARAM, protected.get(CONFIG_PARAM)))
        # Managed Run Command sends it protected; action Run Command as an ordinary parameter.
        secret = _decode(SECRET_PARAM, protected.get(SECRET_PARAM, parameters.get(SECRET_PARAM)))
        if key not in secret:
            raise _Fail(f"parameter -SecretB64 lacks the key '{key}'")
        if not isinstance(secret[key], str) or not secret[key]:
            raise _Fail(f"parameter -SecretB64: {key} must be a non-empty string")
        try:
            check_config(name, cfg)
        except ConfigError as e:
            raise _Fail(e.message) from None
    except _Fail as f:
        return f.message, {}, {}
    return None, cfg, {key: secret[key]}


# ---- the simulated machine --------------------------------------------------------------------

def _hash_password(password: str, salt: bytes | None = None) -> str:
    salt = salt if salt is not None else os.urandom(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, _PBKDF2_ROUNDS)
    return f"pbkdf2_sha256${_PBKDF2_ROUNDS}${salt.hex()}${digest.hex()}"


# Password verifiers live in this process only, never in the state the stand-in saves: a PBKDF2
# hash in state.json could be guessed offline against the real share password (security review,
# finding 9). A user record holds a random reference to its verifier. After a restart of the
# stand-in the reference finds nothing: configure-server then resets the password ("changed", the
# safe answer: a generated password is shown), and a self-test adopts the first password it is
# given (a real server would remember; the stand-in cannot without keeping a verifier on disk).
def _set_password(user: dict[str, Any], password: str) -> None:
    user["password_ref"] = vault.keep(_hash_password(password), user.get("password_ref"))
    user.pop("password_hash", None)          # written by older stand-ins: drop it


def _password_matches(user: dict[str, Any], password: str, *, adopt_unknown: bool = False) -> bool:
    stored = vault.recall(user.get("password_ref"))
    if stored is None and adopt_unknown and user.get("password_ref"):
        _set_password(user, password)       # set before this stand-in started: see _VERIFIERS
        return True
    return stored is not None and _check_password(password, stored)


def _check_password(password: str, stored: str) -> bool:
    try:
        _, rounds, salt, digest = stored.split("$")
        got = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), bytes.fromhex(salt), int(rounds))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got.hex(), digest)


def _meets_policy(password: str, username: str) -> bool:
    """Windows' default complexity rule (passfilt): 3 of 4 classes, no user name, 8+ characters."""
    classes = sum(bool(re.search(p, password)) for p in (r"[a-z]", r"[A-Z]", r"[0-9]", r"[^A-Za-z0-9]"))
    if len(password) < 8 or classes < 3:
        return False
    return not (len(username) > 2 and username.lower() in password.lower())


def _bool(v: bool) -> str:
    return "True" if v else "False"


# ---- which Windows, which disks: chosen by environment, kept with the VM -------------------------

ENV_WINDOWS = "HPCSHARE_STANDIN_WINDOWS"
ENV_DISKS = "HPCSHARE_STANDIN_DISKS"
WINDOWS_VERSIONS = ("2019", "2022", "2025")
DISK_BUSES = ("scsi", "nvme")


def _env_choice(name: str, allowed: tuple[str, ...], default: str) -> str:
    value = (os.environ.get(name) or default).strip().lower()
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(allowed)}, not {value!r}")
    return value


def _rule(name: str, display: str, group: str, port: str, *, enabled: bool = False, protocol: str = "TCP",
          program: str = "System", store: str = "PersistentStore") -> dict[str, Any]:
    return {"builtin": True, "display": display, "group": group, "enabled": enabled, "direction": "Inbound",
            "action": "Allow", "protocol": protocol, "local_ports": [port], "remote": ["Any"], "program": program,
            "store": store}


_FPS = "File and Printer Sharing"
_FPS_RESTRICTIVE = "File and Printer Sharing (Restrictive)"


def builtin_rules(version: str) -> dict[str, dict[str, Any]]:
    """The inbound rules of a fresh Windows Server that admit TCP 445/139 (plus neighbours that do not).

    Classic group names as exported from Server 2019/2022 ("FPS-SMB-In-TCP", "FPS-NB_Session-In-TCP",
    their "-NoScope" Domain twins). 2025 adds "File and Printer Sharing (Restrictive)" without NetBIOS
    (What's new in Windows Server 2025: "creation of an SMB share ... results in the automatic
    configuration of the new 'File and Printer Sharing (Restrictive)' group, which no longer permits
    inbound NetBIOS ports 137-139"); Microsoft does not document that rule's Name, so the one here is
    made up on purpose: the script must not depend on names. "File Server Remote Management (SMB-In)"
    (TCP 445, for Server Manager) is enabled on a fresh Windows Server [unverified on a VM]."""
    rules = {
        "FPS-SMB-In-TCP": _rule("FPS-SMB-In-TCP", f"{_FPS} (SMB-In)", _FPS, "445"),
        "FPS-SMB-In-TCP-NoScope": _rule("FPS-SMB-In-TCP-NoScope", f"{_FPS} (SMB-In)", _FPS, "445"),
        "FPS-NB_Session-In-TCP": _rule("FPS-NB_Session-In-TCP", f"{_FPS} (NB-Session-In)", _FPS, "139"),
        "FPS-NB_Session-In-TCP-NoScope": _rule("FPS-NB_Session-In-TCP-NoScope", f"{_FPS} (NB-Session-In)", _FPS, "139"),
        "FPS-NB_Name-In-UDP": _rule("FPS-NB_Name-In-UDP", f"{_FPS} (NB-Name-In)", _FPS, "137", protocol="UDP"),
        "FPS-NB_Datagram-In-UDP": _rule("FPS-NB_Datagram-In-UDP", f"{_FPS} (NB-Datagram-In)", _FPS, "138",
                                        protocol="UDP"),
        "FileServer-ServerManager-SMB-TCP-In": _rule("FileServer-ServerManager-SMB-TCP-In",
                                                     "File Server Remote Management (SMB-In)",
                                                     "File Server Remote Management", "445", enabled=True),
        "RemoteDesktop-UserMode-In-TCP": _rule("RemoteDesktop-UserMode-In-TCP", "Remote Desktop - User Mode (TCP-In)",
                                               "Remote Desktop", "3389", enabled=True, program="Any"),
    }
    if version == "2025":
        rules["FPSRestrictive-SMB-In-TCP"] = _rule("FPSRestrictive-SMB-In-TCP", f"{_FPS_RESTRICTIVE} (SMB-In)",
                                                   _FPS_RESTRICTIVE, "445")
    return rules


def share_group(version: str) -> str:
    """The rule group Windows enables when a share is created (same source as builtin_rules)."""
    return _FPS_RESTRICTIVE if version == "2025" else _FPS


def admits_smb(rule: dict[str, Any]) -> bool:
    """The script's Test-HpcSmbPortFilter: TCP, and 445 or 139 by number, range or 'Any' (unless the
    rule is for one program other than System)."""
    if str(rule.get("protocol")) not in ("TCP", "6"):
        return False
    for port in rule.get("local_ports", []):
        s = str(port)
        if s in ("445", "139"):
            return True
        m = re.fullmatch(r"(\d+)-(\d+)", s)
        if m and any(int(m[1]) <= p <= int(m[2]) for p in (445, 139)):
            return True
        if s == "Any" and rule.get("program", "Any") in ("Any", "System"):
            return True
    return False


def open_smb_rules(rules: dict[str, Any], stores: tuple[str, ...] = ("PersistentStore", "GroupPolicy")) -> list[str]:
    """Enabled inbound Allow rules other than hpcshare's that admit TCP 445 or 139."""
    return sorted(name for name, r in rules.items()
                  if r.get("enabled") and r.get("direction", "Inbound") == "Inbound" and r.get("action", "Allow") == "Allow"
                  and name not in _OWN_RULES and r.get("store", "PersistentStore") in stores and admits_smb(r))


_OWN_RULES = ("hpcshare-SMB-In-TCP-445", "hpcshare-SMB-In-UDP-445")

# Disk identities as Windows shows them. SCSI: Location "Integrated : Adapter a : Port 0 : Target 0 :
# LUN n" (manage-disks-standalone-storage-spaces), the OS and temporary disk on adapter 0, data disks
# on another (kubernetes-sigs/azuredisk-csi-driver #2661). NVMe (v6+): one controller for OS and
# data disks, Location without LUN, model "MSFT NVMe Accelerator v1.0"; local temporary disks are
# "Microsoft NVMe Direct Disk v2", raw (enable-nvme-temp-faqs); data disk NSID = LUN + 2
# (Azure/azure-vm-utils PR #11); the device path ends in NSID - 1 (azuredisk-csi-driver PR #3632).
_NVME_REMOTE = "MSFT NVMe Accelerator v1.0"
_NVME_LOCAL = "Microsoft NVMe Direct Disk v2"
_SCSI_MODEL = "Virtual Disk"


def _nvme_path(nsid: int) -> str:
    return f"\\\\?\\scsi#disk&ven_nvme&prod_msft_nvme_accele#6&ca10229&0&{nsid - 1:06d}#{{53f56307-b6bf-11d0-94f2-00a0c91efb8b}}"


def _volume_id(key: str) -> str:
    return "\\\\?\\Volume{" + str(uuid.uuid5(uuid.NAMESPACE_URL, "hpcshare-standin:" + key)) + "}\\"


class _Run:
    """One script run: the server state plus the decoded parameters."""

    def __init__(self, server: dict[str, Any], cfg: dict[str, Any], secret: dict[str, Any]) -> None:
        self.server = server
        self.cfg = cfg
        self._password = secret.get("share_password", "")
        self.probe: str | None = None
        self.windows = server.setdefault("windows", _env_choice(ENV_WINDOWS, WINDOWS_VERSIONS, "2022"))
        self.bus = server.setdefault("disk_bus", _env_choice(ENV_DISKS, DISK_BUSES, "scsi"))

    @property
    def computer(self) -> str:
        return str(self.server.get("computer_name") or self.cfg.get("computer_name") or "FS01").upper()

    def cleanup(self) -> None:
        self.probe = None
        self._password = ""

    def users(self) -> dict[str, Any]:
        return self.server.setdefault("users", {})

    def shares(self) -> dict[str, Any]:
        return self.server.setdefault("shares", {})

    def rules(self) -> dict[str, Any]:
        return self.server.setdefault("firewall_rules", builtin_rules(self.windows))

    def registry(self) -> dict[str, Any]:
        return self.server.setdefault("registry", {})

    # -- disks ------------------------------------------------------------------------------------
    def disk_states(self) -> dict[str, Any]:
        """Partitions and volumes per disk, kept across runs (the disk's content)."""
        return self.server.setdefault("disk_state", {})

    def disks(self) -> list[dict[str, Any]]:
        """Get-Disk as Windows would answer it now: OS, temporary, then the attached data disks."""
        attached = self.server.get("data_disks")
        if attached is None:     # no Azure behind this call: the disk the config asks for is attached
            attached = [{"lun": self.cfg.get("disk_lun", 0), "size_gib": self.cfg.get("disk_size_gib", 1024)}]
        states = self.disk_states()
        sizes = [int(d.get("size_gib", d.get("size_gb")) or 0) for d in attached]
        temp_size = sizes[0] if sizes else 16          # the worst case: the temporary disk has the data disk's size
        nvme = self.bus == "nvme"
        os_disk: dict[str, Any] = {"key": "os", "boot": True, "size_gib": 127, "lun": None}
        temp: dict[str, Any] = {"key": "temp", "boot": False, "size_gib": temp_size, "lun": None, "local": True}
        if nvme:
            os_disk.update(bus="NVMe", model=_NVME_REMOTE, location="Integrated : Bus 0 : Device 0 : Function 0 : Adapter 0",
                           path=_nvme_path(1))
            temp.update(bus="NVMe", model=_NVME_LOCAL, location="Integrated : Bus 0 : Device 0 : Function 0 : Adapter 1",
                        path="\\\\?\\scsi#disk&ven_nvme&prod_microsoft_nvme#7&2b1c3f&0&000000#{53f56307-b6bf-11d0-94f2-00a0c91efb8b}")
        else:
            os_disk.update(bus="SAS", model=_SCSI_MODEL, location="Integrated : Adapter 0 : Port 0 : Target 0 : LUN 0",
                           path="\\\\?\\scsi#disk&ven_msft&prod_virtual_disk#000000")
            temp.update(bus="SAS", model=_SCSI_MODEL, location="Integrated : Adapter 0 : Port 0 : Target 0 : LUN 1",
                        path="\\\\?\\scsi#disk&ven_msft&prod_virtual_disk#000001")
            # Azure formats the SCSI temporary disk as D: 'Temporary Storage' (NVMe ones stay raw).
            states.setdefault("temp", {"style": "MBR", "partitions": [
                {"number": 1, "size_gib": temp_size, "letter": "D",
                 "volume": {"id": _volume_id("temp"), "file_system": "NTFS", "label": "Temporary Storage"}}]})
        out: list[dict[str, Any]] = [os_disk, temp]
        for d, size in zip(attached, sizes):
            lun = int(d.get("lun", 0))
            key = f"lun{lun}"
            disk: dict[str, Any] = {"key": key, "boot": False, "size_gib": size, "lun": lun}
            if nvme:
                disk.update(bus="NVMe", model=_NVME_REMOTE, location="Integrated : Bus 0 : Device 0 : Function 0 : Adapter 0",
                            path=_nvme_path(lun + 2))
            else:
                disk.update(bus="SAS", model=_SCSI_MODEL, location=f"Integrated : Adapter 1 : Port 0 : Target 0 : LUN {lun}",
                            path=f"\\\\?\\scsi#disk&ven_msft&prod_virtual_disk#1{lun:05d}")
            if key not in states and d.get("file_system"):     # a disk that arrived with data on it
                states[key] = {"style": "GPT", "partitions": [
                    {"number": 2, "size_gib": size, "letter": None,
                     "volume": {"id": _volume_id(key), "file_system": d["file_system"], "label": d.get("label", "")}}]}
            out.append(disk)
        for number, disk in enumerate(out):
            disk["number"] = number
            disk["state"] = states.setdefault(disk["key"], {"style": "GPT" if disk["boot"] else "RAW", "partitions": []})
        return out

    def volumes(self) -> list[tuple[dict[str, Any], dict[str, Any]]]:
        """(disk, partition) for every partition that has a volume."""
        return [(d, p) for d in self.disks() for p in d["state"]["partitions"] if p.get("volume")]

    def volume_at(self, letter: str) -> dict[str, Any] | None:
        if letter == "C":
            return {"id": _volume_id("os"), "file_system": "NTFS", "label": "Windows"}
        for _, p in self.volumes():
            if p.get("letter") == letter:
                return dict(p["volume"])
        return None


# ---- configure-server -------------------------------------------------------------------------

def _disk_facts(disk: dict[str, Any]) -> dict[str, Any]:
    """The script's Get-HpcDiskFacts, reading the same strings."""
    facts: dict[str, Any] = {"lun": -1, "local": False, "nvme": disk["bus"] == "NVMe", "adapter": -1,
                             "how": "not readable"}
    m = re.search(r"Adapter\s*(\d+)", disk["location"])
    if m:
        facts["adapter"] = int(m[1])
    if facts["nvme"]:
        if not disk["model"].startswith("MSFT NVMe Accelerator"):
            facts["local"] = True
            return facts
        m = re.search(r"&0&(\d+)(?:#|$)", disk["path"])
        if m:
            nsid = int(m[1]) + 1
            facts.update(lun=nsid - 2, how=f"NVMe namespace {nsid}")
        return facts
    m = re.search(r"LUN\s*(\d+)", disk["location"])
    if m:
        facts.update(lun=int(m[1]), how="location")
    return facts


def _unformatted(volume: dict[str, Any] | None) -> bool:
    return volume is None or volume.get("file_system") in ("", "RAW", None, "Unknown")


def _ours(volume: dict[str, Any], our_id: str, label: str) -> bool:
    return bool(our_id and volume.get("id") == our_id) or (volume.get("file_system") == "NTFS" and volume.get("label") == label)


def _select_disk(r: _Run, lun: int, size: int, our_id: str, label: str) -> dict[str, Any]:
    disks = r.disks()
    boot_adapter = next((_disk_facts(d)["adapter"] for d in disks if d["boot"] and not _disk_facts(d)["nvme"]), -1)
    seen, hits = [], []
    for d in disks:
        f = _disk_facts(d)
        why = ""
        if d["boot"]:
            why = "OS disk"
        elif f["local"]:
            why = "local NVMe"
        elif boot_adapter >= 0 and not f["nvme"] and f["adapter"] == boot_adapter:
            why = "on the OS disk adapter"
        elif d["size_gib"] != size:
            why = "other size"
        elif f["lun"] >= 0 and f["lun"] != lun:
            why = "other LUN"
        else:
            for p in d["state"]["partitions"]:
                v = p.get("volume")
                if not _unformatted(v) and not _ours(v, our_id, label):
                    why = f"holds {v['file_system']} '{v.get('label', '')}'"
                    break
        seen.append(f"{d['number']}:{d['size_gib']}GiB/LUN{f['lun']}/{why}")
        if not why:
            hits.append(d)
    if len(hits) != 1:
        raise _Fail(f"expected exactly 1 data disk of {size} GiB at LUN {lun}, found {len(hits)} (disks: {', '.join(seen)})")
    return hits[0]


_HPC_KEY = "HKLM:\\SOFTWARE\\hpcshare"


def _disk(r: _Run) -> Outcome:
    c = r.cfg
    letter, label, lun, size = c["drive_letter"], c["volume_label"], c["disk_lun"], c["disk_size_gib"]
    kib = c["cluster_bytes"] // 1024
    where = f"LUN {lun} ({size} GiB)"
    our_id = str(r.registry().get(_HPC_KEY, {}).get("DataVolume", ""))
    at = r.volume_at(letter)
    if at is not None and not _unformatted(at) and not _ours(at, our_id, label):
        raise _Fail(f"drive {letter}: is already used by another volume ('{at.get('label', '')}', {at.get('file_system')}) "
                    "that hpcshare did not create; choose another drive letter (disk.drive_letter)")
    d = _select_disk(r, lun, size, our_id, label)
    facts = _disk_facts(d)
    n, state = d["number"], d["state"]
    did: list[str] = []
    if state["style"] == "MBR":
        raise _Fail(f"disk {n} at {where} has an MBR partition table: it was set up elsewhere, refusing to touch it")
    if state["style"] == "RAW":
        state["style"] = "GPT"
        did.append("initialized GPT")
    parts = state["partitions"]
    if len(parts) > 1:
        raise _Fail(f"disk {n} at {where} already has {len(parts)} partitions: refusing to touch it")
    if not parts:
        parts.append({"number": 2, "size_gib": size, "letter": letter, "volume": None})
        did.append(f"partitioned as {letter}:")
    p = parts[0]
    v = p.get("volume")
    if _unformatted(v):
        p["volume"] = v = {"id": "\\\\?\\Volume{" + str(uuid.uuid4()) + "}\\", "file_system": "NTFS",
                           "label": label, "cluster_bytes": c["cluster_bytes"]}
        did.append(f"formatted NTFS '{label}' ({kib} KiB clusters)")
    elif not _ours(v, our_id, label):
        raise _Fail(f"disk {n} at {where} already holds a {v['file_system']} file system labelled '{v.get('label', '')}' "
                    "that hpcshare did not create: refusing to format it")
    elif v.get("label") != label:
        did.append(f"relabelled '{v.get('label')}' -> '{label}'")
        v["label"] = label
    assert v is not None
    if v["id"] != our_id:
        r.registry().setdefault(_HPC_KEY, {})["DataVolume"] = v["id"]
        if not any(x.startswith("formatted") for x in did):
            did.append("recorded as hpcshare's volume")
    if d["size_gib"] > p["size_gib"]:            # Get-PartitionSupportedSize: the disk grew in Azure
        did.append(f"partition extended from {p['size_gib']} GiB to {d['size_gib']} GiB")
        p["size_gib"] = d["size_gib"]
    current = p.get("letter")
    if not current:
        p["letter"] = letter
        did.append(f"mounted as {letter}:")
    elif current != letter:
        using = [s["name"] for s in r.shares().values() if s["path"].upper().startswith(f"{current}:")]
        if using:
            raise _Fail(f"hpcshare's volume '{label}' is mounted as {current}:, not {letter}:, and the share(s) "
                        f"{', '.join(using)} point into {current}:. To keep the server as it is, set disk.drive_letter "
                        f"back to {current}. To move it: on the server run Remove-SmbShare -Name {using[0]} -Force for "
                        f"each (files stay), then Set-Partition -DriveLetter {current} -NewDriveLetter {letter}, then run "
                        "hpcshare again.")
        p["letter"] = letter
        did.append(f"moved from {current}: to {letter}: (no share used it)")
    note = (f"LUN {facts['lun']} checked by {facts['how']}" if facts["lun"] >= 0
            else "LUN not readable on this disk: chosen by size, bus and volumes")
    data = {"disk": n, "letter": letter, "lunCheck": facts["how"]}
    if not did:
        return "ok", f"Disk at {where} is already NTFS '{label}' as {letter}: ({note})", data
    return "changed", f"Disk at {where}: {', '.join(did)}; now NTFS '{label}' as {letter}: ({note})", data


_FACTS_USER = "member of Users, not an administrator, password never expires"


def _logon_network(r: _Run, name: str) -> str:
    """LogonUser(LOGON32_LOGON_NETWORK): 'match' or 'differs' (ERROR_LOGON_FAILURE 1326). It opens
    no SMB connection, so it leaves nothing in SYSTEM's logon session."""
    u = r.users().get(name.lower())
    return "match" if u is not None and _password_matches(u, r._password) else "differs"


def _user(r: _Run) -> Outcome:
    name = r.cfg["share_user"]
    users = r.users()
    u = users.get(name.lower())
    if u is None:
        if not _meets_policy(r._password, name):
            raise _Fail(*FAILURES["user"])
        sid = _SID_PREFIX + str(1000 + len(users) + 1)
        users[name.lower()] = {"name": name, "sid": sid, "enabled": True, "groups": ["Users"],
                               "password_never_expires": True}
        _set_password(users[name.lower()], r._password)
        return "changed", f"Local user '{name}' created: {_FACTS_USER}", {"sid": sid, "password_set": True}
    if _logon_network(r, name) == "match":
        return "ok", f"Local user '{name}' exists: password already matches, {_FACTS_USER}", {"sid": u["sid"], "password_set": False}
    if r.cfg.get("keep_password"):
        # As the script: a re-run with a generated password leaves the earlier one in place.
        return "ok", f"Local user '{name}' exists: password kept as set earlier, {_FACTS_USER}", {"sid": u["sid"], "password_set": False}
    if not _meets_policy(r._password, name):
        raise _Fail(*_SET_LOCAL_USER_REFUSED)
    _set_password(u, r._password)
    return "changed", f"Local user '{name}' password reset: {_FACTS_USER}", {"sid": u["sid"], "password_set": True}


def _role(r: _Run) -> Outcome:
    features = r.server.setdefault("features", {"FS-FileServer": False})
    if features.get("FS-FileServer"):
        return "ok", "File Server role (FS-FileServer) already installed", {"restartNeeded": "No"}
    features["FS-FileServer"] = True
    return "changed", "File Server role (FS-FileServer) installed; no restart needed", {"restartNeeded": "No"}


_RIGHTS = {"read": "ReadAndExecute", "change": "Modify", "full": "FullControl"}
_SHARE_RIGHTS = {"read": "Read", "change": "Change", "full": "Full"}


def _folder(r: _Run) -> Outcome:
    c = r.cfg
    root = f"{c['drive_letter']}:\\"
    path = root + c["folder"]
    if r.volume_at(c["drive_letter"]) is None:
        raise _Fail(f"drive {root} does not exist: the disk sub-step has not prepared it")
    u = r.users().get(c["share_user"].lower())
    if u is None:
        raise _Fail(f"Get-LocalUser: User {c['share_user']} was not found.", "UserNotFound,Microsoft.PowerShell.Commands.GetLocalUserCommand")
    rights = _RIGHTS[c["access"]]
    want = {"S-1-5-18": "FullControl", "S-1-5-32-544": "FullControl", u["sid"]: rights}
    folders = r.server.setdefault("folders", {})
    f = folders.get(path.lower())
    facts = f"{c['share_user']} {rights}, SYSTEM and Administrators Full control, nothing inherited from {root}"
    if f is not None and f.get("protected") and f.get("acl") == want:
        return "ok", f"Folder {path} already has the expected NTFS permissions: {facts}", {"path": path}
    did = ["created"] if f is None else []
    folders[path.lower()] = {"path": path, "protected": True, "acl": want}
    did.append("NTFS permissions set")
    return "changed", f"Folder {path} {', '.join(did)}: {facts}", {"path": path}


def _share(r: _Run) -> Outcome:
    c = r.cfg
    name, path, encrypt = c["share_name"], f"{c['drive_letter']}:\\{c['folder']}", c["encrypt"]
    acct = f"{r.computer}\\{c['share_user']}"
    right = _SHARE_RIGHTS[c["access"]]
    want = {_ADMINS: "Full", acct: right}
    shares = r.shares()
    s = shares.get(name.lower())
    did: list[str] = []
    if s is not None and s["path"].lower() != path.lower():
        raise _Fail(f"share '{name}' already exists for {s['path']}, not {path}. To keep the server as it is, set the "
                    "answers back to that folder and drive. To move the share: on the server run Remove-SmbShare "
                    f"-Name {name} -Force (the folder and its files stay; copy them over if you need them), then run "
                    "hpcshare again. Or choose another share name (share.name).")
    if s is None:
        s = shares[name.lower()] = {"name": name, "path": path, "encrypt": encrypt, "access": dict(want),
                                    "folder_enumeration": "AccessBased", "caching": "None"}
        did.append("created")
        # As on Windows: creating a share enables the File and Printer Sharing group (2019/2022) or
        # its Restrictive twin (2025), whatever was disabled before (see builtin_rules).
        group = share_group(r.windows)
        for rule in r.rules().values():
            if rule.get("group") == group:
                rule["enabled"] = True
    else:
        if s.get("encrypt") != encrypt:
            s["encrypt"] = encrypt
            did.append("settings updated")
        have = s.get("access", {})
        for account, have_right in list(have.items()):
            if want.get(account) != have_right:
                del have[account]
                did.append(f"{account} revoked")
        for account, want_right in want.items():
            if have.get(account) != want_right:
                have[account] = want_right
                did.append(f"{account} granted {want_right}")
        s["access"] = have
    facts = f"{acct} {right}, {_ADMINS} Full, no Everyone; encryption {'on' if encrypt else 'off'}"
    unc = f"\\\\{r.computer}\\{name}"
    if not did:
        return "ok", f"Share {unc} -> {path} already as wanted: {facts}", {"unc": unc}
    return "changed", f"Share {unc} -> {path} {', '.join(did)}: {facts}", {"unc": unc}


def _hardening(r: _Run) -> Outcome:
    encrypt = r.cfg["encrypt"]
    smb = r.server.setdefault("smb_server", {"EnableSMB1Protocol": False, "RequireSecuritySignature": False,
                                             "EncryptData": False, "RejectUnencryptedAccess": True})
    want: dict[str, bool] = {"EnableSMB1Protocol": False, "RequireSecuritySignature": True, "EncryptData": encrypt}
    if encrypt:
        want["RejectUnencryptedAccess"] = True
    did = []
    for k, v in want.items():
        if bool(smb.get(k)) != v:
            smb[k] = v
            did.append(f"{k}={_bool(v)}")
    facts = f"SMB1 off, signing required, encryption {'required' if encrypt else 'off'}"
    if not did:
        return "ok", f"SMB server already hardened: {facts}", {}
    return "changed", f"SMB server: set {', '.join(did)}; {facts}", {}


def _firewall(r: _Run) -> Outcome:
    c = r.cfg
    remote = list(c["smb_remote"])
    rules = r.rules()
    did: list[str] = []

    def converge(name: str, protocol: str, display: str) -> None:
        rule = rules.get(name)
        want = {"builtin": False, "display": display, "group": "hpcshare", "enabled": True, "direction": "Inbound",
                "action": "Allow", "protocol": protocol, "local_ports": ["445"], "remote": remote, "profile": "Any",
                "program": "Any", "store": "PersistentStore"}
        if rule is None:
            rules[name] = want
            did.append(f"created rule {name}")
        elif not (rule.get("enabled") and rule.get("protocol") == protocol and rule.get("local_ports") == ["445"]
                  and address_key(rule.get("remote", [])) == address_key(remote)):
            rules[name] = want
            did.append(f"updated rule {name}")

    converge("hpcshare-SMB-In-TCP-445", "TCP", "hpcshare: SMB (TCP 445)")
    if c["udp_445"]:
        converge("hpcshare-SMB-In-UDP-445", "UDP", "hpcshare: SMB (UDP 445)")
    elif "hpcshare-SMB-In-UDP-445" in rules:
        del rules["hpcshare-SMB-In-UDP-445"]
        did.append("removed rule hpcshare-SMB-In-UDP-445")
    # Disable-NetFirewallRule acts on the local (persistent) store; Group Policy rules stay.
    disabled = open_smb_rules(rules, ("PersistentStore",))
    for name in disabled:
        rules[name]["enabled"] = False
    if disabled:
        did.append(f"disabled {len(disabled)} other rule(s) admitting TCP 445/139: {', '.join(disabled)}")
    left = open_smb_rules(rules)
    if left:
        raise _Fail("still enabled after disabling, so TCP 445/139 stays open beyond the scope (Group Policy or "
                    "another policy store sets them; disable them there): "
                    + ", ".join(f"{n} ({rules[n].get('display', '')})" for n in left))
    proto = "TCP and UDP 445" if c["udp_445"] else "TCP 445"
    facts = f"{proto} allowed from {', '.join(remote)} only; no other enabled rule admits TCP 445 or 139"
    data = {"remote": remote, "disabled": disabled}
    if not did:
        return "ok", f"Windows Firewall already as wanted: {facts}", data
    return "changed", f"Windows Firewall: {', '.join(did)}; {facts}", data


# ---- self-test --------------------------------------------------------------------------------

ERROR_1219 = ("Multiple connections to a server or shared resource by the same user, using more than one user "
              "name, are not allowed. Disconnect all previous connections to the server or shared resource and "
              "try again.")


def add_connection(server: dict[str, Any], unc: str, credential: str) -> None:
    """WNetAddConnection2 in SYSTEM's logon session (shared by every SYSTEM process): one set of
    credentials per server name (KB 183366, "WNetAddConnection2 and Multiple User Credentials"),
    else error 1219."""
    host = unc.split("\\")[2].lower()
    connections = server.setdefault("smb_client_connections", [])
    for conn in connections:
        if conn["remote"].split("\\")[2].lower() == host and conn["credential"].lower() != credential.lower():
            raise _Fail("New-PSDrive: " + ERROR_1219, "CouldNotMapNetworkDrive,Microsoft.PowerShell.Commands.NewPSDriveCommand")
    connections.append({"remote": unc, "credential": credential})


def remove_connections(server: dict[str, Any], host: str) -> list[str]:
    """Remove-SmbMapping for every connection of the logon session to ``host``."""
    connections = server.setdefault("smb_client_connections", [])
    gone = [c["remote"] for c in connections if c["remote"].split("\\")[2].lower() == host.lower()]
    server["smb_client_connections"] = [c for c in connections if c["remote"] not in gone]
    return gone


def _connect(r: _Run) -> Outcome:
    c = r.cfg
    unc = f"\\\\{c['computer_name']}\\{c['share_name']}"
    who = f"{c['computer_name']}\\{c['share_user']}"
    err = "CouldNotMapNetworkDrive,Microsoft.PowerShell.Commands.NewPSDriveCommand"
    removed = remove_connections(r.server, c["computer_name"])
    if c["computer_name"].upper() != r.computer:
        raise _Fail("New-PSDrive: The network path was not found.", err)
    share = r.shares().get(c["share_name"].lower())
    if share is None:
        raise _Fail("New-PSDrive: The network name cannot be found.", err)
    u = r.users().get(c["share_user"].lower())
    if u is None or not u.get("enabled", True) or not _password_matches(u, r._password, adopt_unknown=True):
        raise _Fail("New-PSDrive: The user name or password is incorrect.", err)
    if not any(k.lower() == f"{r.computer}\\{c['share_user']}".lower() for k in share.get("access", {})):
        raise _Fail("New-PSDrive: Access is denied.", err)
    add_connection(r.server, unc, who)
    before = f"removed earlier connection(s) {', '.join(removed)}" if removed else f"no earlier connection to {c['computer_name']}"
    return ("ok", f"Connected to {unc} as {who} (Get-SmbConnection: credential {who}, SMB 3.1.1); {before}",
            {"credential": who, "removed": removed})


def _share_right(r: _Run) -> str:
    share = r.shares().get(r.cfg["share_name"].lower(), {})
    for k, v in share.get("access", {}).items():
        if k.lower() == f"{r.computer}\\{r.cfg['share_user']}".lower():
            return str(v)
    return ""


def _write(r: _Run) -> Outcome:
    read_only = r.cfg["access"] == "read"
    if read_only or _share_right(r) == "Read":
        if read_only:
            return "ok", "Write refused, as expected: the share user has read-only access", {}
        raise _Fail("Set-Content: Access to the path is denied.", FAILURES["write"][1])
    r.probe = f".hpcshare-probe-{os.urandom(16).hex()}.txt"
    return "ok", f"Wrote {r.probe} (32 bytes)", {}


def _read(r: _Run) -> Outcome:
    if r.cfg["access"] == "read":
        return "ok", "Listed the share (0 entries seen); nothing to read back with read-only access", {}
    return "ok", "Read the probe file back: 32 bytes, content matches", {}


def _delete(r: _Run) -> Outcome:
    unc = f"\\\\{r.cfg['computer_name']}\\{r.cfg['share_name']}"
    remove_connections(r.server, r.cfg["computer_name"])      # Disconnect-HpcProbe
    if r.cfg["access"] == "read":
        return "ok", f"Nothing to delete with read-only access; disconnected from {unc}", {}
    r.probe = None
    return "ok", f"Deleted the probe file; disconnected from {unc}", {}


_CONFIGURE: dict[str, Callable[[_Run], Outcome]] = {
    "disk": _disk, "user": _user, "file-server-role": _role, "folder-acl": _folder, "share": _share,
    "smb-hardening": _hardening, "firewall": _firewall,
}
_SELF_TEST: dict[str, Callable[[_Run], Outcome]] = {
    "connect": _connect, "write": _write, "read": _read, "delete": _delete,
}
assert tuple(_CONFIGURE) == SUBSTEPS[CONFIGURE_SERVER] and tuple(_SELF_TEST) == SUBSTEPS[SELF_TEST]
