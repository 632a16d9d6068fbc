# hpcshare-script: winrm-bootstrap
#
# Opens WinRM over HTTPS for hpcshare's WinRM transport, in one managed Run Command, in this
# order: a self-signed certificate for the server's name in Cert:\LocalMachine\My, an HTTPS
# listener on TCP 5986 that uses it, and a Windows Firewall rule that admits 5986 only from where
# hpcshare runs. Azure itself adds an HTTPS listener only from a Key Vault certificate
# (osProfile.windowsConfiguration.winRM), so without this the WinRM transport cannot connect.
# The certificate comes back (thumbprint and base64 DER) so that the client pins exactly it.
# Idempotent: a re-run keeps a valid certificate, listener and rule and reports "ok".
#
# Contract (wizard/remote/protocol.py): every value arrives in -ConfigB64 (base64 of one UTF-8
# JSON object); -SecretB64 is an empty object (this script needs no secret). Values live in
# variables only: no command text is built from them and no native tool (winrm.cmd, netsh) is
# called. Output: exactly one "HPCSHARE_RESULT {json}" line per sub-step (certificate, listener,
# firewall); after a failure the rest are "skipped". Exit code 0 when nothing failed, else 1.
# Sources: New-SelfSignedCertificate (learn.microsoft.com/powershell/module/pki/new-selfsignedcertificate);
# New-/Set-/Get-WSManInstance on winrm/config/Listener with the Address/Transport selector
# (learn.microsoft.com/powershell/module/microsoft.wsman.management/new-wsmaninstance);
# New-NetFirewallRule; Azure's own EnableRemotePS Run Command takes the same three steps.
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

$HpcRuleName = 'hpcshare-WinRM-HTTPS-In-TCP-5986'
$HpcFriendlyName = 'hpcshare-winrm-https'
$HpcListenerUri = 'winrm/config/Listener'

# ---- start: read and check the parameters ----
$Cfg = $null
$Sec = $null
try {
    $Cfg = ConvertFrom-HpcParam 'ConfigB64' $ConfigB64
    $Sec = ConvertFrom-HpcParam 'SecretB64' $SecretB64
    if (@($Sec.PSObject.Properties).Count -ne 0) { throw 'parameter -SecretB64 must be an empty object: this script takes no secret' }
    Assert-HpcKeys $Cfg 'ConfigB64' @('schema', 'computer_name', 'dns_names', 'winrm_remote', 'port')
    Assert-HpcInt 'schema' $Cfg.schema 1 1
    Assert-HpcMatch 'computer_name' $Cfg.computer_name '\A(?![0-9]+\z)[A-Za-z0-9](?:[A-Za-z0-9-]{0,13}[A-Za-z0-9])?\z'
    $names = @($Cfg.dns_names)
    if ($names.Count -lt 1 -or $names.Count -gt 4) { throw 'config value ''dns_names'' must list 1 to 4 names' }
    foreach ($n in $names) { Assert-HpcMatch 'dns_names' $n '\A(?=.{1,253}\z)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\z' }
    if ([string]$names[0] -ne [string]$Cfg.computer_name) { throw 'config value ''dns_names'' must start with the computer name' }
    Assert-HpcInt 'port' $Cfg.port 5986 5986
    $remote = @($Cfg.winrm_remote)
    if ($remote.Count -lt 1 -or $remote.Count -gt 16) { throw 'config value ''winrm_remote'' must list 1 to 16 addresses' }
    foreach ($r in $remote) { Assert-HpcMatch 'winrm_remote' $r '\A\d{1,3}(?:\.\d{1,3}){3}(?:/\d{1,2})?\z' }
} catch {
    $script:HpcStartError = Format-HpcError $_
}

# ---- certificate: self-signed, for the server's names, in the machine's Personal store ----
Invoke-HpcSubStep 'certificate' {
    $names = @($Cfg.dns_names | ForEach-Object { [string]$_ })
    $wanted = (($names | ForEach-Object { $_.ToLowerInvariant() } | Sort-Object) -join ',')
    # Renewed 30 days before it expires, so a run never pins a certificate about to lapse.
    $soon = (Get-Date).AddDays(30)
    $cert = $null
    foreach ($c in @(Get-ChildItem -LiteralPath 'Cert:\LocalMachine\My')) {
        if ([string]$c.FriendlyName -ne $HpcFriendlyName -or -not $c.HasPrivateKey -or $c.NotAfter -lt $soon) { continue }
        $have = (($c.DnsNameList | ForEach-Object { ([string]$_.Unicode).ToLowerInvariant() } | Sort-Object) -join ',')
        if ($have -eq $wanted) { $cert = $c; break }
    }
    $status = 'ok'
    if ($null -eq $cert) {
        # The first DNS name becomes the subject (CN=computer name), which the listener's Hostname must match.
        $cert = New-SelfSignedCertificate -DnsName $names -CertStoreLocation 'Cert:\LocalMachine\My' -FriendlyName $HpcFriendlyName -KeyAlgorithm RSA -KeyLength 2048 -HashAlgorithm SHA256 -KeyExportPolicy NonExportable -NotAfter (Get-Date).AddYears(2)
        $status = 'changed'
    }
    $script:HpcState['cert'] = $cert
    $until = $cert.NotAfter.ToUniversalTime().ToString('yyyy-MM-dd')
    $data = @{ thumbprint = [string]$cert.Thumbprint; certificate = [Convert]::ToBase64String($cert.RawData); notAfter = $until }
    if ($status -eq 'changed') {
        return New-HpcResult 'changed' ('Self-signed certificate CN={0} created in Cert:\LocalMachine\My (thumbprint {1}, valid until {2})' -f $names[0], $cert.Thumbprint, $until) $data
    }
    return New-HpcResult 'ok' ('Self-signed certificate CN={0} already in Cert:\LocalMachine\My (thumbprint {1}, valid until {2})' -f $names[0], $cert.Thumbprint, $until) $data
}

