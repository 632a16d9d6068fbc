"""The ``hpcshare`` command line (DESIGN.md "Contracts"): the parser and ``main``. Each command is
a function in ``wizard.commands``, imported only when a command runs so that ``hpcshare --help``
stays fast.

Exit codes: 0 success, 1 a step failed (a re-run resumes), 2 usage or validation error (nothing
touched), 130 cancelled.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from wizard import __version__
from wizard.exits import ExitCode, UsageError
from wizard.questions import SECTION_KEYS

# The codes by name, for callers and tests of ``main`` (``wizard.exits`` is their one source).
EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_CANCELLED = ExitCode.OK, ExitCode.FAILED, ExitCode.USAGE, ExitCode.CANCELLED


# The commands that read a profile or an answers file (_profile_command builds only these).
_SOURCED = frozenset({"run", "plan", "generate", "reset-password", "teardown"})
_SOURCE_OPTIONS = ("--profile", "--answers")


def _answers_source(p: argparse.ArgumentParser, *, required: bool) -> None:
    group = p.add_mutually_exclusive_group(required=required)
    group.add_argument("--profile", metavar="NAME", help="a saved profile (HPCSHARE_HOME/profiles/NAME.toml)")
    group.add_argument("--answers", metavar="FILE", type=Path, help="an answers file (TOML, schema 1)")


def _demo(p: argparse.ArgumentParser, *, top: bool = False) -> None:
    # A command's own --demo leaves the attribute unset unless given: argparse lets a subparser's
    # default overwrite the parent's value, so `hpcshare --demo run ...` would otherwise drop the
    # flag and run against Azure itself.
    p.add_argument("--demo", action="store_true", default=False if top else argparse.SUPPRESS,
                   help="use the built-in Azure stand-in instead of Azure: no account needed, nothing billed")


def _profile_command(sub: Any, name: str, **kwargs: Any) -> argparse.ArgumentParser:
    """A command that works on one profile or answers file (and may use the demo stand-in)."""
    assert name in _SOURCED, name          # _source_after_command moves a source to it
    p: argparse.ArgumentParser = sub.add_parser(name, **kwargs)
    _demo(p)
    _answers_source(p, required=True)
    return p


def _overrides(p: argparse.ArgumentParser, help: str) -> None:
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE", help=help)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hpcshare",
        description="Stand up a Windows SMB file server on Azure and wire it into HPC Pack jobs. "
                    "With no command: the guided wizard.",
        epilog="Exit codes: 0 success, 1 a step failed (re-run resumes), 2 usage or validation error, "
               "130 cancelled. Environment: HPCSHARE_HOME, HPCSHARE_ADMIN_PASSWORD, HPCSHARE_SHARE_PASSWORD.",
    )
    parser.add_argument("--version", action="version", version=f"hpcshare {__version__}")
    _demo(parser, top=True)
    parser.add_argument("--plain", action="store_true",
                        help="plain prompts instead of the full-screen wizard (serial consoles, narrow terminals)")
    _answers_source(parser, required=False)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    run = _profile_command(sub, "run", help="provision and configure from saved answers",
                           description="Provision and configure the file server from saved answers, then write "
                                       "the HPC Pack files. A re-run resumes where the last one stopped.")
    run.add_argument("--yes", action="store_true", help="never prompt (passwords from the environment or generated)")
    _overrides(run, "override one answer, e.g. --set share.name=Data (repeatable)")
    run.add_argument("--ask", action="append", default=[], metavar="SECTION",
                     help=f"ask this section again ({', '.join(SECTION_KEYS)})")
    run.add_argument("--out", type=Path, metavar="DIR", help="output folder (default ./hpcshare-out/PROFILE)")
    run.add_argument("--allow-public-rdp", action="store_true",
                     help="with --yes: allow an endpoints.rdp_source that is a public (Internet) range")
    run.add_argument("--password-file", type=Path, metavar="FILE",
                     help="write generated passwords to FILE (new, mode 0600) instead of showing them; needed "
                          "for a generated password when output is not a terminal")

    plan = _profile_command(sub, "plan", help="show the steps, or the equivalent az script; touches nothing",
                            description="Show the steps (text), the equivalent az script (az), or as JSON the steps "
                                        "with the monthly cost, the quota check and the throughput verdict (json: "
                                        "reads prices, usages and the region's catalogue, creates nothing).")
    plan.add_argument("--format", choices=("text", "az", "json"), default="text",
                      help="text (default; for a profile that has run, also what the next run changes), "
                           "az (an equivalent az CLI script) or json")
    _overrides(plan, "override one answer for this plan, e.g. --set share.name=Projects (repeatable)")

    gen = _profile_command(sub, "generate", help="write the HPC Pack files only",
                           description="Write nodeprep.cmd, the job template and submit scripts from a profile "
                                       "and its last run, without touching Azure.")
    gen.add_argument("--out", type=Path, metavar="DIR", help="output folder (default ./hpcshare-out/PROFILE)")
    gen.add_argument("--embed-password", action="store_true",
                     help="write the share password (Azure Files: the storage account key) into job-template.xml "
                          "(file mode 0600); default: asked at submit time")
    _overrides(gen, "override one answer for these files, e.g. --set cluster.node_group=Compute (repeatable)")

    reset = _profile_command(sub, "reset-password", help="set a new password for the VM admin or the share user",
                             description="Set a new password on the file server: --user admin through a managed Run "
                                         "Command (the password as a protected parameter), --user share by running "
                                         "configure-server again, then its self-test. The password comes from "
                                         "HPCSHARE_ADMIN_PASSWORD / HPCSHARE_SHARE_PASSWORD, a prompt, or is generated "
                                         "(shown once, or written to --password-file); never from the command line.")
    reset.add_argument("--user", required=True, choices=("admin", "share"),
                       help="admin: the VM's local administrator; share: the SMB share user")
    reset.add_argument("--password-file", type=Path, metavar="FILE",
                       help="write a generated password to FILE (new, mode 0600) instead of showing it")

    ver = sub.add_parser("verify", help="probe an SMB share from this machine",
                         description="Connect to \\\\SERVER\\SHARE as USER, write, read and delete a probe file. "
                                     "Password from HPCSHARE_SHARE_PASSWORD or a prompt.")
    ver.add_argument("--server", required=True, metavar="HOST",
                     help="the file server's name or address as this machine reaches it (SUMMARY.md gives it)")
    ver.add_argument("--share", required=True, metavar="NAME", help="the share name (share.name)")
    ver.add_argument("--user", required=True, metavar="USER",
                     help="the share user (account.username), as SUMMARY.md gives it")
    ver.add_argument("--port", type=int, default=445, metavar="N", help="the SMB port (default 445)")

    rep = sub.add_parser("nodes-report", help="per node: can it use the share, and if not, what to fix",
                         description="Read the output check-share.cmd printed on the nodes (clusrun's saved "
                                     "output, e.g. check-share-output.txt) and print each node's first failing "
                                     "check, its Windows error code and the fix. Exit 0 when every node passed, "
                                     "1 otherwise, 2 when the file cannot be read.")
    rep.add_argument("file", type=Path, metavar="FILE", help="the saved output of check-share.cmd /clusrun")
    rep.add_argument("--format", choices=("text", "json"), default="text", help="text (default) or json")

    tear = _profile_command(sub, "teardown", help="delete what this profile created (tagged resources only)")
    tear.add_argument("--yes", action="store_true", help="do not ask for the typed confirmation")

    stand = sub.add_parser("standin", help="run the local Azure stand-in alone",
                           description="Serve the Azure Resource Manager stand-in on 127.0.0.1; prints its URL and CA file.")
    stand.add_argument("--port", type=int, default=0, metavar="N", help="0: any free port")
    stand.add_argument("--latency", choices=("instant", "realistic"), default=None,
                       help="how long operations take (default realistic, or HPCSHARE_STANDIN_LATENCY)")
    stand.add_argument("--scale", type=float, default=None, metavar="F",
                       help="multiply every realistic duration by F (default 1, or HPCSHARE_STANDIN_SCALE)")
    return parser


def _err(message: str) -> None:
    print(f"hpcshare: {message}", file=sys.stderr)


def _source_after_command(argv: list[str]) -> list[str]:
    """``hpcshare --answers F run`` reads as ``hpcshare run --answers F``: the main parser takes the
    source for the wizard, and argparse would otherwise leave it out of the command's own required
    choice ("one of the arguments --profile --answers is required")."""
    before: list[str] = []
    moved: list[str] = []
    i = 0
    while i < len(argv):
        token = argv[i]
        if token in _SOURCED:
            return [*before, token, *moved, *argv[i + 1:]]
        if token in _SOURCE_OPTIONS and i + 1 < len(argv):
            moved += argv[i:i + 2]
            i += 2
            continue
        if token.split("=", 1)[0] in _SOURCE_OPTIONS and "=" in token:
            moved.append(token)
        else:
            before.append(token)
        i += 1
    return argv                           # no such command: the wizard (or another command) as given


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(_source_after_command(sys.argv[1:] if argv is None else argv))
    except SystemExit as exc:            # argparse: --help (0) or a usage error (2)
        return int(exc.code or 0)
    try:
        return _dispatch(args)
    except UsageError as exc:
        _err(str(exc))
        return EXIT_USAGE
    except KeyboardInterrupt:
        _err("cancelled; nothing more was changed. Answers given so far are saved.")
        return EXIT_CANCELLED
    except OSError as exc:
        # A file hpcshare must write (profile, state, log) could not be: a full or read-only disk,
        # permissions, a planted symlink. A message, not a traceback.
        _err(f"{exc.filename}: {exc.strerror}" if exc.filename and exc.strerror else str(exc))
        return EXIT_FAILED


def entry() -> int:
    """``python -m wizard`` (and the console script, once pointed here): ``main()``, then skip the
    interpreter's final garbage collections. A run leaves ~150,000 objects (the Azure SDK's models
    and operations); collecting them at exit took 0.45-0.8 s after the work was done. atexit
    handlers and module finalisation still run; only the cyclic GC passes are skipped."""
    code = main()
    import gc

    gc.disable()
    gc.freeze()
    return code


def _dispatch(args: argparse.Namespace) -> int:
    from wizard import commands

    handlers = {
        None: commands.wizard,
        "run": commands.run,
        "plan": commands.plan,
        "generate": commands.generate,
        "verify": commands.verify,
        "nodes-report": commands.nodes_report,
        "teardown": commands.teardown,
        "reset-password": commands.reset_password,
        "standin": commands.standin,
    }
    return handlers[args.command](args)
