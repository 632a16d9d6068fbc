"""The static gate for the PowerShell nothing here can run: every cmdlet and parameter the shipped
scripts use is in a reviewed table (name, parameters, Windows PowerShell 5.1 module, documentation
page); the scripts parse with a published PowerShell grammar (tests/remote/psgrammar.py names its
known gaps); and no PowerShell 7-only syntax slips in. Each check is shown to fail on a broken copy.
"""
from __future__ import annotations

import re

import pytest

from tests.remote.psgrammar import GAPS, bridge_gaps, parse
from wizard.remote.scripts import SCRIPT_FILES, load_script

_WS = "https://learn.microsoft.com/powershell/module/{}/{}"          # Windows Server modules
_PS51 = "https://learn.microsoft.com/powershell/module/{}/{}?view=powershell-5.1"

# (cmdlet, Windows PowerShell 5.1 module, documentation page, parameters used). Reviewed against
# each page: a new cmdlet or parameter in a script must be added here after reading its page.
# Common parameters (-ErrorAction ...) are in COMMON; -Confirm/-WhatIf are listed per cmdlet,
# since only cmdlets that support ShouldProcess have them.
CMDLETS: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    # Storage (Windows Server 2016+)
    ("Get-Disk", "Storage", _WS.format("storage", "get-disk"), ("Number",)),
    ("Set-Disk", "Storage", _WS.format("storage", "set-disk"), ("Number", "IsOffline", "IsReadOnly")),
    ("Initialize-Disk", "Storage", _WS.format("storage", "initialize-disk"), ("Number", "PartitionStyle", "Confirm")),
    ("Get-PhysicalDisk", "Storage", _WS.format("storage", "get-physicaldisk"), ()),
    ("Update-HostStorageCache", "Storage", _WS.format("storage", "update-hoststoragecache"), ()),
    ("Get-Partition", "Storage", _WS.format("storage", "get-partition"), ("DiskNumber", "PartitionNumber")),
    ("New-Partition", "Storage", _WS.format("storage", "new-partition"), ("DiskNumber", "UseMaximumSize", "DriveLetter")),
    ("Set-Partition", "Storage", _WS.format("storage", "set-partition"), ("DiskNumber", "PartitionNumber", "NewDriveLetter")),
    ("Resize-Partition", "Storage", _WS.format("storage", "resize-partition"), ("DiskNumber", "PartitionNumber", "Size")),
    ("Get-PartitionSupportedSize", "Storage", _WS.format("storage", "get-partitionsupportedsize"),
     ("DiskNumber", "PartitionNumber")),
    ("Get-Volume", "Storage", _WS.format("storage", "get-volume"), ("DriveLetter", "Partition")),
    ("Set-Volume", "Storage", _WS.format("storage", "set-volume"), ("UniqueId", "NewFileSystemLabel")),
    ("Format-Volume", "Storage", _WS.format("storage", "format-volume"),
     ("Partition", "FileSystem", "NewFileSystemLabel", "AllocationUnitSize", "Force", "Confirm")),
    # SmbShare
    ("Get-SmbShare", "SmbShare", _WS.format("smbshare", "get-smbshare"), ("Name",)),
    ("New-SmbShare", "SmbShare", _WS.format("smbshare", "new-smbshare"),
     ("Name", "Path", "FullAccess", "ChangeAccess", "ReadAccess", "FolderEnumerationMode", "CachingMode",
      "EncryptData", "Description")),
    ("Set-SmbShare", "SmbShare", _WS.format("smbshare", "set-smbshare"),
     ("Name", "EncryptData", "FolderEnumerationMode", "CachingMode", "Force")),
    ("Get-SmbShareAccess", "SmbShare", _WS.format("smbshare", "get-smbshareaccess"), ("Name",)),
    ("Grant-SmbShareAccess", "SmbShare", _WS.format("smbshare", "grant-smbshareaccess"),
     ("Name", "AccountName", "AccessRight", "Force")),
    ("Revoke-SmbShareAccess", "SmbShare", _WS.format("smbshare", "revoke-smbshareaccess"), ("Name", "AccountName", "Force")),
    ("Unblock-SmbShareAccess", "SmbShare", _WS.format("smbshare", "unblock-smbshareaccess"), ("Name", "AccountName", "Force")),
    ("Get-SmbServerConfiguration", "SmbShare", _WS.format("smbshare", "get-smbserverconfiguration"), ()),
    ("Set-SmbServerConfiguration", "SmbShare", _WS.format("smbshare", "set-smbserverconfiguration"),
     ("EnableSMB1Protocol", "RequireSecuritySignature", "EncryptData", "RejectUnencryptedAccess", "Force")),
    ("Get-SmbMapping", "SmbShare", _WS.format("smbshare", "get-smbmapping"), ("RemotePath",)),
    ("Remove-SmbMapping", "SmbShare", _WS.format("smbshare", "remove-smbmapping"), ("RemotePath", "Force")),
    ("Get-SmbConnection", "SmbShare", _WS.format("smbshare", "get-smbconnection"), ("ServerName",)),  # no -ShareName
    # NetSecurity
    ("Get-NetFirewallRule", "NetSecurity", _WS.format("netsecurity", "get-netfirewallrule"), ("Name",)),
    ("New-NetFirewallRule", "NetSecurity", _WS.format("netsecurity", "new-netfirewallrule"),
     ("Name", "DisplayName", "Group", "Direction", "Action", "Protocol", "LocalPort", "RemoteAddress", "Profile",
      "Enabled")),
    ("Set-NetFirewallRule", "NetSecurity", _WS.format("netsecurity", "set-netfirewallrule"),
     ("Name", "Enabled", "Direction", "Action", "Protocol", "LocalPort", "RemoteAddress", "Profile")),
    ("Disable-NetFirewallRule", "NetSecurity", _WS.format("netsecurity", "disable-netfirewallrule"), ("Name",)),
    ("Remove-NetFirewallRule", "NetSecurity", _WS.format("netsecurity", "remove-netfirewallrule"), ("Name", "Confirm")),
    ("Get-NetFirewallPortFilter", "NetSecurity", _WS.format("netsecurity", "get-netfirewallportfilter"),
     ("All", "PolicyStore")),
    ("Get-NetFirewallAddressFilter", "NetSecurity", _WS.format("netsecurity", "get-netfirewalladdressfilter"), ()),
    ("Get-NetFirewallApplicationFilter", "NetSecurity",
     _WS.format("netsecurity", "get-netfirewallapplicationfilter"), ()),
    # PKI and WS-Management (the WinRM bootstrap), Windows Server 2016+
    ("New-SelfSignedCertificate", "PKI", _WS.format("pki", "new-selfsignedcertificate"),
     ("DnsName", "CertStoreLocation", "FriendlyName", "KeyAlgorithm", "KeyLength", "HashAlgorithm",
      "KeyExportPolicy", "NotAfter")),
    ("Get-WSManInstance", "Microsoft.WSMan.Management",
     _PS51.format("microsoft.wsman.management", "get-wsmaninstance"), ("ResourceURI", "SelectorSet")),
    ("New-WSManInstance", "Microsoft.WSMan.Management",
     _PS51.format("microsoft.wsman.management", "new-wsmaninstance"), ("ResourceURI", "SelectorSet", "ValueSet")),
    ("Set-WSManInstance", "Microsoft.WSMan.Management",
     _PS51.format("microsoft.wsman.management", "set-wsmaninstance"), ("ResourceURI", "SelectorSet", "ValueSet")),
    ("Get-Service", "Microsoft.PowerShell.Management", _PS51.format("microsoft.powershell.management", "get-service"),
     ("Name",)),
    ("Set-Service", "Microsoft.PowerShell.Management", _PS51.format("microsoft.powershell.management", "set-service"),
     ("Name", "StartupType")),
    ("Start-Service", "Microsoft.PowerShell.Management",
     _PS51.format("microsoft.powershell.management", "start-service"), ("Name",)),
    ("Get-Date", "Microsoft.PowerShell.Utility", _PS51.format("microsoft.powershell.utility", "get-date"), ()),
    # ServerManager
    ("Get-WindowsFeature", "ServerManager", _WS.format("servermanager", "get-windowsfeature"), ("Name",)),
    ("Install-WindowsFeature", "ServerManager", _WS.format("servermanager", "install-windowsfeature"), ("Name",)),
    ("Uninstall-WindowsFeature", "ServerManager", _WS.format("servermanager", "uninstall-windowsfeature"), ("Name",)),
    # Microsoft.PowerShell.LocalAccounts (5.1, 64-bit only)
    ("Get-LocalUser", "Microsoft.PowerShell.LocalAccounts",
     _PS51.format("microsoft.powershell.localaccounts", "get-localuser"), ("Name",)),
    ("New-LocalUser", "Microsoft.PowerShell.LocalAccounts",
     _PS51.format("microsoft.powershell.localaccounts", "new-localuser"),
     ("Name", "Password", "PasswordNeverExpires", "AccountNeverExpires", "UserMayNotChangePassword", "Description")),
    ("Set-LocalUser", "Microsoft.PowerShell.LocalAccounts",
     _PS51.format("microsoft.powershell.localaccounts", "set-localuser"),
     ("InputObject", "Password", "PasswordNeverExpires", "AccountNeverExpires")),
    ("Enable-LocalUser", "Microsoft.PowerShell.LocalAccounts",
     _PS51.format("microsoft.powershell.localaccounts", "enable-localuser"), ("InputObject",)),
    ("Add-LocalGroupMember", "Microsoft.PowerShell.LocalAccounts",
     _PS51.format("microsoft.powershell.localaccounts", "add-localgroupmember"), ("SID", "Member")),
    ("Remove-LocalGroupMember", "Microsoft.PowerShell.LocalAccounts",
     _PS51.format("microsoft.powershell.localaccounts", "remove-localgroupmember"), ("SID", "Member")),
    # Microsoft.PowerShell.Management
    ("Get-Item", "Microsoft.PowerShell.Management", _PS51.format("microsoft.powershell.management", "get-item"),
     ("LiteralPath", "Force")),
    ("Get-ChildItem", "Microsoft.PowerShell.Management",
     _PS51.format("microsoft.powershell.management", "get-childitem"), ("LiteralPath", "Force")),
    ("Get-Content", "Microsoft.PowerShell.Management", _PS51.format("microsoft.powershell.management", "get-content"),
     ("LiteralPath", "Raw", "Encoding")),
    ("Set-Content", "Microsoft.PowerShell.Management", _PS51.format("microsoft.powershell.management", "set-content"),
     ("LiteralPath", "Value", "Encoding", "NoNewline")),
    ("Remove-Item", "Microsoft.PowerShell.Management", _PS51.format("microsoft.powershell.management", "remove-item"),
     ("LiteralPath", "Force", "Confirm")),
    ("Test-Path", "Microsoft.PowerShell.Management", _PS51.format("microsoft.powershell.management", "test-path"),
     ("LiteralPath", "PathType")),
    ("New-Item", "Microsoft.PowerShell.Management", _PS51.format("microsoft.powershell.management", "new-item"),
     ("Path", "Force")),
    ("Get-ItemProperty", "Microsoft.PowerShell.Management",
     _PS51.format("microsoft.powershell.management", "get-itemproperty"), ("LiteralPath", "Name")),
    ("Set-ItemProperty", "Microsoft.PowerShell.Management",
     _PS51.format("microsoft.powershell.management", "set-itemproperty"), ("LiteralPath", "Name", "Value")),
    ("New-PSDrive", "Microsoft.PowerShell.Management", _PS51.format("microsoft.powershell.management", "new-psdrive"),
     ("Name", "PSProvider", "Root", "Credential", "Scope")),
    ("Remove-PSDrive", "Microsoft.PowerShell.Management",
     _PS51.format("microsoft.powershell.management", "remove-psdrive"), ("Name", "Scope", "Force")),
    # Microsoft.PowerShell.Security
    ("Get-Acl", "Microsoft.PowerShell.Security", _PS51.format("microsoft.powershell.security", "get-acl"),
     ("LiteralPath",)),
    ("Set-Acl", "Microsoft.PowerShell.Security", _PS51.format("microsoft.powershell.security", "set-acl"),
     ("LiteralPath", "AclObject")),
    ("ConvertTo-SecureString", "Microsoft.PowerShell.Security",
     _PS51.format("microsoft.powershell.security", "convertto-securestring"), ("String", "AsPlainText", "Force")),
    # Microsoft.PowerShell.Utility
    ("Add-Type", "Microsoft.PowerShell.Utility", _PS51.format("microsoft.powershell.utility", "add-type"),
     ("Namespace", "Name", "MemberDefinition")),
    ("ConvertTo-Json", "Microsoft.PowerShell.Utility", _PS51.format("microsoft.powershell.utility", "convertto-json"),
     ("InputObject", "Compress", "Depth")),
    ("ConvertFrom-Json", "Microsoft.PowerShell.Utility",
     _PS51.format("microsoft.powershell.utility", "convertfrom-json"), ()),
    ("New-Object", "Microsoft.PowerShell.Utility", _PS51.format("microsoft.powershell.utility", "new-object"), ()),
    ("Select-Object", "Microsoft.PowerShell.Utility", _PS51.format("microsoft.powershell.utility", "select-object"),
     ("First",)),
    ("Sort-Object", "Microsoft.PowerShell.Utility", _PS51.format("microsoft.powershell.utility", "sort-object"),
     ("Unique",)),
    ("Write-Output", "Microsoft.PowerShell.Utility", _PS51.format("microsoft.powershell.utility", "write-output"), ()),
    # Microsoft.PowerShell.Core
    ("ForEach-Object", "Microsoft.PowerShell.Core", _PS51.format("microsoft.powershell.core", "foreach-object"), ()),
    ("Where-Object", "Microsoft.PowerShell.Core", _PS51.format("microsoft.powershell.core", "where-object"), ()),
    ("Set-StrictMode", "Microsoft.PowerShell.Core", _PS51.format("microsoft.powershell.core", "set-strictmode"),
     ("Version",)),
    ("Out-Null", "Microsoft.PowerShell.Core", _PS51.format("microsoft.powershell.core", "out-null"), ()),
)
COMMON = {"ErrorAction": _PS51.format("microsoft.powershell.core", "about/about_commonparameters")}

