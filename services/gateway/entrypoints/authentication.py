"""Every request but a few public ones is authenticated before anything else reads it: an
ASGI middleware, so that a route cannot forget it and an anonymous caller's body is never read.
Then the principal's rate limit: 429 with `Retry-After` past it.

The key comes as `X-API-Key: <key>` or `Authorization: Bearer <key or token>`; the caller (the
principal and what its roles grant) goes on the request's state for the endpoints.
"""

from __future__ import annotations

import logging

from pymongo.errors import PyMongoError
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from services.gateway.adapters.rate_limits import RateLimits
from services.gateway.entrypoints.console.sign_in import is_console
from services.gateway.use_cases.access import Authenticator, Unauthenticated
from shared.contracts.replies import Problem
from shared.problems import problem_response, unavailable

log = logging.getLogger(__name__)

# Liveness, readiness, the metrics Prometheus scrapes (no personal data: see
# docs/operations/metrics.md), the API's description and its docs page, and the link of a
# double opt-in mail, which the person who clicks it opens without any key.
PUBLIC_PATHS = frozenset(
    {
        "/health/live",
        "/health/ready",
        "/metrics",
        "/openapi.json",
        "/docs",
        "/docs/oauth2-redirect",
        "/v1/consents/confirm",
    }
)
CHALLENGE = 'Bearer realm="customer-suite"'


def credential_of(request: Request) -> str | None:
    key = request.headers.get("x-api-key")
    if key:
        return key.strip()
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None


class Authentication:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # The console's pages have sign-in of their own (`console.sign_in`): a session cookie.
        if scope["path"] in PUBLIC_PATHS or is_console(scope["path"]):
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        authenticator: Authenticator = request.app.state.authenticator
        try:
            caller = await authenticator.authenticate(credential_of(request))
        except Unauthenticated as refused:
            problem = Problem(
                type="urn:problem:unauthorized",
                title="Unauthorized",
                status=401,
                detail=refused.detail,
            )
            await problem_response(problem, headers={"WWW-Authenticate": CHALLENGE})(
                scope, receive, send
            )
            return
        except PyMongoError as error:
            log.warning("cannot check credentials: %r", error)
            refusal = unavailable(
                "Access data unavailable", "The credentials cannot be checked now."
            )
            await problem_response(refusal.problem, headers=refusal.headers)(scope, receive, send)
            return
        rate_limits: RateLimits = request.app.state.rate_limits
        wait = await rate_limits.retry_after(caller.principal.id)
        if wait is not None:
            problem = Problem(
                type="urn:problem:too-many-requests",
                title="Too many requests",
                status=429,
                detail=f"more than {rate_limits.item} for this principal; retry in {wait} s",
            )
            await problem_response(problem, headers={"Retry-After": str(wait)})(
                scope, receive, send
            )
            return
        scope.setdefault("state", {})["caller"] = caller
        await self.app(scope, receive, send)
