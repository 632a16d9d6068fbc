"""Where the Azure calls go: real Azure (azure-identity credentials) or the built-in stand-in.

``open_environment(demo=True)`` starts the stand-in in this process, with its resources kept in
``HPCSHARE_HOME/standin/state.json`` so that a second demo run sees what the first created, and
with the demo's cluster network already there (``wizard.standin.demo_world``).
Every azure.* import happens inside the functions that need it (start-up stays fast).
"""
from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wizard import paths
from wizard import polling

if TYPE_CHECKING:
    from wizard.standin import StandIn

# The Azure SDK logs a failed sign-in itself ("AzureCliCredential.get_token failed: Azure CLI not
# found on path"). With no handler, Python's last-resort handler prints that on stderr, in the
# middle of our own one-line message or over the Textual screen. A null handler keeps it off the
# terminal; during a run wizard.runlog.azure_logs_to sends it to the run log.
logging.getLogger("azure").addHandler(logging.NullHandler())

# azure-identity's DeviceCodeCredential prompt_callback: (verification URL, user code, expiry).
DeviceCodePrompt = Callable[[str, str, datetime], None]


def print_device_code(verification_uri: str, user_code: str, expires_on: datetime) -> None:
    """The plain front end's prompt: one line on stderr (stdout may be a log), printed once per code."""
    until = expires_on.astimezone().strftime("%H:%M")
    print(f"hpcshare: sign in to Azure: open {verification_uri} and enter the code {user_code} "
          f"(valid until {until})", file=sys.stderr, flush=True)


# A demo should take about a minute: the stand-in's realistic durations (a VM alone is 52 s)
# scaled down. Tests set HPCSHARE_STANDIN_LATENCY=instant.
DEMO_SCALE = 0.4


def demo_subscription_id() -> str:
    """The stand-in's subscription, the demo's default (the stand-in is reached only through here)."""
    from wizard.standin.catalog import DEFAULT_SUBSCRIPTION_ID

    return DEFAULT_SUBSCRIPTION_ID


def demo_knows_subscription(subscription_id: str) -> bool:
    """A subscription the stand-in serves (a demo cannot use a real one)."""
    from wizard.standin.catalog import subscription

    return bool(subscription_id) and subscription(subscription_id) is not None


# A demo's stand-in for a private endpoint's SMB service: host:port of a local SMB server.
DEMO_SMB_ENV = "HPCSHARE_DEMO_SMB"


def standin_state_file() -> Path:
    return paths.home() / "standin" / "state.json"


@dataclass
class Environment:
    demo: bool
    auth: str
    client_kwargs: dict[str, Any]
    standin: "StandIn | None" = None
    device_code_prompt: DeviceCodePrompt | None = None     # the TUI's dialog; else one printed line
    _credential: Any = None
    _clients: dict[tuple[str, str], Any] = field(default_factory=dict)

    def credential(self) -> Any:
        if self._credential is None:
            if self.standin is not None:
                from wizard.standin import FakeCredential

                self._credential = FakeCredential(self.standin.token)     # the one token it accepts
            else:
                self._credential = _make_credential(self.auth, demo=self.demo, prompt=self.device_code_prompt)
        return self._credential

    def _client(self, kind: str, subscription_id: str = "") -> Any:
        key = (kind, subscription_id)
        if key not in self._clients:
            client = _construct(kind, self.credential(), subscription_id, self.client_kwargs)
            if polling.polling_mode() == "prompt":
                client = polling.install(client, self.poll_interval)
            self._clients[key] = client
        return self._clients[key]

    @property
    def poll_interval(self) -> float:
        """Seconds between status polls of a long-running operation (see wizard.polling)."""
        return float(self.client_kwargs.get("polling_interval", polling.POLL_EVERY_S))

    def subscriptions(self) -> Any:
        return self._client("subscriptions")

    def resources(self, subscription_id: str) -> Any:
        return self._client("resources", subscription_id)

    def network(self, subscription_id: str) -> Any:
        return self._client("network", subscription_id)

    def compute(self, subscription_id: str) -> Any:
        return self._client("compute", subscription_id)

    def privatedns(self, subscription_id: str) -> Any:
        return self._client("privatedns", subscription_id)

    def storage(self, subscription_id: str) -> Any:
        return self._client("storage", subscription_id)

    def smb_address(self, private_ip: str) -> tuple[str, int] | None:
        """Where this machine reaches SMB at a private endpoint's address: the address itself on
        Azure (reachable or not: the probe finds out); in a demo the local SMB server named by
        HPCSHARE_DEMO_SMB (host:port, e.g. a Samba test server), else None (nothing to reach)."""
        if not self.demo:
            return private_ip, 445
        host, sep, port = os.environ.get(DEMO_SMB_ENV, "").rpartition(":")
        return (host, int(port)) if sep and host and port.isdigit() else None

    @property
    def default_subscription(self) -> str:
        return self.standin.subscription_id if self.standin else ""

    def close(self) -> None:
        for client in self._clients.values():
            try:
                client.close()
            except Exception:  # closing is best effort: the process may be exiting
                pass
        self._clients.clear()
        if self.standin is not None:
            self.standin.stop()
            self.standin = None


