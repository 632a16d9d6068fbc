"""Which backend the live suite picks: real Azure only for ``-m live``, never by accident."""
from __future__ import annotations

import re

import pytest

from tests.live.conftest import LIVE_VAR, choose_backend, live_requested, unique_group_name
from wizard.validation import resource_group


class _Config:
    def __init__(self, markexpr: str) -> None:
        self.markexpr = markexpr

    def getoption(self, name: str, default: object = None) -> object:
        assert name == "markexpr"
        return self.markexpr


@pytest.mark.parametrize(("expr", "live"), [
    ("", False), ("not live", False), ("slow", False), ("live or not slow", False),   # unmarked tests too
    ("live", True), ("live and not slow", True), (" live ", True), ("live or slow", True),
])
def test_only_an_expression_that_selects_live_tests_alone_means_real_azure(expr: str, live: bool) -> None:
    assert live_requested(_Config(expr)) is live  # type: ignore[arg-type]


def test_plain_pytest_uses_the_standin_even_with_a_subscription_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(LIVE_VAR, "11111111-2222-3333-4444-555555555555")
    assert choose_backend(_Config("")).name == "standin"  # type: ignore[arg-type]
    live = choose_backend(_Config("live"))  # type: ignore[arg-type]
    assert (live.name, live.subscription, live.cli_args) == ("azure", "11111111-2222-3333-4444-555555555555", [])


def test_live_without_a_subscription_fails_saying_what_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(LIVE_VAR, raising=False)
    with pytest.raises(pytest.fail.Exception, match=LIVE_VAR):
        choose_backend(_Config("live"))  # type: ignore[arg-type]


def test_the_group_name_is_fresh_and_valid() -> None:
    a, b = unique_group_name(), unique_group_name()
    assert a != b and re.fullmatch(r"hpcshare-live-\d{8}-\d{6}-[0-9a-f]{6}", a)
    assert resource_group(a, {}) is None
