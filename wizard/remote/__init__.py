"""PowerShell on the file server: the scripts' contract, their parameters, and three transports.

* ``protocol``    the contract with the scripts (marker line, ConfigB64/SecretB64, result lines)
* ``config``      validated Answers (+ what provisioning learned) -> the two parameter objects
* ``scripts``     the shipped scripts (assets/powershell/), byte for byte
* ``shell``       ``RemoteShell`` (the one interface) and ``RemoteResult``
* ``run_command`` ``ManagedRunCommandShell`` (default) and ``ActionRunCommandShell`` (fallback)
* ``winrm_shell`` ``WinRmShell`` (pywinrm over HTTPS; values through stdin)
* ``pinning``     ``PinnedCertificate``: the server certificate winrm-bootstrap returned, pinned
* ``steps``       ``configure_server(...)``, ``self_test(...)`` and ``winrm_bootstrap(...)``: one
                  remote call each

No user value ever appears in script text or on a command line: only base64 parameters.
Transport and protocol only, below the runner: the plan's remote steps as the runner calls them
are ``wizard.execute.remote_steps``. Imports no UI library, and azure / winrm only lazily
(inside the transports).
"""
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from wizard.remote.config import ConfigError, ServerInfo, configure_config, secret_params, self_test_config
    from wizard.remote.run_command import ActionRunCommandShell, ManagedRunCommandShell
    from wizard.remote.shell import RemoteResult, RemoteShell
    from wizard.remote.pinning import PinnedCertificate
    from wizard.remote.steps import configure_server, self_test, winrm_bootstrap
    from wizard.remote.winrm_shell import WinRmShell

# Loaded on first use (PEP 562): wizard.plan imports wizard.remote.protocol, which runs this file,
# and neither the plan nor the wizard's first screen needs the transports.
_EXPORTS = {
    "ConfigError": "config", "ServerInfo": "config", "configure_config": "config",
    "secret_params": "config", "self_test_config": "config",
    "ActionRunCommandShell": "run_command", "ManagedRunCommandShell": "run_command",
    "RemoteResult": "shell", "RemoteShell": "shell",
    "configure_server": "steps", "self_test": "steps", "winrm_bootstrap": "steps",
    "PinnedCertificate": "pinning", "WinRmShell": "winrm_shell",
}


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'wizard.remote' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(f"wizard.remote.{module}"), name)


__all__ = [
    "ActionRunCommandShell", "ConfigError", "ManagedRunCommandShell", "PinnedCertificate", "RemoteResult",
    "RemoteShell", "ServerInfo", "WinRmShell", "configure_config", "configure_server", "secret_params",
    "self_test", "self_test_config", "winrm_bootstrap",
]
