"""Azure retail list prices, from the public Azure Retail Prices API through azure-core's pipeline
(no sign-in), cached under HPCSHARE_HOME/prices with the date they were fetched.

In demo mode the same client talks to the stand-in (the base URL and CA of ``Environment``'s
client settings), which serves a bundled demo price list: every figure from it is labelled so.
Query shapes: reference/azure-rest/retail-prices-api.md.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wizard import paths

if TYPE_CHECKING:
    from wizard.environment import Environment

PUBLIC_BASE_URL = "https://prices.azure.com"
PATH = "/api/retail/prices"
API_VERSION = "2023-01-01-preview"
DEMO_LABEL = "hpcshare demo price list (illustrative, not Azure's prices)"
AZURE_LABEL = "Azure Retail Prices API (list prices)"
# A price list is reused for a week: retail prices change monthly at most.
CACHE_DAYS = 7
MAX_PAGES = 20


class PricesUnavailable(Exception):
    """The price list could not be read (offline, API error); the message says why."""


@dataclass(frozen=True)
class PriceItems:
    items: list[dict[str, Any]]
    fetched: str       # ISO date the items were fetched
    label: str         # where they come from, shown next to every figure


def cache_dir() -> Path:
    return paths.home() / "prices"


class PriceClient:
    def __init__(self, base_url: str = PUBLIC_BASE_URL, *, connection_verify: Any = True, demo: bool = False,
                 cache: Path | None = None, today: dt.date | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.connection_verify = connection_verify
        self.demo = demo
        self.label = DEMO_LABEL if demo else AZURE_LABEL
        self.cache = cache if cache is not None else cache_dir() / ("demo" if demo else "azure")
        self.today = today or dt.date.today()
        self._client: Any = None

    @classmethod
    def for_environment(cls, env: "Environment") -> "PriceClient":
        """Azure's public API, or in demo mode the stand-in, reached the way the SDK clients are."""
        if env.demo:
            kw = env.client_kwargs
            return cls(kw["base_url"], connection_verify=kw.get("connection_verify", True), demo=True)
        return cls()

    def _pipeline(self) -> Any:
        if self._client is None:
            from azure.core import PipelineClient
            from azure.core.pipeline.policies import HeadersPolicy, RedirectPolicy, RetryPolicy, UserAgentPolicy
            from azure.core.pipeline.transport import RequestsTransport

            # A public API: no credential policy. Few retries: prices are a nicety, never a blocker.
            policies = [HeadersPolicy({"Accept": "application/json"}), UserAgentPolicy(sdk_moniker="hpcshare-prices"),
                        RetryPolicy(retry_total=2, retry_backoff_factor=0.2, retry_backoff_max=2), RedirectPolicy()]
            transport = RequestsTransport(connection_verify=self.connection_verify, connection_timeout=10,
                                          read_timeout=30)
            self._client = PipelineClient(self.base_url, policies=policies, transport=transport)
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def query(self, odata_filter: str, currency: str = "USD") -> PriceItems:
        """Every item matching ``odata_filter`` in ``currency``: from the cache when fetched in the
        last CACHE_DAYS days, else from the API (following NextPageLink). PricesUnavailable on failure."""
        key = hashlib.sha256(f"{currency}|{odata_filter}".encode()).hexdigest()[:24]
        path = self.cache / f"{key}.json"
        cached = self._read_cache(path)
        if cached is not None:
            return cached
        items = self._fetch(odata_filter, currency)
        result = PriceItems(items, self.today.isoformat(), self.label)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps({"filter": odata_filter, "currency": currency, "fetched": result.fetched,
                                        "label": result.label, "items": items}), encoding="utf-8")
        except OSError:
            pass  # a read-only home only costs a refetch next time
        return result

    def _read_cache(self, path: Path) -> PriceItems | None:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            fetched = dt.date.fromisoformat(data["fetched"])
        except (OSError, ValueError, KeyError, TypeError):
            return None
        if not 0 <= (self.today - fetched).days < CACHE_DAYS:
            return None
        return PriceItems(list(data["items"]), data["fetched"], str(data.get("label") or self.label))

    def _fetch(self, odata_filter: str, currency: str) -> list[dict[str, Any]]:
        from azure.core.exceptions import AzureError
        from azure.core.rest import HttpRequest

        url: str | None = f"{self.base_url}{PATH}"
        params: dict[str, str] | None = {"api-version": API_VERSION, "currencyCode": f"'{currency}'",
                                         "$filter": odata_filter}
        items: list[dict[str, Any]] = []
        for _ in range(MAX_PAGES):
            if url is None:
                break
            try:
                response = self._pipeline().send_request(HttpRequest("GET", url, params=params))
                if response.status_code != 200:
                    raise PricesUnavailable(f"the price list answered HTTP {response.status_code} ({self.base_url})")
                body = response.json()
            except AzureError as exc:
                raise PricesUnavailable(f"the price list could not be reached ({self.base_url}): "
                                        f"{type(exc).__name__}") from None
            except ValueError:
                raise PricesUnavailable(f"the price list sent something other than JSON ({self.base_url})") from None
            items.extend(body.get("Items") or [])
            url, params = body.get("NextPageLink") or None, None
        return items
