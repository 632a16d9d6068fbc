"""Fixtures for the stand-in tests: a running stand-in per test and real SDK clients pointed at it."""
from __future__ import annotations

import sys
import types
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

import pytest

from wizard.standin import StandIn

from .helpers import Clients, make_clients


@pytest.fixture(autouse=True)
def _no_standin_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("HPCSHARE_STANDIN_LATENCY", "HPCSHARE_STANDIN_SCALE", "HPCSHARE_STANDIN_FAULTS", "HPCSHARE_STANDIN_LOG",
                "HPCSHARE_STANDIN_QUOTA"):
        monkeypatch.delenv(var, raising=False)


@pytest.fixture
def standin() -> Iterator[StandIn]:
    with StandIn() as s:
        yield s


@pytest.fixture
def clients(standin: StandIn) -> Clients:
    """SDK clients with no retries, so every fault and error surfaces as it was answered."""
    return make_clients(standin, retry_total=0)


@dataclass
class FakeSimulator:
    """Stands in for wizard.standin.fake_windows (owned by another engineer) and records each call."""
    calls: list[dict[str, Any]] = field(default_factory=list)
    answer: Callable[[dict[str, Any]], tuple[str, str, int]] = lambda call: ("ok\n", "", 0)

    def simulate(self, script: str, parameters: dict[str, str], protected: dict[str, str],
                 server: dict[str, Any], fail_substep: str | None) -> tuple[str, str, int]:
        call = {"script": script, "parameters": dict(parameters), "protected": dict(protected),
                "server": server, "fail_substep": fail_substep}
        self.calls.append(call)
        return self.answer(call)


@pytest.fixture
def simulator(monkeypatch: pytest.MonkeyPatch) -> FakeSimulator:
    fake = FakeSimulator()
    module = types.ModuleType("wizard.standin.fake_windows")
    module.simulate = fake.simulate  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "wizard.standin.fake_windows", module)
    return fake
