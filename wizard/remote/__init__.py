"""PowerShell on the file server: the scripts' contract, their parameters, and three transports.

* ``protocol``    the contract with the scripts (marker line, ConfigB64/SecretB64, result lines)
* ``config``      validated Answers (+ what provisioning learned) -> the two parameter objects
* ``scripts``     the shipped scripts (assets/powershell/), byte for byte
* ``shell``       ``RemoteShell`` (the one interface) and ``RemoteResult``
* ``run_command`` ``ManagedRunCommandShell`` (default) and ``ActionRunCommandShell`` (fallback)
* ``winrm_shell`` ``WinRmShell`` (pywinrm over HTTPS; values through stdin)
* ``steps``       ``configure_server(...)`` and ``self_test(...)``: one remote call each
* ``run``         the plan's remote steps, as the runner calls them

No user value ever appears in script text or on a command line: only base64 parameters.
Imported by wizard.execute / wizard.remote.run; imports no UI library, and azure / winrm only
lazily (inside the transports).
"""
from wizard.remote.config import ConfigError, ServerInfo, configure_config, secret_params, self_test_config
from wizard.remote.run_command import ActionRunCommandShell, ManagedRunCommandShell
from wizard.remote.shell import RemoteResult, RemoteShell
from wizard.remote.steps import configure_server, self_test
from wizard.remote.winrm_shell import WinRmShell

__all__ = [
    "ActionRunCommandShell", "ConfigError", "ManagedRunCommandShell", "RemoteResult", "RemoteShell",
    "ServerInfo", "WinRmShell", "configure_config", "configure_server", "secret_params", "self_test",
    "self_test_config",
]
