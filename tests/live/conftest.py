"""Where the live suite runs: the stand-in by default, real Azure with ``pytest -m live``.

- plain ``pytest``: the ``live`` tests run against the in-process stand-in (instant profile), so CI
  keeps them working;
- ``pytest -m live`` with ``HPCSHARE_LIVE_SUBSCRIPTION`` set (and a credential azure-identity can
  use): the same tests against that subscription, in a fresh, uniquely named resource group;
- ``pytest -m live`` without the variable: the tests fail, saying what is missing (they never pass
  against the stand-in when real Azure was asked for).

Optional knobs for the real run: HPCSHARE_LIVE_REGION (default westeurope), HPCSHARE_LIVE_VM_SIZE
(default Standard_B2s), HPCSHARE_LIVE_AUTH (default: environment when AZURE_CLIENT_ID is set, else
cli) and HPCSHARE_LIVE_SMB_SOURCE (this machine's public address as a CIDR, e.g. 203.0.113.7/32:
the server then gets a public IP open to it only, and the run's probe and ``hpcshare verify``
connect to TCP 445 from here; leave it unset where outbound 445 is blocked).
"""
from __future__ import annotations

import os
import secrets
import time
from dataclasses import dataclass
from typing import Any

import pytest

LIVE_VAR = "HPCSHARE_LIVE_SUBSCRIPTION"
SMB_SOURCE_VAR = "HPCSHARE_LIVE_SMB_SOURCE"


def live_requested(config: pytest.Config) -> bool:
    """True when the mark expression selects ``live`` tests and not unmarked ones (``-m live``)."""
    expr = (config.getoption("markexpr", "") or "").strip()
    if not expr:
        return False
    from _pytest.mark.expression import Expression  # pytest's own -m parser; no public API for it

    compiled = Expression.compile(expr)
    return compiled.evaluate(lambda name: name == "live") and not compiled.evaluate(lambda name: False)


@dataclass
class Backend:
    """Where the flow runs, and how the test looks at what is there."""
    name: str                      # "standin" | "azure"
    subscription: str
    region: str
    resource_group: str
    auth: str
    vm_size: str
    smb_source: str                # "" : no public IP, no probe from this machine

    @property
    def cli_args(self) -> list[str]:
        return ["--demo"] if self.name == "standin" else []

    def _env(self) -> Any:
        from wizard.environment import Environment

        return Environment(demo=False, auth=self.auth, client_kwargs={})

    def resource_ids(self) -> list[str]:
        if self.name == "standin":
            from wizard.environment import standin_state_file
            from wizard.standin import StandIn

            return sorted(r["id"].lower() for r in StandIn(state_file=standin_state_file()).resources()
                          if r["id"].lower().startswith(self._group_prefix()))
        env = self._env()
        try:
            client = env.resources(self.subscription)
            return sorted(r.id.lower() for r in client.resources.list_by_resource_group(self.resource_group))
        finally:
            env.close()

    def group_exists(self) -> bool:
        if self.name == "standin":
            from wizard.environment import standin_state_file
            from wizard.standin import StandIn

            return any(r["id"].lower() == self._group_prefix().rstrip("/")
                       for r in StandIn(state_file=standin_state_file()).resources())
        env = self._env()
        try:
            return bool(env.resources(self.subscription).resource_groups.check_existence(self.resource_group))
        finally:
            env.close()

    def delete_group(self) -> None:
        """Last resort after a failed teardown: the group is this test's own (fresh, unique name)."""
        if self.name == "standin":
            return                     # the stand-in's state lives in the test's temporary folder
        env = self._env()
        try:
            env.resources(self.subscription).resource_groups.begin_delete(self.resource_group).result()
        finally:
            env.close()

    def _group_prefix(self) -> str:
        return f"/subscriptions/{self.subscription}/resourcegroups/{self.resource_group}/".lower()


def unique_group_name() -> str:
    """hpcshare-live-<UTC time>-<random>: fresh per run, easy to spot and clean up by hand."""
    return f"hpcshare-live-{time.strftime('%Y%m%d-%H%M%S', time.gmtime())}-{secrets.token_hex(3)}"


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> Backend:
    return choose_backend(request.config)


def choose_backend(config: pytest.Config) -> Backend:
    if not live_requested(config):
        from wizard.standin.catalog import DEFAULT_SUBSCRIPTION_ID

        return Backend("standin", DEFAULT_SUBSCRIPTION_ID, "westeurope", unique_group_name(), "cli",  # --demo ignores it
                       "Standard_B2s", "")
    subscription = os.environ.get(LIVE_VAR, "").strip()
    if not subscription:
        pytest.fail(f"`pytest -m live` runs against real Azure: set {LIVE_VAR} to a subscription id and sign in "
                    "so azure-identity finds a credential (az login, or AZURE_CLIENT_ID / AZURE_TENANT_ID / "
                    "AZURE_CLIENT_SECRET). Plain `pytest` runs these tests against the stand-in.", pytrace=False)
    auth = os.environ.get("HPCSHARE_LIVE_AUTH") or ("environment" if os.environ.get("AZURE_CLIENT_ID") else "cli")
    return Backend("azure", subscription, os.environ.get("HPCSHARE_LIVE_REGION") or "westeurope",
                   unique_group_name(), auth, os.environ.get("HPCSHARE_LIVE_VM_SIZE") or "Standard_B2s",
                   os.environ.get(SMB_SOURCE_VAR, "").strip())