def open_environment(*, demo: bool, auth: str = "cli", device_code_prompt: DeviceCodePrompt | None = None) -> Environment:
    if not demo:
        return Environment(demo=False, auth=auth, client_kwargs={}, device_code_prompt=device_code_prompt)
    from wizard.standin import StandIn

    latency = os.environ.get("HPCSHARE_STANDIN_LATENCY") or "realistic"
    scale = float(os.environ.get("HPCSHARE_STANDIN_SCALE") or DEMO_SCALE)
    standin = StandIn.from_env(latency=latency, scale=scale, state_file=standin_state_file(),
                               demo_world=True).start()
    return Environment(demo=True, auth="standin", client_kwargs=standin_client_kwargs(standin, latency), standin=standin)


def standin_client_kwargs(standin: "StandIn", latency: str = "instant") -> dict[str, Any]:
    # The instant stand-in answers at once; against the realistic one, a short interval keeps the
    # demo from spinning on status requests while adding little to each operation's wall time
    # (hpcshare's polling does not wait for the Retry-After it sends: wizard.polling).
    return {
        "base_url": standin.base_url,
        "connection_verify": str(standin.ca_path),
        "polling_interval": 0 if latency == "instant" else 0.1,
        "retry_backoff_factor": 0.05,
        "retry_backoff_max": 2,
    }


def _make_credential(auth: str, *, demo: bool, prompt: DeviceCodePrompt | None = None) -> Any:
    if demo or auth == "standin":
        from wizard.standin import FakeCredential

        return FakeCredential()
    import azure.identity as identity

    if auth == "cli":
        return identity.AzureCliCredential()
    if auth == "device-code":
        return identity.DeviceCodeCredential(prompt_callback=prompt or print_device_code)
    if auth == "environment":
        return identity.EnvironmentCredential()
    if auth == "managed-identity":
        return identity.ManagedIdentityCredential()
    raise ValueError(f"Sign-in method: unknown '{auth}'")


def _construct(kind: str, credential: Any, subscription_id: str, kwargs: dict[str, Any]) -> Any:
    if kind == "subscriptions":
        from azure.mgmt.resource.subscriptions import SubscriptionClient

        return SubscriptionClient(credential, **kwargs)
    if kind == "resources":
        from azure.mgmt.resource.resources import ResourceManagementClient

        return ResourceManagementClient(credential, subscription_id, **kwargs)
    if kind == "network":
        from azure.mgmt.network import NetworkManagementClient

        return NetworkManagementClient(credential, subscription_id, **kwargs)
    if kind == "compute":
        from azure.mgmt.compute import ComputeManagementClient

        return ComputeManagementClient(credential, subscription_id, **kwargs)
    if kind == "privatedns":
        from azure.mgmt.privatedns import PrivateDnsManagementClient

        return PrivateDnsManagementClient(credential, subscription_id, **kwargs)
    if kind == "storage":
        from azure.mgmt.storage import StorageManagementClient

        return StorageManagementClient(credential, subscription_id, **kwargs)
    raise ValueError(kind)
