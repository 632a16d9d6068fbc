@echo off
rem check-share.cmd - written by hpcshare for profile prod. Regenerate it rather than edit it:
rem     hpcshare generate --profile prod
rem
rem Proves, node by node, that compute nodes can use \\FS-7\scratch as user FS-7\Runner_2.
rem Each node checks in order and prints one line per check:
rem     hpcshare-check NODE CHECK ok-or-fail CODE detail
rem     resolve     FS-7 resolves to 172.16.8.200 (the hosts entry nodeprep.cmd writes)
rem     port445     TCP 445 answers
rem     connect     net use connects the share with the password
rem     write, read, delete   a file in \\FS-7\scratch\hpcshare-check\NODE (read-only access: list)
rem     disconnect  the connection is removed
rem CODE is the Windows error code (53, 67, 1326, 5, 1219, 64, 121 ...). A node exits 0 only
rem when every check passed. Nothing is left on the node. Windows Server 2012 R2 or later: cmd.exe,
rem ping, net and Windows PowerShell (for the TCP test and the file checks' error codes; the
rem PowerShell 4.0 of Server 2012 R2 is enough, 5.1 too, and only .NET 4.5 classes are used).
rem
rem Two ways to run it:
rem  1. On the head node, as a cluster administrator, for every node of a node group:
rem         check-share.cmd /clusrun NODEGROUP
rem     It asks for the share password once (hidden), runs the checks on each node with clusrun,
rem     shows the output and saves it in check-share-output.txt beside this file. Then, on any
rem     machine with hpcshare:   hpcshare nodes-report check-share-output.txt
rem  2. As the command of a job task, one task per node: copy this file to the node (or to a
rem     folder it can read) and set the environment variable HPCSHARE_SHARE_PASSWORD on the task,
rem     for example with HPC PowerShell (Add-HpcTask -Env), so it is not on a command line.
rem
rem Where the password travels: typed on the head node into PowerShell's Read-Host (hidden), it
rem goes base64-encoded (an encoding, not encryption) in clusrun's /env: argument to the HPC
rem scheduler and the node manager, which set HPCSHARE_CHECK for the command on each node; there
rem PowerShell decodes it into HPCSHARE_SHARE_PASSWORD for the checks, which give it to net.exe. So it is on the command lines of clusrun.exe (head node) and net.exe (each node)
rem while they run, and in whatever record the scheduler keeps of the clusrun command. It is
rem never written to a file, never part of this script, never on cmd.exe's command line.
rem
rem How the checks reach the nodes: clusrun runs one command line on each node, so that line
rem carries the checks (the part of this file after the label node_checks, without its rem
rem lines), deflate-compressed and base64-encoded after the password in HPCSHARE_CHECK, and a
rem short PowerShell script that writes them to a temporary .cmd file, runs it and deletes it:
rem     if (-not $env:HPCSHARE_CHECK) { exit 87 }
rem     $parts = $env:HPCSHARE_CHECK.Split('.')
rem     Remove-Item Env:HPCSHARE_CHECK
rem     $p = $parts[0] + ('=' * ((4 - ($parts[0].Length -band 3)) -band 3))
rem     $env:HPCSHARE_SHARE_PASSWORD = [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($p))
rem     $file = Join-Path ([IO.Path]::GetTempPath()) ('hpcshare-check-' + [Guid]::NewGuid().ToString('N') + '.cmd')
rem     $in = New-Object IO.MemoryStream(,[Convert]::FromBase64String($parts[1]))
rem     $z = New-Object IO.Compression.DeflateStream($in, [IO.Compression.CompressionMode]::Decompress)
rem     $out = [IO.File]::Create($file); $z.CopyTo($out); $out.Close()
rem     cmd.exe /c $file
rem     $code = $LASTEXITCODE
rem     Remove-Item -LiteralPath $file -Force -ErrorAction SilentlyContinue
rem     exit $code

setlocal EnableExtensions DisableDelayedExpansion
if /i "%~1"=="/clusrun" goto clusrun
goto node_checks

