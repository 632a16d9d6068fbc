# hpcshare-script: self-test
#
# Checks the share from the server itself, as a compute node would use it: connects to
# \\SERVER\SHARE as the share user (a PSCredential, never a command line), writes a probe
# file, reads it back, deletes it and disconnects. With read-only access the write must be
# refused and the read is a listing instead. Changes nothing else on the server, apart from
# removing the SYSTEM logon session's earlier connections to this server (see 'connect').
#
# Contract (wizard/remote/protocol.py): values arrive in -ConfigB64 (base64 of one UTF-8 JSON
# object), the password in -SecretB64 (same encoding). Output: exactly one
# "HPCSHARE_RESULT {json}" line per sub-step; after a failure the remaining sub-steps are
# "skipped". Exit code 0 when nothing failed, else 1. Windows PowerShell 5.1.
param(
    [string]$ConfigB64 = '',
    [string]$SecretB64 = ''
)

# hpcshare: prologue

# Best effort: remove the probe file and the connection, whatever happened before.
function Disconnect-HpcProbe {
    if ($script:HpcState['Probe']) {
        try { Remove-Item -LiteralPath $script:HpcState['Probe'] -Force -ErrorAction Stop } catch { }
        $script:HpcState['Probe'] = $null
    }
    if ($script:HpcState['Drive']) {
        try { Remove-PSDrive -Name $script:HpcState['Drive'] -Scope Script -Force -ErrorAction Stop } catch { }
        $script:HpcState['Drive'] = $null
    }
    if ($script:HpcState['Unc']) {
        try { Get-SmbMapping -RemotePath $script:HpcState['Unc'] -ErrorAction Stop | Remove-SmbMapping -Force -ErrorAction Stop } catch { }
    }
}

function Test-HpcAccessDenied($Record) {
    return ($Record.Exception -is [System.UnauthorizedAccessException]) -or ([string]$Record.FullyQualifiedErrorId -like '*UnauthorizedAccess*')
}

# ---- start: read and check the parameters ----
$Cfg = $null
$Sec = $null
$script:HpcState['Probe'] = $null
$script:HpcState['Drive'] = $null
$script:HpcState['Unc'] = $null
try {
    $Cfg = ConvertFrom-HpcParam 'ConfigB64' $ConfigB64
    $Sec = ConvertFrom-HpcParam 'SecretB64' $SecretB64
    Assert-HpcKeys $Sec 'SecretB64' @('share_password')
    if ($Sec.share_password -isnot [string] -or $Sec.share_password.Length -eq 0) { throw 'parameter -SecretB64: share_password must be a non-empty string' }
    $script:HpcSecrets = @($Sec.share_password)
    Assert-HpcKeys $Cfg 'ConfigB64' @('schema', 'computer_name', 'share_name', 'share_user', 'access')
    Assert-HpcInt 'schema' $Cfg.schema 1 1
    Assert-HpcMatch 'computer_name' $Cfg.computer_name '\A(?![0-9]+\z)[A-Za-z0-9](?:[A-Za-z0-9-]{0,13}[A-Za-z0-9])?\z'
    Assert-HpcMatch 'share_name' $Cfg.share_name '\A[A-Za-z0-9][A-Za-z0-9_-]{0,78}\z'
    Assert-HpcMatch 'share_user' $Cfg.share_user '\A[A-Za-z][A-Za-z0-9._-]{0,19}\z'
    Assert-HpcMatch 'access' $Cfg.access '\A(?:read|change|full)\z'
    $script:HpcState['Unc'] = '\\' + [string]$Cfg.computer_name + '\' + [string]$Cfg.share_name
} catch {
    $script:HpcStartError = Format-HpcError $_
}

