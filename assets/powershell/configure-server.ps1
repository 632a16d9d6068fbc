# hpcshare-script: configure-server
#
# Configures the hpcshare file server in one run, in this order: data disk, share user,
# File Server role, folder + NTFS ACL, SMB share, SMB hardening, Windows Firewall.
# Idempotent: a re-run converges and reports "ok" for everything already in place.
#
# Contract (wizard/remote/protocol.py): every value arrives in -ConfigB64 (base64 of one UTF-8
# JSON object) and the share user's password in -SecretB64 (same encoding; a protected
# parameter where the transport has one). Values live in variables only: nothing here builds
# command text from them and no native tool (cmd, net, icacls) is called. Output: exactly one
# "HPCSHARE_RESULT {json}" line per sub-step, in order; after a failure the remaining sub-steps
# are reported "skipped". Exit code 0 when nothing failed, else 1. Windows PowerShell 5.1, 64-bit.
param(
    [string]$ConfigB64 = '',
    [string]$SecretB64 = ''
)

# ---- hpcshare common: begin (byte-identical in every hpcshare script; a test checks) ----
Set-StrictMode -Version 3
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
$ConfirmPreference = 'None'
$WarningPreference = 'SilentlyContinue'
$InformationPreference = 'SilentlyContinue'
$VerbosePreference = 'SilentlyContinue'
$DebugPreference = 'SilentlyContinue'

$script:HpcFailed = $false
$script:HpcStartError = $null
$script:HpcSecrets = @()
$script:HpcState = @{}

# Never let a secret reach the output, whatever an error message quotes.
function Protect-HpcText([string]$Text) {
    foreach ($s in $script:HpcSecrets) {
        if ($s) { $Text = $Text.Replace([string]$s, '***') }
    }
    return $Text
}

# Compact JSON, every non-ASCII character escaped: survives any console code page.
function ConvertTo-HpcAsciiJson($Value) {
    $json = ConvertTo-Json -InputObject $Value -Compress -Depth 6
    $sb = New-Object System.Text.StringBuilder
    foreach ($ch in $json.ToCharArray()) {
        $code = [int]$ch
        if ($code -lt 128) { [void]$sb.Append($ch) } else { [void]$sb.Append(('\u{0:x4}' -f $code)) }
    }
    return $sb.ToString()
}

function Write-HpcResult([string]$Step, [string]$Status, [string]$Message, $Data) {
    $text = ((Protect-HpcText $Message) -replace '\s+', ' ').Trim()
    if ($text.Length -gt 400) { $text = $text.Substring(0, 397) + '...' }
    $body = [ordered]@{ step = $Step; status = $Status; message = $text }
    if ($null -ne $Data -and $Data.Count -gt 0) { $body['data'] = $Data }
    Write-Output ('HPCSHARE_RESULT ' + (ConvertTo-HpcAsciiJson $body))
}

# The Windows error text, prefixed with the cmdlet that raised it.
function Format-HpcError($Record) {
    if ($Record -isnot [System.Management.Automation.ErrorRecord]) { return [string]$Record }
    $msg = [string]$Record.Exception.Message
    $activity = ''
    if ($null -ne $Record.CategoryInfo -and $Record.CategoryInfo.Activity) { $activity = [string]$Record.CategoryInfo.Activity }
    if ($activity -cmatch '\A[A-Z][a-z]+-[A-Za-z]+\z' -and $activity -notlike '*-Hpc*' -and -not $msg.StartsWith($activity)) {
        $msg = $activity + ': ' + $msg
    }
    return $msg
}

function New-HpcResult([string]$Status, [string]$Message, $Data = $null) {
    return @{ HpcStatus = $Status; Message = $Message; Data = $Data }
}

# Runs one sub-step and prints its one result line. After a failure, the rest are skipped.
function Invoke-HpcSubStep([string]$Name, [scriptblock]$Body) {
    if ($script:HpcFailed) {
        Write-HpcResult $Name 'skipped' 'not run: an earlier sub-step failed' $null
        return
    }
    if ($null -ne $script:HpcStartError) {
        $script:HpcFailed = $true
        Write-HpcResult $Name 'failed' $script:HpcStartError @{ stage = 'start' }
        return
    }
    try {
        $out = @(& $Body)
        $res = $null
        foreach ($o in $out) {
            if ($o -is [hashtable] -and $o.ContainsKey('HpcStatus')) { $res = $o }
        }
        if ($null -eq $res) { $res = New-HpcResult 'ok' 'done' }
        if ($res.HpcStatus -eq 'failed') { $script:HpcFailed = $true }
        Write-HpcResult $Name $res.HpcStatus $res.Message $res.Data
    } catch {
        $script:HpcFailed = $true
        $id = [string]$_.FullyQualifiedErrorId
        if ($id.Length -gt 160) { $id = $id.Substring(0, 160) }
        Write-HpcResult $Name 'failed' (Format-HpcError $_) @{ errorId = $id }
    }
}

