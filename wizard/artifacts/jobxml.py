"""job-template.xml: an HPC Pack job (namespace HPCS2008R2, Version 3.000) built with ElementTree.

Shape, as in jobs the scheduler exports (reference/hpcpack/): a ``Job`` root with ``Version``
first, ``<Dependencies />`` then ``<Tasks>`` with ``Task Version="3.000"`` children. Attributes
are the "HPC Pack 2008 R2 and later" subset of reference/notes/hpc-pack.md section 7.

Tasks:
* NodePrep "Connect share": drops any connection to the share (avoids system error 1219), stores
  the credential for the job's user with ``cmdkey /add:HOST /user:SERVER\\USER /pass:PASSWORD``
  (the credential vault belongs to the user, so every logon session of that user on the node
  uses it: nothing documents that NodePrep and later tasks share one logon session), then
  ``net use \\\\HOST\\SHARE /user:SERVER\\USER PASSWORD /persistent:no``, tried three times with
  a pause of about five seconds (``ping -n 6 127.0.0.1``) before the node is left out of the job.
  With write access it also makes the ``jobs`` folder and fails if it is not there afterwards.
  PASSWORD is the placeholder unless embedding is requested.
* Basic "Example": ``pushd`` to the share first (cmd.exe cannot use a UNC current directory: it
  prints "UNC paths are not supported" and runs in %SystemRoot%), then ``hostname`` and ``cd``;
  with write access in ``\\\\HOST\\SHARE\\jobs`` with relative StdOut/StdErr files that land there;
  read-only access lists the share and leaves its output in the scheduler.
* Basic "Check access": ``whoami``, ``net use``, ``cmdkey /list:HOST`` and a ``dir`` of the share;
  its output stays in the scheduler, so the first real run shows which credential a task has.
* NodeRelease "Disconnect share": ``net use ... /delete /y`` and ``cmdkey /delete:HOST``; never fails.

With ``cluster.node_group`` the job carries ``NodeGroups`` (the nodes that have the hosts entry or
the DNS record and a route to the server).
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


#: Attempts at connecting the share in NodePrep, and the pause between them (ping sends one echo
#: a second, so -n 6 waits about five seconds; ``timeout`` needs a console a task does not have).
CONNECT_ATTEMPTS = 3
PAUSE = "ping -n 6 127.0.0.1 >nul"


def cmdkey_add_command(v: Values, password_arg: str) -> str:
    """Store the share credential for the job's user. cmdkey splits its arguments like net.exe (C
    runtime rules), so ``/pass:`` takes the same escaped text. Its failure does not stop NodePrep:
    net use decides whether the node joins the job."""
    return f"cmdkey /add:{v.host} /user:{v.account} /pass:{password_arg}"


def netuse_command(v: Values, password_arg: str) -> str:
    return f"net use {v.unc} /user:{v.account} {password_arg} /persistent:no"


def nodeprep_command(v: Values, password_arg: str) -> str:
    """The NodePrep command line; ``password_arg`` is already escaped (or the placeholder).

    ``A || (pause & A) || (pause & A) || exit 1``: cmd runs a group only when everything before
    it failed, and a group's result is its last command's, so the line ends with exit 1 only
    after three failed attempts. ``&`` binds loosest, so it ends the chain."""
    unc = v.unc
    connect = netuse_command(v, password_arg)
    attempts = " || ".join([connect] + [f"({PAUSE} & {connect})"] * (CONNECT_ATTEMPTS - 1))
    line = (f"cmd /c net use {unc} /delete /y >nul 2>&1 & {cmdkey_add_command(v, password_arg)} & "
            f"{attempts} || exit 1")
    if v.access != "read":
        folder = f"{unc}\\{JOBS_FOLDER}"
        line += f" & md {folder} 2>nul & if exist {folder}\\ (exit 0) else exit 1"
    return line


def noderelease_command(v: Values) -> str:
    return f"cmd /c net use {v.unc} /delete /y & cmdkey /delete:{v.host} & exit 0"


def example_command(v: Values) -> str:
    """pushd maps the UNC path to a free drive letter and makes it the current directory; popd
    frees it. Relative paths of a real application then land on the share."""
    folder = v.unc if v.access == "read" else f"{v.unc}\\{JOBS_FOLDER}"
    work = "dir" if v.access == "read" else "hostname && cd"
    return f"cmd /c pushd {folder} && {work} && popd"


def check_access_command(v: Values) -> str:
    return f"cmd /c whoami & net use & cmdkey /list:{v.host} & dir {v.unc}"


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
    if v.node_group:
        job.set("NodeGroups", v.node_group)
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
    tasks.append(ET.Comment(" Runs first on every node of the job, as the job's user: stores the share "
                            "credential for that user (cmdkey) and connects the share, three attempts. "
                            "A node where it fails is left out of the job. "))
    _task(tasks, Name="Connect share", Type="NodePrep", CommandLine=nodeprep_command(v, password_arg))
    if v.access == "read":
        tasks.append(ET.Comment(" Example: pushd to the share (cmd.exe cannot work in a UNC directory) and "
                                "list it. Read-only access cannot write output files there, so the output "
                                "stays in the scheduler (4 KB). "))
        _task(tasks, Name="Example", Type="Basic", CommandLine=example_command(v),
              WorkDirectory=v.unc, MinCores="1", MaxCores="1")
    else:
        tasks.append(ET.Comment(" Example: pushd to a folder on the share (cmd.exe cannot work in a UNC "
                                "directory), then work with relative paths; the output files are relative "
                                "to the working directory, so they land in that folder. "))
        _task(tasks, Name="Example", Type="Basic", CommandLine=example_command(v),
              WorkDirectory=f"{v.unc}\\{JOBS_FOLDER}", StdOutFilePath=EXAMPLE_STDOUT,
              StdErrFilePath=EXAMPLE_STDERR, MinCores="1", MaxCores="1")
    tasks.append(ET.Comment(" Shows which account a task runs as, its connections, the stored credential "
                            "and whether it can read the share; output in the scheduler. "))
    _task(tasks, Name="Check access", Type="Basic", CommandLine=check_access_command(v),
          MinCores="1", MaxCores="1")
    tasks.append(ET.Comment(" Runs on every node as it leaves the job: disconnects the share and removes the stored "
                            "credential. "))
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
