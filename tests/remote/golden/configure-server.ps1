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

# ---- hpcshare prologue: begin ----
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

# ---- hpcshare prologue: end ----

# Where a disk sits. Lun is -1 when Windows does not say; Local marks a local (temporary) NVMe disk.
# SCSI sizes: Location ends in 'LUN n' (manage-disks-standalone-storage-spaces). NVMe sizes (v6 and
# later): remote managed disks sit behind 'MSFT NVMe Accelerator v1.0', local temporary disks are
# 'Microsoft NVMe Direct Disk[ v2]' (Azure/azure-vm-utils udev/80-azure-disk.rules), and Location has
# no LUN. Azure numbers data disks from namespace 2: LUN = NSID - 2 (Azure/azure-vm-utils PR #11). The
# device path ends in the namespace's unit number, NSID - 1 ('...&0&000001#' is the data disk at LUN 0:
# kubernetes-sigs/azuredisk-csi-driver PR #3632).
function Get-HpcDiskFacts($Disk) {
    $facts = @{ Lun = -1; Local = $false; Nvme = ([string]$Disk.BusType -eq 'NVMe'); Adapter = -1; How = 'not readable' }
    $loc = [string]$Disk.Location
    if ($loc -match 'Adapter\s*(\d+)') { $facts.Adapter = [int]$Matches[1] }
    if ($facts.Nvme) {
        if ([string]$Disk.Model -notlike 'MSFT NVMe Accelerator*' -and [string]$Disk.FriendlyName -notlike 'MSFT NVMe Accelerator*') {
            $facts.Local = $true
            return $facts
        }
        if ([string]$Disk.Path -match '&0&(\d+)(?:#|\z)') {
            $nsid = [int]$Matches[1] + 1
            $facts.Lun = $nsid - 2
            $facts.How = 'NVMe namespace {0}' -f $nsid
        }
        return $facts
    }
    if ($loc -match 'LUN\s*(\d+)') {
        $facts.Lun = [int]$Matches[1]
        $facts.How = 'location'
        return $facts
    }
    $pd = Get-PhysicalDisk | Where-Object { [string]$_.DeviceId -eq [string]$Disk.Number } | Select-Object -First 1
    if ($null -ne $pd -and [string]$pd.PhysicalLocation -match 'LUN\s*(\d+)') {
        $facts.Lun = [int]$Matches[1]
        $facts.How = 'physical location'
    }
    return $facts
}

# Windows reports a volume without a file system as '' or 'RAW', or FileSystemType 'Unknown'.
function Test-HpcUnformatted($Volume) {
    $fs = [string]$Volume.FileSystem
    if ($fs -eq '' -or $fs -eq 'RAW') { return $true }
    return ($null -ne $Volume.PSObject.Properties['FileSystemType'] -and [string]$Volume.FileSystemType -eq 'Unknown')
}

# hpcshare's own volume: the one it recorded, or (a VM rebuilt around the same disk) NTFS with the answered label.
function Test-HpcOurVolume($Volume, [string]$OurId, [string]$Label) {
    if ($OurId -and [string]$Volume.UniqueId -eq $OurId) { return $true }
    return ([string]$Volume.FileSystem -eq 'NTFS' -and [string]$Volume.FileSystemLabel -ceq $Label)
}

# The first formatted volume on the disk that is not hpcshare's ('NTFS ''label'''), else $null.
function Get-HpcForeignVolume($Disk, [string]$OurId, [string]$Label) {
    foreach ($p in @(Get-Partition -DiskNumber $Disk.Number -ErrorAction SilentlyContinue)) {
        $v = Get-Volume -Partition $p -ErrorAction SilentlyContinue
        if ($null -eq $v -or (Test-HpcUnformatted $v) -or (Test-HpcOurVolume $v $OurId $Label)) { continue }
        return ('{0} ''{1}''' -f $v.FileSystem, $v.FileSystemLabel)
    }
    return $null
}

# Which volume is hpcshare's is recorded in the registry (its volume GUID path), so a changed label
# can be applied to it and to nothing else.
$script:HpcKey = 'HKLM:\SOFTWARE\hpcshare'

function Get-HpcOurVolumeId {
    $p = Get-ItemProperty -LiteralPath $script:HpcKey -Name 'DataVolume' -ErrorAction SilentlyContinue
    if ($null -eq $p) { return '' }
    return [string]$p.DataVolume
}

