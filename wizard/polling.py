"""How hpcshare waits for Azure's long-running operations (LROs): every ``interval`` seconds,
whatever ``Retry-After`` says.

ARM answers an LRO's start and each status poll with ``Retry-After`` (a VM create says 10, then
50 on every poll; reference/azure-rest/recording_excerpt_vnet_vm_runcommand_delete_2023-09-01.json)
and azure-core's ``LROBasePolling._extract_delay`` prefers it to ``polling_interval``, so a client
that follows it notices a finished VM up to 50 s late. hpcshare keeps azure-core's whole LRO
protocol (``ARMPolling``: Azure-AsyncOperation, Location, final GET, errors) and changes only the
delay: never longer than its own interval (a shorter Retry-After is still honoured).

Request rate on Azure (``POLL_EVERY_S`` = 2 s): one status GET per running LRO every 2 s. At most
four steps run at once (the runner's pool), so at most 2 GET/s, and 0.5 GET/s during the VM create
that dominates a run. ARM's read limit per subscription and principal is a bucket of 250 refilled at
25/s (learn.microsoft.com, "Understand how Azure Resource Manager throttles requests"); the older
hourly limit was 12,000 reads (3.3/s). Throttling (429 + Retry-After) is the retry policy's business,
not the poller's, and is still honoured there.

Installed once where the clients are built (``wizard.environment``): every ``begin_*`` method of a
client and of its operation groups gets ``polling=`` a fresh ``PromptARMPolling`` unless the caller
passes its own. ``HPCSHARE_AZURE_POLLING=sdk`` turns this off (the SDK's default polling, which
follows Retry-After): only the benchmark uses it, to show the difference.
"""
from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import Any

# Poll every 2 s on Azure: a finished operation is noticed within 2 s plus one round trip (< 3 s).
POLL_EVERY_S = 2.0
ENV_POLLING = "HPCSHARE_AZURE_POLLING"
POLLING_MODES = ("prompt", "sdk")


def polling_mode() -> str:
    mode = (os.environ.get(ENV_POLLING) or "prompt").strip().lower()
    if mode not in POLLING_MODES:
        raise ValueError(f"{ENV_POLLING} must be one of {', '.join(POLLING_MODES)}, got {mode!r}")
    return mode


def polling_method(interval: float) -> Any:
    """A fresh polling method for one LRO (a polling method keeps that operation's state)."""
    return _prompt_polling_class()(interval)


@functools.cache
def _prompt_polling_class() -> type:
    from azure.mgmt.core.polling.arm_polling import ARMPolling

    class PromptARMPolling(ARMPolling):
        """ARMPolling whose delay between polls is min(Retry-After, interval); interval without one.

        ``timeout`` is ARMPolling's name for the polling interval."""

        def _extract_delay(self) -> float:
            return min(super()._extract_delay(), self._timeout)

    return PromptARMPolling


def install(client: Any, interval: float) -> Any:
    """Make every ``begin_*`` of this client (and of its operation groups) poll every ``interval``
    seconds unless the call passes ``polling=`` itself. Returns the client."""
    holders = [client, *(group for name, group in vars(client).items() if not name.startswith("_"))]
    for holder in holders:
        for name in dir(type(holder)):
            if name.startswith("begin_"):
                setattr(holder, name, _with_prompt_polling(getattr(holder, name), interval))
    return client


def _with_prompt_polling(begin: Callable[..., Any], interval: float) -> Callable[..., Any]:
    @functools.wraps(begin)
    def call(*args: Any, **kwargs: Any) -> Any:
        if "polling" not in kwargs:
            kwargs["polling"] = polling_method(kwargs.pop("polling_interval", interval))
        return begin(*args, **kwargs)
    call.prompt_polling_interval = interval  # type: ignore[attr-defined]  # marks it as installed
    return call
