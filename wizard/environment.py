"""Where the Azure calls go: real Azure (azure-identity credentials) or the built-in stand-in.

``open_environment(demo=True)`` starts the stand-in in this process, with its resources kept in
``HPCSHARE_HOME/standin/state.json`` so that a second demo run sees what the first created.
Every azure.* import happens inside the functions that need it (start-up stays fast).
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wizard import paths

if TYPE_CHECKING:
    from wizard.standin import StandIn

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


def standin_state_file() -> Path:
    return paths.home() / "standin" / "state.json"


@dataclass
class Environment:
    demo: bool
    auth: str
    client_kwargs: dict[str, Any]
    standin: "StandIn | None" = None
    _credential: Any = None
    _clients: dict[tuple[str, str], Any] = field(default_factory=dict)

    def credential(self) -> Any:
        if self._credential is None:
            if self.standin is not None:
                from wizard.standin import FakeCredential

                self._credential = FakeCredential(self.standin.token)     # the one token it accepts
            else:
                self._credential = _make_credential(self.auth, demo=self.demo)
        return self._credential

    def _client(self, kind: str, subscription_id: str = "") -> Any:
        key = (kind, subscription_id)
        if key not in self._clients:
            self._clients[key] = _construct(kind, self.credential(), subscription_id, self.client_kwargs)
        return self._clients[key]

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


def open_environment(*, demo: bool, auth: str = "cli") -> Environment:
    if not demo:
        return Environment(demo=False, auth=auth, client_kwargs={})
    from wizard.standin import StandIn

    latency = os.environ.get("HPCSHARE_STANDIN_LATENCY") or "realistic"
    scale = float(os.environ.get("HPCSHARE_STANDIN_SCALE") or DEMO_SCALE)
    standin = StandIn.from_env(latency=latency, scale=scale, state_file=standin_state_file()).start()
    return Environment(demo=True, auth="standin", client_kwargs=standin_client_kwargs(standin, latency), standin=standin)


def standin_client_kwargs(standin: "StandIn", latency: str = "instant") -> dict[str, Any]:
    # The stand-in sends no Retry-After on polls; a short interval keeps a realistic demo from
    # spinning on status requests while adding little to each operation's wall time.
    return {
        "base_url": standin.base_url,
        "connection_verify": str(standin.ca_path),
        "polling_interval": 0 if latency == "instant" else 0.1,
        "retry_backoff_factor": 0.05,
        "retry_backoff_max": 2,
    }


def _make_credential(auth: str, *, demo: bool) -> Any:
    if demo or auth == "standin":
        from wizard.standin import FakeCredential

        return FakeCredential()
    import azure.identity as identity

    if auth == "cli":
        return identity.AzureCliCredential()
    if auth == "device-code":
        return identity.DeviceCodeCredential()
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
