<#
submit-job.ps1 - written by hpcshare for profile demo. Regenerate it rather than edit it:
    hpcshare generate --profile demo

Submits job-template.xml (beside this script) to an HPC Pack cluster: HPC Pack 2008 R2 or
later, HPC PowerShell (the Microsoft.Hpc module of HPC Pack 2016/2019, or the Microsoft.HPC
snap-in of older releases), Windows PowerShell 2.0 or later.

    .\submit-job.ps1 [-Scheduler HEADNODE] [-JobFile PATH] [-SharePassword SECURESTRING]

The share password is asked for here (Read-Host -AsSecureString) and never written to a file:
the job is created from the template with New-HpcJob -JobFile, the password placeholder in its
Node Preparation task is replaced through the scheduler with Set-HpcTask -CommandLine, and the
job is submitted with Submit-HpcJob. From then on the password is where every task command line
is: in the scheduler database until the job is purged, visible to cluster administrators, and
on each node in the command lines of cmd.exe, cmdkey.exe and net.exe. PowerShell module logging
on this computer, when it is turned on, records the Set-HpcTask call with it. If submitting
fails after the password was filled in, the placeholder is put back before the job is cancelled.
In that command line the password is escaped for net.exe and cmd.exe, and * is written ^*
(HPC Pack turns a bare * into the sub-task id in Node Preparation tasks). hpcshare does the same
escaping in Python; the known answers below are checked before anything reaches the cluster.
A job-template.xml written with "hpcshare generate --embed-password" already holds the password
and is submitted as it is, without asking.
#>
[CmdletBinding()]
param(
    # Head node of the cluster. Default: the CCP_SCHEDULER environment variable, else this computer.
    [string]$Scheduler = $(if ($env:CCP_SCHEDULER) { $env:CCP_SCHEDULER } else { $env:COMPUTERNAME }),
    # The job file. Default: job-template.xml beside this script.
    [string]$JobFile = '',
    # The share password, for unattended use. Default: asked for.
    [System.Security.SecureString]$SharePassword = $null
)

Set-StrictMode -Version 2.0
$ErrorActionPreference = 'Stop'

# Values checked by hpcshare against strict allow-lists when it wrote this file.
$Prompt = 'Password of myfileserver\hpcshareuser (share \\myfileserver\MyShare)'
$Placeholder = '__HPCSHARE_SHARE_PASSWORD__'

