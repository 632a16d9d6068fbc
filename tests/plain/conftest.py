"""Fixtures for the plain-mode tests: prompts driven through prompt_toolkit pipe input.

Keys are sent before the prompts run and the pipe is then closed, so a test that sends too few
keys ends with EOFError at the next prompt (exit 130 from run_plain) instead of hanging.
"""
from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from prompt_toolkit.application.current import create_app_session
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from wizard.catalog import NicInfo, RegionInfo, SubscriptionInfo, VmSizeInfo, VnetInfo
from wizard.questions import SECTIONS

REPO = Path(__file__).resolve().parents[2]

ENTER = "\r"
DOWN = "\x1b[B"
UP = "\x1b[A"
CLEAR = "\x15"          # Ctrl+U: delete the pre-filled default before the cursor
CTRL_C = "\x03"
YES, NO = "y", "n"      # confirm prompts answer on the key, no Enter

FAKE_SUB = "11111111-2222-4333-8444-555555555555"
FAKE_SUB_OFF = "99999999-2222-4333-8444-555555555555"


def typed(text: str) -> str:
    """Replace a text prompt's default with ``text`` and press Enter."""
    return CLEAR + text + ENTER


def section_keys(section: str, **over: str) -> str:
    """Keys for one section: Enter (take the default) for every question that is asked, except
    those given as ``name=keys``. A conditional question (``when``: the DNS label with a public IP,
    ``remote.winrm_source`` with the WinRM transport, Premium SSD v2's IOPS and MB/s) is asked only
    when given."""
    sec = next(s for s in SECTIONS if s.key == section)
    out = []
    for q in sec.questions:
        if q.when is not None and q.name not in over:
            continue
        out.append(over.get(q.name, ENTER))
    return "".join(out)


def all_keys(overrides: Mapping[str, Mapping[str, str]] | None = None, *, vnet_select: bool = False) -> str:
    """Keys for every section in order, taking defaults unless ``overrides[section][name]`` is given.
    ``vnet_select``: the VNet question is a select (existing VNets) where a new name needs one
    more Enter for the text prompt that follows "A new virtual network"."""
    overrides = overrides or {}
    parts = []
    for s in SECTIONS:
        over = dict(overrides.get(s.key, {}))
        if s.key == "endpoints" and vnet_select and "vnet" not in over:
            over["vnet"] = ENTER + ENTER
        parts.append(section_keys(s.key, **over))
    return "".join(parts)


@contextmanager
def keys(*parts: str) -> Iterator[None]:
    """Run the prompts inside with these keys as the terminal's input, rendering to nowhere."""
    with create_pipe_input() as inp:
        inp.send_text("".join(parts))
        inp.close()
        with create_app_session(input=inp, output=DummyOutput()):
            yield


@dataclass
class FakeCatalog:
    """A Catalog with fixed lists; ``fail`` names lists that raise, ``calls`` counts look-ups."""
    vnet_list: list[VnetInfo] = field(default_factory=list)
    nic_list: list[NicInfo] = field(default_factory=list)
    fail: set[str] = field(default_factory=set)
    calls: list[str] = field(default_factory=list)

    def _hit(self, what: str) -> None:
        self.calls.append(what)
        if what in self.fail:
            raise ConnectionError(f"{what}: connection refused by the test\nsecond line never shown")

    def check_sign_in(self, subscription_id: str) -> None:
        self._hit("sign-in")

    def subscriptions(self) -> list[SubscriptionInfo]:
        self._hit("subscriptions")
        return [SubscriptionInfo(FAKE_SUB_OFF, "old lab", "Disabled"),
                SubscriptionInfo(FAKE_SUB, "hpc team", "Enabled")]

    def regions(self, subscription_id: str) -> list[RegionInfo]:
        self._hit("regions")
        return [RegionInfo("eastus", "East US"), RegionInfo("northeurope", "North Europe"),
                RegionInfo("westeurope", "West Europe")]

    def vm_sizes(self, subscription_id: str, region: str) -> list[VmSizeInfo]:
        self._hit("vm-sizes")
        return [VmSizeInfo("Standard_D2s_v5", 2, 8, 4, True),
                VmSizeInfo("Standard_D4s_v5", 4, 16, 8, True),
                VmSizeInfo("Standard_D4_v5", 4, 16, 8, False),
                VmSizeInfo("Standard_E8s_v5", 8, 64, 16, True, restricted=True),
                VmSizeInfo("Standard_D8s_v5", 8, 32, 16, True)]

    def vnets(self, subscription_id: str, region: str) -> list[VnetInfo]:
        self._hit("vnets")
        return list(self.vnet_list)

    def nics(self, subscription_id: str, region: str) -> list[NicInfo]:
        self._hit("nics")
        return list(self.nic_list)


class FakeEnvironment:
    def __init__(self, catalog: FakeCatalog) -> None:
        self.catalog = catalog
        self.closed = False

    def close(self) -> None:
        self.closed = True


@pytest.fixture
def fake_catalog(monkeypatch: pytest.MonkeyPatch) -> FakeCatalog:
    """Every Session's environment is a fake whose catalog is this FakeCatalog (no stand-in)."""
    from wizard.session import Session

    catalog = FakeCatalog()
    monkeypatch.setattr(Session, "environment", property(lambda self: FakeEnvironment(catalog)))
    return catalog


@pytest.fixture
def tty(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let wizard.commands believe it runs in a terminal (the prompts read the pipe input)."""
    monkeypatch.setattr("wizard.commands.interactive", lambda: True)


def forbid_prompts(monkeypatch: pytest.MonkeyPatch) -> None:
    """From here on, any prompt (questionary, input(), getpass) fails the test."""
    import builtins
    import getpass

    import questionary

    def boom(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"prompted during a prompt-free run: {args[:1]}")

    for name in ("text", "select", "confirm", "password", "autocomplete", "checkbox", "rawselect", "path"):
        monkeypatch.setattr(questionary, name, boom)
    monkeypatch.setattr(builtins, "input", boom)
    monkeypatch.setattr(getpass, "getpass", boom)


def subprocess_env(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("HPCSHARE_") and k not in ("FORCE_COLOR", "TTY_COMPATIBLE", "PYTHONPATH")}
    env.update(HPCSHARE_HOME=str(home), HPCSHARE_STANDIN_LATENCY="instant", PYTHONPATH=str(REPO),
               TERM=os.environ.get("TERM", "xterm"))
    env.update(extra)
    return env


PYTHON = sys.executable