ALLOWED: dict[str, set[str]] = {name: set(params) | set(COMMON) for name, _, _, params in CMDLETS}


def unlisted(text: str) -> list[str]:
    """Every cmdlet or cmdlet/parameter pair in ``text`` that the table does not list (script
    functions are checked against nothing: they are defined in the text itself)."""
    parsed = parse(text)
    bad: list[str] = []
    for cmd, param, line in parsed.commands:
        if cmd in parsed.functions:
            continue
        if cmd not in ALLOWED:
            if param is None:
                bad.append(f"line {line}: {cmd}")
        elif param is not None and param not in ALLOWED[cmd]:
            bad.append(f"line {line}: {cmd} -{param}")
    return bad


NAMES = sorted(SCRIPT_FILES)


def test_table_is_well_formed() -> None:
    names = [row[0] for row in CMDLETS]
    assert len(names) == len(set(names)), "a cmdlet is listed twice"
    for name, module, url, params in CMDLETS:
        assert re.fullmatch(r"[A-Z][A-Za-z]+-[A-Za-z]+", name), name
        assert url.startswith("https://learn.microsoft.com/powershell/module/") and name.lower() in url, (name, url)
        assert module and len(set(params)) == len(params), name


@pytest.mark.parametrize("name", NAMES)
def test_every_cmdlet_and_parameter_is_in_the_reviewed_table(name: str) -> None:
    assert unlisted(load_script(name)) == []