# base64(UTF-8 JSON object) -> object. Messages never quote the parameter's content.
function ConvertFrom-HpcParam([string]$Name, [string]$Text) {
    if ([string]::IsNullOrWhiteSpace($Text)) { throw ('parameter -{0} is missing or empty' -f $Name) }
    try { $bytes = [Convert]::FromBase64String($Text.Trim()) } catch { throw ('parameter -{0} is not valid base64' -f $Name) }
    try { $value = [Text.Encoding]::UTF8.GetString($bytes) | ConvertFrom-Json } catch { throw ('parameter -{0} is not valid JSON' -f $Name) }
    if ($null -eq $value -or $value -isnot [System.Management.Automation.PSCustomObject]) {
        throw ('parameter -{0} is not a JSON object' -f $Name)
    }
    return $value
}

function Assert-HpcKeys($Object, [string]$Name, [string[]]$Keys) {
    $have = @($Object.PSObject.Properties | ForEach-Object { $_.Name })
    foreach ($k in $Keys) {
        if ($have -cnotcontains $k) { throw ('parameter -{0} lacks the key ''{1}''' -f $Name, $k) }
    }
}

# Defence in depth: hpcshare validated every value already; refuse anything unexpected.
function Assert-HpcMatch([string]$Key, $Value, [string]$Pattern) {
    if ($Value -isnot [string] -or $Value -cnotmatch $Pattern) { throw ('config value ''{0}'' is not acceptable' -f $Key) }
}

function Assert-HpcInt([string]$Key, $Value, [long]$Min, [long]$Max) {
    if (-not ($Value -is [int] -or $Value -is [long]) -or $Value -lt $Min -or $Value -gt $Max) {
        throw ('config value ''{0}'' must be a whole number from {1} to {2}' -f $Key, $Min, $Max)
    }
}

function Assert-HpcBool([string]$Key, $Value) {
    if ($Value -isnot [bool]) { throw ('config value ''{0}'' must be true or false' -f $Key) }
}
# ---- hpcshare common: end ----

function Get-HpcDiskLun($Disk) {
    $loc = ''
    if ($Disk.PSObject.Properties['Location'] -and $Disk.Location) { $loc = [string]$Disk.Location }
    if ($loc -match 'LUN\s*(\d+)') { return [int]$Matches[1] }
    $pd = Get-PhysicalDisk | Where-Object { [string]$_.DeviceId -eq [string]$Disk.Number } | Select-Object -First 1
    if ($pd -and [string]$pd.PhysicalLocation -match 'LUN\s*(\d+)') { return [int]$Matches[1] }
    return -1
}

# The data disk: not boot/system, not a local NVMe disk, the size hpcshare created, at its LUN.
# Exactly one must match; hpcshare never guesses.
function Select-HpcDataDisk([int]$Lun, [long]$Bytes) {
    $seen = @()
    $hits = @()
    foreach ($d in @(Get-Disk)) {
        $dl = Get-HpcDiskLun $d
        $seen += ('{0}:{1}GiB/LUN{2}' -f $d.Number, [math]::Round([double]$d.Size / 1GB), $dl)
        if ($d.IsBoot -or $d.IsSystem) { continue }
        if ([string]$d.FriendlyName -like '*NVMe Direct*') { continue }
        if ([math]::Abs([double]$d.Size - [double]$Bytes) -ge 1GB) { continue }
        if ($dl -ge 0 -and $dl -ne $Lun) { continue }
        $hits += $d
    }
    if ($hits.Count -ne 1) {
        throw ('expected exactly 1 data disk of {0} GiB at LUN {1}, found {2} (disks: {3})' -f ($Bytes / 1GB), $Lun, $hits.Count, ($seen -join ', '))
    }
    return $hits[0]
}

