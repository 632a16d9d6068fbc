"""Azure holds a NIC for 180 seconds after the VM that used it was deleted or failed to be created
(NicReservedForAnotherVm, see aka.ms/deletenic): deleting the NIC or giving it to a VM in that
window is refused. hpcshare waits the hold out instead of failing the step or the teardown."""
from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

NIC_RESERVED = "NicReservedForAnotherVm"
HOLD_S = 180            # what Azure's message says; the wait below allows for a little more
_GIVE_UP_S = HOLD_S + 120
_MAX_PAUSE_S = 15.0     # re-tries are cheap (one refused request); this keeps the overshoot short


def error_code(exc: BaseException) -> str:
    return getattr(getattr(exc, "error", None), "code", None) or ""


def while_nic_reserved(call: Callable[[], T], say: Callable[[str], None], what: str, *,
                       check: Callable[[], None] = lambda: None,
                       sleep: Callable[[float], None] = time.sleep) -> T:
    """call(), re-tried while Azure answers NicReservedForAnotherVm; says once what it waits for.
    check() runs before each pause (a cancelled run stops there)."""
    from azure.core.exceptions import HttpResponseError

    started = time.monotonic()
    pause = 0.5          # short first: the hold is often nearly over when we get here
    told = False
    while True:
        try:
            return call()
        except HttpResponseError as exc:
            if error_code(exc) != NIC_RESERVED or time.monotonic() - started > _GIVE_UP_S:
                raise
            if not told:
                say(f"{what}: Azure holds the NIC for {HOLD_S} s after its previous VM went away "
                    f"({NIC_RESERVED}); waiting and retrying.")
                told = True
            check()
            sleep(pause)
            pause = min(pause * 2, _MAX_PAUSE_S)
