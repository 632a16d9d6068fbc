"""What each ``hpcshare`` command does, given parsed arguments (``wizard.cli`` parses them). Returns
the process exit code. The command layer: it may start either front end (``wizard.plain``,
``screens``) and the stand-in server."""
from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from typing import Any

from wizard.answers import Secrets
from wizard.exits import ExitCode, UsageError
from wizard.session import ADMIN_PASSWORD_ENV, SHARE_PASSWORD_ENV, AnswersInvalid, Session

EXIT_OK, EXIT_FAILED, EXIT_CANCELLED = ExitCode.OK, ExitCode.FAILED, ExitCode.CANCELLED


def interactive() -> bool:
    """True when both ends are a terminal (never in CI or a pipe)."""
    return sys.stdin.isatty() and sys.stdout.isatty() and os.environ.get("TERM") != "dumb"


def parse_overrides(items: list[str]) -> dict[str, Any]:
    from wizard.answers import AnswerError, parse_set_options

    try:
        return parse_set_options(items)
    except AnswerError as exc:
        raise UsageError(str(exc)) from None

if TYPE_CHECKING:
    from wizard.plan import Plan


def load_session(args: argparse.Namespace, *, default_profile: str | None = None) -> Session:
    from wizard.profiles import ProfileError
    from wizard.validation import profile_name

    overrides = parse_overrides(getattr(args, "overrides", []) or [])
    answers_file: Path | None = getattr(args, "answers", None)
    if answers_file is not None:
        profile = answers_file.stem
        if profile_name(profile, {}):
            raise UsageError(f"{answers_file}: the file name (without .toml) is the profile name: "
                             f"{profile_name(profile, {})}")
        if not answers_file.exists():
            raise UsageError(f"{answers_file}: no such answers file")
    elif getattr(args, "profile", None):
        profile = args.profile
    elif default_profile:
        profile = default_profile
    else:
        raise UsageError("name a profile (--profile NAME) or an answers file (--answers FILE)")
    out = getattr(args, "out", None)
    try:
        session = Session(profile, demo=bool(getattr(args, "demo", False)), answers_file=answers_file,
                          overrides=overrides, out_dir=out)
    except ProfileError as exc:
        raise UsageError(str(exc)) from None
    if args.command in ("run", "generate"):
        # Before anything is touched (exit 2): the files written there run as administrator on nodes.
        from wizard.artifacts.writer import check_out_dir

        broken = check_out_dir(session.out_dir)
        if broken:
            raise UsageError(broken)
    if getattr(args, "profile", None) and not session.path.exists() and args.command is not None:
        raise UsageError(f"no saved profile '{profile}' (looked for {session.path}); "
                         "run 'hpcshare' to create it, or pass --answers FILE")
    return session


def _answers_or_exit(session: Session):
    try:
        return session.answers(require=True)
    except AnswersInvalid as exc:
        where = session.path
        lines = [f"{where}: {len(exc.problems)} answer(s) need fixing; nothing was touched:"]
        lines += [f"  - [{p.key}] {p.message}" for p in exc.problems]
        raise UsageError("\n".join(lines)) from None


def plan(args: argparse.Namespace) -> int:
    from wizard.plan import build_plan, render_az, render_text

    session = load_session(args)
    answers = _answers_or_exit(session)
    p = build_plan(answers)
    if args.format == "json":
        return _plan_json(session, p)
    if args.format == "az":
        print(render_az(p))
        return EXIT_OK
    print(render_text(p))
    changes = session.change_preview(p).lines()     # a profile that has run before: what redoes
    if changes:
        print("\n" + "\n".join(changes))
    return _plan_assessment(session, p)


def _plan_assessment(session: Session, p: "Plan") -> int:
    """After the text plan: the cost lines and total, the quota check and the throughput verdict."""
    from wizard.assessment import assess

    try:
        lines = assess(session.environment, p.answers).text_lines()
    finally:
        session.close()
    print("")
    print("\n".join(lines))
    return EXIT_OK


