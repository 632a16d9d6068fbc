"""Fixtures for the remote-PowerShell tests."""
from __future__ import annotations

import pytest

from tests.remote.helpers import ADMIN_PASSWORD, SHARE_PASSWORD, make_answers
from wizard.answers import Answers, Secrets


@pytest.fixture
def answers() -> Answers:
    return make_answers()


@pytest.fixture
def secrets() -> Secrets:
    return Secrets(admin_password=ADMIN_PASSWORD, share_password=SHARE_PASSWORD)
