"""A token credential for the stand-in: no sign-in, no network, no azure.identity import.

azure.core is imported inside the methods so that importing wizard.standin stays cheap.
"""
from __future__ import annotations

import time
from typing import Any

TOKEN = "standin-token"


class FakeCredential:
    """azure.core TokenCredential (and SupportsTokenInfo) look-alike that always returns the same token."""

    def get_token(self, *scopes: str, **kwargs: Any):  # -> azure.core.credentials.AccessToken
        from azure.core.credentials import AccessToken

        return AccessToken(TOKEN, int(time.time()) + 3600)

    def get_token_info(self, *scopes: str, options: Any = None):  # -> azure.core.credentials.AccessTokenInfo
        from azure.core.credentials import AccessTokenInfo

        return AccessTokenInfo(TOKEN, int(time.time()) + 3600)

    def close(self) -> None:
        pass

    def __enter__(self) -> "FakeCredential":
        return self

    def __exit__(self, *exc: Any) -> None:
        pass