function Set-HpcOurVolumeId([string]$Id) {
    if (-not (Test-Path -LiteralPath $script:HpcKey)) { New-Item -Path $script:HpcKey -Force | Out-Null }
    Set-ItemProperty -LiteralPath $script:HpcKey -Name 'DataVolume' -Value $Id
}

# The data disk: the size hpcshare created, at its LUN where Windows tells the LUN. Never the OS disk,
# a local NVMe disk, a disk on the OS disk's SCSI adapter (the temporary disk sits there, and can
# have the data disk's size) or a disk holding a volume that is not hpcshare's. Exactly one must match.
function Select-HpcDataDisk([int]$Lun, [long]$Bytes, [string]$OurId, [string]$Label) {
    $all = @(Get-Disk)
    $bootAdapter = -1
    foreach ($d in $all) {
        if ($d.IsBoot) {
            $f = Get-HpcDiskFacts $d
            if (-not $f.Nvme) { $bootAdapter = $f.Adapter }
        }
    }
    $seen = @()
    $hits = @()
    foreach ($d in $all) {
        $f = Get-HpcDiskFacts $d
        $why = ''
        if ($d.IsBoot -or $d.IsSystem) { $why = 'OS disk' }
        elseif ($f.Local) { $why = 'local NVMe' }
        elseif ($bootAdapter -ge 0 -and -not $f.Nvme -and $f.Adapter -eq $bootAdapter) { $why = 'on the OS disk adapter' }
        elseif ([math]::Abs([double]$d.Size - [double]$Bytes) -ge 1GB) { $why = 'other size' }
        elseif ($f.Lun -ge 0 -and $f.Lun -ne $Lun) { $why = 'other LUN' }
        else {
            $foreign = Get-HpcForeignVolume $d $OurId $Label
            if ($null -ne $foreign) { $why = 'holds ' + $foreign }
        }
        $seen += ('{0}:{1}GiB/LUN{2}/{3}' -f $d.Number, [math]::Round([double]$d.Size / 1GB), $f.Lun, $why)
        if (-not $why) { $hits += $d }
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
    Assert-HpcKeys $Cfg 'ConfigB64' @('schema', 'computer_name', 'disk_lun', 'disk_size_gib', 'cluster_bytes', 'drive_letter', 'volume_label', 'share_user', 'share_name', 'folder', 'access', 'encrypt', 'smb_remote', 'udp_445', 'keep_password')
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
# Converges a re-run: a grown disk gets its partition extended, a changed label is applied to
# hpcshare's own volume; a changed drive letter is refused with what to do (the share lives there).
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
    $ourId = Get-HpcOurVolumeId

    $atLetter = Get-Volume -DriveLetter $letter -ErrorAction SilentlyContinue
    if ($null -ne $atLetter -and -not (Test-HpcUnformatted $atLetter) -and -not (Test-HpcOurVolume $atLetter $ourId $label)) {
        throw ('drive {0}: is already used by another volume (''{1}'', {2}) that hpcshare did not create; choose another drive letter (disk.drive_letter)' -f $letter, $atLetter.FileSystemLabel, $atLetter.FileSystem)
    }

    $d = Select-HpcDataDisk $lun $want $ourId $label
    $n = [int]$d.Number
    $facts = Get-HpcDiskFacts $d
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
        # With its letter: left to itself, the mount manager may give a new volume the next free one.
        $p = New-Partition -DiskNumber $n -UseMaximumSize -DriveLetter $letter
        $did += ('partitioned as {0}:' -f $letter)
    } else {
        $p = $parts[0]
    }
    $pn = [int]$p.PartitionNumber
    $v = Get-Volume -Partition $p -ErrorAction SilentlyContinue
    if ($null -eq $v -or (Test-HpcUnformatted $v)) {
        # Also a run that stopped between New-Partition and Format-Volume.
        Format-Volume -Partition $p -FileSystem NTFS -NewFileSystemLabel $label -AllocationUnitSize $cluster -Force -Confirm:$false | Out-Null
        $did += ('formatted NTFS ''{0}'' ({1} KiB clusters)' -f $label, $kib)
    } elseif (-not (Test-HpcOurVolume $v $ourId $label)) {
        throw ('disk {0} at {1} already holds a {2} file system labelled ''{3}'' that hpcshare did not create: refusing to format it' -f $n, $where, $v.FileSystem, $v.FileSystemLabel)
    } elseif ([string]$v.FileSystemLabel -cne $label) {
        Set-Volume -UniqueId ([string]$v.UniqueId) -NewFileSystemLabel $label
        $did += ('relabelled ''{0}'' -> ''{1}''' -f $v.FileSystemLabel, $label)
    }
    $v = Get-Volume -Partition $p
    if ([string]$v.UniqueId -ne $ourId) {
        Set-HpcOurVolumeId ([string]$v.UniqueId)
        if (-not ($did -like 'formatted*')) { $did += 'recorded as hpcshare''s volume' }
    }

    # A disk grown in Azure: extend the partition to what the disk now offers.
    $range = Get-PartitionSupportedSize -DiskNumber $n -PartitionNumber $pn
    $p = Get-Partition -DiskNumber $n -PartitionNumber $pn
    if ([long]$range.SizeMax - [long]$p.Size -gt 16MB) {
        $before = [math]::Round([double]$p.Size / 1GB)
        Resize-Partition -DiskNumber $n -PartitionNumber $pn -Size ([long]$range.SizeMax)
        $did += ('partition extended from {0} GiB to {1} GiB' -f $before, [math]::Round([double]$range.SizeMax / 1GB))
        $p = Get-Partition -DiskNumber $n -PartitionNumber $pn
    }

    $current = ''
    if ([int][char]$p.DriveLetter -ge 65) { $current = ([string]$p.DriveLetter).ToUpperInvariant() }
    if ($current -eq '') {
        Set-Partition -DiskNumber $n -PartitionNumber $pn -NewDriveLetter $letter
        $did += ('mounted as {0}:' -f $letter)
    } elseif ($current -ne $letter) {
        # Safe to move only while no share points into the volume (the administrative X$ shares aside).
        $using = @(Get-SmbShare -ErrorAction SilentlyContinue | Where-Object { -not $_.Special -and ([string]$_.Path).StartsWith($current + ':', [StringComparison]::OrdinalIgnoreCase) } | ForEach-Object { [string]$_.Name })
        if ($using.Count -gt 0) {
            throw ('hpcshare''s volume ''{0}'' is mounted as {1}:, not {2}:, and the share(s) {3} point into {1}:. To keep the server as it is, set disk.drive_letter back to {1}. To move it: on the server run Remove-SmbShare -Name {4} -Force for each (files stay), then Set-Partition -DriveLetter {1} -NewDriveLetter {2}, then run hpcshare again.' -f $label, $current, $letter, ($using -join ', '), $using[0])
        }
        Set-Partition -DiskNumber $n -PartitionNumber $pn -NewDriveLetter $letter
        $did += ('moved from {0}: to {1}: (no share used it)' -f $current, $letter)
    }

    $lunNote = 'LUN {0} checked by {1}' -f $facts.Lun, $facts.How
    if ($facts.Lun -lt 0) { $lunNote = 'LUN not readable on this disk: chosen by size, bus and volumes' }
    $data = @{ disk = $n; letter = $letter; lunCheck = $facts.How }
    if ($did.Count -eq 0) {
        return New-HpcResult 'ok' ('Disk at {0} is already NTFS ''{1}'' as {2}: ({3})' -f $where, $label, $letter, $lunNote) $data
    }
    return New-HpcResult 'changed' ('Disk at {0}: {1}; now NTFS ''{2}'' as {3}: ({4})' -f $where, ($did -join ', '), $label, $letter, $lunNote) $data
}