def test_every_table_row_is_used() -> None:
    """A row no script uses is a row nobody re-reads: drop it with the code that needed it."""
    used: set[tuple[str, str | None]] = set()
    for name in NAMES:
        parsed = parse(load_script(name))
        used |= {(c, p) for c, p, _ in parsed.commands}
    for cmd, _, _, params in CMDLETS:
        assert (cmd, None) in used, f"{cmd} is not used any more"
        for p in params:
            assert (cmd, p) in used, f"{cmd} -{p} is not used any more"


@pytest.mark.parametrize(("original", "typo"), [
    ("-NewFileSystemLabel $label", "-NewFileSytemLabel $label"),      # parameter misspelled
    ("Get-SmbConnection -ServerName", "Get-SmbConection -ServerName"),  # cmdlet misspelled
    ("-EnableSMB1Protocol $false", "-EnableSMBv1Protocol $false"),     # digit-bearing parameter
    ("Get-NetFirewallPortFilter -All", "Get-NetFirewallPortFilter -Al"),
])
def test_a_misspelled_copy_fails_the_gate(original: str, typo: str) -> None:
    text = next(load_script(n) for n in NAMES if original in load_script(n))
    broken = text.replace(original, typo, 1)
    bad = unlisted(broken)
    assert len(bad) == 1, bad
    assert typo.split()[0].lstrip("-") in bad[0]