:clusrun
set "HS_GROUP=%~2"
if "%HS_GROUP%"=="" set "HS_GROUP="
if "%HS_GROUP%"=="" goto clusrun_usage
set "HS_ACCOUNT=FS-7\Runner_2"
set "HS_OUT=%~dp0check-share-output.txt"
set "HS_B64="
rem The password as base64 of its UTF-8 bytes, without the = padding; Read-Host hides it.
rem The prompt goes to stderr (stdout is read here); the value is the text after "HPCSHARE:".
for /f "usebackq tokens=2 delims=:" %%p in (`powershell.exe -NoProfile -ExecutionPolicy Bypass -Command "[Console]::Error.Write('Share password for ' + $env:HS_ACCOUNT + ': '); $s = Read-Host -AsSecureString; $b = [Runtime.InteropServices.Marshal]::SecureStringToBSTR($s); try { 'HPCSHARE:' + [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes([Runtime.InteropServices.Marshal]::PtrToStringBSTR($b))).TrimEnd('=') } finally { [Runtime.InteropServices.Marshal]::ZeroFreeBSTR($b) }"`) do if not "%%p"=="" set "HS_B64=%%p"
if not defined HS_B64 goto no_input
echo Running the share check on node group %HS_GROUP% ...
clusrun "/nodegroup:%HS_GROUP%" "/env:HPCSHARE_CHECK=%HS_B64%.zVhtc9pGEP7uGf+HhbES0wYMdnBcedQpASVhGgMRJO6McRlZHEG1rCPSYWCa9Ld37ySdTgJs+JYZY4RuX57de3ZvpT+IM6VAJ5PDg5Awjzq2B6Zv33nEXDLihy71w/hGi3j2iozN5cwW94UGFD/0R51uyzS0Zveq93lgWp3GlakV09W+aX0xLeNdv/xGuWv+1TObA7M1aveM2pvTSu28clE5rVYVkc+dpjEccr1h6AQ2c6bKYqPZ7H7uDITZoTX3fRKMTpX1a6s9aLz9aBo15WarbeUsDqczJ5zaASk7U+LcD7dG8a6NtrTIhjYUwmXNanRa3Sst+a6wJVNUBt0/zY6ROAChA1kHkDehZsiyDG1gXvW0HMjn/Pb6xowuSBBOiedVyJJAuUN7AZ24nrj02z4jge0w9xF/m0vizBnuZ496rrOCt6uZHYZQbtKHB9sfq9n7ZBQzO9geGOp+4U7irwkN4GQCRUbvkT/GKYyJ5z6Exs1tETTNBteH45cz1/8KZR9qUH4N5QXUqtUqaJIsGpz+/bs/916WYEzBnYBPGdqZuD4Zg/AEilO0in5RKivxlTIKAQmp90jGhweC6NlECo+cvFoiBxPb9aCGcGoZOGNKQgEikaM+sKnL741JLiVCGwEJ/wjIDaeHB3oKBIEWtWwFaEUDU5tBPKL3kWhBRFPgEmta6xp7RFk/y4QYr4WAFmOfcDdnGCbKc+aEJHgkAWDQeRy5BNTPtkW/B0R6D1lGoN8YllJhDeu9OTCSFB0eaIL+GhSPHDCgQxbl7t0/xGF4ySp96twTFlYGzqzpucRnl8CCFfzLCXZ85FSaFLuIwxrhyneOj4j/qEsXr+D163qpcm277LiOXC2VUI0sXYYgf1xGV7XTGvwAh3cVXDwiCOBoVDGXDpnx8rqExZSnES1X2rxdyZWSFM+vcNsCHNYpxn+jRhF9S9FbiQitmEFAgyZSMwUHP5RKbYqGjQ2ma300v5gftWJKS74m+FiN6TWjAdth47gYJiniljQEg2aP544XTMIqWUx4jmCbyrEnxZAn0Z5ABIM2uI+8hmjQiTZcxJ7pML1m/0PDMkfR/16j37/uWq0oHT4d8Qa5oAHWMh6XHugO4vo2pww7gY+hzEMi4OD5pcEJtj/CCJysgHc0OP39RW2DGAf3qQAneDPQtfR8QwMzBOuGeBgz3aeJkagXWFa8c4RvuEceCTavCGYc24hvB+86SY4/8R79dAJj1bQEBUI7qvsEl9wcjyip3OwuypLAOHJEw9wNgKBSIeZDAdaSloMEeeeCT1J/jU+ZndwD0cU5kgASVX0rXdyI5RwNPxTFeeFEp2oO48X5Grg4sUlVJuNMpjI9pIXS86JmdtPuVlpugGhpsLrV9WZAbEbkHdnYcI4pwXfozlm5M/e8S6H4Dr2iznXgMtLwvAFZMqnAJ6BXIPsiH25Kl7IJpo3PzzW+ygeLhHOPQfkOI4fzev2sHrc1H8rkG1RLiVpN9iv8uUPD4und3LQWPALJxqc3V8imbOdxamtp5XiVDFnEHm9KUAnKDoaUzdKGs+Lsp8sY0mS8Y8K4aJQvcXVn4+piajNYYEXybGKz2sjLOHkt0RKzebtcI25OCvmK7GPBnJQu5W6o8uYSyyHM8Ftmvi7T9PNRNTogZOqDcSTHO1xu8C+qR8jTWxSfOvEmPVCcPNNJjscmp9eXIXYnb8zP4QiOG8pzUd+/jHLHv0Pn3lgEHy0rBZaeH9KBvi8Jt3pLifmMx1z2d8rqVq/xunQJ2PZdlktwDsBOTfw9Ybx2+iucAx5MnwUuSZmOTMl28p+U6DzSHRPNRSPy8ivkrjzzj/nOlqnvrcB2HBKGOj+MBa3jzlPaROR9fW/dYrGaoEnO6dHGyUOdZHUVzQ5D4rPzXWpvV+5KhSixvBvEN/iTBpqUcLAzxD0jP5Vs8LrvcKfgeG6+O1HqLfvk3B4kzNo66+kJaDQCaTrVFrrJ3jPgqR83VdwLrNRonY+CMT7J/j1tSr4JPbBjy3Jref2d3KUSfOROnzoy03by420/+XVii1ciRjXW8nFqUeoY07Z5gtX/4/7a2qtaoZi+jGgWlLcV3BxJ5tnYz69GLS89VMR5Vw49m29NVqgg3jEVFFER3sjBtKkxRs9KBRFiIVbPhy1NRLHqOceKcGxnuEVpRwjcQoJ/FyzEH+fttSKDebPrVpvSqE7oBA2qxZfpzsrrOCwsHv83iN/L1coXyZu5CqRv5tJC2fLqjdsVjzOaxoQG19Q0pKbm4Ac7tYYVrE3w8xU/06fM8LpAffadN5hxyBAp/i2heFMt/3Yr/v0SF+yLF5A9dzRWXH9uj+1mJGvZZP0P" powershell.exe -NoProfile -NonInteractive -ExecutionPolicy Bypass -EncodedCommand aQBmACAAKAAtAG4AbwB0ACAAJABlAG4AdgA6AEgAUABDAFMASABBAFIARQBfAEMASABFAEMASwApACAAewAgAGUAeABpAHQAIAA4ADcAIAB9AAoAJABwAGEAcgB0AHMAIAA9ACAAJABlAG4AdgA6AEgAUABDAFMASABBAFIARQBfAEMASABFAEMASwAuAFMAcABsAGkAdAAoACcALgAnACkACgBSAGUAbQBvAHYAZQAtAEkAdABlAG0AIABFAG4AdgA6AEgAUABDAFMASABBAFIARQBfAEMASABFAEMASwAKACQAcAAgAD0AIAAkAHAAYQByAHQAcwBbADAAXQAgACsAIAAoACcAPQAnACAAKgAgACgAKAA0ACAALQAgACgAJABwAGEAcgB0AHMAWwAwAF0ALgBMAGUAbgBnAHQAaAAgAC0AYgBhAG4AZAAgADMAKQApACAALQBiAGEAbgBkACAAMwApACkACgAkAGUAbgB2ADoASABQAEMAUwBIAEEAUgBFAF8AUwBIAEEAUgBFAF8AUABBAFMAUwBXAE8AUgBEACAAPQAgAFsAVABlAHgAdAAuAEUAbgBjAG8AZABpAG4AZwBdADoAOgBVAFQARgA4AC4ARwBlAHQAUwB0AHIAaQBuAGcAKABbAEMAbwBuAHYAZQByAHQAXQA6ADoARgByAG8AbQBCAGEAcwBlADYANABTAHQAcgBpAG4AZwAoACQAcAApACkACgAkAGYAaQBsAGUAIAA9ACAASgBvAGkAbgAtAFAAYQB0AGgAIAAoAFsASQBPAC4AUABhAHQAaABdADoAOgBHAGUAdABUAGUAbQBwAFAAYQB0AGgAKAApACkAIAAoACcAaABwAGMAcwBoAGEAcgBlAC0AYwBoAGUAYwBrAC0AJwAgACsAIABbAEcAdQBpAGQAXQA6ADoATgBlAHcARwB1AGkAZAAoACkALgBUAG8AUwB0AHIAaQBuAGcAKAAnAE4AJwApACAAKwAgACcALgBjAG0AZAAnACkACgAkAGkAbgAgAD0AIABOAGUAdwAtAE8AYgBqAGUAYwB0ACAASQBPAC4ATQBlAG0AbwByAHkAUwB0AHIAZQBhAG0AKAAsAFsAQwBvAG4AdgBlAHIAdABdADoAOgBGAHIAbwBtAEIAYQBzAGUANgA0AFMAdAByAGkAbgBnACgAJABwAGEAcgB0AHMAWwAxAF0AKQApAAoAJAB6ACAAPQAgAE4AZQB3AC0ATwBiAGoAZQBjAHQAIABJAE8ALgBDAG8AbQBwAHIAZQBzAHMAaQBvAG4ALgBEAGUAZgBsAGEAdABlAFMAdAByAGUAYQBtACgAJABpAG4ALAAgAFsASQBPAC4AQwBvAG0AcAByAGUAcwBzAGkAbwBuAC4AQwBvAG0AcAByAGUAcwBzAGkAbwBuAE0AbwBkAGUAXQA6ADoARABlAGMAbwBtAHAAcgBlAHMAcwApAAoAJABvAHUAdAAgAD0AIABbAEkATwAuAEYAaQBsAGUAXQA6ADoAQwByAGUAYQB0AGUAKAAkAGYAaQBsAGUAKQA7ACAAJAB6AC4AQwBvAHAAeQBUAG8AKAAkAG8AdQB0ACkAOwAgACQAbwB1AHQALgBDAGwAbwBzAGUAKAApAAoAYwBtAGQALgBlAHgAZQAgAC8AYwAgACQAZgBpAGwAZQAKACQAYwBvAGQAZQAgAD0AIAAkAEwAQQBTAFQARQBYAEkAVABDAE8ARABFAAoAUgBlAG0AbwB2AGUALQBJAHQAZQBtACAALQBMAGkAdABlAHIAYQBsAFAAYQB0AGgAIAAkAGYAaQBsAGUAIAAtAEYAbwByAGMAZQAgAC0ARQByAHIAbwByAEEAYwB0AGkAbwBuACAAUwBpAGwAZQBuAHQAbAB5AEMAbwBuAHQAaQBuAHUAZQAKAGUAeABpAHQAIAAkAGMAbwBkAGUACgA= > "%HS_OUT%"
set "HS_RC=%ERRORLEVEL%"
set "HS_B64="
type "%HS_OUT%"
echo.
echo Saved in %HS_OUT%. For a table of the nodes and what to fix:
echo     hpcshare nodes-report "%HS_OUT%"
exit /b %HS_RC%