function Get-HpcRuleKey($Rule) {
    $rights = ([int]$Rule.FileSystemRights) -bor 0x100000
    return ('{0}|{1}|{2}|{3}|{4}' -f $Rule.IdentityReference.Value, $rights, [int]$Rule.InheritanceFlags, [int]$Rule.PropagationFlags, [int]$Rule.AccessControlType)
}

# Firewall addresses in one comparable form: a.b.c.d/len, keywords lower-case, sorted.
function ConvertTo-HpcAddressKey($List) {
    $out = @(foreach ($a in @($List)) {
        $s = ([string]$a).Trim()
        if ($s -match '\A(\d{1,3}(?:\.\d{1,3}){3})/(\d{1,3}(?:\.\d{1,3}){3})\z') {
            $bits = 0
            foreach ($o in $Matches[2].Split('.')) { $n = [int]$o; while ($n -gt 0) { $bits += ($n -band 1); $n = $n -shr 1 } }
            $s = '{0}/{1}' -f $Matches[1], $bits
        } elseif ($s -match '\A\d{1,3}(?:\.\d{1,3}){3}\z') {
            $s = $s + '/32'
        }
        $s.ToLowerInvariant()
    })
    return (($out | Sort-Object) -join ',')
}

# Creates or converges one inbound rule for port 445. Returns what it did, or nothing.
function Set-HpcFirewallRule([string]$Name, [string]$Display, [string]$Protocol, [string[]]$Remote) {
    $rule = Get-NetFirewallRule -Name $Name -ErrorAction SilentlyContinue
    if ($null -eq $rule) {
        New-NetFirewallRule -Name $Name -DisplayName $Display -Group 'hpcshare' -Direction Inbound -Action Allow -Protocol $Protocol -LocalPort 445 -RemoteAddress $Remote -Profile Any -Enabled True | Out-Null
        return ('created rule {0}' -f $Name)
    }
    $same = ([string]$rule.Enabled -eq 'True') -and ([string]$rule.Direction -eq 'Inbound') -and ([string]$rule.Action -eq 'Allow') -and ([string]$rule.Profile -eq 'Any')
    if ($same) {
        $pf = $rule | Get-NetFirewallPortFilter
        $af = $rule | Get-NetFirewallAddressFilter
        $same = ([string]$pf.Protocol -eq $Protocol) -and ((@($pf.LocalPort) -join ',') -eq '445') -and ((ConvertTo-HpcAddressKey $af.RemoteAddress) -eq (ConvertTo-HpcAddressKey $Remote))
    }
    if ($same) { return }
    Set-NetFirewallRule -Name $Name -Enabled True -Direction Inbound -Action Allow -Protocol $Protocol -LocalPort 445 -RemoteAddress $Remote -Profile Any
    return ('updated rule {0}' -f $Name)
}

# ---- start: read and check the parameters ----
$Cfg = $null
$Sec = $null
try {
    if (-not [Environment]::Is64BitProcess) { throw 'needs 64-bit Windows PowerShell (the LocalAccounts module is 64-bit only)' }
    $Cfg = ConvertFrom-HpcParam 'ConfigB64' $ConfigB64
    $Sec = ConvertFrom-HpcParam 'SecretB64' $SecretB64
    Assert-HpcKeys $Sec 'SecretB64' @('share_password')
    if ($Sec.share_password -isnot [string] -or $Sec.share_password.Length -eq 0) { throw 'parameter -SecretB64: share_password must be a non-empty string' }
    $script:HpcSecrets = @($Sec.share_password)
    Assert-HpcKeys $Cfg 'ConfigB64' @('schema', 'computer_name', 'disk_lun', 'disk_size_gib', 'cluster_bytes', 'drive_letter', 'volume_label', 'share_user', 'share_name', 'folder', 'access', 'encrypt', 'smb_remote', 'udp_445')
    Assert-HpcInt 'schema' $Cfg.schema 1 1
    Assert-HpcMatch 'computer_name' $Cfg.computer_name '\A(?![0-9]+\z)[A-Za-z0-9](?:[A-Za-z0-9-]{0,13}[A-Za-z0-9])?\z'
    Assert-HpcInt 'disk_lun' $Cfg.disk_lun 0 63
    Assert-HpcInt 'disk_size_gib' $Cfg.disk_size_gib 1 65536
    Assert-HpcInt 'cluster_bytes' $Cfg.cluster_bytes 4096 2097152
    if (@(4096, 8192, 16384, 32768, 65536, 131072, 262144, 524288, 1048576, 2097152) -notcontains $Cfg.cluster_bytes) { throw 'config value ''cluster_bytes'' is not an NTFS cluster size' }
    Assert-HpcMatch 'drive_letter' $Cfg.drive_letter '\A[F-Z]\z'
    Assert-HpcMatch 'volume_label' $Cfg.volume_label '\A[A-Za-z0-9 _-]{1,32}\z'
    Assert-HpcMatch 'share_user' $Cfg.share_user '\A[A-Za-z][A-Za-z0-9._-]{0,19}\z'
    Assert-HpcMatch 'share_name' $Cfg.share_name '\A[A-Za-z0-9][A-Za-z0-9_-]{0,78}\z'
    Assert-HpcMatch 'folder' $Cfg.folder '\A[A-Za-z0-9](?:[A-Za-z0-9 _.-]{0,62}[A-Za-z0-9_-])?\z'
    Assert-HpcMatch 'access' $Cfg.access '\A(?:read|change|full)\z'
    Assert-HpcBool 'encrypt' $Cfg.encrypt
    Assert-HpcBool 'udp_445' $Cfg.udp_445
    $remote = @($Cfg.smb_remote)
    if ($remote.Count -lt 1 -or $remote.Count -gt 16) { throw 'config value ''smb_remote'' must list 1 to 16 addresses' }
    foreach ($r in $remote) { Assert-HpcMatch 'smb_remote' $r '\A(?:\d{1,3}(?:\.\d{1,3}){3}(?:/\d{1,2})?|LocalSubnet)\z' }
} catch {
    $script:HpcStartError = Format-HpcError $_
}

