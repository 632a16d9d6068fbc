"""A local Azure Resource Manager stand-in that the real Azure SDK clients talk to over HTTPS.

It serves what hpcshare uses (subscriptions, locations, resource SKUs, resource groups, VNets and
subnets, NSGs, public IPs with DNS labels, NICs, managed disks, VMs, Run Command in both forms,
Private DNS zones with their VNet links and A records)
with ARM's long-running-operation protocol, ARM-shaped errors, latency profiles and fault
injection; run-command scripts are simulated by ``wizard.standin.fake_windows``.

Usage::

    with StandIn() as s:
        client = ComputeManagementClient(FakeCredential(), s.subscription_id, base_url=s.base_url,
                                         connection_verify=str(s.ca_path), polling_interval=0)

Only this package may import azure.* at module level; the rest of wizard/ imports it lazily,
and importing wizard.standin itself imports no azure module.

Module map: app (request pipeline), server (HTTPS + request log), routing (paths and ids),
store (state + persistence), operations (LRO records), catalog (subscriptions, regions, SKUs,
images), faults, latency, validation, errors, credential, handlers/ (one module per provider).
"""
from __future__ import annotations

import base64
import copy
import os
import shutil
import signal
import tempfile
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import catalog
from .credential import ENV_TOKEN, FakeCredential, process_token
from .faults import FaultPlan
from .latency import Latency

if TYPE_CHECKING:
    from .app import Arm
    from .server import StandInHTTPServer
    from .store import Store

__all__ = ["FakeCredential", "StandIn", "serve_forever"]

ENV_LATENCY = "HPCSHARE_STANDIN_LATENCY"
ENV_SCALE = "HPCSHARE_STANDIN_SCALE"
ENV_FAULTS = "HPCSHARE_STANDIN_FAULTS"
ENV_LOG = "HPCSHARE_STANDIN_LOG"
ENV_QUOTA = "HPCSHARE_STANDIN_QUOTA"