:clusrun_usage
echo Usage: check-share.cmd /clusrun NODEGROUP    (on the head node; see the comments in this file)
exit /b 2

:no_input
echo check-share.cmd: no share password was given; nothing was run
exit /b 2

:node_checks
rem ---- The checks (run on each node). ----------------------------------------------------
rem Output: one line per check, "hpcshare-check NODE CHECK ok-or-fail CODE detail", CODE being the
rem Windows error code (0 when the check passed). Checks stop at the first failure, except that
rem a connection made is always removed; a last "done" line ends the output, so a cut-off output
rem shows. Exit code: 0 when every check passed, else the first failing check's code. Never
rem prompts; writes nothing on the node but one temporary file for net.exe's error message,
rem deleted before the end.
setlocal EnableExtensions EnableDelayedExpansion
set "HS_NODE=%COMPUTERNAME%"
set "HS_SERVER=FS-7"
set "HS_EXPECTED_IP=172.16.8.200"
set "HS_UNC=\\FS-7\scratch"
set "HS_ACCOUNT=FS-7\Runner_2"
set "HS_WRITABLE=1"
set "HS_DIR=\\FS-7\scratch\hpcshare-check\%COMPUTERNAME%"
set "HS_FILE=%HS_DIR%\check-%RANDOM%%RANDOM%.txt"
set "HS_TOKEN=hpcshare check %COMPUTERNAME% %RANDOM%%RANDOM%"
set "HS_ERR=%TEMP%\hpcshare-check-%RANDOM%%RANDOM%.txt"
set "HS_PS=powershell.exe -NoProfile -NonInteractive -ExecutionPolicy Bypass -Command"
set "HS_DQ=""
set "HS_EXIT=0"