function ConvertTo-NetUsePassword {
    # The share password as it goes into the Node Preparation command line, in place of the
    # placeholder. Mirrors escape_netuse_password in hpcshare (wizard/artifacts/escaping.py).
    param([Parameter(Mandatory = $true)][AllowEmptyString()][string]$Password)
    if ($Password.Length -lt 1 -or $Password.Length -gt 127) { throw 'The share password must have 1-127 characters.' }
    foreach ($c in $Password.ToCharArray()) {
        if ([int]$c -lt 32 -or [int]$c -gt 126) { throw 'The share password may hold printable ASCII characters only.' }
    }
    # 1. net.exe splits its command line by the C runtime rules: \" is a quote, backslashes
    #    before a quote are doubled, a password with a space is quoted.
    $arg = ''
    $backslashes = 0
    foreach ($c in $Password.ToCharArray()) {
        if ($c -eq [char]92) { $backslashes++; continue }
        if ($c -eq [char]34) { $arg += ('\' * (2 * $backslashes + 1)) + '"' }
        else { $arg += ('\' * $backslashes) + $c }
        $backslashes = 0
    }
    if ($Password.Contains(' ')) { $arg = '"' + $arg + ('\' * (2 * $backslashes)) + '"' }
    else { $arg += '\' * $backslashes }
    # 2. cmd.exe: a caret before ^ & | < > ( ) and every quote, and after every percent sign so
    #    no %name% can expand (the password appears several times in one line). 3. HPC: * is written ^*.
    $out = ''
    $caretNext = $false
    foreach ($c in $arg.ToCharArray()) {
        if ($caretNext -or '^&|<>()"*'.IndexOf($c) -ge 0) { $out += '^' + $c } else { $out += $c }
        $caretNext = ($c -eq [char]37)
    }
    # A trailing percent sign gets its caret too (a space always follows the password).
    if ($caretNext) { $out += '^' }
    return $out
}

# Known answers from hpcshare: a damaged copy of this script stops here.
foreach ($case in @(
    @('Plain-Pass_123', 'Plain-Pass_123'),
    @('a&b|c<d>e(f)g^h', 'a^&b^|c^<d^>e^(f^)g^^h'),
    @('100%', '100%^'),
    @('%PATH%x', '%^PATH%^x'),
    @('x%', 'x%^'),
    @('%%', '%^%^'),
    @('x*y**z%*', 'x^*y^*^*z%^*'),
    @('q"r\"s', 'q\^"r\\\^"s'),
    @('with space\', '^"with space\\^"'),
    @('back\slash', 'back\slash'),
    @('!bang!', '!bang!')
)) {
    if ((ConvertTo-NetUsePassword -Password $case[0]) -cne $case[1]) {
        throw 'submit-job.ps1 is damaged (the password escaping self-test failed); regenerate it with hpcshare.'
    }
}

if (-not $JobFile) { $JobFile = Join-Path (Split-Path -Parent $MyInvocation.MyCommand.Path) 'job-template.xml' }
$JobFile = (Resolve-Path -LiteralPath $JobFile).ProviderPath
$needsPassword = [IO.File]::ReadAllText($JobFile).Contains($Placeholder)

# HPC Pack 2016 and later install HPC PowerShell as a module; older releases register a snap-in.
if (-not (Get-Command New-HpcJob -ErrorAction SilentlyContinue)) {
    Import-Module Microsoft.Hpc -ErrorAction SilentlyContinue
    # HPC Pack 2016 and later install HPC PowerShell as a module; older releases register a snap-in.
if (-not (Get-Command New-HpcJob -ErrorAction SilentlyContinue)) {
    Import-Module Microsoft.Hpc -ErrorAction SilentlyContinue
    if (-not (Get-Command New-HpcJob -ErrorAction SilentlyContinue)) { Add-PSSnapin Microsoft.HPC }
}
}

$escaped = $null
if ($needsPassword) {
    if (-not $SharePassword) {
        $SharePassword = Read-Host -AsSecureString -Prompt $Prompt
    }
    $bstr = [Runtime.InteropServices.Marshal]::SecureStringToBSTR($SharePassword)
    try { $escaped = ConvertTo-NetUsePassword -Password ([Runtime.InteropServices.Marshal]::PtrToStringBSTR($bstr)) }
    finally { [Runtime.InteropServices.Marshal]::ZeroFreeBSTR($bstr) }
}

$job = New-HpcJob -JobFile $JobFile -Scheduler $Scheduler
# Each filled task with its command line as the job file has it (the placeholder), to put back.
$filled = @()
try {
    if ($needsPassword) {
        foreach ($task in @(Get-HpcTask -Job $job -Scheduler $Scheduler)) {
            if ($task.CommandLine -and $task.CommandLine.Contains($Placeholder)) {
                $filled += ,@($task, $task.CommandLine)
                # String.Replace is literal; -replace would read $ in the password as a group reference.
                Set-HpcTask -Task $task -CommandLine $task.CommandLine.Replace($Placeholder, $escaped) -Scheduler $Scheduler | Out-Null
            }
        }
        if ($filled.Count -eq 0) { throw 'No task of the new job holds the password placeholder.' }
    }
    Submit-HpcJob -Job $job -Scheduler $Scheduler | Out-Null
}
catch {
    # A cancelled job keeps its command lines: take the password out first. The tasks are still
    # in the Configuring state that Set-HpcTask needs, since the job was never submitted.
    foreach ($pair in $filled) {
        Set-HpcTask -Task $pair[0] -CommandLine $pair[1] -Scheduler $Scheduler -ErrorAction SilentlyContinue | Out-Null
    }
    Stop-HpcJob -Job $job -Force -Scheduler $Scheduler -Confirm:$false -ErrorAction SilentlyContinue
    throw
}
finally {
    $escaped = $null
}
Write-Host ('Submitted job {0} to {1}. Follow it with: job view {0} /scheduler:{1}' -f $job.Id, $Scheduler)