# ---- disk: GPT + NTFS on the data disk; never the OS, temporary or a used disk ----
Invoke-HpcSubStep 'disk' {
    $letter = [string]$Cfg.drive_letter
    $label = [string]$Cfg.volume_label
    $lun = [int]$Cfg.disk_lun
    $sizeGiB = [long]$Cfg.disk_size_gib
    $cluster = [int]$Cfg.cluster_bytes
    $want = $sizeGiB * 1GB
    $where = 'LUN {0} ({1} GiB)' -f $lun, $sizeGiB
    $kib = [int]($cluster / 1024)
    Update-HostStorageCache

    $vol = Get-Volume -DriveLetter $letter -ErrorAction SilentlyContinue
    if ($null -ne $vol) {
        $part = Get-Partition -DriveLetter $letter -ErrorAction SilentlyContinue
        $disk = $null
        if ($null -ne $part) { $disk = Get-Disk -Number $part.DiskNumber }
        $ours = ($null -ne $disk) -and -not $disk.IsBoot -and -not $disk.IsSystem -and ([math]::Abs([double]$disk.Size - [double]$want) -lt 1GB)
        if ($ours) { $ours = @(-1, $lun) -contains (Get-HpcDiskLun $disk) }
        if ($ours -and [string]$vol.FileSystem -eq 'NTFS' -and [string]$vol.FileSystemLabel -eq $label) {
            return New-HpcResult 'ok' ('Disk at {0} is already NTFS ''{1}'' as {2}:' -f $where, $label, $letter) @{ disk = [int]$disk.Number; letter = $letter }
        }
        # An unformatted partition on the data disk is a run that stopped before Format-Volume: carry on.
        if (-not ($ours -and -not [string]$vol.FileSystem)) {
            throw ('drive {0}: is already used by another volume (''{1}'', {2}); choose another drive letter' -f $letter, $vol.FileSystemLabel, $vol.FileSystem)
        }
    }

    $d = Select-HpcDataDisk $lun $want
    $n = [int]$d.Number
    $did = @()
    if ($d.IsOffline) { Set-Disk -Number $n -IsOffline $false; $did += 'brought online' }
    if ($d.IsReadOnly) { Set-Disk -Number $n -IsReadOnly $false; $did += 'made writable' }
    $d = Get-Disk -Number $n
    if ([string]$d.PartitionStyle -eq 'MBR') {
        throw ('disk {0} at {1} has an MBR partition table: it was set up elsewhere, refusing to touch it' -f $n, $where)
    }
    if ([string]$d.PartitionStyle -eq 'RAW') {
        Initialize-Disk -Number $n -PartitionStyle GPT -Confirm:$false | Out-Null
        $did += 'initialized GPT'
    }
    $parts = @(Get-Partition -DiskNumber $n -ErrorAction SilentlyContinue | Where-Object { [string]$_.Type -eq 'Basic' })
    if ($parts.Count -gt 1) { throw ('disk {0} at {1} already has {2} partitions: refusing to touch it' -f $n, $where, $parts.Count) }
    if ($parts.Count -eq 0) {
        $p = New-Partition -DiskNumber $n -UseMaximumSize -DriveLetter $letter
        $did += 'partitioned'
    } else {
        $p = $parts[0]
    }
    $v = Get-Volume -Partition $p -ErrorAction SilentlyContinue
    $fs = ''
    if ($null -ne $v) { $fs = [string]$v.FileSystem }
    if ($fs) {
        # Only a volume this script formatted earlier (NTFS + our label) is adopted; anything else is refused.
        if ($fs -ne 'NTFS' -or [string]$v.FileSystemLabel -ne $label) {
            throw ('disk {0} at {1} already holds a {2} file system labelled ''{3}'': refusing to format it' -f $n, $where, $fs, $v.FileSystemLabel)
        }
    } else {
        Format-Volume -Partition $p -FileSystem NTFS -NewFileSystemLabel $label -AllocationUnitSize $cluster -Force -Confirm:$false | Out-Null
        $did += ('formatted NTFS ''{0}''' -f $label)
    }
    $p = Get-Partition -DiskNumber $n -PartitionNumber $p.PartitionNumber
    if ([string]$p.DriveLetter -ne $letter) {
        Set-Partition -DiskNumber $n -PartitionNumber $p.PartitionNumber -NewDriveLetter $letter
    }
    if ($did -contains ('formatted NTFS ''{0}''' -f $label)) {
        $msg = 'Disk at {0} {1} as {2}: ({3} KiB clusters)' -f $where, ($did -join ', '), $letter, $kib
    } else {
        $msg = 'Disk at {0} {1} as {2}: (its NTFS ''{3}'' volume kept)' -f $where, (@($did + 'mounted') -join ', '), $letter, $label
    }
    return New-HpcResult 'changed' $msg @{ disk = $n; letter = $letter }
}

