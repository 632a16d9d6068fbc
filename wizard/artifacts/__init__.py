"""The HPC Pack files hpcshare writes at the end of a run (and with ``hpcshare generate``).

From the answers and what the run learned about the server (ServerFacts):

* ``nodeprep.cmd``: hosts entry ``<private IP> <server>`` on a node, exactly once; the startup
  script of an HPC Pack Azure node template.
* ``clusrun-hosts.cmd``: the same on running nodes, through clusrun.
* ``job-template.xml``: an HPC Pack job (NodePrep connects the share, an example task works in
  it, NodeRelease disconnects). No password unless ``embed_password`` is given.
* ``submit-job.ps1`` / ``submit-job.cmd``: submit it; the .ps1 asks for the password.
* ``check-share.cmd``: the share check on every node (clusrun or a job), one line per check;
  ``hpcshare nodes-report`` reads its output back.
* ``SUMMARY.md``: what was created and the next steps.

Modules: safety (write-time allow-lists), escaping (the password in a command line),
nodeprep, jobxml, submit, checkshare, summary, templates (assets/templates/*.in), writer (atomic writes).
Imported by the run's ``artifacts`` step and the ``generate`` command; imports only the engine
(answers, facts, paths) and the standard library.
"""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from wizard.answers import Answers
from wizard.artifacts.checkshare import render_check_share
from wizard.artifacts.escaping import PASSWORD_PLACEHOLDER, check_password
from wizard.artifacts.files_summary import render_files_summary
from wizard.artifacts.jobxml import render_job_xml
from wizard.artifacts.nodeprep import render_clusrun, render_nodeprep
from wizard.artifacts.safety import check_values
from wizard.artifacts.submit import render_submit_cmd, render_submit_ps1
from wizard.artifacts.summary import render_summary
from wizard.artifacts.writer import write_files
from wizard.facts import ServerFacts

ARTIFACT_NAMES: tuple[str, ...] = (
    "nodeprep.cmd", "clusrun-hosts.cmd", "job-template.xml", "submit-job.ps1", "submit-job.cmd",
    "check-share.cmd", "SUMMARY.md",
)
JOB_XML = "job-template.xml"

__all__ = ["ARTIFACT_NAMES", "PASSWORD_PLACEHOLDER", "render_artifacts", "write_artifacts"]


def render_artifacts(answers: Answers, facts: ServerFacts, *, embed_password: str | None = None,
                     assessment: Sequence[str] = ()) -> dict[str, str]:
    """Every artifact's text by file name (in ARTIFACT_NAMES order). Pure: touches no file.
    ``assessment``: the run's cost, quota and throughput lines for SUMMARY.md (may be empty).

    Raises ValueError naming the field when a value is outside its allow-list, or when
    ``embed_password`` cannot be embedded (it must be 1-127 printable ASCII characters).
    """
    values = check_values(answers, facts)
    if embed_password is not None:
        check_password(embed_password)
    nodeprep = render_nodeprep(values)
    texts = {
        "nodeprep.cmd": nodeprep,
        "clusrun-hosts.cmd": render_clusrun(values, nodeprep),
        "job-template.xml": render_job_xml(values, embed_password=embed_password),
        "submit-job.ps1": render_submit_ps1(values),
        "submit-job.cmd": render_submit_cmd(values),
        "check-share.cmd": render_check_share(values),
        # share.backend = "azure-files": no VM, NSG or firewall to describe, a storage account instead
        # (its cost, quota and throughput are the premium share's: wizard.assessment).
        "SUMMARY.md": (render_files_summary(values, embedded=embed_password is not None, assessment=assessment)
                       if values.files_account
                       else render_summary(values, embedded=embed_password is not None, assessment=assessment)),
    }
    assert tuple(texts) == ARTIFACT_NAMES
    return texts


def write_artifacts(answers: Answers, facts: ServerFacts, out_dir: Path, *,
                    embed_password: str | None = None, assessment: Sequence[str] = ()) -> list[Path]:
    """Render, then write all files atomically into ``out_dir`` (created if missing).

    Returns the paths written, in ARTIFACT_NAMES order. ``job-template.xml`` is mode 0600 when
    it holds the password. Nothing is written when rendering fails.
    """
    texts = render_artifacts(answers, facts, embed_password=embed_password, assessment=assessment)
    secret = frozenset({JOB_XML}) if embed_password is not None else frozenset()
    return write_files(texts, Path(out_dir), secret=secret)
