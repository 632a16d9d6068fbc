"""Request-body checks shared by every resource type, so client bugs fail here as they would on Azure.

The main catch: the 2026 SDKs send a plain dict verbatim, so an old-style snake_case dict
(``{"hardware_profile": ...}``) reaches the server unchanged. Real resource providers reject it
with InvalidRequestContent ("Could not find member ..."), and so does the stand-in.
"""
from __future__ import annotations

import re
from typing import Any

from . import catalog
from .errors import ArmError, bad_request

# Top-level members a PUT body may carry (the union of the SDK models' REST fields).
TOP_LEVEL_KEYS = frozenset({
    "location", "tags", "properties", "sku", "zones", "identity", "plan", "extendedLocation",
    "name", "id", "type", "etag", "kind", "managedBy", "managedByExtended", "placement",
    "resources", "systemData",
})
# Members whose keys are user data (tag names, resource ids, extension settings), never schema.
_FREE_FORM = frozenset({"tags", "userAssignedIdentities", "settings", "protectedSettings"})
_SNAKE = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)+$")


def invalid_content(member: str, path: str, owner: str) -> ArmError:
    return bad_request(
        "InvalidRequestContent",
        "The request content was invalid and could not be deserialized: "
        f"'Could not find member '{member}' on object of type '{owner}'. Path '{path}'.'",
    )


def require_object(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise bad_request(
            "InvalidRequestContent",
            "The request content was invalid and could not be deserialized: the body must be a JSON object.",
        )
    return body


def _find_snake(value: Any, path: str) -> tuple[str, str] | None:
    if isinstance(value, dict):
        for key, inner in value.items():
            here = f"{path}.{key}" if path else key
            if _SNAKE.match(key):
                return key, here
            if key in _FREE_FORM:
                continue
            found = _find_snake(inner, here)
            if found:
                return found
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found = _find_snake(item, f"{path}[{i}]")
            if found:
                return found
    return None


def check_shape(body: Any, owner: str, *, top_level: frozenset[str] = TOP_LEVEL_KEYS) -> dict[str, Any]:
    """A JSON object with known top-level members and no snake_case member anywhere."""
    obj = require_object(body)
    for key in obj:
        if key not in top_level:
            raise invalid_content(key, key, owner)
    found = _find_snake(obj, "")
    if found:
        member, path = found
        holder = path.rsplit(".", 1)[0] if "." in path else owner
        raise invalid_content(member, path, "Properties" if holder == "properties" else owner)
    return obj


def require_location(body: dict[str, Any], full_type: str) -> str:
    """The normalized region of a tracked resource: missing -> LocationRequired, unknown -> LocationNotAvailableForResourceType."""
    raw = body.get("location")
    if not isinstance(raw, str) or not raw.strip():
        raise bad_request("LocationRequired", "The location property is required for this definition.")
    loc = catalog.normalize_location(raw)
    if loc is None:
        raise bad_request(
            "LocationNotAvailableForResourceType",
            f"The provided location '{raw}' is not available for resource type '{full_type}'. "
            f"List of available regions for the resource type is '{','.join(catalog.location_names())}'.",
        )
    return loc


def tags_of(body: dict[str, Any]) -> dict[str, str]:
    tags = body.get("tags") or {}
    if not isinstance(tags, dict) or not all(isinstance(v, str) for v in tags.values()):
        raise bad_request("InvalidRequestContent", "The request content was invalid: 'tags' must map names to strings.")
    return dict(tags)


def properties_of(body: dict[str, Any]) -> dict[str, Any]:
    props = body.get("properties") or {}
    if not isinstance(props, dict):
        raise bad_request("InvalidRequestContent", "The request content was invalid: 'properties' must be an object.")
    return props


def ref_id(value: Any) -> str | None:
    """The id of a ``{"id": ...}`` reference, or None when absent."""
    if isinstance(value, dict) and isinstance(value.get("id"), str) and value["id"]:
        return value["id"]
    return None


# Naming rules (learn.microsoft.com "Naming rules and restrictions for Azure resources"): network
# resources are word characters, '.', '-' and '_', begin with a word character and end with a word
# character or '_'; a VNet is 2-64 characters, the others 1-80. The InvalidResourceName wording is
# what the network resource provider answers (review 2026-12-02 row 8).
_NETWORK_NAME_MAX = {"vnet": 64, "subnet": 80, "nsg": 80, "publicip": 80, "nic": 80}
_NETWORK_NAME_MIN = {"vnet": 2}
_NETWORK_NAME = re.compile(r"^\w(?:[\w.-]*\w)?$")


def check_network_name(kind: str, name: str) -> None:
    longest = _NETWORK_NAME_MAX.get(kind, 80)
    if _NETWORK_NAME.match(name) and _NETWORK_NAME_MIN.get(kind, 1) <= len(name) <= longest:
        return
    raise bad_request(
        "InvalidResourceName",
        f"Resource name {name} is invalid. The name can be up to {longest} characters long. It must begin with a "
        "word character, and it must end with a word character or with '_'. The name may contain word characters "
        "or '.', '-', '_'.",
    )


# Resource groups: 1-90 letters (Unicode too), digits, '-', '_', '.', '(' and ')', not ending in '.'.
# [unverified] the code InvalidResourceGroup; the wording is ARM's (quoted in public issue threads).
_GROUP_CHAR = re.compile(r"[\w.()-]")


def check_group_name(name: str) -> None:
    bad = "".join(dict.fromkeys(c for c in name if not _GROUP_CHAR.match(c)))
    if not bad and not name.endswith(".") and 1 <= len(name) <= 90:
        return
    raise bad_request(
        "InvalidResourceGroup",
        f"The provided resource group name '{name}' has these invalid characters: '{bad or '.'}'. The name can only "
        "be a letter, digit, '-', '.', '(', ')' or '_'. See https://aka.ms/ResourceGroupNamingRestrictions for more "
        "information.",
    )
