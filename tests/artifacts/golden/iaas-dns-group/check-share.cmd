@echo off
rem check-share.cmd - written by hpcshare for profile iaas. Regenerate it rather than edit it:
rem     hpcshare generate --profile iaas
rem
rem Proves, node by node, that compute nodes can use \\myfileserver.hpc.internal\MyShare as user myfileserver\hpcshareuser.
rem Each node checks in order and prints one line per check:
rem     hpcshare-check NODE CHECK ok-or-fail CODE detail
rem     resolve     myfileserver.hpc.internal resolves to 10.0.0.4 (the A record in the private DNS zone hpc.internal)
rem     port445     TCP 445 answers
rem     connect     net use connects the share with the password
rem     write, read, delete   a file in \\myfileserver.hpc.internal\MyShare\hpcshare-check\NODE (read-only access: list)
rem     disconnect  the connection is removed
rem CODE is the Windows error code (53, 67, 1326, 5, 1219, 64, 121 ...). A node exits 0 only
rem when every check passed. Nothing is left on the node. Windows Server 2012 R2 or later: cmd.exe,
rem ping, net and Windows PowerShell (for the TCP test and the file checks' error codes; the
rem PowerShell 4.0 of Server 2012 R2 is enough, 5.1 too, and only .NET 4.5 classes are used).
rem
rem Two ways to run it:
rem  1. On the head node, as a cluster administrator, for every node of a node group:
rem         check-share.cmd /clusrun NODEGROUP      (default: ComputeNodes)
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
if "%HS_GROUP%"=="" set "HS_GROUP=ComputeNodes"
if "%HS_GROUP%"=="" goto clusrun_usage
set "HS_ACCOUNT=myfileserver\hpcshareuser"
set "HS_OUT=%~dp0check-share-output.txt"
set "HS_B64="
rem The password as base64 of its UTF-8 bytes, without the = padding; Read-Host hides it.
rem The prompt goes to stderr (stdout is read here); the value is the text after "HPCSHARE:".
for /f "usebackq tokens=2 delims=:" %%p in (`powershell.exe -NoProfile -ExecutionPolicy Bypass -Command "[Console]::Error.Write('Share password for ' + $env:HS_ACCOUNT + ': '); $s = Read-Host -AsSecureString; $b = [Runtime.InteropServices.Marshal]::SecureStringToBSTR($s); try { 'HPCSHARE:' + [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes([Runtime.InteropServices.Marshal]::PtrToStringBSTR($b))).TrimEnd('=') } finally { [Runtime.InteropServices.Marshal]::ZeroFreeBSTR($b) }"`) do if not "%%p"=="" set "HS_B64=%%p"
if not defined HS_B64 goto no_input
echo Running the share check on node group %HS_GROUP% ...
clusrun "/nodegroup:%HS_GROUP%" "/env:HPCSHARE_CHECK=%HS_B64%.zVhtc9pGEP7uGf+HhbES04Y322RSedQpASVhGgMRJO6McRlZHEG1rCPSYWCa9Ld37ySdTgJs+JaxsZFuX57de3b3pD+IM6NAp9Pjo5Awjzq2B6Zv33nEXDHihy71w/hGm3j2mkzM1dwW94UGFD8Mxt1e2zS0Vu+q/3loWt3mlakV09WBaX0xLeNhPXU9EpLgkQSV2dypuD4jgW97iqj5V99sDc32uNM36rUK/7lQlj93W8ZotNPQ6Go9mNkBUTSarVbvc3eYcT5CnZDLLfBakb22OsPm24+mUVdutjvWPi6lzbIzI879aGcy3nXQgRYZ1kZCuKxZzW67d6Ul/ytsxRSVYe9Ps2skDkDoQNYB5E2oObUsQxuaV30tB/I5v/2BMadLEoQz4nkVsiJQ7tJ+QHkq+Fe/w5NgO8x9xGtzRZwFQ1r0qec6a3i7ntthCOUWfXiw/Yma0k9GMbPnnaFRU27g3uPVlAZQnUKR0XukoXEGE+K5D6Fxc1sETbPB9eH05dz1v0LZhzqUL6C8hHqtVgNNck6Ds79/9xfeyxJMKLhT8ClDO1PXJxMQnkBxilbRL0plJb5SRiEgIfUeyeT4SNRLNpHCI68BLZGDqe16UEc49QycCSWhAJHIUR/YzOX3JiSXEqGNgIR/BOSGs+MjPQWCQItatma0ooGpzSAe0/tItCCiKXCJDa1NjQOibJxnQozXQkCLsU+4WzAME+U5c6IqAgw6jyOXgMb5rugPgEjvIcsI9BvDUiqsab03h0aSouMjTdBfg+KJAwZ0ybLcu/uHOAy/ssqAOveEhZWhM295LvHZJbBgDf9ygp2eOJUW9X2UbYZr3zk9If6jLl28gouLRqlybbvstIFcLZVQjaxchiB/XEbf6md1+AGOzZwZLp4QBHAyrpgrh8x5eV3CcsbTiJYrHXQUyJWSFM+vcNsCHNYpxn+jRhH9l6K3EhFaMYOABi2kZgoOfiiV2hJ9HxtMz/pofjE/asWUlnxN8LEW02tOA7bHxnExTFLELWkIhq0+zx0vmIRVsphwHGGbyrEnxZAn0YFABIO2uI+8hmjQiTZcxJ7pMP3W4EPTMsfR335zMLjuWe0oHT4d8wa5pAHWMk5dD3QHcX1bUIadwMdQcDwJODj1NKhi+yOMQHUNvKPB2e8v6lvEOLhPBajy0aZr6QBEA3ME64Y405nu08RI1AssK945wjfcI48Em1cEM45tzLeDd50kx594j346gbFqWoICoR3VfYJLbg6O1zSV291FWRIYx45omPsBEFQqxHwowEbScpAg71zwSepv8CmzkwcgevMaSQCJqr6TLm7Eco6GD0UxL5xoquYwvnm9AS5ObFKVyRknU5ke0kLpeVEzu+n0Km03QLQ0WN/qeisgNiPyjmxseI4pwXfoLVi5u/C8S6H4Dr2iznXgMtL0vCFZManAT0CvQPZFfrgpXcommDY+P9f4Kh8sEi48BuU7jBxeNxrnjbit+VAm36BWStTqsl/h5R4Ni6d3e9Na8ggkG5/eXCGbsp3HqW2kleNVMmQRe7ItQSUoOxhSNktbZsX5T5cxpMlkz4Rx0Shf4tudjavLmc1giRXJs4nNaisv4+S1RUvM5u1yg7g5KeQrso8FC1K6lLuhypsrLIcww2+Z+YZM089H1WhAyNQHk0iOd7jcwb+ojpCntyieOvEmPVA8eaYnOR6bPL2+DLE7eRM+hyM4bijnon54GeXGv0MX3kQEHy0rBZbOD+lAP5SEO72lxHzGYy77e2V1p9d4XboEbPsuyyU4B2CvJv6eMF47gzWeAx5MnwUuSZmOTMl28p+U6DzSPRPNRSPy8m/IXTnzT/nOlqnvrcF2HBKGOh/GgtZx5yltI/KhvndusVhN0CRzerz15KGeZHUVzR6HxGfPd6m9fbkrFaLE8m4Q3+BPGmhSwsHOEPeM/Klki9dDD3cKjufOd1Wl3rJPzp1hwqydZz09AY1GIE2n2kK32XsGPPXjpop7gZUarfOjYIxPsv9Am5JvQg/s2LLcWl5/1btUgh+506eOzGk7uXg7SK6qtnglYtRiLR9PLUodY9q2n2D1/7i/jvaqXiimLyNaBeVtBTdHkvNs7OdXo56XHinivCuHns23JitUEO+YCoqoCG/sYNrUGKNnpYIIsRCr58OWJqJY9ZxjRTi2M9qhtCcEbiHBvw8W4k/y9tqRwbzZTastaVQndIoG1eLLdGfldRwWFo//G8Tv5erlN8mbuQqkb+bSQtnx6o3bFY8zmsaEBtfUNKSm5uAHO7WGFaxN8fMVP7OnzPC6QH32nTeYScgQKf6uoHhTK/92K/78EhfsixeQnTsaK24+t8d2M5L1bLL+Bw==" powershell.exe -NoProfile -NonInteractive -ExecutionPolicy Bypass -EncodedCommand aQBmACAAKAAtAG4AbwB0ACAAJABlAG4AdgA6AEgAUABDAFMASABBAFIARQBfAEMASABFAEMASwApACAAewAgAGUAeABpAHQAIAA4ADcAIAB9AAoAJABwAGEAcgB0AHMAIAA9ACAAJABlAG4AdgA6AEgAUABDAFMASABBAFIARQBfAEMASABFAEMASwAuAFMAcABsAGkAdAAoACcALgAnACkACgBSAGUAbQBvAHYAZQAtAEkAdABlAG0AIABFAG4AdgA6AEgAUABDAFMASABBAFIARQBfAEMASABFAEMASwAKACQAcAAgAD0AIAAkAHAAYQByAHQAcwBbADAAXQAgACsAIAAoACcAPQAnACAAKgAgACgAKAA0ACAALQAgACgAJABwAGEAcgB0AHMAWwAwAF0ALgBMAGUAbgBnAHQAaAAgAC0AYgBhAG4AZAAgADMAKQApACAALQBiAGEAbgBkACAAMwApACkACgAkAGUAbgB2ADoASABQAEMAUwBIAEEAUgBFAF8AUwBIAEEAUgBFAF8AUABBAFMAUwBXAE8AUgBEACAAPQAgAFsAVABlAHgAdAAuAEUAbgBjAG8AZABpAG4AZwBdADoAOgBVAFQARgA4AC4ARwBlAHQAUwB0AHIAaQBuAGcAKABbAEMAbwBuAHYAZQByAHQAXQA6ADoARgByAG8AbQBCAGEAcwBlADYANABTAHQAcgBpAG4AZwAoACQAcAApACkACgAkAGYAaQBsAGUAIAA9ACAASgBvAGkAbgAtAFAAYQB0AGgAIAAoAFsASQBPAC4AUABhAHQAaABdADoAOgBHAGUAdABUAGUAbQBwAFAAYQB0AGgAKAApACkAIAAoACcAaABwAGMAcwBoAGEAcgBlAC0AYwBoAGUAYwBrAC0AJwAgACsAIABbAEcAdQBpAGQAXQA6ADoATgBlAHcARwB1AGkAZAAoACkALgBUAG8AUwB0AHIAaQBuAGcAKAAnAE4AJwApACAAKwAgACcALgBjAG0AZAAnACkACgAkAGkAbgAgAD0AIABOAGUAdwAtAE8AYgBqAGUAYwB0ACAASQBPAC4ATQBlAG0AbwByAHkAUwB0AHIAZQBhAG0AKAAsAFsAQwBvAG4AdgBlAHIAdABdADoAOgBGAHIAbwBtAEIAYQBzAGUANgA0AFMAdAByAGkAbgBnACgAJABwAGEAcgB0AHMAWwAxAF0AKQApAAoAJAB6ACAAPQAgAE4AZQB3AC0ATwBiAGoAZQBjAHQAIABJAE8ALgBDAG8AbQBwAHIAZQBzAHMAaQBvAG4ALgBEAGUAZgBsAGEAdABlAFMAdAByAGUAYQBtACgAJABpAG4ALAAgAFsASQBPAC4AQwBvAG0AcAByAGUAcwBzAGkAbwBuAC4AQwBvAG0AcAByAGUAcwBzAGkAbwBuAE0AbwBkAGUAXQA6ADoARABlAGMAbwBtAHAAcgBlAHMAcwApAAoAJABvAHUAdAAgAD0AIABbAEkATwAuAEYAaQBsAGUAXQA6ADoAQwByAGUAYQB0AGUAKAAkAGYAaQBsAGUAKQA7ACAAJAB6AC4AQwBvAHAAeQBUAG8AKAAkAG8AdQB0ACkAOwAgACQAbwB1AHQALgBDAGwAbwBzAGUAKAApAAoAYwBtAGQALgBlAHgAZQAgAC8AYwAgACQAZgBpAGwAZQAKACQAYwBvAGQAZQAgAD0AIAAkAEwAQQBTAFQARQBYAEkAVABDAE8ARABFAAoAUgBlAG0AbwB2AGUALQBJAHQAZQBtACAALQBMAGkAdABlAHIAYQBsAFAAYQB0AGgAIAAkAGYAaQBsAGUAIAAtAEYAbwByAGMAZQAgAC0ARQByAHIAbwByAEEAYwB0AGkAbwBuACAAUwBpAGwAZQBuAHQAbAB5AEMAbwBuAHQAaQBuAHUAZQAKAGUAeABpAHQAIAAkAGMAbwBkAGUACgA= > "%HS_OUT%"
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
set "HS_SERVER=myfileserver.hpc.internal"
set "HS_EXPECTED_IP=10.0.0.4"
set "HS_UNC=\\myfileserver.hpc.internal\MyShare"
set "HS_ACCOUNT=myfileserver\hpcshareuser"
set "HS_WRITABLE=1"
set "HS_DIR=\\myfileserver.hpc.internal\MyShare\hpcshare-check\%COMPUTERNAME%"
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