def _plan_json(session: Session, p: "Plan") -> int:
    """The plan, cost lines and total, quota and throughput verdict as one JSON document."""
    import json

    from wizard.assessment import assess
    from wizard.plan import plan_dict

    try:
        doc = {**plan_dict(p), **assess(session.environment, p.answers).as_dict()}
    finally:
        session.close()
    print(json.dumps(doc, indent=2))
    return EXIT_OK


def wizard(args: argparse.Namespace) -> int:
    if not interactive():
        raise UsageError("the wizard needs a terminal. For a run without prompts use: "
                         "hpcshare run --profile NAME --yes (or --answers FILE --yes)")
    named = bool(args.profile or args.answers)
    session = load_session(args, default_profile=None if named else "default")
    if args.plain:
        from wizard.plain.prompts import run_plain

        return run_plain(session)
    from screens.app import run_app

    return run_app(session, profile_named=named)


def run(args: argparse.Namespace) -> int:
    session = load_session(args)
    try:
        return _run(args, session)
    finally:
        session.close()


def _run(args: argparse.Namespace, session: Session) -> int:
    if not args.yes and not interactive():
        raise UsageError("no terminal to ask questions on: add --yes to run from the saved answers without prompts")
    if args.ask:
        if args.yes:
            raise UsageError("--ask asks questions, --yes forbids them: use one or the other")
        from wizard.plain.prompts import ask_sections

        ask_sections(session, args.ask)
    answers = _answers_or_exit(session)
    from wizard.validation import public_range

    exposed = public_range(answers.endpoints.smb_source)
    if exposed and args.yes:
        # Confirmed when it was typed; a replay says it again where a log will keep it.
        print(f"hpcshare: warning: TCP 445 will be reachable from {exposed} on the Internet "
              "(endpoints.smb_source); SMB encryption is required for it (share.encrypt forced on)", file=sys.stderr)
    rdp = public_range(answers.endpoints.rdp_source)
    if rdp and args.yes:
        # Nobody confirmed this range in a replay: an explicit flag must (security review, finding 4).
        if not args.allow_public_rdp:
            raise UsageError(f"[endpoints.rdp_source] {rdp} is a public range: RDP (TCP 3389) would be reachable "
                             "from the Internet. Add --allow-public-rdp to confirm it, or clear endpoints.rdp_source "
                             "(--set endpoints.rdp_source=); nothing was touched")
        print(f"hpcshare: warning: TCP 3389 (RDP) will be reachable from {rdp} on the Internet "
              "(endpoints.rdp_source, allowed by --allow-public-rdp)", file=sys.stderr)
    try:
        secrets = session.secrets()
    except AnswersInvalid as exc:
        raise UsageError("\n".join(p.message for p in exc.problems)) from None
    if not args.yes:
        from wizard.plain.prompts import confirm_run

        if not confirm_run(session):
            print("Nothing was changed.")
            return EXIT_CANCELLED
    _place_generated_passwords(args, session, secrets)
    from wizard.plain.live import run_with_live_view

    return run_with_live_view(session)


def _place_generated_passwords(args: argparse.Namespace, session: Session, secrets: Secrets) -> None:
    """A generated password is shown on a terminal, or written to --password-file; never printed
    where a log would keep it (stdout redirected to a file, a pipe, CI)."""
    generated = [(env, pw) for env, pw, gen in ((ADMIN_PASSWORD_ENV, secrets.admin_password, secrets.admin_generated),
                                                (SHARE_PASSWORD_ENV, secrets.share_password, secrets.share_generated))
                 if gen]
    # A run without --yes has already required a terminal (interactive()); a --yes run may have none.
    if generated and _place_generated(args, session, generated, tty=sys.stdout.isatty() if args.yes else interactive()):
        session.password_file = args.password_file