try {
    # ---- connect: as the share user, with a PSCredential ----
    # SMB allows one set of credentials per server within a logon session (error 1219, KB 183366),
    # and every SYSTEM process (Run Command) shares one. So first remove this session's connections
    # to this server, then connect, then prove with Get-SmbConnection that the connection used
    # carries the share user's credential.
    Invoke-HpcSubStep 'connect' {
        $unc = $script:HpcState['Unc']
        $server = [string]$Cfg.computer_name
        $share = [string]$Cfg.share_name
        $who = $server + '\' + [string]$Cfg.share_user
        $removed = @()
        # One Remove-SmbMapping per remote path removes every mapping to it (drive letter or none).
        foreach ($path in @(Get-SmbMapping -ErrorAction SilentlyContinue | ForEach-Object { [string]$_.RemotePath } | Sort-Object -Unique)) {
            if ($path.StartsWith('\\' + $server + '\', [StringComparison]::OrdinalIgnoreCase)) {
                Remove-SmbMapping -RemotePath $path -Force
                $removed += $path
            }
        }
        $secure = ConvertTo-SecureString -String ([string]$Sec.share_password) -AsPlainText -Force
        $cred = New-Object System.Management.Automation.PSCredential($who, $secure)
        $drive = 'hpcst' + [guid]::NewGuid().ToString('N').Substring(0, 8)
        New-PSDrive -Name $drive -PSProvider FileSystem -Root $unc -Credential $cred -Scope Script | Out-Null
        $script:HpcState['Drive'] = $drive
        Get-Item -LiteralPath ($drive + ':\') -Force | Out-Null
        # Get-SmbConnection lists every logon session's connections (UserName is the session's user,
        # Credential the one the connection uses): look at this session's only.
        $me = [System.Security.Principal.WindowsIdentity]::GetCurrent().Name
        $conns = @(Get-SmbConnection -ServerName $server -ErrorAction SilentlyContinue | Where-Object { [string]$_.ShareName -eq $share -and [string]$_.UserName -eq $me })
        if ($conns.Count -eq 0) { throw ('connected to {0}, but Get-SmbConnection shows no connection to it for {1}' -f $unc, $me) }
        $creds = @($conns | ForEach-Object { [string]$_.Credential } | Sort-Object -Unique)
        $wrong = @($creds | Where-Object { $_ -ne $who })
        if ($wrong.Count -gt 0) { throw ('the connection to {0} uses the credential {1}, not {2}' -f $unc, ($wrong -join ', '), $who) }
        $dialect = [string]$conns[0].Dialect
        $before = 'no earlier connection to {0}' -f $server
        if ($removed.Count -gt 0) { $before = 'removed earlier connection(s) {0}' -f ($removed -join ', ') }
        return New-HpcResult 'ok' ('Connected to {0} as {1} (Get-SmbConnection: credential {1}, SMB {2}); {3}' -f $unc, $who, $dialect, $before) @{ credential = $who; removed = $removed }
    }

    # ---- write: a probe file (must be refused with read-only access) ----
    Invoke-HpcSubStep 'write' {
        $name = '.hpcshare-probe-' + [guid]::NewGuid().ToString('N') + '.txt'
        $file = $script:HpcState['Drive'] + ':\' + $name
        $token = [guid]::NewGuid().ToString('N')
        $script:HpcState['Token'] = $token
        $readOnly = ([string]$Cfg.access -eq 'read')
        try {
            Set-Content -LiteralPath $file -Value $token -Encoding Ascii -NoNewline
            $script:HpcState['Probe'] = $file
        } catch {
            if ($readOnly -and (Test-HpcAccessDenied $_)) {
                return New-HpcResult 'ok' 'Write refused, as expected: the share user has read-only access'
            }
            throw
        }
        if ($readOnly) {
            return New-HpcResult 'failed' ('Wrote {0} although the share user should have read-only access: check the share and NTFS permissions' -f $name)
        }
        return New-HpcResult 'ok' ('Wrote {0} ({1} bytes)' -f $name, $token.Length)
    }

    # ---- read: the probe back (a listing with read-only access) ----
    Invoke-HpcSubStep 'read' {
        if ([string]$Cfg.access -eq 'read') {
            $n = @(Get-ChildItem -LiteralPath ($script:HpcState['Drive'] + ':\') -Force | Select-Object -First 100).Count
            return New-HpcResult 'ok' ('Listed the share ({0} entries seen); nothing to read back with read-only access' -f $n)
        }
        $back = Get-Content -LiteralPath $script:HpcState['Probe'] -Raw -Encoding Ascii
        if ($back -cne $script:HpcState['Token']) { throw 'the probe file read back differs from what was written' }
        return New-HpcResult 'ok' ('Read the probe file back: {0} bytes, content matches' -f $back.Length)
    }

    # ---- delete: the probe, then disconnect (and check that the connection is gone) ----
    Invoke-HpcSubStep 'delete' {
        $unc = $script:HpcState['Unc']
        $what = 'Nothing to delete with read-only access'
        if ([string]$Cfg.access -ne 'read') {
            $file = $script:HpcState['Probe']
            Remove-Item -LiteralPath $file -Force -Confirm:$false
            if (Test-Path -LiteralPath $file) { throw 'the probe file is still there after Remove-Item' }
            $script:HpcState['Probe'] = $null
            $what = 'Deleted the probe file'
        }
        Disconnect-HpcProbe
        if (@(Get-SmbMapping -RemotePath $unc -ErrorAction SilentlyContinue).Count -gt 0) {
            return New-HpcResult 'warning' ('{0}; the connection to {1} is still listed by Get-SmbMapping after disconnecting' -f $what, $unc)
        }
        return New-HpcResult 'ok' ('{0}; disconnected from {1}' -f $what, $unc)
    }
} finally {
    Disconnect-HpcProbe
}

if ($script:HpcFailed) { exit 1 }
exit 0
