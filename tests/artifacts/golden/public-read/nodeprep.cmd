@echo off
rem nodeprep.cmd - written by hpcshare for profile cluster-a. Regenerate it rather than edit it:
rem     hpcshare generate --profile cluster-a
rem
rem Makes this node find the file server by name: it puts this line in the hosts file
rem     10.0.0.5 hpcfs01
rem For HPC Pack 2016 and 2019 compute nodes (Azure IaaS VMs in the server's virtual network or a
rem peered one, or on-premises nodes connected over VPN or ExpressRoute): clusrun-hosts.cmd runs
rem it on the nodes of a node group; call it from the startup script your node deployment
rem already has, so that new nodes get it too (see SUMMARY.md).
rem Legacy: HPC Pack Azure burst nodes (worker roles of a node template) ran on Cloud Services
rem (classic), retired on 31 August 2024; they sat outside the virtual network, so this private
rem address never reached them.
rem
rem     nodeprep.cmd [/strict]
rem It needs administrator rights and prints one line starting with "hpcshare:" (nothing on
rem stderr); it appends the same line, with the date and time, to hpcshare-nodeprep.log in the
rem Windows Temp folder (C:\Windows\Temp on most nodes). It exits 0, so it never blocks a
rem node's start; with /strict (what clusrun-hosts.cmd uses) it exits 1 when the hosts file
rem could not be updated.
rem
rem Safe to run again and again:
rem  - if exactly one line of the hosts file names the server and that line maps it to
rem    10.0.0.5, nothing is written;
rem  - otherwise every line that names the server is dropped (an old IP, a duplicate), the line
rem    above is appended after an empty line, and the hosts file is replaced by that copy. The
rem    next run then finds it in place and writes nothing.
rem A line names the server when the name stands as a whole word after the IP: after a space
rem or TAB and before a space, TAB, # or the end of the line, in any case, and not inside a
rem # comment. A line naming the server and other names is dropped whole. In the findstr
rem patterns the dots of the IP are escaped and each [ ] holds a space and a TAB.

setlocal EnableExtensions DisableDelayedExpansion
set "STRICT=0"
if /I "%~1"=="/strict" set "STRICT=1"
set "CODE=0"
set "LOG=%SystemRoot%\Temp\hpcshare-nodeprep.log"
set "HOSTS=%SystemRoot%\System32\drivers\etc\hosts"
set "WORK=%SystemRoot%\System32\drivers\etc\hosts.hpcshare-new"
set "NAMED=0"
set "EXACT=0"
if not exist "%HOSTS%" goto write

rem NAMED: lines that name the server. EXACT: lines that are just the IP and the server name.
for /f %%N in ('findstr /R /I /C:"^[^#]*[ 	]hpcfs01[ 	#]" /C:"^[^#]*[ 	]hpcfs01$" "%HOSTS%" 2^>nul ^| find /C /V ""') do set "NAMED=%%N"
for /f %%N in ('findstr /R /I /X /C:"[ 	]*10\.0\.0\.5[ 	][ 	]*hpcfs01[ 	]*" "%HOSTS%" 2^>nul ^| find /C /V ""') do set "EXACT=%%N"
if not "%NAMED%"=="1" goto write
if not "%EXACT%"=="1" goto write
set "RESULT=the hosts file already maps hpcfs01 to 10.0.0.5"
goto flush

:write
rem Keep every line that does not name the server, then append the entry. The empty line
rem guards against a last line without a line break.
type nul > "%WORK%" 2>nul
if not exist "%HOSTS%" goto append
findstr /V /R /I /C:"^[^#]*[ 	]hpcfs01[ 	#]" /C:"^[^#]*[ 	]hpcfs01$" "%HOSTS%" > "%WORK%" 2>nul
if errorlevel 2 goto failed
:append
>>"%WORK%" echo(
>>"%WORK%" echo 10.0.0.5 hpcfs01
copy /Y "%WORK%" "%HOSTS%" >nul 2>&1
if errorlevel 1 goto failed
del "%WORK%" >nul 2>&1
set "RESULT=the hosts file now maps hpcfs01 to 10.0.0.5"
goto flush

:failed
del "%WORK%" >nul 2>&1
set "RESULT=could not update the hosts file; run this as an administrator"
set "CODE=1"

:flush
ipconfig /flushdns >nul 2>&1
echo hpcshare: %RESULT%
rem The log is best effort: a node that cannot write it still gets its hosts entry.
(>>"%LOG%" echo %DATE% %TIME% hpcshare: %RESULT%) 2>nul
if "%STRICT%"=="1" exit /b %CODE%
exit /b 0