# ---- user: local, not an administrator, password never expires ----
# The password is checked with a network logon (LogonUser, LOGON32_LOGON_NETWORK): it opens no SMB
# connection. PrincipalContext.ValidateCredentials would bind WinNT://this-machine over SMB from
# SYSTEM's logon session, shared by every SYSTEM process, and a later connection to this server
# under another name fails with error 1219 (KB 183366).
function Test-HpcLocalPassword([string]$Name, [string]$Plain) {
    if ($null -eq ('HpcShare.Logon' -as [type])) {
        # Add-Type compiles C#; where policy forbids that (Constrained Language Mode) the password is
        # set instead, and the result line says why.
        try { Add-Type -Namespace 'HpcShare' -Name 'Logon' -MemberDefinition '[DllImport("advapi32.dll", SetLastError = true, CharSet = CharSet.Unicode)] public static extern bool LogonUser(string user, string domain, string password, int logonType, int provider, out IntPtr token); [DllImport("kernel32.dll", SetLastError = true)] public static extern bool CloseHandle(IntPtr handle);' } catch { return ('unknown (Add-Type failed: {0})' -f $_.Exception.Message) }
    }
    $token = [IntPtr]::Zero
    if ([HpcShare.Logon]::LogonUser($Name, '.', $Plain, 3, 0, [ref]$token)) {
        [void][HpcShare.Logon]::CloseHandle($token)
        return 'match'
    }
    $code = [Runtime.InteropServices.Marshal]::GetLastWin32Error()
    if ($code -eq 1326) { return 'differs' }
    return ('unknown (Windows error {0})' -f $code)
}

