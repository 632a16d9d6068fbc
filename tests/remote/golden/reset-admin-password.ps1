# hpcshare-script: reset-admin-password
#
# Sets a new password on the VM's local administrator ('hpcshare reset-password --user admin').
# Sent through managed Run Command: the password arrives in -SecretB64 as a protected parameter
# (Azure keeps it out of the resource and its instance view), never in the script text, and Run
# Command runs the script as SYSTEM, which may set any local account's password.
#
# Contract (wizard/remote/protocol.py): values arrive in -ConfigB64 (base64 of one UTF-8 JSON
# object), the password in -SecretB64 (same encoding). Output: exactly one "HPCSHARE_RESULT
# {json}" line for the one sub-step. Exit code 0 when it succeeded, else 1. Windows PowerShell 5.1.
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

$Cfg = $null
$Sec = $null
try {
    $Cfg = ConvertFrom-HpcParam 'ConfigB64' $ConfigB64
    $Sec = ConvertFrom-HpcParam 'SecretB64' $SecretB64
    Assert-HpcKeys $Sec 'SecretB64' @('admin_password')
    if ($Sec.admin_password -isnot [string] -or $Sec.admin_password.Length -eq 0) { throw 'parameter -SecretB64: admin_password must be a non-empty string' }
    $script:HpcSecrets = @($Sec.admin_password)
    Assert-HpcKeys $Cfg 'ConfigB64' @('schema', 'computer_name', 'admin_user')
    Assert-HpcInt 'schema' $Cfg.schema 1 1
    Assert-HpcMatch 'computer_name' $Cfg.computer_name '\A(?![0-9]+\z)[A-Za-z0-9](?:[A-Za-z0-9-]{0,13}[A-Za-z0-9])?\z'
    Assert-HpcMatch 'admin_user' $Cfg.admin_user '\A[A-Za-z0-9][A-Za-z0-9._-]{0,19}\z'
} catch {
    $script:HpcStartError = Format-HpcError $_
}

# ---- admin-password: the local administrator the VM was created with gets the new password ----
Invoke-HpcSubStep 'admin-password' {
    $name = [string]$Cfg.admin_user
    $u = Get-LocalUser -Name $name -ErrorAction SilentlyContinue
    if ($null -eq $u) { throw ('no local user ''{0}'' on this server (the VM was created with another admin user name)' -f $name) }
    $secure = ConvertTo-SecureString -String ([string]$Sec.admin_password) -AsPlainText -Force
    Set-LocalUser -InputObject $u -Password $secure
    $did = @('password set')
    if (-not $u.Enabled) { Enable-LocalUser -InputObject $u; $did += 'enabled' }
    return New-HpcResult 'changed' ('Local administrator ''{0}'': {1}' -f $name, ($did -join ', '))
}

if ($script:HpcFailed) { exit 1 }
exit 0