rem 1. resolve: ping prints the address it resolved in [ ] (any language); the reply itself
rem does not matter, ICMP may well be blocked.
set "HS_IP="
for /f "tokens=2 delims=[]" %%a in ('ping -n 1 -4 -w 1000 %HS_SERVER% 2^>nul') do if not defined HS_IP set "HS_IP=%%a"
if defined HS_IP goto resolved
echo hpcshare-check %HS_NODE% resolve fail 11001 %HS_SERVER% does not resolve on this node
set "HS_EXIT=11001"
goto finish
:resolved
if "%HS_EXPECTED_IP%"=="" goto resolve_ok
if "!HS_IP!"=="%HS_EXPECTED_IP%" goto resolve_ok
echo hpcshare-check %HS_NODE% resolve fail 53 %HS_SERVER% resolves to !HS_IP! but the file server is %HS_EXPECTED_IP%
set "HS_EXIT=53"
goto finish
:resolve_ok
echo hpcshare-check %HS_NODE% resolve ok 0 %HS_SERVER% is !HS_IP!

rem 2. port445: a TCP connection within 5 s (cmd.exe has no TCP client). 121: timed out;
rem otherwise the socket error (10061 refused, 10065 no route).
set "HS_TARGET=!HS_IP!"
%HS_PS% "$c = New-Object Net.Sockets.TcpClient; try { if ($c.ConnectAsync($env:HS_TARGET, 445).Wait(5000)) { exit 0 }; exit 121 } catch { $e = $_.Exception; while ($e.InnerException) { $e = $e.InnerException }; if ($e -is [Net.Sockets.SocketException]) { exit $e.ErrorCode }; exit 1 }"
set "HS_CODE=%ERRORLEVEL%"
if "%HS_CODE%"=="0" goto port_ok
echo hpcshare-check %HS_NODE% port445 fail %HS_CODE% TCP 445 on !HS_IP! does not answer
set "HS_EXIT=%HS_CODE%"
goto finish
:port_ok
echo hpcshare-check %HS_NODE% port445 ok 0 TCP 445 on !HS_IP! answers

