"""job-template.xml: an HPC Pack job (namespace HPCS2008R2, Version 3.000) built with ElementTree.

Shape, as in jobs the scheduler exports (reference/hpcpack/): a ``Job`` root with ``Version``
first, ``<Dependencies />`` then ``<Tasks>`` with ``Task Version="3.000"`` children. Attributes
are the "HPC Pack 2008 R2 and later" subset of reference/notes/hpc-pack.md section 7.

Tasks:
* NodePrep "Connect share": drops any connection to the share (avoids system error 1219), then
  ``net use \\\\SERVER\\SHARE /user:SERVER\\USER PASSWORD /persistent:no``. With write access it
  also makes the ``jobs`` folder and fails (so the node is left out of the job) if the folder
  is not there afterwards. PASSWORD is the placeholder unless embedding is requested.
* Basic "Example": WorkDirectory on the share; with write access ``\\\\SERVER\\SHARE\\jobs`` and
  relative StdOut/StdErr files that land there; read-only access cannot write them, so it lists
  the share and leaves its output in the scheduler.
* NodeRelease "Disconnect share": ``net use ... /delete /y``; never fails.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET

from wizard.artifacts.escaping import PASSWORD_PLACEHOLDER, crlf, escape_netuse_password
from wizard.artifacts.safety import Values

NAMESPACE = "http://schemas.microsoft.com/HPCS2008R2/scheduler/"
VERSION = "3.000"
JOBS_FOLDER = "jobs"
EXAMPLE_STDOUT = "hpcshare-example.out"
EXAMPLE_STDERR = "hpcshare-example.err"


def _q(tag: str) -> str:
    return f"{{{NAMESPACE}}}{tag}"


def nodeprep_command(v: Values, password_arg: str) -> str:
    """The NodePrep command line; ``password_arg`` is already escaped (or the placeholder)."""
    unc = v.unc
    line = (f"cmd /c net use {unc} /delete /y >nul 2>&1 & "
            f"net use {unc} /user:{v.account} {password_arg} /persistent:no")
    if v.access != "read":
        folder = f"{unc}\\{JOBS_FOLDER}"
        line += f" || exit 1 & md {folder} 2>nul & if exist {folder}\\ (exit 0) else exit 1"
    return line


def noderelease_command(v: Values) -> str:
    return f"cmd /c net use {v.unc} /delete /y & exit 0"


def _task(parent: ET.Element, **attrs: str) -> ET.Element:
    return ET.SubElement(parent, _q("Task"), {"Version": VERSION, **attrs})


def build_job(v: Values, *, embed_password: str | None = None) -> ET.Element:
    password_arg = PASSWORD_PLACEHOLDER if embed_password is None else escape_netuse_password(embed_password)
    job = ET.Element(_q("Job"), {
        "Version": VERSION,
        "Name": f"hpcshare example ({v.profile})",
        "Project": "hpcshare",
        "UnitType": "Core",
        "MinCores": "1",
        "MaxCores": "1",
        "IsExclusive": "false",
        "RunUntilCanceled": "false",
        "FailOnTaskFailure": "false",
    })
    if embed_password is None:
        note = (" No password in this file: submit-job.ps1 asks for it and puts it into the Node "
                "Preparation task in memory when it submits the job. ")
    else:
        note = (" This file holds the share password (written on request): keep it private. "
                "In the command line it is escaped for cmd.exe and for the HPC rule that turns * "
                "into a sub-task id. ")
    # Comments hold no answer values: a name may contain "--", which an XML comment may not.
    job.append(ET.Comment(f" Written by hpcshare; regenerate it rather than edit it.{note}"))
    ET.SubElement(job, _q("Dependencies"))
    tasks = ET.SubElement(job, _q("Tasks"))
    tasks.append(ET.Comment(" Runs first on every node of the job, as the job's user: connects the share. "
                            "A node where it fails is left out of the job. "))
    _task(tasks, Name="Connect share", Type="NodePrep", CommandLine=nodeprep_command(v, password_arg))
    if v.access == "read":
        tasks.append(ET.Comment(" Example: the share as working directory. Read-only access cannot write "
                                "output files there, so the output stays in the scheduler (4 KB). "))
        _task(tasks, Name="Example", Type="Basic", CommandLine=f"cmd /c dir {v.unc}",
              WorkDirectory=v.unc, MinCores="1", MaxCores="1")
    else:
        tasks.append(ET.Comment(" Example: a folder on the share as working directory; the output files "
                                "are relative to it, so they land in that folder. "))
        _task(tasks, Name="Example", Type="Basic", CommandLine="hostname",
              WorkDirectory=f"{v.unc}\\{JOBS_FOLDER}", StdOutFilePath=EXAMPLE_STDOUT,
              StdErrFilePath=EXAMPLE_STDERR, MinCores="1", MaxCores="1")
    tasks.append(ET.Comment(" Runs on every node as it leaves the job: disconnects the share. "))
    _task(tasks, Name="Disconnect share", Type="NodeRelease", CommandLine=noderelease_command(v))
    return job


def render_job_xml(v: Values, *, embed_password: str | None = None) -> str:
    root = build_job(v, embed_password=embed_password)
    ET.register_namespace("", NAMESPACE)
    tree = ET.ElementTree(root)
    ET.indent(tree, space="  ")
    body = ET.tostring(root, encoding="unicode", short_empty_elements=True)
    # The declaration is fixed text; everything with a value in it went through ElementTree.
    return crlf('<?xml version="1.0" encoding="utf-8"?>\n' + body + "\n")
