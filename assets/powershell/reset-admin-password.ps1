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

# hpcshare: prologue

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