Invoke-HpcSubStep 'user' {
    $name = [string]$Cfg.share_user
    $plain = [string]$Sec.share_password
    $secure = ConvertTo-SecureString -String $plain -AsPlainText -Force
    $did = @()
    $set = $false
    $kept = $false
    $u = Get-LocalUser -Name $name -ErrorAction SilentlyContinue
    if ($null -eq $u) {
        $u = New-LocalUser -Name $name -Password $secure -PasswordNeverExpires -AccountNeverExpires -UserMayNotChangePassword -Description 'hpcshare SMB share user'
        $did += 'created'
        $set = $true
    } else {
        $check = Test-HpcLocalPassword $name $plain
        # keep_password: a re-run with a generated password keeps the one set earlier (the user
        # has it; 'hpcshare reset-password --user share' is how to change it).
        if ($check -ne 'match' -and $Cfg.keep_password) {
            $kept = $true
        } elseif ($check -ne 'match') {
            Set-LocalUser -InputObject $u -Password $secure
            $set = $true
            if ($check -eq 'differs') { $did += 'password reset' } else { $did += ('password set: the logon check could not tell, {0}' -f $check) }
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
    $pw = if ($kept) { 'password kept as set earlier' } else { 'password already matches' }
    $data = @{ sid = [string]$u.SID.Value; password_set = $set }
    if ($did.Count -eq 0) {
        return New-HpcResult 'ok' ('Local user ''{0}'' exists: {1}, {2}' -f $name, $pw, $facts) $data
    }
    return New-HpcResult 'changed' ('Local user ''{0}'' {1}: {2}' -f $name, ($did -join ', '), $facts) $data
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
        throw ('share ''{0}'' already exists for {1}, not {2}. To keep the server as it is, set the answers back to that folder and drive. To move the share: on the server run Remove-SmbShare -Name {0} -Force (the folder and its files stay; copy them over if you need them), then run hpcshare again. Or choose another share name (share.name).' -f $name, $s.Path, $path)
    }
    if ($null -eq $s) {
        # No splatting: every parameter stays visible to the static gate (tests/remote/test_cmdlet_gate.py).
        if ($right -eq 'Full') {
            New-SmbShare -Name $name -Path $path -FullAccess @($admins, $acct) -FolderEnumerationMode AccessBased -CachingMode None -EncryptData $encrypt -Description 'hpcshare' | Out-Null
        } elseif ($right -eq 'Change') {
            New-SmbShare -Name $name -Path $path -FullAccess @($admins) -ChangeAccess @($acct) -FolderEnumerationMode AccessBased -CachingMode None -EncryptData $encrypt -Description 'hpcshare' | Out-Null
        } else {
            New-SmbShare -Name $name -Path $path -FullAccess @($admins) -ReadAccess @($acct) -FolderEnumerationMode AccessBased -CachingMode None -EncryptData $encrypt -Description 'hpcshare' | Out-Null
        }
        $did += 'created'
    } else {
        $same = ([bool]$s.EncryptData -eq $encrypt) -and ([string]$s.FolderEnumerationMode -eq 'AccessBased') -and ([string]$s.CachingMode -eq 'None')
        if (-not $same) {
            Set-SmbShare -Name $name -EncryptData $encrypt -FolderEnumerationMode AccessBased -CachingMode None -Force | Out-Null
            $did += 'settings updated'
        }
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
    $did = @()
    foreach ($k in @($want.Keys)) {
        if ([bool]$c.$k -ne [bool]$want[$k]) { $did += ('{0}={1}' -f $k, $want[$k]) }
    }
    # No splatting (see the share sub-step); setting a value that is already right changes nothing.
    if ($did.Count -gt 0) {
        if ($encrypt) {
            Set-SmbServerConfiguration -EnableSMB1Protocol $false -RequireSecuritySignature $true -EncryptData $true -RejectUnencryptedAccess $true -Force
        } else {
            Set-SmbServerConfiguration -EnableSMB1Protocol $false -RequireSecuritySignature $true -EncryptData $false -Force
        }
    }
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
# Rules are chosen by what they open, not by name: creating a share enables the "File and Printer
# Sharing" group on 2019/2022, with TCP 139 (NetBIOS session, which carries SMB too), and the
# "File and Printer Sharing (Restrictive)" group on 2025, whose SMB rule has another name
# (What's new in Windows Server 2025; SMB secure traffic: "Updated firewall rules").
$script:HpcOwnRules = @('hpcshare-SMB-In-TCP-445', 'hpcshare-SMB-In-UDP-445')

# Does this port filter admit TCP 445 or 139? 'Any' port counts unless the rule is for one program
# (SMB is served by the System process).
function Test-HpcSmbPortFilter($Filter, $Rule) {
    if (@('TCP', '6') -notcontains [string]$Filter.Protocol) { return $false }
    foreach ($port in @($Filter.LocalPort)) {
        $s = [string]$port
        if ($s -eq '445' -or $s -eq '139') { return $true }
        if ($s -match '\A(\d+)-(\d+)\z') {
            $lo = [int]$Matches[1]
            $hi = [int]$Matches[2]
            if (($lo -le 445 -and $hi -ge 445) -or ($lo -le 139 -and $hi -ge 139)) { return $true }
        }
        if ($s -eq 'Any') {
            $app = $Rule | Get-NetFirewallApplicationFilter
            if (@('Any', 'System') -contains [string]$app.Program) { return $true }
        }
    }
    return $false
}

# Every enabled inbound Allow rule in the store that admits TCP 445 or 139, other than hpcshare's.
function Get-HpcSmbOpenRules([string]$Store) {
    $found = @()
    foreach ($f in @(Get-NetFirewallPortFilter -All -PolicyStore $Store)) {
        if (@('TCP', '6') -notcontains [string]$f.Protocol) { continue }
        # A port filter can belong to an IPsec rule instead: no firewall rule for it, nothing to do.
        $r = $f | Get-NetFirewallRule -ErrorAction SilentlyContinue
        if ($null -eq $r -or [string]$r.Direction -ne 'Inbound' -or [string]$r.Action -ne 'Allow' -or [string]$r.Enabled -ne 'True') { continue }
        if ($script:HpcOwnRules -contains [string]$r.Name) { continue }
        if (Test-HpcSmbPortFilter $f $r) { $found += $r }
    }
    return $found
}

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
    $disabled = @()
    foreach ($other in @(Get-HpcSmbOpenRules 'PersistentStore')) {
        Disable-NetFirewallRule -Name ([string]$other.Name)
        $disabled += [string]$other.Name
    }
    if ($disabled.Count -gt 0) { $did += ('disabled {0} other rule(s) admitting TCP 445/139: {1}' -f $disabled.Count, ($disabled -join ', ')) }
    # What Windows enforces (local rules and Group Policy alike) must now match the message below.
    $left = @(Get-HpcSmbOpenRules 'ActiveStore' | ForEach-Object { '{0} ({1})' -f $_.Name, $_.DisplayName })
    if ($left.Count -gt 0) {
        throw ('still enabled after disabling, so TCP 445/139 stays open beyond the scope (Group Policy or another policy store sets them; disable them there): {0}' -f ($left -join ', '))
    }
    $proto = 'TCP 445'
    if ([bool]$Cfg.udp_445) { $proto = 'TCP and UDP 445' }
    $facts = '{0} allowed from {1} only; no other enabled rule admits TCP 445 or 139' -f $proto, ($remote -join ', ')
    $data = @{ remote = $remote; disabled = $disabled }
    if ($did.Count -eq 0) { return New-HpcResult 'ok' ('Windows Firewall already as wanted: {0}' -f $facts) $data }
    return New-HpcResult 'changed' ('Windows Firewall: {0}; {1}' -f ($did -join ', '), $facts) $data
}

if ($script:HpcFailed) { exit 1 }
exit 0