# ---- user: local, not an administrator, password never expires ----
function Test-HpcLocalPassword([string]$Name, [string]$Plain) {
    try {
        Add-Type -AssemblyName System.DirectoryServices.AccountManagement
        $ctx = New-Object System.DirectoryServices.AccountManagement.PrincipalContext([System.DirectoryServices.AccountManagement.ContextType]::Machine)
        try { return [bool]$ctx.ValidateCredentials($Name, $Plain) } finally { $ctx.Dispose() }
    } catch {
        return $false
    }
}

Invoke-HpcSubStep 'user' {
    $name = [string]$Cfg.share_user
    $plain = [string]$Sec.share_password
    $secure = ConvertTo-SecureString -String $plain -AsPlainText -Force
    $did = @()
    $u = Get-LocalUser -Name $name -ErrorAction SilentlyContinue
    if ($null -eq $u) {
        $u = New-LocalUser -Name $name -Password $secure -PasswordNeverExpires -AccountNeverExpires -UserMayNotChangePassword -Description 'hpcshare SMB share user'
        $did += 'created'
    } else {
        if (-not (Test-HpcLocalPassword $name $plain)) {
            Set-LocalUser -InputObject $u -Password $secure
            $did += 'password reset'
        }
        if ($null -ne $u.PasswordExpires) { Set-LocalUser -InputObject $u -PasswordNeverExpires $true; $did += 'password set to never expire' }
        if ($null -ne $u.AccountExpires) { Set-LocalUser -InputObject $u -AccountNeverExpires; $did += 'account set to never expire' }
        if (-not $u.Enabled) { Enable-LocalUser -InputObject $u; $did += 'enabled' }
    }
    try {
        Add-LocalGroupMember -SID 'S-1-5-32-545' -Member $u -ErrorAction Stop
        if ($did -notcontains 'created') { $did += 'added to Users' }
    } catch {
        if ([string]$_.FullyQualifiedErrorId -notlike 'MemberExists*') { throw }
    }
    try {
        Remove-LocalGroupMember -SID 'S-1-5-32-544' -Member $u -ErrorAction Stop
        $did += 'removed from Administrators'
    } catch {
        if ([string]$_.FullyQualifiedErrorId -notlike 'MemberNotFound*') { throw }
    }
    $facts = 'member of Users, not an administrator, password never expires'
    if ($did.Count -eq 0) {
        return New-HpcResult 'ok' ('Local user ''{0}'' exists: password already matches, {1}' -f $name, $facts) @{ sid = [string]$u.SID.Value }
    }
    return New-HpcResult 'changed' ('Local user ''{0}'' {1}: {2}' -f $name, ($did -join ', '), $facts) @{ sid = [string]$u.SID.Value }
}

