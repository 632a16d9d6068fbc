@echo off
rem check-share.cmd - written by hpcshare for profile cluster-a. Regenerate it rather than edit it:
rem     hpcshare generate --profile cluster-a
rem
rem Proves, node by node, that compute nodes can use \\hpcfs01\Data_01 as user hpcfs01\job.runner.
rem Each node checks in order and prints one line per check:
rem     hpcshare-check NODE CHECK ok-or-fail CODE detail
rem     resolve     hpcfs01 resolves to 10.0.0.5 (the hosts entry nodeprep.cmd writes)
rem     port445     TCP 445 answers
rem     connect     net use connects the share with the password
rem     write, read, delete   a file in \\hpcfs01\Data_01\hpcshare-check\NODE (read-only access: list)
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
set "HS_ACCOUNT=hpcfs01\job.runner"
set "HS_OUT=%~dp0check-share-output.txt"
set "HS_B64="
rem The password as base64 of its UTF-8 bytes, without the = padding; Read-Host hides it.
rem The prompt goes to stderr (stdout is read here); the value is the text after "HPCSHARE:".
for /f "usebackq tokens=2 delims=:" %%p in (`powershell.exe -NoProfile -ExecutionPolicy Bypass -Command "[Console]::Error.Write('Share password for ' + $env:HS_ACCOUNT + ': '); $s = Read-Host -AsSecureString; $b = [Runtime.InteropServices.Marshal]::SecureStringToBSTR($s); try { 'HPCSHARE:' + [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes([Runtime.InteropServices.Marshal]::PtrToStringBSTR($b))).TrimEnd('=') } finally { [Runtime.InteropServices.Marshal]::ZeroFreeBSTR($b) }"`) do if not "%%p"=="" set "HS_B64=%%p"
if not defined HS_B64 goto no_input
echo Running the share check on node group %HS_GROUP% ...
clusrun "/nodegroup:%HS_GROUP%" "/env:HPCSHARE_CHECK=%HS_B64%.zVhtb9pIEP4eKf9hQHEb7spbUqqeI1dHjduia4Aa2pwUcsixl+LG8VJ7CaBr77ff7NpevwAJfKsSEuydl2dmn5kd+09izyjQ6fT4KCTMo7blgeFbtx4xVoz4oUv9ML7RIZ61Jo6xmlvivtCA8ofhpNfvGJqi9y8Hn0eG2WtfGko5XR0a5hfD1GZzexo2mpkF4++BoY+MzqQ70JqNGv9pZZY/93RtPI7Vxh2LWZOcelvX+597o8Tw+Bu9rQUL3ydBRujK7I7abz8aWiNzs9M1Ny3z63BmBaRqz4h9N94Zz7sumlMiM8pYCFcVs93r9C+V5H+NrVhGZdT/y+hpiQMQOpB3AEUT2USZpqaMjMuBUgD5lN/BUJvTJQnCGfG8GlkRqPboIKBT1xNf/a7PSGDZzH3Aa2NF7AXDnR1Qz7XX8HY9t8IQqjq9v7d8J5vAT1o5t5HdUS7BuKF4NaUB1KdQZvQOmaSdgUM89z7Urm/KoCgWuD6cPp+7/leo+tCE6kuoLqHZaDRAkbRR4OyfN/7Ce14Bh4I7BZ8ytDN1feKA8AQZp2gV/aJUXuIrZRQCElLvgTjHR4Ly+UQKj5zGSiIHU8v1oIlwmjk4DiWhAJHIUR/YzOX3HFJIidBGQMI/AnLD2fGRmgJBoGUlXwhKWcPU5hBP6F0kWhLRlLjEhtamxgFRts5zIcZrIaDF2CfcLhiGifKcOSEJHkgAGHQRRyEBrfNd0R8Akd5BnhHoN4aVqbC2+d4YaUmKjo8UQX8Fyic2aNAjy2r/9huxGX5ltSG17wgLayN7rnsu8dkFsGAN/3KCnZ7YNZ1iG7FZO1z79ukJ8R9U6eIFvHzZqtSuLJedtpCrlQqqkZXLEOTPi+hb86wJP8G2mD3DxROCAE4mNWNlkzkvrwtYznga0XKty/uVXKlI8eIKty3AYZ1i/NfZKKL/UvRGIkIrRhDQQEdqpuDgZ6ZSddG6scH0zY/GF+OjUk5pydcEHxsxveY0YHtsHBfDJEXckoZgpA947njBJKySxYQnCrapAntSDEUSHQhEMGiL+8hriAbtaMNF7LkOM9CHH9qmMYn+DtrD4VXf7ETp8OmEN8glDbCW8eD0QLUR1/cFZdgJfAxlERIBB48yBerY/ggjUF8D72hw9uZZc4sYB/epBHW8GahKes6hgTmCdUM8lpnq08RI1AtMM945wjfcIw8Em1cEM45twreDd50kx594j348gbFqWoICoRXVfYJLbo5HMqnc7i7KksA4sUXD3A+AoFIp5kMJNpJWgARF54JPUn+DT7mdPADR61dIAkhU1Z10cSOWczT8UBTnhR2dqgWMr19tgIsTm1RlMtHkKtNDWmR6XtTMrrv9WscNEC0N1jeqqgfEYkTekY0N55gK/ID+glV7C8+7EIrv0CvqXAUuI23PG5EVkwp8AnoBsi/y4aZyIZtg2vj8QuOrfTBJuPAYVG8xcnjVap234rbmQ5V8h0YlUWvKfoWXezQsnt7tTWvJI5BsfHxzhWzKdh6nspFWjjeTIZNYzrYEVaBqY0j5LG05K85/uYwhTZw9E8ZFo3yJb7cWri5nFoMlViTPJjarrbyMk9cRLTGft4sN4hakkK/IPhYsSOVC7kZW3lhhOYQ5fsvMt2Safj2qRgeETH3gRHK8wxUG/3L2CHl8i+JTJ96ke4qTZzrJ8djk9Po8xO7kOfwcjuC4oTwX1cPLqHD823ThOSL4aDlTYOn5IR2oh5Jwp7eUmE94LGR/r6zu9BqvS5eAbd9lhQQXAOzVxN8TxmtnuMY54N7wWeCSlOnIlHwn/0WJziPdM9FcNCIv/4bclWf+Kd/ZKvW9NVi2TcJQ5YexoHXceSrbiHyo751bLFYTNMk5Pdk6eWQnWTWLZo8h8cn5LrW3L3elQpRY3g3iG/xJA01KONgZ4p5RnEq2eD10uMvgeGq+q2fqLf/k3B0lzNo566kJaDQCaTqzLXSbvSfAUz9uqrgXWKnROh8FY3yS/QfalHwTemDFluXW8vqr36YSfOROnzpy03Zy8XaYXNUt8UpEa8RaPk4tmTrGtG2fYNX/uL+u8qJZKqcvI/RS5m0FN0eSeTb287vWLEqPM+K8K4eexbcmL1QS75hKGVER3sTGtGVjjJ6VSiLEUqxeDFuaiGJVC44zwrGd8Q6lPSFwCwn+fbAQ3yna60QGi2Y3rerSqEroFA1miy/XnTOv47CwePzfIX4v16y+Tt7M1SB9M5cWyo5Xb9yueJxRFCY0uKaiIDUVGz/YqRWsYGWKn6/4mT1mhtcF6rMfvME4IUOk+LuC8nWj+seN+PNbXLDPnkH+3FFYefO5Pbabk2zmk/U/" powershell.exe -NoProfile -NonInteractive -ExecutionPolicy Bypass -EncodedCommand aQBmACAAKAAtAG4AbwB0ACAAJABlAG4AdgA6AEgAUABDAFMASABBAFIARQBfAEMASABFAEMASwApACAAewAgAGUAeABpAHQAIAA4ADcAIAB9AAoAJABwAGEAcgB0AHMAIAA9ACAAJABlAG4AdgA6AEgAUABDAFMASABBAFIARQBfAEMASABFAEMASwAuAFMAcABsAGkAdAAoACcALgAnACkACgBSAGUAbQBvAHYAZQAtAEkAdABlAG0AIABFAG4AdgA6AEgAUABDAFMASABBAFIARQBfAEMASABFAEMASwAKACQAcAAgAD0AIAAkAHAAYQByAHQAcwBbADAAXQAgACsAIAAoACcAPQAnACAAKgAgACgAKAA0ACAALQAgACgAJABwAGEAcgB0AHMAWwAwAF0ALgBMAGUAbgBnAHQAaAAgAC0AYgBhAG4AZAAgADMAKQApACAALQBiAGEAbgBkACAAMwApACkACgAkAGUAbgB2ADoASABQAEMAUwBIAEEAUgBFAF8AUwBIAEEAUgBFAF8AUABBAFMAUwBXAE8AUgBEACAAPQAgAFsAVABlAHgAdAAuAEUAbgBjAG8AZABpAG4AZwBdADoAOgBVAFQARgA4AC4ARwBlAHQAUwB0AHIAaQBuAGcAKABbAEMAbwBuAHYAZQByAHQAXQA6ADoARgByAG8AbQBCAGEAcwBlADYANABTAHQAcgBpAG4AZwAoACQAcAApACkACgAkAGYAaQBsAGUAIAA9ACAASgBvAGkAbgAtAFAAYQB0AGgAIAAoAFsASQBPAC4AUABhAHQAaABdADoAOgBHAGUAdABUAGUAbQBwAFAAYQB0AGgAKAApACkAIAAoACcAaABwAGMAcwBoAGEAcgBlAC0AYwBoAGUAYwBrAC0AJwAgACsAIABbAEcAdQBpAGQAXQA6ADoATgBlAHcARwB1AGkAZAAoACkALgBUAG8AUwB0AHIAaQBuAGcAKAAnAE4AJwApACAAKwAgACcALgBjAG0AZAAnACkACgAkAGkAbgAgAD0AIABOAGUAdwAtAE8AYgBqAGUAYwB0ACAASQBPAC4ATQBlAG0AbwByAHkAUwB0AHIAZQBhAG0AKAAsAFsAQwBvAG4AdgBlAHIAdABdADoAOgBGAHIAbwBtAEIAYQBzAGUANgA0AFMAdAByAGkAbgBnACgAJABwAGEAcgB0AHMAWwAxAF0AKQApAAoAJAB6ACAAPQAgAE4AZQB3AC0ATwBiAGoAZQBjAHQAIABJAE8ALgBDAG8AbQBwAHIAZQBzAHMAaQBvAG4ALgBEAGUAZgBsAGEAdABlAFMAdAByAGUAYQBtACgAJABpAG4ALAAgAFsASQBPAC4AQwBvAG0AcAByAGUAcwBzAGkAbwBuAC4AQwBvAG0AcAByAGUAcwBzAGkAbwBuAE0AbwBkAGUAXQA6ADoARABlAGMAbwBtAHAAcgBlAHMAcwApAAoAJABvAHUAdAAgAD0AIABbAEkATwAuAEYAaQBsAGUAXQA6ADoAQwByAGUAYQB0AGUAKAAkAGYAaQBsAGUAKQA7ACAAJAB6AC4AQwBvAHAAeQBUAG8AKAAkAG8AdQB0ACkAOwAgACQAbwB1AHQALgBDAGwAbwBzAGUAKAApAAoAYwBtAGQALgBlAHgAZQAgAC8AYwAgACQAZgBpAGwAZQAKACQAYwBvAGQAZQAgAD0AIAAkAEwAQQBTAFQARQBYAEkAVABDAE8ARABFAAoAUgBlAG0AbwB2AGUALQBJAHQAZQBtACAALQBMAGkAdABlAHIAYQBsAFAAYQB0AGgAIAAkAGYAaQBsAGUAIAAtAEYAbwByAGMAZQAgAC0ARQByAHIAbwByAEEAYwB0AGkAbwBuACAAUwBpAGwAZQBuAHQAbAB5AEMAbwBuAHQAaQBuAHUAZQAKAGUAeABpAHQAIAAkAGMAbwBkAGUACgA= > "%HS_OUT%"
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
set "HS_SERVER=hpcfs01"
set "HS_EXPECTED_IP=10.0.0.5"
set "HS_UNC=\\hpcfs01\Data_01"
set "HS_ACCOUNT=hpcfs01\job.runner"
set "HS_WRITABLE=0"
set "HS_DIR=\\hpcfs01\Data_01\hpcshare-check\%COMPUTERNAME%"
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
