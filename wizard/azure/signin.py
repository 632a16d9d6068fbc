"""Sign-in checked before any step: a token for the chosen method, then a read of the chosen
subscription. A failure becomes one ``SignInFailed`` message that names the method and what to do,
so a run stops before it touches anything (issue 16). Both front ends get it through
``wizard.provision``; teardown can call it too.

The wording of each fix follows azure-identity's own troubleshooting guide (TROUBLESHOOTING.md in
azure-sdk-for-python/sdk/identity/azure-identity: "Azure CLI not found on path" -> install the
CLI and run ``az login``; EnvironmentCredential needs AZURE_TENANT_ID, AZURE_CLIENT_ID and
AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH; device code: enter the code at the URL
within its lifetime; managed identity only exists on an Azure host with one assigned).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from wizard.catalog import SignInFailed
from wizard.sanitize import printable

if TYPE_CHECKING:
    from wizard.environment import Environment

# Azure Resource Manager's scope: what every management client asks a token for.
ARM_SCOPE = "https://management.azure.com/.default"

# subscription.auth -> (how the method reads, what to do when it fails).
METHODS: dict[str, tuple[str, str]] = {
    "cli": ("the Azure CLI login (subscription.auth = cli)",
            "run 'az login' (install the Azure CLI first if 'az' is not found), then run hpcshare again"),
    "environment": ("a service principal from environment variables (subscription.auth = environment)",
                    "set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET (or "
                    "AZURE_CLIENT_CERTIFICATE_PATH) in this shell, then run hpcshare again"),
    "device-code": ("a device code (subscription.auth = device-code)",
                    "run hpcshare in a terminal, open the address shown and enter the code before it "
                    "expires; or pick another sign-in method"),
    "managed-identity": ("this machine's managed identity (subscription.auth = managed-identity)",
                         "run hpcshare on an Azure VM that has a managed identity with access to the "
                         "subscription, or pick another sign-in method (az login: subscription.auth = cli)"),
    "standin": ("the demo's built-in Azure stand-in", "run the demo again (hpcshare --demo)"),
}


def _reason(exc: BaseException) -> str:
    """Azure's or azure-identity's first line, printable and short (the rest goes to the run log)."""
    lines = [ln.strip() for ln in str(exc).splitlines() if ln.strip()]
    first = printable(lines[0]) if lines else type(exc).__name__
    return first if len(first) <= 200 else first[:199] + "…"


def sign_in_message(auth: str, exc: BaseException) -> str:
    method, fix = METHODS.get(auth, (f"sign-in method '{auth}'", "pick another sign-in method"))
    return f"Azure sign-in with {method} failed: {_reason(exc)}. To fix: {fix}. Nothing was changed."


def check_sign_in(env: "Environment", subscription_id: str) -> None:
    """Raise ``SignInFailed`` unless a token can be had and the subscription can be read with it."""
    try:
        env.credential().get_token(ARM_SCOPE)
    except Exception as exc:  # every credential failure (ClientAuthenticationError, CredentialUnavailableError, ...)
        raise SignInFailed(sign_in_message(env.auth, exc)) from None
    try:
        env.subscriptions().subscriptions.get(subscription_id)
    except Exception as exc:  # SubscriptionNotFound (404), AuthorizationFailed (403), the network
        method, _fix = METHODS.get(env.auth, (env.auth, ""))
        raise SignInFailed(
            f"Signed in with {method}, but subscription {subscription_id} could not be read: {_reason(exc)}. "
            "To fix: check subscription.id (the Subscription screen lists the ones this sign-in can use), "
            "or sign in as an account that has access to it. Nothing was changed.") from None
