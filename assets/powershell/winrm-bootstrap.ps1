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

# hpcshare: prologue

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
