"""A token credential for the stand-in: no sign-in, no network, no azure.identity import.

azure.core is imported inside the methods so that importing wizard.standin stays cheap.
"""
from __future__ import annotations

import os
import secrets
import time
from typing import Any

ENV_TOKEN = "HPCSHARE_STANDIN_TOKEN"

# The stand-in listens on 127.0.0.1, where every local user can connect: it accepts only this
# token. One random value per process, shared by the stand-ins and credentials this process makes
# (so the demo and the tests need no wiring), or HPCSHARE_STANDIN_TOKEN when set (a client in
# another process; 'hpcshare standin' prints the token it accepts).
_PROCESS_TOKEN = secrets.token_urlsafe(32)


def process_token() -> str:
    return os.environ.get(ENV_TOKEN) or _PROCESS_TOKEN


class FakeCredential:
    """azure.core TokenCredential (and SupportsTokenInfo) look-alike that always returns the same
    token: ``token``, else this process's stand-in token (``process_token``)."""

    def __init__(self, token: str | None = None) -> None:
        self.token = token or process_token()

    def get_token(self, *scopes: str, **kwargs: Any):  # -> azure.core.credentials.AccessToken
        from azure.core.credentials import AccessToken

        return AccessToken(self.token, int(time.time()) + 3600)

    def get_token_info(self, *scopes: str, options: Any = None):  # -> azure.core.credentials.AccessTokenInfo
        from azure.core.credentials import AccessTokenInfo

        return AccessTokenInfo(self.token, int(time.time()) + 3600)

    def close(self) -> None:
        pass

    def __enter__(self) -> "FakeCredential":
        return self

    def __exit__(self, *exc: Any) -> None:
        pass