def _place_generated(args: argparse.Namespace, session: Session, generated: list[tuple[str, str]], *,
                     tty: bool) -> bool:
    """Write ``generated`` (env name, password) to --password-file (True), or leave them to be
    shown on the terminal ``tty`` says there is (False); refuse where a log would keep them."""
    if args.password_file is not None:
        from wizard.password_file import PasswordFileError, write_password_file

        try:
            write_password_file(args.password_file, session.profile, generated)
        except PasswordFileError as exc:
            raise UsageError(str(exc)) from None
        return True
    if not tty:
        names = " and ".join(env for env, _ in generated)
        raise UsageError(f"output is not a terminal, so a generated password would be printed where a log keeps it: "
                         f"set {names}, or pass --password-file FILE (created mode 0600); nothing was touched")
    return False


def reset_password(args: argparse.Namespace) -> int:
    """A new password for the VM admin (managed Run Command) or the share user (configure-server):
    from the environment, a prompt, or generated (shown, or written to --password-file)."""
    session = load_session(args)
    try:
        return _reset_password(args, session)
    finally:
        session.close()


def _reset_password(args: argparse.Namespace, session: Session) -> int:
    from wizard.passwords import PasswordNotice, reset_command
    from wizard.reset_password import reset_admin, reset_share
    from wizard.runner import StepFailed
    from wizard.session import SECRET_ENV

    answers = _answers_or_exit(session)
    key = "vm.admin_password" if args.user == "admin" else "account.password"
    env = SECRET_ENV[key]
    user = answers.vm.admin_username if args.user == "admin" else answers.account.username
    reset = reset_command(session.command_line, args.user)
    label = PasswordNotice(args.user, user, None, reset).title
    password, generated = os.environ.get(env, ""), False
    if not password and interactive() and args.password_file is None:
        password = getpass.getpass(f"New {label} (empty: generate one): ")
        if password and getpass.getpass("Again: ") != password:
            raise UsageError("the two passwords differ; nothing was changed")
    if not password:
        from wizard.answers import generate_password

        password, generated = generate_password(), True
    broken = session.check(key, password)
    if broken:
        raise UsageError(f"[{key}] {broken}" + (f" (from {env})" if os.environ.get(env) else ""))
    if generated:
        _place_generated(args, session, [(env, password)], tty=sys.stdout.isatty())

    def show() -> None:
        if not generated:
            print(f"{label}: set to the one you gave.")
        elif args.password_file is not None:
            print(f"{label} (generated): in {args.password_file} (mode 0600)")
        else:
            print(PasswordNotice(args.user, user, password, reset).lines()[0])

    print(f"Setting a new {label} on {answers.vm.name} ...", flush=True)
    try:
        if args.user == "admin":
            reset_admin(session, password, print)
            show()
        else:
            reset_share(session, password, print, show)
    except StepFailed as exc:
        print(f"hpcshare: {exc.message}\n  hint: {exc.hint}", file=sys.stderr)
        return EXIT_FAILED
    if args.user == "share":
        print("Nodes and job templates that hold the old password need the new one "
              f"(regenerate the files: {session.command_line('generate')}).")
    return EXIT_OK


def generate(args: argparse.Namespace) -> int:
    from wizard.execute import generate_artifacts

    session = load_session(args)
    answers = _answers_or_exit(session)
    password = None
    if args.embed_password:
        from wizard.plan import secret_name

        secret = secret_name(answers.azure_files)      # Azure Files: the storage account key
        password = os.environ.get(SHARE_PASSWORD_ENV) or (
            getpass.getpass(f"{secret.capitalize()} to embed: ") if interactive() else "")
        if not password:
            raise UsageError(f"--embed-password needs the {secret}: set {SHARE_PASSWORD_ENV}")
    from wizard.artifacts.writer import SecretFileError

    try:
        written = generate_artifacts(answers, session.run_state(), session.out_dir, embed_password=password,
                                     demo=session.demo)
    except (ValueError, SecretFileError) as exc:
        # A password that cannot be embedded, or a file that cannot be kept private: no traceback.
        raise UsageError(str(exc)) from None
    finally:
        session.close()
    for path in written:
        print(path)
    return EXIT_OK


