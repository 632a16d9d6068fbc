"""Azure SDK exceptions -> one line a user can act on (StepFailed with a hint)."""
from __future__ import annotations

from wizard.runner import StepFailed
from wizard.sanitize import printable

# Keyed on the codes Azure sends (each one is triggered through the SDK against the stand-in in
# tests/integration/test_error_hints.py).
_HINTS = {
    "AuthorizationFailed": "Your account lacks a role on this subscription or resource group (Contributor is enough).",
    "QuotaExceeded": "Ask for more vCPU quota in this region, or pick a smaller VM size.",
    "OperationNotAllowed": "Azure does not allow this in the resource's current state: the message says what it needs.",
    "SkuNotAvailable": "This VM size is not offered here for your subscription: choose another size or region.",
    "InvalidResourceReference": "A resource this step refers to is missing: re-run to let earlier steps converge.",
    "PrivateIPAddressIsAllocated": "Another NIC holds this private IP: choose a free address in the subnet.",
    "PrivateIPAddressNotInSubnet": "The private IP must lie inside the subnet range.",
    "DnsRecordInUse": "The DNS label is taken in this region: choose another one.",
    "ResourceGroupNotFound": "The resource group is gone: re-run to create it again.",
    "Conflict": "Azure is busy with this resource: wait a minute and re-run.",
    "NicReservedForAnotherVm": "Azure holds a NIC for 3 minutes after its VM was deleted or failed: wait, then re-run.",
}
# OperationNotAllowed covers several refusals; the message tells them apart.
_NOT_ALLOWED_HINTS = (
    ("quota", _HINTS["QuotaExceeded"]),
    ("provisioning state", "The VM is still being created or updated: wait a minute and re-run."),
    ("deallocated", "Azure allows this only while the VM is deallocated (az vm deallocate), or keep the old value."),
)


def explain(exc: BaseException) -> StepFailed:
    if isinstance(exc, StepFailed):
        return exc
    try:
        from azure.core.exceptions import (
            ClientAuthenticationError,
            HttpResponseError,
            ServiceRequestError,
            ServiceResponseError,
        )
    except ImportError:  # pragma: no cover - azure-core is a dependency
        return StepFailed(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
    if isinstance(exc, ClientAuthenticationError):
        return StepFailed("Azure sign-in failed: " + _first_line(exc.message or str(exc)),
                          "Run 'az login' (sign-in method cli) or choose another sign-in method.")
    if isinstance(exc, HttpResponseError):
        code = getattr(getattr(exc, "error", None), "code", None) or ""
        message = getattr(getattr(exc, "error", None), "message", None) or exc.message or str(exc)
        status = getattr(exc, "status_code", None)
        head = f"Azure refused ({code or status}): " if (code or status) else "Azure refused: "
        hint = _HINTS.get(code, "Fix the cause, then re-run: finished steps are kept and the run resumes here.")
        if code == "OperationNotAllowed":
            hint = next((h for words, h in _NOT_ALLOWED_HINTS if words in str(message).lower()), hint)
        if status and status >= 500:
            hint = "Azure had an internal error after several retries: re-run later; the run resumes here."
        return StepFailed(head + _first_line(message), hint)
    if isinstance(exc, (ServiceRequestError, ServiceResponseError)):
        return StepFailed("Could not reach Azure: " + _first_line(str(exc)),
                          "Check the network (proxy, firewall) and re-run: the run resumes here.")
    return StepFailed(f"{type(exc).__name__}: {_first_line(str(exc))}",
                      "Unexpected error: re-run to resume; if it repeats, please report it.")


def _first_line(text: str) -> str:
    """The first telling line of Azure's text, without control characters (it reaches the terminal
    and the run log)."""
    for line in str(text).splitlines():
        line = line.strip()
        if line and not line.lower().startswith(("content:", "code:")):
            return printable(line[:300])
    return printable(str(text)[:300])