rem 3. connect: net use with the password from HPCSHARE_SHARE_PASSWORD (see :crt_quote).
:connect
if not defined HPCSHARE_SHARE_PASSWORD goto no_password
call :crt_quote
net use %HS_UNC% /delete /y >nul 2>&1
net use %HS_UNC% !HS_Q! /user:%HS_ACCOUNT% /persistent:no >nul 2>"%HS_ERR%"
if errorlevel 1 goto connect_failed
set "HS_Q="
echo hpcshare-check %HS_NODE% connect ok 0 %HS_UNC% as %HS_ACCOUNT%
goto files
:connect_failed
set "HS_Q="
call :error_code
echo hpcshare-check %HS_NODE% connect fail !HS_CODE! net use %HS_UNC% as %HS_ACCOUNT% failed
set "HS_EXIT=!HS_CODE!"
goto finish
:no_password
echo hpcshare-check %HS_NODE% connect fail 86 no password: HPCSHARE_SHARE_PASSWORD is not set for this command
set "HS_EXIT=86"
goto finish

rem 4. files: with write access, write, read back and delete a file in this node's own folder;
rem with read-only access, list the share. The node's folder is removed with whatever an
rem interrupted earlier check left in it. PowerShell for the Windows error code (the low 16
rem bits of the .NET HResult); cmd.exe only says that a command failed.
:files
if "%HS_WRITABLE%"=="0" goto list
%HS_PS% "try { [IO.Directory]::CreateDirectory($env:HS_DIR) | Out-Null; [IO.File]::WriteAllText($env:HS_FILE, $env:HS_TOKEN); exit 0 } catch { $n = $_.Exception.HResult -band 65535; if ($n -eq 0) { $n = 1 }; exit $n }"
set "HS_CODE=%ERRORLEVEL%"
if not "%HS_CODE%"=="0" goto write_failed
echo hpcshare-check %HS_NODE% write ok 0 %HS_FILE%
%HS_PS% "try { if ([IO.File]::ReadAllText($env:HS_FILE) -ceq $env:HS_TOKEN) { exit 0 }; exit 13 } catch { $n = $_.Exception.HResult -band 65535; if ($n -eq 0) { $n = 1 }; exit $n }"
set "HS_CODE=%ERRORLEVEL%"
if not "%HS_CODE%"=="0" goto read_failed
echo hpcshare-check %HS_NODE% read ok 0 read back what was written
%HS_PS% "try { [IO.File]::Delete($env:HS_FILE); [IO.Directory]::Delete($env:HS_DIR, $true); if ([IO.Directory]::Exists($env:HS_DIR)) { exit 5 }; exit 0 } catch { $n = $_.Exception.HResult -band 65535; if ($n -eq 0) { $n = 1 }; exit $n }"
set "HS_CODE=%ERRORLEVEL%"
if not "%HS_CODE%"=="0" goto delete_failed
rem The common parent folder goes too once the last node is done with it (never recursive).
rd "%HS_UNC%\hpcshare-check" >nul 2>&1
echo hpcshare-check %HS_NODE% delete ok 0 removed the file and this node's folder
goto disconnect
:write_failed
echo hpcshare-check %HS_NODE% write fail %HS_CODE% could not write %HS_FILE%
goto files_failed
:read_failed
echo hpcshare-check %HS_NODE% read fail %HS_CODE% could not read back %HS_FILE%
goto files_failed
:delete_failed
echo hpcshare-check %HS_NODE% delete fail %HS_CODE% could not delete %HS_FILE% or its folder
goto files_failed
:list
%HS_PS% "try { [IO.Directory]::GetFileSystemEntries($env:HS_UNC) | Out-Null; exit 0 } catch { $n = $_.Exception.HResult -band 65535; if ($n -eq 0) { $n = 1 }; exit $n }"
set "HS_CODE=%ERRORLEVEL%"
if not "%HS_CODE%"=="0" goto list_failed
echo hpcshare-check %HS_NODE% list ok 0 listed %HS_UNC% (read-only access: no file written)
goto disconnect
:list_failed
echo hpcshare-check %HS_NODE% list fail %HS_CODE% could not list %HS_UNC%
:files_failed
set "HS_EXIT=%HS_CODE%"

