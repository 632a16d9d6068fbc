"""A simulated Windows Server that answers hpcshare's PowerShell scripts as a healthy server would.

The stand-in's Run Command handlers call ``simulate(script, parameters, protected, server,
fail_substep)`` and put the returned stdout/stderr/exit code into the instance view (managed) or
the StdOut/StdErr statuses (action). It recognises the project's scripts by their marker line
(``protocol.script_name``); a foreign script gets no output and exit code 0.

It mirrors the real scripts (assets/powershell/): the same parameter checks and messages, one
``HPCSHARE_RESULT`` line per sub-step, "changed" the first time and "ok" on a re-run, a failure
stops the remaining sub-steps ("skipped") and exits 1. Messages are derived from the decoded
config ("Disk at LUN 0 (1024 GiB) initialized GPT, partitioned, formatted NTFS 'hpcdata' as F:
(4 KiB clusters)").

``server`` is the VM's simulated state, a JSON-able dict the caller keeps per VM (empty for a new
VM) and this module updates in place. Keys the caller MAY set beforehand:

* ``computer_name``: the VM's ``osProfile.computerName`` (default: the config's).
* ``data_disks``: ``[{"lun": 0, "size_gib": 1024}, ...]`` from the VM's ``dataDisks``; when absent
  the disk the config asks for is assumed attached. ``"file_system"``/``"label"`` on an entry
  simulate a disk that already holds data (the script refuses to format it).

Keys this module writes: ``volumes``, ``users`` (name, SID, PBKDF2 hash of the password: never the
password), ``features``, ``folders``, ``shares``, ``smb_server``, ``firewall_rules``.
The secret is never stored or printed in plain text (nor in base64).
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
import re
from collections.abc import Callable, Mapping
from typing import Any

from wizard.remote.config import ConfigError, check_config
from wizard.remote.protocol import (
    CONFIG_PARAM,
    CONFIGURE_SERVER,
    SECRET_PARAM,
    SELF_TEST,
    SUBSTEPS,
    Status,
    SubStepResult,
    decode_param,
    script_name,
)

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


class _Fail(Exception):
    def __init__(self, message: str, error_id: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.error_id = error_id


Outcome = tuple[Status, str, dict[str, Any]]


def simulate(script: str, parameters: Mapping[str, str], protected: Mapping[str, str], server: dict[str, Any],
             fail_substep: str | None = None) -> tuple[str, str, int]:
    """(stdout, stderr, exit_code) of running ``script`` on the simulated server."""
    name = script_name(script)
    if name not in SUBSTEPS:
        return "", "", 0
    start_error, cfg, secret = _read_params(name, parameters or {}, protected or {})
    handlers = _CONFIGURE if name == CONFIGURE_SERVER else _SELF_TEST
    run = _Run(server, cfg, secret)
    lines: list[str] = []
    failed = False
    for step in SUBSTEPS[name]:
        if failed:
            lines.append(SubStepResult(step, "skipped", "not run: an earlier sub-step failed").to_line())
            continue
        if start_error is not None:
            lines.append(SubStepResult(step, "failed", start_error, {"stage": "start"}).to_line())
            failed = True
            continue
        try:
            if fail_substep == step:
                raise _Fail(*FAILURES[step])
            status, message, data = handlers[step](run)
        except _Fail as f:
            lines.append(SubStepResult(step, "failed", _clip(f.message), {"errorId": f.error_id} if f.error_id else {}).to_line())
            failed = True
            continue
        lines.append(SubStepResult(step, status, _clip(message), data).to_line())
    run.cleanup()
    stdout = "\r\n".join(lines) + "\r\n"
    return stdout, "", 1 if failed else 0


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


def _read_params(name: str, parameters: Mapping[str, str], protected: Mapping[str, str]
                 ) -> tuple[str | None, dict[str, Any], dict[str, Any]]:
    try:
        cfg = _decode(CONFIG_PARAM, parameters.get(CONFIG_PARAM, protected.get(CONFIG_PARAM)))
        # Managed Run Command sends it protected; action Run Command as an ordinary parameter.
        secret = _decode(SECRET_PARAM, protected.get(SECRET_PARAM, parameters.get(SECRET_PARAM)))
        if "share_password" not in secret:
            raise _Fail("parameter -SecretB64 lacks the key 'share_password'")
        if not isinstance(secret["share_password"], str) or not secret["share_password"]:
            raise _Fail("parameter -SecretB64: share_password must be a non-empty string")
        try:
            check_config(name, cfg)
        except ConfigError as e:
            raise _Fail(e.message) from None
    except _Fail as f:
        return f.message, {}, {}
    return None, cfg, {"share_password": secret["share_password"]}


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 400 else text[:397] + "..."


# ---- the simulated machine --------------------------------------------------------------------

def _hash_password(password: str, salt: bytes | None = None) -> str:
    salt = salt if salt is not None else os.urandom(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, _PBKDF2_ROUNDS)
    return f"pbkdf2_sha256${_PBKDF2_ROUNDS}${salt.hex()}${digest.hex()}"


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


def _addr_key(addresses: list[str]) -> str:
    out = []
    for a in addresses:
        a = a.strip()
        if re.fullmatch(r"\d{1,3}(?:\.\d{1,3}){3}", a):
            a += "/32"
        out.append(a.lower())
    return ",".join(sorted(out))


class _Run:
    """One script run: the server state plus the decoded parameters."""

    def __init__(self, server: dict[str, Any], cfg: dict[str, Any], secret: dict[str, Any]) -> None:
        self.server = server
        self.cfg = cfg
        self._password = secret.get("share_password", "")
        self.probe: str | None = None

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
        return self.server.setdefault("firewall_rules", {
            "FPS-SMB-In-TCP": {"builtin": True, "enabled": False, "protocol": "TCP", "remote": ["Any"]},
        })


# ---- configure-server -------------------------------------------------------------------------

def _disk(r: _Run) -> Outcome:
    c = r.cfg
    letter, label, lun, size = c["drive_letter"], c["volume_label"], c["disk_lun"], c["disk_size_gib"]
    kib = c["cluster_bytes"] // 1024
    where = f"LUN {lun} ({size} GiB)"
    volumes = r.server.setdefault("volumes", {})
    vol = volumes.get(letter)
    if vol is not None:
        if vol.get("lun") == lun and vol.get("size_gib") == size and vol.get("file_system") == "NTFS" and vol.get("label") == label:
            return "ok", f"Disk at {where} is already NTFS '{label}' as {letter}:", {"disk": vol.get("disk", 2), "letter": letter}
        raise _Fail(f"drive {letter}: is already used by another volume ('{vol.get('label', '')}', "
                    f"{vol.get('file_system', 'NTFS')}); choose another drive letter")
    attached = r.server.get("data_disks")
    number = 2
    if attached is not None:
        seen, hits = [], []
        for i, d in enumerate(attached):
            d_size = d.get("size_gib", d.get("size_gb"))
            seen.append(f"{i + 2}:{d_size}GiB/LUN{d.get('lun')}")
            if d.get("lun") == lun and d_size == size:
                hits.append((i + 2, d))
        if len(hits) != 1:
            disks = ", ".join(["0:127GiB/LUN0", "1:16GiB/LUN1", *seen])
            raise _Fail(f"expected exactly 1 data disk of {size} GiB at LUN {lun}, found {len(hits)} (disks: {disks})")
        number, disk = hits[0]
        fs = disk.get("file_system")
        if fs and (fs != "NTFS" or disk.get("label") != label):
            raise _Fail(f"disk {number} at {where} already holds a {fs} file system labelled "
                        f"'{disk.get('label', '')}': refusing to format it")
    for other_letter, other in list(volumes.items()):
        if other.get("lun") == lun:       # our volume, mounted elsewhere: move it back
            del volumes[other_letter]
            volumes[letter] = dict(other)
            return "changed", f"Disk at {where} mounted as {letter}: (its NTFS '{label}' volume kept)", {"disk": number, "letter": letter}
    volumes[letter] = {"disk": number, "lun": lun, "size_gib": size, "file_system": "NTFS", "label": label,
                       "cluster_bytes": c["cluster_bytes"]}
    return ("changed", f"Disk at {where} initialized GPT, partitioned, formatted NTFS '{label}' as {letter}: ({kib} KiB clusters)",
            {"disk": number, "letter": letter, "clusterBytes": c["cluster_bytes"]})


_FACTS_USER = "member of Users, not an administrator, password never expires"


def _user(r: _Run) -> Outcome:
    name = r.cfg["share_user"]
    users = r.users()
    u = users.get(name.lower())
    if u is None:
        if not _meets_policy(r._password, name):
            raise _Fail(*FAILURES["user"])
        sid = _SID_PREFIX + str(1000 + len(users) + 1)
        users[name.lower()] = {"name": name, "sid": sid, "password_hash": _hash_password(r._password),
                               "enabled": True, "groups": ["Users"], "password_never_expires": True}
        return "changed", f"Local user '{name}' created: {_FACTS_USER}", {"sid": sid}
    if _check_password(r._password, u["password_hash"]):
        return "ok", f"Local user '{name}' exists: password already matches, {_FACTS_USER}", {"sid": u["sid"]}
    if not _meets_policy(r._password, name):
        raise _Fail("Set-LocalUser: " + FAILURES["user"][0].split(": ", 1)[1], FAILURES["user"][1])
    u["password_hash"] = _hash_password(r._password)
    return "changed", f"Local user '{name}' password reset: {_FACTS_USER}", {"sid": u["sid"]}


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
    if c["drive_letter"] not in r.server.get("volumes", {}):
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
        raise _Fail(f"share '{name}' already exists for {s['path']}, not {path}: choose another share name")
    if s is None:
        s = shares[name.lower()] = {"name": name, "path": path, "encrypt": encrypt, "access": dict(want),
                                    "folder_enumeration": "AccessBased", "caching": "None"}
        did.append("created")
        # As on Windows: creating a share switches on the built-in File and Printer Sharing rule.
        r.rules().setdefault("FPS-SMB-In-TCP", {"builtin": True, "protocol": "TCP", "remote": ["Any"]})["enabled"] = True
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

    def converge(name: str, protocol: str) -> None:
        rule = rules.get(name)
        want = {"builtin": False, "enabled": True, "protocol": protocol, "port": 445, "remote": remote, "profile": "Any"}
        if rule is None:
            rules[name] = want
            did.append(f"created rule {name}")
        elif not (rule.get("enabled") and rule.get("protocol") == protocol and _addr_key(rule.get("remote", [])) == _addr_key(remote)):
            rules[name] = want
            did.append(f"updated rule {name}")

    converge("hpcshare-SMB-In-TCP-445", "TCP")
    if c["udp_445"]:
        converge("hpcshare-SMB-In-UDP-445", "UDP")
    elif "hpcshare-SMB-In-UDP-445" in rules:
        del rules["hpcshare-SMB-In-UDP-445"]
        did.append("removed rule hpcshare-SMB-In-UDP-445")
    for builtin in ("FPS-SMB-In-TCP", "FPS-SMB-In-TCP-NoScope"):
        rule = rules.get(builtin)
        if rule is not None and rule.get("enabled"):
            rule["enabled"] = False
            did.append(f"disabled built-in rule {builtin}")
    proto = "TCP and UDP 445" if c["udp_445"] else "TCP 445"
    facts = f"{proto} allowed from {', '.join(remote)} only"
    if not did:
        return "ok", f"Windows Firewall already as wanted: {facts}", {}
    return "changed", f"Windows Firewall: {', '.join(did)}; {facts}", {}


# ---- self-test --------------------------------------------------------------------------------

def _connect(r: _Run) -> Outcome:
    c = r.cfg
    unc = f"\\\\{c['computer_name']}\\{c['share_name']}"
    who = f"{c['computer_name']}\\{c['share_user']}"
    err = "CouldNotMapNetworkDrive,Microsoft.PowerShell.Commands.NewPSDriveCommand"
    if c["computer_name"].upper() != r.computer:
        raise _Fail("New-PSDrive: The network path was not found.", err)
    share = r.shares().get(c["share_name"].lower())
    if share is None:
        raise _Fail("New-PSDrive: The network name cannot be found.", err)
    u = r.users().get(c["share_user"].lower())
    if u is None or not u.get("enabled", True) or not _check_password(r._password, u["password_hash"]):
        raise _Fail("New-PSDrive: The user name or password is incorrect.", err)
    if not any(k.lower() == f"{r.computer}\\{c['share_user']}".lower() for k in share.get("access", {})):
        raise _Fail("New-PSDrive: Access is denied.", err)
    return "ok", f"Connected to {unc} as {who}", {}


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
