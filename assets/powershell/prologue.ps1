# hpcshare-prologue
#
# Spliced by wizard/remote/scripts.py into every hpcshare script at its '# hpcshare: prologue' line,
# so each script sent to the server is self-contained (Run Command sends one script). The
# assembled scripts are golden files in tests/remote/golden/: what runs is reviewed whole.
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