class StandIn:
    """One stand-in server. Arguments are checked at construction (ValueError on a bad profile,
    scale or fault spec); nothing listens until start()."""

    subscription_id: str = catalog.DEFAULT_SUBSCRIPTION_ID

    def __init__(self, *, latency: str = "instant", scale: float = 1.0, state_file: Path | None = None,
                 faults: str | None = None, log_file: Path | None = None, port: int = 0, token: str | None = None,
                 quota: str | None = None, demo_world: bool = False):
        from .quota import parse

        self._latency = Latency(latency, scale)
        self._quota_limits = parse(quota)
        # The bearer token it accepts (credential.process_token unless given): clients of this
        # process get it from FakeCredential(), others from 'hpcshare standin' or the variable.
        self.token = token or process_token()
        self._faults = FaultPlan(faults)
        self.state_file = Path(state_file) if state_file else None
        self.log_file = Path(log_file) if log_file else None
        self.port = port
        self.requests: list[tuple[str, str, int]] = []
        self._log_lock = threading.Lock()
        self._start_lock = threading.Lock()
        self._arm: Arm | None = None
        self._server: StandInHTTPServer | None = None
        self._tmpdir: Path | None = None
        self._base_url = ""
        self._ca_path: Path | None = None
        self._wsman: dict[str, Any] = {}
        self.demo_world = demo_world     # the demo's cluster network is there (demo_world.py)

    @classmethod
    def from_env(cls, **overrides: Any) -> "StandIn":
        """Settings from HPCSHARE_STANDIN_LATENCY / _SCALE / _FAULTS / _LOG / _QUOTA; keyword overrides win."""
        kw: dict[str, Any] = {}
        if os.environ.get(ENV_LATENCY):
            kw["latency"] = os.environ[ENV_LATENCY].strip()
        if os.environ.get(ENV_SCALE):
            try:
                kw["scale"] = float(os.environ[ENV_SCALE])
            except ValueError:
                raise ValueError(f"{ENV_SCALE} must be a number, got {os.environ[ENV_SCALE]!r}") from None
        if os.environ.get(ENV_FAULTS):
            kw["faults"] = os.environ[ENV_FAULTS]
        if os.environ.get(ENV_LOG):
            kw["log_file"] = Path(os.environ[ENV_LOG])
        if os.environ.get(ENV_QUOTA):
            kw["quota"] = os.environ[ENV_QUOTA]
        kw.update(overrides)
        return cls(**kw)

    # -- lifecycle -------------------------------------------------------------------------------
    def start(self) -> "StandIn":
        """Listen on 127.0.0.1 and serve from a daemon thread. Calling it again does nothing."""
        with self._start_lock:
            if self._server is not None:
                return self
            # The server side loads here, not when wizard.standin is imported: the demo Session
            # imports wizard.standin.catalog (the demo subscription) before the first screen.
            from .app import Arm
            from .quota import Quota
            from .server import StandInHTTPServer, make_tls_context
            from .store import Store

            # The demo's cluster network is there before the user's run: built with no faults, so
            # an HPCSHARE_STANDIN_FAULTS plan neither breaks it nor is used up on it.
            arm = Arm(Store(self.state_file), self._latency, FaultPlan(None), token=self.token,
                      quota=Quota(self._quota_limits))
            if self.demo_world:
                from .demo_world import seed

                seed(arm)
            arm.faults = self._faults
            tmpdir = Path(tempfile.mkdtemp(prefix="hpcshare-standin-"))
            try:
                tls, ca_path = make_tls_context(tmpdir)
                server = StandInHTTPServer(self.port, tls, arm.handle, self._record)
            except BaseException:
                shutil.rmtree(tmpdir, ignore_errors=True)
                raise
            self._tmpdir, self._ca_path = tmpdir, ca_path
            self._base_url = f"https://127.0.0.1:{server.server_address[1]}"
            arm.base_url = self._base_url
            self._arm, self._server = arm, server
            # A short poll interval keeps stop() quick (shutdown waits for the loop to notice).
            threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02},
                             name="hpcshare-standin", daemon=True).start()
            return self

    def stop(self) -> None:
        """Stop serving, close open connections, and write the state file."""
        with self._start_lock:
            server, arm = self._server, self._arm
            if server is None or arm is None:
                return
            for endpoint in self._wsman.values():
                endpoint.stop()
            self._wsman.clear()
            server.shutdown()
            server.close_connections()
            server.server_close()
            with arm.lock:
                arm.settle(time.time())
                arm.store.save()
            self._server = None
            if self._tmpdir is not None:
                shutil.rmtree(self._tmpdir, ignore_errors=True)

    def __enter__(self) -> "StandIn":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    # -- what callers read -----------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        if not self._base_url:
            raise RuntimeError("the stand-in has not been started")
        return self._base_url

    @property
    def ca_path(self) -> Path:
        """PEM of the throw-away CA (valid while the stand-in runs): pass it as connection_verify."""
        if self._ca_path is None:
            raise RuntimeError("the stand-in has not been started")
        return self._ca_path

    def winrm_endpoint(self, vm_id: str) -> tuple[str, int] | None:
        """(host, port) of the VM's WS-Management HTTPS listener, served on loopback with the
        certificate winrm-bootstrap created on it (wizard/standin/wsman.py); None when the
        simulated server has no HTTPS listener (a real client would find the port closed)."""
        from .fake_winrm import https_listener
        from .wsman import WsmanEndpoint

        arm = self._arm
        if arm is None or self._tmpdir is None:
            raise RuntimeError("the stand-in has not been started")
        key = vm_id.lower()
        with arm.lock:
            if arm.store.get(vm_id) is None:
                return None
            server = arm.store.private(vm_id).setdefault("server", {})
            found = https_listener(server)
            if found is None:
                return None
            listener, cert = found
            running = self._wsman.get(key)
            if running is not None and running.thumbprint == listener["thumbprint"]:
                return "127.0.0.1", running.port
            if running is not None:
                running.stop()
            name = vm_id.rstrip("/").rsplit("/", 1)[-1]
            endpoint = WsmanEndpoint(
                name, base64.b64decode(cert["der"]), cert["key_pem"], dict(server.get("admin") or {}),
                self._tmpdir / "wsman" / f"{len(self._wsman)}-{name}",
                lambda: arm.store.private(vm_id).setdefault("server", {}), arm.lock, self._winrm_record).start()
            self._wsman[key] = endpoint
            return "127.0.0.1", endpoint.port

    def _winrm_record(self, method: str, path: str, status: int) -> None:
        # The endpoint changed the simulated server (configure-server over WinRM): persist it too.
        if self._arm is not None:
            with self._arm.lock:
                self._arm.store.dirty = True
                self._arm.store.save()
        self._record(method, path, status)

    def set_faults(self, spec: str | None) -> None:
        """Replace the active faults (counts start afresh); ValueError on a bad spec, old faults kept."""
        plan = FaultPlan(spec)
        self._faults = plan
        if self._arm is not None:
            with self._arm.lock:
                self._arm.faults = plan

    def resources(self, *, demo_world: bool = False) -> list[dict[str, Any]]:
        """Every stored resource as a GET would show it (resource groups, run commands included;
        subnets are inside their VNet). Before start(), what the state file holds. The demo's
        cluster network (demo_world.py: there before anything ran) only with ``demo_world``."""
        from .demo_world import seeded

        arm = self._arm
        if arm is None:
            from .store import Store

            store = Store(self.state_file)
            return [self._view(store, r) for r in store.resources.values() if demo_world or not seeded(r)]
        with arm.lock:
            arm.settle(time.time())
            return [self._view(arm.store, r) for r in list(arm.store.resources.values())
                    if demo_world or not seeded(r)]

    @staticmethod
    def _view(store: Store, body: dict[str, Any]) -> dict[str, Any]:
        from .handlers import generic

        out = copy.deepcopy(body)
        out.setdefault("tags", {})
        spec = generic.spec_for(out)
        if spec is not None and spec.decorate:
            spec.decorate(store, out)
        return out

    def _record(self, method: str, path: str, status: int) -> None:
        # Status 0 = the connection was dropped by a "drop" fault.
        with self._log_lock:
            self.requests.append((method, path, status))
            if self.log_file is not None:
                self.log_file.parent.mkdir(parents=True, exist_ok=True)
                with self.log_file.open("a", encoding="utf-8") as fh:
                    fh.write(f"{method} {path} {status}\n")


def serve_forever(*, port: int, latency: str, scale: float, state_file: Path | None, faults: str | None,
                  log_file: Path | None) -> None:
    """`hpcshare standin`: print the URL, CA file and subscription id, serve until Ctrl+C (or SIGTERM)."""
    standin = StandIn(latency=latency, scale=scale, state_file=state_file, faults=faults, log_file=log_file,
                      port=port).start()
    print(f"hpcshare Azure stand-in listening on {standin.base_url}")
    print(f"CA certificate:  {standin.ca_path}")
    print(f"Subscription id: {standin.subscription_id}")
    print(f"Bearer token:    {standin.token}  (only this is accepted; set {ENV_TOKEN} to choose it)")
    print(f"Latency: {standin._latency.describe()}; faults: {faults or 'none'}; "
          f"state: {state_file or 'in memory'}; request log: {log_file or 'none'}")
    print("Press Ctrl+C to stop.", flush=True)
    stopped = threading.Event()
    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    try:
        while not stopped.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        standin.stop()
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