# ---- file-server-role: FS-FileServer; report RestartNeeded as Windows says it ----
Invoke-HpcSubStep 'file-server-role' {
    $f = Get-WindowsFeature -Name 'FS-FileServer'
    if ($null -eq $f) { throw 'Get-WindowsFeature does not know FS-FileServer: is this Windows Server?' }
    if ($f.Installed) {
        return New-HpcResult 'ok' 'File Server role (FS-FileServer) already installed' @{ restartNeeded = 'No' }
    }
    $r = Install-WindowsFeature -Name 'FS-FileServer'
    if (-not $r.Success) { throw ('Install-WindowsFeature FS-FileServer did not succeed (exit code {0})' -f $r.ExitCode) }
    $restart = [string]$r.RestartNeeded
    if ($restart -ne 'No') {
        return New-HpcResult 'warning' ('File Server role (FS-FileServer) installed; Windows reports RestartNeeded={0}' -f $restart) @{ restartNeeded = $restart }
    }
    return New-HpcResult 'changed' 'File Server role (FS-FileServer) installed; no restart needed' @{ restartNeeded = 'No' }
}

# ---- folder-acl: the share's folder with a protected DACL (Get-Acl/Set-Acl, SIDs only) ----
Invoke-HpcSubStep 'folder-acl' {
    $root = [string]$Cfg.drive_letter + ':\'
    $path = $root + [string]$Cfg.folder
    $user = [string]$Cfg.share_user
    $rightsName = @{ read = 'ReadAndExecute'; change = 'Modify'; full = 'FullControl' }[[string]$Cfg.access]
    if (-not (Test-Path -LiteralPath $root -PathType Container)) { throw ('drive {0} does not exist: the disk sub-step has not prepared it' -f $root) }
    if (Test-Path -LiteralPath $path -PathType Leaf) { throw ('{0} exists and is a file, not a folder' -f $path) }
    $did = @()
    if (-not (Test-Path -LiteralPath $path -PathType Container)) {
        [void][System.IO.Directory]::CreateDirectory($path)
        $did += 'created'
    }
    $inherit = [System.Security.AccessControl.InheritanceFlags]'ContainerInherit, ObjectInherit'
    $propagate = [System.Security.AccessControl.PropagationFlags]::None
    $allow = [System.Security.AccessControl.AccessControlType]::Allow
    $wantRules = @(
        (New-Object System.Security.AccessControl.FileSystemAccessRule((New-Object System.Security.Principal.SecurityIdentifier 'S-1-5-18'), [System.Security.AccessControl.FileSystemRights]::FullControl, $inherit, $propagate, $allow)),
        (New-Object System.Security.AccessControl.FileSystemAccessRule((New-Object System.Security.Principal.SecurityIdentifier 'S-1-5-32-544'), [System.Security.AccessControl.FileSystemRights]::FullControl, $inherit, $propagate, $allow)),
        (New-Object System.Security.AccessControl.FileSystemAccessRule((Get-LocalUser -Name $user).SID, [System.Security.AccessControl.FileSystemRights]$rightsName, $inherit, $propagate, $allow))
    )
    $acl = Get-Acl -LiteralPath $path
    $wantKey = (@($wantRules | ForEach-Object { Get-HpcRuleKey $_ }) | Sort-Object) -join ';'
    $haveKey = (@($acl.GetAccessRules($true, $false, [System.Security.Principal.SecurityIdentifier]) | ForEach-Object { Get-HpcRuleKey $_ }) | Sort-Object) -join ';'
    $facts = '{0} {1}, SYSTEM and Administrators Full control, nothing inherited from {2}' -f $user, $rightsName, $root
    if ($acl.AreAccessRulesProtected -and $wantKey -eq $haveKey) {
        return New-HpcResult 'ok' ('Folder {0} already has the expected NTFS permissions: {1}' -f $path, $facts) @{ path = $path }
    }
    $acl.SetAccessRuleProtection($true, $false)
    foreach ($r in @($acl.GetAccessRules($true, $false, [System.Security.Principal.SecurityIdentifier]))) { [void]$acl.RemoveAccessRuleSpecific($r) }
    foreach ($r in $wantRules) { $acl.AddAccessRule($r) }
    Set-Acl -LiteralPath $path -AclObject $acl
    $did += 'NTFS permissions set'
    return New-HpcResult 'changed' ('Folder {0} {1}: {2}' -f $path, ($did -join ', '), $facts) @{ path = $path }
}

