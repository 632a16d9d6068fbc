"""``hpcshare reset-password``: a new password for the VM's administrator or the share user.

- ``admin``: one managed Run Command (``assets/powershell/reset-admin-password.ps1``) with the
  password as a protected parameter, run as SYSTEM on the VM (Microsoft Learn, "Run scripts in
  your Windows VM by using managed Run Commands": ``protectedParameters`` are not returned in the
  resource, and the script runs as System). Azure's own alternative, the VMAccess extension, also
  works; Run Command needs no extension resource on the VM and hpcshare already uses it.
- ``share``: configure-server again with the new password and ``keep_password`` off (the only
  place the share user's password is set), then the self-test logs on with it.

The password comes in as an argument (the command layer takes it from the environment, a prompt
or generates it); it is never on a command line here, never logged, never stored.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from wizard.answers import Secrets
from wizard.remote.protocol import CONFIGURE_SERVER, RESET_ADMIN_PASSWORD
from wizard.runner import StepFailed

if TYPE_CHECKING:
    from wizard.remote.shell import RemoteResult
    from wizard.session import Session

Say = Callable[[str], None]


def _target(session: "Session", secrets: Secrets) -> Any:
    from wizard.azure.steps import Target
    from wizard.plan import Names

    answers = session.answers(require=True)
    return Target(session.environment, answers, Names.of(answers), secrets)


def _sub_steps(result: "RemoteResult", say: Say) -> None:
    for r in result.results:
        say(f"  {r.step}: {r.status}" + (f": {r.message}" if r.message else ""))
    bad = result.failed_step
    if bad is not None:
        raise StepFailed(f"{result.script}: sub-step '{bad.step}' failed: {bad.message}",
                         "Nothing else was changed; fix the cause and run the same command again.")
    if not result.ok:
        raise StepFailed(f"{result.script}: the script ended with exit code {result.exit_code}",
                         "Run the same command again; see the output above.")


def _explained(fn: Callable[[], None]) -> None:
    """Run ``fn``; any SDK error reaches the user as a cause and a hint (never a traceback)."""
    from wizard.azure.errors import explain
    from wizard.remote.config import ConfigError

    try:
        fn()
    except StepFailed:
        raise
    except ConfigError as e:
        raise StepFailed(f"Refused to send a value to the server: {e}", f"Fix the answer '{e.field}'.") from None
    except Exception as exc:
        raise explain(exc) from None


def _require_run(session: "Session", step: str) -> None:
    state = session.run_state()
    if state.steps.get(step) is None:
        raise StepFailed(f"profile '{session.profile}' has no finished '{step}' step yet: there is no password to reset",
                         f"Run it first: {session.command_line('run')}")


def reset_admin(session: "Session", password: str, say: Say) -> None:
    """Set ``password`` on the VM's local administrator. Raises ``StepFailed``."""
    from wizard.remote.config import admin_secret_params, reset_admin_config
    from wizard.remote.run_command import ManagedRunCommandShell
    from wizard.remote.scripts import load_script

    _require_run(session, "vm")
    t = _target(session, Secrets(password, ""))

    def go() -> None:
        config = reset_admin_config(t.answers)
        secret = admin_secret_params(t.answers, password)
        shell = ManagedRunCommandShell(t.env.compute(t.sub), t.rg, t.names.vm, t.region, tags=t.tags)
        _sub_steps(shell.run(load_script(RESET_ADMIN_PASSWORD), config, secret), say)

    _explained(go)


def reset_share(session: "Session", password: str, say: Say, on_applied: Callable[[], None]) -> None:
    """configure-server with ``password`` (set, not kept), then the self-test with it.
    ``on_applied`` runs as soon as the server has the new password (show it then)."""
    from wizard.execute.remote_steps import make_shell, server_info_from
    from wizard.remote.steps import configure_server, self_test

    _require_run(session, CONFIGURE_SERVER)
    admin = session.secrets()          # the admin password matters only to the WinRM transport
    secrets = Secrets(admin.admin_password, password, admin.admin_generated, False)
    t = _target(session, secrets)
    outputs = session.run_state().all_outputs()

    def go() -> None:
        shell = make_shell(t, outputs)
        say(f"{CONFIGURE_SERVER}:")
        result = configure_server(shell, t.answers, server_info_from(outputs), secrets, keep_password=False)
        _sub_steps(result, say)
        on_applied()
        say("self-test:")
        _sub_steps(self_test(shell, t.answers, secrets), say)

    _explained(go)