@pytest.mark.parametrize("name", NAMES)
def test_scripts_parse_with_the_powershell_grammar(name: str) -> None:
    parsed = parse(load_script(name))
    assert parsed.errors == [], f"{name}: {parsed.errors}"
    # The parse really saw the script's commands (reset-admin-password is the prologue and one sub-step).
    assert len(parsed.commands) > (35 if name == "reset-admin-password" else 50)


def test_the_named_grammar_gaps_are_real_and_bridged() -> None:
    """Each gap exists in the grammar (without the rewrite the text does not parse) and the
    scripts really contain it; the rewrite keeps offsets, so names come from the original."""
    from tests.remote.psgrammar import _parser

    for gap, sample in (("NUMERIC_MULTIPLIER", "if ($x -ge 16GB) { $y = 1 }\n"),
                        ("DIGIT_IN_PARAMETER", "Set-X -EnableSMB1Protocol $false\n")):
        assert _parser().parse(sample.encode()).root_node.has_error, gap
        assert not _parser().parse(bridge_gaps(sample).encode()).root_node.has_error, gap
        assert GAPS[gap].search(load_script("configure-server")), f"{gap}: not in the script any more: drop it"
    cmds = parse("Set-SmbServerConfiguration -EnableSMB1Protocol $false -Force\n").commands
    assert ("Set-SmbServerConfiguration", "EnableSMB1Protocol", 1) in cmds


