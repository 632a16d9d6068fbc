"""The two remote steps as single calls: build the parameters (validated), load the script, run it.

Each is ONE remote round trip (tens of seconds on Azure): configure-server does every sub-step in
one script run. A ``ConfigError`` (a value that fails validation) is raised before the shell is
touched.
"""
from __future__ import annotations

from typing import Any

from wizard.answers import Answers, Secrets
from wizard.remote.config import configure_config, secret_params, self_test_config, winrm_bootstrap_config
from wizard.remote.protocol import CONFIGURE_SERVER, SELF_TEST, WINRM_BOOTSTRAP
from wizard.remote.scripts import load_script
from wizard.remote.shell import RemoteResult, RemoteShell


def configure_server(shell: RemoteShell, answers: Answers, facts_or_vm_info: Any, secrets: Secrets, *,
                     keep_password: bool = False) -> RemoteResult:
    """Disk, user, File Server role, folder + ACL, share, SMB hardening, firewall: one call.

    ``facts_or_vm_info``: a ``config.ServerInfo``, a mapping with ``disk_lun``/``vnet_prefixes``,
    the VM (SDK model or REST dict; its data disk's LUN is read from it), or None (LUN 0, the
    VNet range from the answers)."""
    config = configure_config(answers, facts_or_vm_info, keep_password=keep_password)
    secret = secret_params(answers, secrets)
    return shell.run(load_script(CONFIGURE_SERVER), config, secret)


def self_test(shell: RemoteShell, answers: Answers, secrets: Secrets) -> RemoteResult:
    """Connect to \\\\server\\share as the share user, write, read, delete, disconnect: one call."""
    config = self_test_config(answers)
    secret = secret_params(answers, secrets)
    return shell.run(load_script(SELF_TEST), config, secret)


def winrm_bootstrap(shell: RemoteShell, answers: Answers, facts_or_vm_info: Any = None,
                    fqdn: str | None = None) -> RemoteResult:
    """Certificate, HTTPS listener on 5986, firewall rule: one call, through Run Command (the
    WinRM transport cannot be used before this has run). No secret: SecretB64 is ``{}``."""
    config = winrm_bootstrap_config(answers, facts_or_vm_info, fqdn)
    return shell.run(load_script(WINRM_BOOTSTRAP), config, {})