rem 5. disconnect: always, once connected.
:disconnect
net use %HS_UNC% /delete /y >nul 2>"%HS_ERR%"
if errorlevel 1 goto disconnect_failed
echo hpcshare-check %HS_NODE% disconnect ok 0 the connection to %HS_UNC% is removed
goto finish
:disconnect_failed
call :error_code
echo hpcshare-check %HS_NODE% disconnect fail !HS_CODE! net use %HS_UNC% /delete failed
if "%HS_EXIT%"=="0" set "HS_EXIT=!HS_CODE!"

:finish
del "%HS_ERR%" >nul 2>&1
rem The last line says the output is complete (a line cut off mid-way is then visible).
if "%HS_EXIT%"=="0" echo hpcshare-check %HS_NODE% done ok 0 every check passed
if not "%HS_EXIT%"=="0" echo hpcshare-check %HS_NODE% done fail %HS_EXIT% a check failed
exit /b %HS_EXIT%

:crt_quote
rem HS_Q = the password as one argument of net.exe's command line, which net.exe splits with the
rem Microsoft C runtime rules: in double quotes, a quote written \" and the backslashes just
rem before a quote (or before the closing quote) doubled. Built one character at a time with
rem delayed expansion, which inserts values after cmd.exe has parsed the line, so no character
rem of the password is ever special to cmd.exe: percent, caret, ampersand, pipe, angle brackets,
rem parentheses, exclamation marks, quotes and spaces reach net.exe as typed.
set "HS_Q="
set "HS_BS="
set /a HS_I=0
:crt_next
set "HS_C=!HPCSHARE_SHARE_PASSWORD:~%HS_I%,1!"
if "!HS_C!"=="" goto crt_end
set /a HS_I+=1
if "!HS_C!"=="\" goto crt_backslash
if "!HS_C!"=="!HS_DQ!" goto crt_quote_char
set "HS_Q=!HS_Q!!HS_BS!!HS_C!"
set "HS_BS="
goto crt_next
:crt_backslash
set "HS_BS=!HS_BS!\"
goto crt_next
:crt_quote_char
set "HS_Q=!HS_Q!!HS_BS!!HS_BS!\!HS_DQ!"
set "HS_BS="
goto crt_next
:crt_end
set "HS_Q=!HS_DQ!!HS_Q!!HS_BS!!HS_BS!!HS_DQ!"
set "HS_C="
goto :eof

:error_code
rem HS_CODE = the first number in net.exe's error message ("System error 1326 has occurred."
rem and its translations), else 1.
set "HS_CODE="
for /f "usebackq tokens=1-8 delims=. " %%a in ("%HS_ERR%") do if not defined HS_CODE for %%t in (%%a %%b %%c %%d %%e %%f %%g %%h) do if not defined HS_CODE echo(%%t| findstr /r /x "[0-9][0-9]*" >nul && set "HS_CODE=%%t"
if not defined HS_CODE set "HS_CODE=1"
goto :eof
