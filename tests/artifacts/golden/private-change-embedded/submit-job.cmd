@echo off
rem submit-job.cmd - written by hpcshare for profile demo. Regenerate it rather than edit it:
rem     hpcshare generate --profile demo
rem
rem Submits job-template.xml (beside this file) with the HPC Pack job command:
rem     submit-job.cmd [HEADNODE]          default HEADNODE: the CCP_SCHEDULER environment variable
rem
rem The password caveat: unless it was written with "hpcshare generate --embed-password",
rem job-template.xml holds no password, only the placeholder __HPCSHARE_SHARE_PASSWORD__ in its
rem Node Preparation task. "job submit /jobfile:" would pass that placeholder to net use: every
rem node would fail to connect the share (system error 86 or 1326) and be left out of the job.
rem The job command cannot change a task's command line after "job new", and cmd.exe cannot ask
rem for a password without showing it, so while the placeholder is there this script hands over
rem to submit-job.ps1, which asks for the password and fills it in memory. A job file that holds
rem the password is submitted directly with "job submit /jobfile:". This file never holds it.

setlocal EnableExtensions DisableDelayedExpansion
set "JOBFILE=%~dp0job-template.xml"
if not exist "%JOBFILE%" goto nofile
findstr /L /C:"__HPCSHARE_SHARE_PASSWORD__" "%JOBFILE%" >nul 2>&1
if not errorlevel 1 goto ask
if "%~1"=="" goto submit_default
job submit "/jobfile:%JOBFILE%" "/scheduler:%~1"
exit /b %ERRORLEVEL%
:submit_default
job submit "/jobfile:%JOBFILE%"
exit /b %ERRORLEVEL%

:ask
echo job-template.xml holds no share password: submit-job.ps1 asks for it and submits the job.
if "%~1"=="" goto ask_default
powershell.exe -NoProfile -ExecutionPolicy Bypass -File "%~dp0submit-job.ps1" -Scheduler "%~1"
exit /b %ERRORLEVEL%
:ask_default
powershell.exe -NoProfile -ExecutionPolicy Bypass -File "%~dp0submit-job.ps1"
exit /b %ERRORLEVEL%

:nofile
echo submit-job.cmd: job-template.xml is missing beside this file
exit /b 2
