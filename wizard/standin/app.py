"""The stand-in's request pipeline, independent of HTTP: settle due operations, check the front-door
rules (token, api-version, subscription), fire injected faults, dispatch, persist.

One lock serialises requests: the state is small and handlers never wait, so this is both the
simplest and a faithful enough model of ARM's per-resource consistency.
"""
from __future__ import annotations

import dataclasses
import hmac
import sys
import threading
import time
import traceback

from . import catalog, handlers, prices
from .errors import ArmError, error_body
from .faults import Fault, FaultPlan
from .latency import Latency
from .quota import Quota
from .routing import parse_route, rg_id
from .store import Store

WRITE_METHODS = ("PUT", "POST", "DELETE", "PATCH")


class Arm:
    def __init__(self, store: Store, latency: Latency, faults: FaultPlan, base_url: str = "", *, token: str,
                 quota: Quota | None = None):
        self.store = store
        self.token = token
        self.quota = quota or Quota()
        self.latency = latency
        self.faults = faults
        self.base_url = base_url
        self.lock = threading.RLock()

    def handle(self, req: handlers.Request) -> handlers.Response:
        with self.lock:
            now = time.time()
            self.settle(now)
            try:
                resp = self._handle(req, now)
            except ArmError as err:
                resp = handlers.Response(err.status, err.body(), dict(err.headers))
            except Exception as err:  # a stand-in bug must not kill the connection thread
                traceback.print_exc(file=sys.stderr)
                resp = handlers.Response(500, error_body("InternalServerError", f"hpcshare stand-in error: {err!r}"))
            self.store.save()
            return resp

    def settle(self, now: float) -> None:
        """Apply every operation that has become due, in the order they finish."""
        with self.lock:
            due = sorted((op for op in self.store.operations.values() if not op.applied and op.due <= now),
                         key=lambda op: op.due)
            for op in due:
                handlers.apply_operation(self.store, op)
                op.applied = True
                op.ended = op.due
                self.store.dirty = True

    def _handle(self, req: handlers.Request, now: float) -> handlers.Response:
        if req.path.rstrip("/").lower() == prices.PATH:
            return self._prices(req)
        auth = req.headers.get("authorization", "")
        if not auth.lower().startswith("bearer "):
            raise ArmError(401, "AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing.")
        if not hmac.compare_digest(auth[len("bearer "):].strip().encode(), self.token.encode()):
            # Another local user's request (security review, finding 9). Code and message as Azure's
            # token front end words them ("Azure Monitor Log Analytics API Errors", "Invalid
            # Authentication Token": InvalidAuthenticationToken, "The access token is invalid.");
            # status 401 with the challenge header, as RFC 6750 section 3.1 prescribes for
            # invalid_token and as ARM answers it (that Log Analytics page shows 403 for its own API).
            raise ArmError(401, "InvalidAuthenticationToken", "The access token is invalid.",
                           {"WWW-Authenticate": 'Bearer authorization_uri="https://login.microsoftonline.com/common", '
                                                'error="invalid_token", error_description="The access token is invalid."'})
        if not req.query.get("api-version"):
            raise ArmError(400, "MissingApiVersionParameter",
                           "The api-version query parameter (?api-version=) is required for all requests.")
        route = parse_route(req.path)
        if route.kind is not None:
            fault = self.faults.take_immediate(route.kind, req.method.lower())
            if fault is not None:
                return _fault_response(fault)
        if route.sub and route.target != "subscriptions":
            sub = catalog.subscription(route.sub)
            if sub is None:
                raise ArmError(404, "SubscriptionNotFound", f"The subscription '{route.sub}' could not be found.")
            if sub["state"] != "Enabled" and req.method in WRITE_METHODS:
                raise ArmError(
                    409, "ReadOnlyDisabledSubscription",
                    f"The subscription '{route.sub}' is disabled and therefore marked as read only. You cannot "
                    "perform any write actions on this subscription until it is re-enabled.",
                )
            # Ids are built from the route: use the canonical spelling of the subscription and of an
            # existing resource group, whatever casing this request used (as ARM does).
            group = self.store.get(rg_id(route.sub, route.rg)) if route.rg else None
            route = dataclasses.replace(route, sub=sub["subscriptionId"], rg=group["name"] if group else route.rg)
        return handlers.dispatch(handlers.Ctx(self, req, route, now))


    def _prices(self, req: handlers.Request) -> handlers.Response:
        """The Retail Prices API: public (no token, no api-version needed), GET only."""
        fault = self.faults.take_immediate("prices", req.method.lower())
        if fault is not None:
            return _fault_response(fault)
        if req.method != "GET":
            raise ArmError(405, "HttpMethodNotAllowed", f"The requested resource does not support http method '{req.method}'.")
        status, body = prices.query(req.query, self.base_url)
        return handlers.Response(status, body)


def _fault_response(fault: Fault) -> handlers.Response:
    note = f" (injected by the hpcshare stand-in: {fault.text})"
    if fault.fault == "429":
        return handlers.Response(
            429,
            error_body("TooManyRequests", "The request is being throttled as the limit has been reached for this "
                                          "operation type. Please retry after the time in the Retry-After header." + note),
            {"Retry-After": "1"},
        )
    if fault.fault == "403":
        # ARM's wording for a missing role assignment (Azure RBAC troubleshooting page).
        return handlers.Response(
            403,
            error_body("AuthorizationFailed", "The client 'hpcshare-demo' with object id "
                       "'00000000-0000-0000-0000-00000000d3m0' does not have authorization to perform action "
                       f"'{fault.kind}/{fault.verb}' over scope '/subscriptions' or the scope is invalid. If access "
                       "was recently granted, please refresh your credentials." + note),
        )
    if fault.fault == "500":
        return handlers.Response(500, error_body("InternalServerError", "Encountered internal server error." + note))
    return handlers.Response(0, drop=True)