# ---- share: the SMB share with exactly the chosen access; no Everyone entry ----
Invoke-HpcSubStep 'share' {
    $name = [string]$Cfg.share_name
    $path = [string]$Cfg.drive_letter + ':\' + [string]$Cfg.folder
    $encrypt = [bool]$Cfg.encrypt
    $acct = $env:COMPUTERNAME + '\' + [string]$Cfg.share_user
    $admins = (New-Object System.Security.Principal.SecurityIdentifier 'S-1-5-32-544').Translate([System.Security.Principal.NTAccount]).Value
    $everyone = (New-Object System.Security.Principal.SecurityIdentifier 'S-1-1-0').Translate([System.Security.Principal.NTAccount]).Value
    $right = @{ read = 'Read'; change = 'Change'; full = 'Full' }[[string]$Cfg.access]
    $want = @{}
    $want[$admins] = 'Full'
    $want[$acct] = $right
    $did = @()

    $s = Get-SmbShare -Name $name -ErrorAction SilentlyContinue
    if ($null -ne $s -and ([string]$s.Path).TrimEnd('\') -ne $path) {
        throw ('share ''{0}'' already exists for {1}, not {2}: choose another share name' -f $name, $s.Path, $path)
    }
    if ($null -eq $s) {
        $p = @{ Name = $name; Path = $path; FullAccess = @($admins); FolderEnumerationMode = 'AccessBased'; CachingMode = 'None'; EncryptData = $encrypt; Description = 'hpcshare' }
        if ($right -eq 'Full') { $p.FullAccess = @($admins, $acct) } elseif ($right -eq 'Change') { $p.ChangeAccess = @($acct) } else { $p.ReadAccess = @($acct) }
        New-SmbShare @p | Out-Null
        $did += 'created'
    } else {
        $set = @{}
        if ([bool]$s.EncryptData -ne $encrypt) { $set.EncryptData = $encrypt }
        if ([string]$s.FolderEnumerationMode -ne 'AccessBased') { $set.FolderEnumerationMode = 'AccessBased' }
        if ([string]$s.CachingMode -ne 'None') { $set.CachingMode = 'None' }
        if ($set.Count -gt 0) { Set-SmbShare -Name $name @set -Force | Out-Null; $did += 'settings updated' }
    }

    # Converge the share ACL: remove every entry that is not wanted as it is, then grant what is missing.
    foreach ($e in @(Get-SmbShareAccess -Name $name)) {
        $an = [string]$e.AccountName
        if ([string]$e.AccessControlType -eq 'Deny') {
            Unblock-SmbShareAccess -Name $name -AccountName $an -Force | Out-Null
            $did += ('deny entry for {0} removed' -f $an)
        } elseif (-not $want.ContainsKey($an) -or [string]$e.AccessRight -ne $want[$an]) {
            Revoke-SmbShareAccess -Name $name -AccountName $an -Force | Out-Null
            if ($did -notcontains 'created') { $did += ('{0} revoked' -f $an) }
        }
    }
    $have = @{}
    foreach ($e in @(Get-SmbShareAccess -Name $name)) {
        if ([string]$e.AccessControlType -eq 'Allow') { $have[[string]$e.AccountName] = [string]$e.AccessRight }
    }
    foreach ($k in @($want.Keys)) {
        if (-not $have.ContainsKey($k) -or $have[$k] -ne $want[$k]) {
            Grant-SmbShareAccess -Name $name -AccountName $k -AccessRight $want[$k] -Force | Out-Null
            if ($did -notcontains 'created') { $did += ('{0} granted {1}' -f $k, $want[$k]) }
        }
    }
    $final = @(Get-SmbShareAccess -Name $name | ForEach-Object { [string]$_.AccountName })
    if ($final -contains $everyone) { throw ('share ''{0}'' still has an entry for {1}' -f $name, $everyone) }

    $enc = 'off'
    if ($encrypt) { $enc = 'on' }
    $facts = '{0} {1}, {2} Full, no Everyone; encryption {3}' -f $acct, $right, $admins, $enc
    $unc = '\\{0}\{1}' -f $env:COMPUTERNAME, $name
    if ($did.Count -eq 0) {
        return New-HpcResult 'ok' ('Share {0} -> {1} already as wanted: {2}' -f $unc, $path, $facts) @{ unc = $unc }
    }
    return New-HpcResult 'changed' ('Share {0} -> {1} {2}: {3}' -f $unc, $path, ($did -join ', '), $facts) @{ unc = $unc }
}

# ---- smb-hardening: SMB1 off, signing required, encryption per answer ----
Invoke-HpcSubStep 'smb-hardening' {
    $encrypt = [bool]$Cfg.encrypt
    $c = Get-SmbServerConfiguration
    $want = [ordered]@{ EnableSMB1Protocol = $false; RequireSecuritySignature = $true; EncryptData = $encrypt }
    if ($encrypt) { $want['RejectUnencryptedAccess'] = $true }
    $diff = @{}
    $did = @()
    foreach ($k in @($want.Keys)) {
        if ([bool]$c.$k -ne [bool]$want[$k]) { $diff[$k] = $want[$k]; $did += ('{0}={1}' -f $k, $want[$k]) }
    }
    if ($diff.Count -gt 0) { Set-SmbServerConfiguration @diff -Force }
    $restart = 'No'
    $smb1 = Get-WindowsFeature -Name 'FS-SMB1' -ErrorAction SilentlyContinue
    if ($null -ne $smb1 -and $smb1.Installed) {
        $r = Uninstall-WindowsFeature -Name 'FS-SMB1'
        $did += 'FS-SMB1 feature removed'
        $restart = [string]$r.RestartNeeded
    }
    $enc = 'off'
    if ($encrypt) { $enc = 'required' }
    $facts = 'SMB1 off, signing required, encryption {0}' -f $enc
    if ($restart -ne 'No') {
        return New-HpcResult 'warning' ('SMB server: {0}; {1}; Windows reports RestartNeeded={2}' -f ($did -join ', '), $facts, $restart) @{ restartNeeded = $restart }
    }
    if ($did.Count -eq 0) { return New-HpcResult 'ok' ('SMB server already hardened: {0}' -f $facts) }
    return New-HpcResult 'changed' ('SMB server: set {0}; {1}' -f ($did -join ', '), $facts)
}

# ---- firewall: TCP 445 from the chosen scope only; UDP 445 only when asked ----
Invoke-HpcSubStep 'firewall' {
    $remote = [string[]]@($Cfg.smb_remote | ForEach-Object { [string]$_ })
    $did = @()
    $r = Set-HpcFirewallRule 'hpcshare-SMB-In-TCP-445' 'hpcshare: SMB (TCP 445)' 'TCP' $remote
    if ($r) { $did += $r }
    $udpName = 'hpcshare-SMB-In-UDP-445'
    if ([bool]$Cfg.udp_445) {
        $r = Set-HpcFirewallRule $udpName 'hpcshare: SMB (UDP 445)' 'UDP' $remote
        if ($r) { $did += $r }
    } elseif ($null -ne (Get-NetFirewallRule -Name $udpName -ErrorAction SilentlyContinue)) {
        Remove-NetFirewallRule -Name $udpName -Confirm:$false
        $did += ('removed rule {0}' -f $udpName)
    }
    # The built-in File and Printer Sharing rule allows 445 from any address: it would make the scope moot.
    foreach ($builtin in @('FPS-SMB-In-TCP', 'FPS-SMB-In-TCP-NoScope')) {
        $b = Get-NetFirewallRule -Name $builtin -ErrorAction SilentlyContinue
        if ($null -ne $b -and [string]$b.Enabled -eq 'True') {
            Disable-NetFirewallRule -Name $builtin
            $did += ('disabled built-in rule {0}' -f $builtin)
        }
    }
    $proto = 'TCP 445'
    if ([bool]$Cfg.udp_445) { $proto = 'TCP and UDP 445' }
    $facts = '{0} allowed from {1} only' -f $proto, ($remote -join ', ')
    if ($did.Count -eq 0) { return New-HpcResult 'ok' ('Windows Firewall already as wanted: {0}' -f $facts) }
    return New-HpcResult 'changed' ('Windows Firewall: {0}; {1}' -f ($did -join ', '), $facts)
}

if ($script:HpcFailed) { exit 1 }
exit 0