def verify(args: argparse.Namespace) -> int:
    from wizard.plain.verify_report import verify_main
    from wizard.plan import is_files_host

    if not 1 <= args.port <= 65535:
        raise UsageError(f"--port {args.port}: a TCP port from 1 to 65535")
    password = os.environ.get(SHARE_PASSWORD_ENV)
    if not password:
        if not interactive():
            raise UsageError(f"no password: set {SHARE_PASSWORD_ENV} or run in a terminal to be asked")
        what = "Storage account key" if is_files_host(args.server) else "Password"
        password = getpass.getpass(f"{what} for {args.user}: ")
    return verify_main(server=args.server, share=args.share, user=args.user, port=args.port, password=password)


def nodes_report(args: argparse.Namespace) -> int:
    from wizard.nodes_report import ReportError, format_table, read_report, to_json

    try:
        report = read_report(args.file)
    except ReportError as exc:
        raise UsageError(str(exc)) from None
    if args.format == "json":
        import json

        print(json.dumps(to_json(report), indent=2))
    else:
        print(format_table(report), end="")
    return EXIT_OK if report.all_passed else EXIT_FAILED


def teardown(args: argparse.Namespace) -> int:
    from wizard.execute import find_teardown_targets, run_teardown

    session = load_session(args)
    answers = _answers_or_exit(session)
    from wizard.runner import StepFailed

    try:
        from wizard.azure.signin import check_sign_in
        from wizard.catalog import SignInFailed

        try:
            # As for run: a sign-in problem is one message naming the method, before any look-up.
            check_sign_in(session.environment, answers.subscription.id)
        except SignInFailed as exc:
            print(f"hpcshare: {exc}", file=sys.stderr)
            return EXIT_FAILED
        try:
            targets = find_teardown_targets(session.environment, answers)
        except StepFailed as exc:
            print(f"hpcshare: {exc.message}\n  hint: {exc.hint}", file=sys.stderr)
            return EXIT_FAILED
        if not targets:
            print(f"Nothing to delete: no resources tagged for profile '{answers.profile}' in "
                  f"{answers.subscription.resource_group}.")
            return EXIT_OK
        print(f"These {len(targets)} resources carry the tags of profile '{answers.profile}':")
        for t in targets:
            print(f"  {t.type:<45} {t.name}")
        if not args.yes:
            if not interactive():
                raise UsageError("teardown deletes resources: confirm with --yes when there is no terminal")
            typed = input(f"Type the profile name ({answers.profile}) to delete them: ")
            if typed.strip() != answers.profile:
                print("Not confirmed; nothing was deleted.")
                return EXIT_CANCELLED
        outcomes = run_teardown(targets, session.run_state())
    finally:
        session.close()
    for o in outcomes:
        if o.ok:
            print(f"  {o.result}  {o.type} {o.name}")
        else:
            print(f"  failed  {o.type} {o.name}: {o.message}\n          {o.hint}")
    failures = sum(1 for o in outcomes if not o.ok)
    if failures:
        print(f"{failures} deletion(s) failed; run teardown again to retry them.")
        return EXIT_FAILED
    print("Teardown complete.")
    return EXIT_OK


def standin(args: argparse.Namespace) -> int:
    from wizard.environment import standin_state_file
    from wizard.standin import serve_forever

    latency = args.latency or os.environ.get("HPCSHARE_STANDIN_LATENCY") or "realistic"
    scale = args.scale if args.scale is not None else float(os.environ.get("HPCSHARE_STANDIN_SCALE") or 1.0)
    log = os.environ.get("HPCSHARE_STANDIN_LOG")
    serve_forever(port=args.port, latency=latency, scale=scale, state_file=standin_state_file(),
                  faults=os.environ.get("HPCSHARE_STANDIN_FAULTS"), log_file=Path(log) if log else None)
    return EXIT_OK


__all__ = ["EXIT_FAILED", "EXIT_CANCELLED", "interactive", "parse_overrides"]