# ---- listener: WS-Management over HTTPS on 5986 with that certificate ----
Invoke-HpcSubStep 'listener' {
    $cert = $script:HpcState['cert']
    $thumb = [string]$cert.Thumbprint
    $hostName = [string]$Cfg.dns_names[0]
    $port = [int]$Cfg.port
    $did = @()
    $svc = Get-Service -Name 'WinRM'
    if ([string]$svc.StartType -ne 'Automatic') {
        Set-Service -Name 'WinRM' -StartupType Automatic
        $did += 'service ''WinRM'' set to start automatically'
    }
    if ([string]$svc.Status -ne 'Running') {
        Start-Service -Name 'WinRM'
        $did += 'service ''WinRM'' started'
    }
    $selector = @{ Address = '*'; Transport = 'HTTPS' }
    $values = @{ Hostname = $hostName; CertificateThumbprint = $thumb; Port = [string]$port; Enabled = 'true' }
    $listener = $null
    try { $listener = Get-WSManInstance -ResourceURI $HpcListenerUri -SelectorSet $selector } catch { $listener = $null }
    if ($null -eq $listener) {
        New-WSManInstance -ResourceURI $HpcListenerUri -SelectorSet $selector -ValueSet $values | Out-Null
        $did += 'HTTPS listener created'
    } elseif ([string]$listener.CertificateThumbprint -ne $thumb -or [string]$listener.Hostname -ne $hostName -or [string]$listener.Port -ne [string]$port -or [string]$listener.Enabled -ne 'true') {
        Set-WSManInstance -ResourceURI $HpcListenerUri -SelectorSet $selector -ValueSet $values | Out-Null
        $did += 'HTTPS listener updated'
    }
    $facts = 'https://{0}:{1}/wsman with certificate {2}' -f $hostName, $port, $thumb
    if ($did.Count -eq 0) { return New-HpcResult 'ok' ('WS-Management HTTPS listener already in place: {0}' -f $facts) @{ port = $port } }
    return New-HpcResult 'changed' ('WS-Management: {0}; {1}' -f ($did -join ', '), $facts) @{ port = $port }
}

# ---- firewall: TCP 5986 from where hpcshare runs, nowhere else ----
Invoke-HpcSubStep 'firewall' {
    $remote = @($Cfg.winrm_remote | ForEach-Object { [string]$_ })
    $port = [string]$Cfg.port
    $facts = 'TCP {0} allowed from {1} only' -f $port, ($remote -join ', ')
    $rule = Get-NetFirewallRule -Name $HpcRuleName -ErrorAction SilentlyContinue
    if ($null -eq $rule) {
        New-NetFirewallRule -Name $HpcRuleName -DisplayName 'hpcshare WS-Management over HTTPS (TCP 5986)' -Group 'hpcshare' -Direction Inbound -Action Allow -Protocol TCP -LocalPort $port -RemoteAddress $remote -Profile Any -Enabled True | Out-Null
        return New-HpcResult 'changed' ('Windows Firewall: created rule {0}; {1}' -f $HpcRuleName, $facts)
    }
    $same = ([string]$rule.Enabled -eq 'True') -and ([string]$rule.Direction -eq 'Inbound') -and ([string]$rule.Action -eq 'Allow') -and ([string]$rule.Profile -eq 'Any')
    if ($same) {
        $pf = $rule | Get-NetFirewallPortFilter
        $af = $rule | Get-NetFirewallAddressFilter
        $same = ([string]$pf.Protocol -eq 'TCP') -and ((@($pf.LocalPort) -join ',') -eq $port) -and ((ConvertTo-HpcAddressKey $af.RemoteAddress) -eq (ConvertTo-HpcAddressKey $remote))
    }
    if ($same) { return New-HpcResult 'ok' ('Windows Firewall already as wanted: {0}' -f $facts) }
    Set-NetFirewallRule -Name $HpcRuleName -Enabled True -Direction Inbound -Action Allow -Protocol TCP -LocalPort $port -RemoteAddress $remote -Profile Any
    return New-HpcResult 'changed' ('Windows Firewall: updated rule {0}; {1}' -f $HpcRuleName, $facts)
}

if ($script:HpcFailed) { exit 1 }
exit 0
