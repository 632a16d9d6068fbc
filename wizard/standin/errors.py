"""ARM-shaped errors: one exception type the handlers raise and the dispatcher turns into a response.

Real ARM answers every failure with ``{"error": {"code": ..., "message": ...}}``; azure-core reads
``code``/``message`` from that body into ``HttpResponseError.error``, so tests and the wizard can
branch on the code exactly as they would against Azure.
"""
from __future__ import annotations

from typing import Any

NOT_FOUND_HINT = " For more details please go to https://aka.ms/ARMResourceNotFoundFix"


class ArmError(Exception):
    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None,
                 target: str | None = None):
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}
        self.target = target

    def body(self) -> dict[str, Any]:
        return error_body(self.code, self.message, self.target)


def error_body(code: str, message: str, target: str | None = None) -> dict[str, Any]:
    # Compute parameter errors name the offending field or resource in ``target`` (review row 13).
    error: dict[str, Any] = {"code": code, "message": message}
    if target:
        error["target"] = target
    error["details"] = []
    return {"error": error}


def bad_request(code: str, message: str) -> ArmError:
    return ArmError(400, code, message)


def conflict(code: str, message: str) -> ArmError:
    return ArmError(409, code, message)


def resource_not_found(full_type: str, name: str, rg: str) -> ArmError:
    return ArmError(
        404,
        "ResourceNotFound",
        f"The Resource '{full_type}/{name}' under resource group '{rg}' was not found." + NOT_FOUND_HINT,
    )


def resource_group_not_found(rg: str) -> ArmError:
    return ArmError(404, "ResourceGroupNotFound", f"Resource group '{rg}' could not be found.")


def invalid_reference(ref_id: str, by_id: str) -> ArmError:
    # Network RP wording; it covers both "missing" and "in another region".
    return bad_request(
        "InvalidResourceReference",
        f"Resource {ref_id} referenced by resource {by_id} was not found. Please make sure that the "
        "referenced resource exists, and that both resources are in the same region.",
    )