@pytest.mark.parametrize("snippet", [
    "$a = Get-Disk && Get-Volume\n",                 # pipeline chain operators (7.0)
    "$a = Get-Disk || Get-Volume\n",
    "$a = $b ? 1 : 2\n",                             # ternary (7.0)
    "$a = $b ?? 2\n",                                # null-coalescing (7.0)
    "$a ??= 2\n",
    "$a = ${b}?.Name\n",                             # null-conditional member access (7.0)
    "1..3 | ForEach-Object -Parallel { $_ }\n",      # 7.0
    "$a = '{}' | ConvertFrom-Json -AsHashtable\n",   # 6.0
    "$a = Get-Error\n",                              # 7.0 cmdlet
])
def test_powershell7_only_syntax_is_caught(snippet: str) -> None:
    parsed = parse(snippet)
    chain = "&&" in snippet or "||" in snippet      # the grammar knows 7.x chains: the gate refuses them
    assert parsed.errors or unlisted(snippet) or chain
    if chain:
        assert pipeline_chains(snippet)


def pipeline_chains(text: str) -> list[int]:
    """Lines with PowerShell 7 pipeline chain operators (&&, ||) as the grammar sees them."""
    from tests.remote.psgrammar import _parser

    tree = _parser().parse(bridge_gaps(text).encode())
    lines, stack = [], [tree.root_node]
    while stack:
        node = stack.pop()
        if node.type == "pipeline_chain_tail":
            lines.append(node.start_point[0] + 1)
        stack.extend(node.children)
    return lines


@pytest.mark.parametrize("name", NAMES)
def test_no_powershell7_pipeline_chains(name: str) -> None:
    assert pipeline_chains(load_script(name)) == []


def splatted(text: str) -> list[str]:
    """Lines that pass a hashtable or array to a command with @name (splatting)."""
    out = []
    for line in text.splitlines():
        if line.lstrip().startswith("#"):
            continue
        code = re.sub(r"'[^']*'", "''", line)
        if re.search(r"\b[A-Z][A-Za-z]+-[A-Za-z]+\b[^|;]*\s@[A-Za-z_]", code):
            out.append(line.strip())
    return out


@pytest.mark.parametrize("name", NAMES)
def test_no_splatting(name: str) -> None:
    """A splatted hashtable hides parameter names from the gate: the scripts pass them by name."""
    assert splatted(load_script(name)) == []


def test_splatting_is_seen() -> None:
    assert splatted("    New-SmbShare @p | Out-Null\n") == ["New-SmbShare @p | Out-Null"]
    assert splatted("    Set-SmbShare -Name $name @set -Force\n")
    assert splatted("    $x = @($a)\n    Write-HpcResult 'a' 'b' 'c' @{ k = 1 }\n") == []
