"""Signing in to the console (an API key pasted once into a form), signing out, and the
middleware that lets only a signed-in browser past the sign-in page.

The session cookie is HttpOnly, SameSite=Lax, Secure outside development and tests, limited to
/console and expiring with the session. The API never reads it: a session opens the console
only, so a page of another site cannot make the browser call the API.
"""

from __future__ import annotations

import logging
from urllib.parse import quote, urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pymongo.errors import PyMongoError
from starlette.types import ASGIApp, Receive, Scope, Send

from services.gateway.adapters.rate_limits import RateLimits
from services.gateway.domain.console_sessions import new_token, same_token
from services.gateway.entrypoints.console.web import (
    PREFIX,
    SIGN_IN,
    ConsoleRoute,
    Form,
    Session,
    first,
    page,
    read_form,
)
from services.gateway.use_cases.access import Unauthenticated
from services.gateway.use_cases.console_access import ConsoleAccess, PendingSignIn
from shared.load_shedding import BUSY, busy

log = logging.getLogger(__name__)

SESSION_COOKIE = "console_session"
# Double-submit token of the sign-in form (there is no session yet to hold one).
SIGN_IN_COOKIE = "console_sign_in"
HOME = f"{PREFIX}/customers"
PROVIDER = f"{SIGN_IN}/provider"
CALLBACK = f"{SIGN_IN}/callback"
# What a sign-in at the identity provider keeps until the browser comes back (10 minutes).
PENDING_COOKIE = "console_pending_sign_in"
PUBLIC = frozenset({SIGN_IN, PROVIDER, CALLBACK})
STATIC_PREFIX = f"{PREFIX}/static/"

router = APIRouter(prefix=PREFIX, route_class=ConsoleRoute, include_in_schema=False)


def is_console(path: str) -> bool:
    return path == PREFIX or path.startswith(f"{PREFIX}/")


def _secure(request: Request) -> bool:
    secure: bool = request.app.state.console_secure_cookies
    return secure


def _safe_next(target: str | None) -> str:
    """Back where the person was going, if that is a console page (never another site)."""
    if not target:
        return HOME
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not is_console(parts.path):
        return HOME
    return target


def _sign_in_page(
    request: Request, *, error: str | None = None, status_code: int = 200
) -> HTMLResponse:
    token = new_token()
    response = page(
        request,
        "sign_in.html",
        status_code=status_code,
        csrf_token=token,
        error=error,
        provider=_access(request).provider is not None,
        next=_safe_next(request.query_params.get("next")),
    )
    response.set_cookie(
        SIGN_IN_COOKIE,
        token,
        max_age=3600,
        path=SIGN_IN,
        httponly=True,
        secure=_secure(request),
        samesite="lax",
    )
    return response


def _access(request: Request) -> ConsoleAccess:
    access: ConsoleAccess = request.app.state.console_access
    return access


def _with_session(response: Response, request: Request, token: str) -> Response:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(_access(request).lifetime.total_seconds()),
        path=PREFIX,
        httponly=True,
        secure=_secure(request),
        samesite="lax",
    )
    return response


@router.get("")
async def home() -> RedirectResponse:
    return RedirectResponse(HOME, status_code=303)


@router.get("/sign-in")
async def sign_in_form(request: Request) -> HTMLResponse:
    return _sign_in_page(request)


@router.post("/sign-in")
async def sign_in(request: Request) -> Response:
    form = await read_form(request)
    if not same_token(first(form, "csrf_token"), request.cookies.get(SIGN_IN_COOKIE, "")):
        return _sign_in_page(request, error="The form expired; send it again.", status_code=403)
    try:
        session, token = await _access(request).sign_in(first(form, "api_key") or "")
    except Unauthenticated as refused:
        return _sign_in_page(request, error=refused.detail, status_code=401)
    response = RedirectResponse(_safe_next(first(form, "next")), status_code=303)
    response.delete_cookie(SIGN_IN_COOKIE, path=SIGN_IN)
    log.info("console session opened for %s", session.principal.id)
    return _with_session(response, request, token)


@router.get("/sign-in/provider")
async def sign_in_at_provider(request: Request) -> Response:
    """Off to the identity provider, with this browser's state, nonce and PKCE verifier kept
    in a short-lived cookie only the callback reads."""
    try:
        url, pending = await _access(request).start_at_provider()
    except Unauthenticated as refused:
        return _sign_in_page(request, error=refused.detail, status_code=503)
    response = RedirectResponse(url, status_code=303)
    response.set_cookie(
        PENDING_COOKIE,
        pending.cookie(),
        max_age=600,
        path=SIGN_IN,
        httponly=True,
        secure=_secure(request),
        samesite="lax",
    )
    return response


@router.get("/sign-in/callback")
async def provider_callback(request: Request) -> Response:
    params = request.query_params
    if "error" in params:
        detail = params.get("error_description") or params["error"]
        return _sign_in_page(request, error=f"The provider refused: {detail}", status_code=401)
    try:
        session, token = await _access(request).finish_at_provider(
            code=params.get("code"),
            state=params.get("state"),
            pending=PendingSignIn.of_cookie(request.cookies.get(PENDING_COOKIE)),
        )
    except Unauthenticated as refused:
        return _sign_in_page(request, error=refused.detail, status_code=401)
    response = RedirectResponse(HOME, status_code=303)
    response.delete_cookie(PENDING_COOKIE, path=SIGN_IN)
    log.info("console session opened for %s", session.principal.id)
    return _with_session(response, request, token)


@router.post("/sign-out")
async def sign_out(request: Request, session: Session, _form: Form) -> RedirectResponse:
    access: ConsoleAccess = request.app.state.console_access
    await access.sign_out(session)
    response = RedirectResponse(SIGN_IN, status_code=303)
    response.delete_cookie(SESSION_COOKIE, path=PREFIX)
    return response


class ConsoleAuthentication:
    """Every console page but sign-in and the static files needs an open session; a browser
    without one is sent to sign in (a page, not a 401 of JSON)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if (
            scope["type"] != "http"
            or not is_console(path)
            or path in PUBLIC
            or path.startswith(STATIC_PREFIX)
        ):
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        access: ConsoleAccess = request.app.state.console_access
        try:
            signed_in = await access.resume(request.cookies.get(SESSION_COOKIE))
        except Unauthenticated:
            target = path + (f"?{request.url.query}" if request.url.query else "")
            location = f"{SIGN_IN}?next={quote(target, safe='')}" if path != PREFIX else SIGN_IN
            await RedirectResponse(location, status_code=303)(scope, receive, send)
            return
        except PyMongoError as error:
            log.warning("cannot check a console session: %r", error)
            unavailable = HTMLResponse(
                "<!DOCTYPE html><title>Unavailable</title><p>Sessions cannot be checked now; "
                "try again in a moment.</p>",
                status_code=503,
                headers={"Retry-After": "5"},
            )
            await unavailable(scope, receive, send)
            return
        # The same rate limit per principal as the API's (one budget for both).
        rate_limits: RateLimits = request.app.state.rate_limits
        wait = await rate_limits.retry_after(signed_in.caller.principal.id)
        if wait is not None:
            slow_down = HTMLResponse(
                "<!DOCTYPE html><title>Too many requests</title><p>Too many requests for your "
                f"account; try again in {wait} s.</p>",
                status_code=429,
                headers={"Retry-After": str(wait)},
            )
            await slow_down(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        state["caller"] = signed_in.caller
        state["console_session"] = signed_in.session
        await self.app(scope, receive, send)


def shed(scope: Scope) -> ASGIApp:
    """How the gateway answers a request it sheds (`shared.load_shedding`): a console page with a
    short page, as the console refuses before its routes (above), anything else the problem."""
    path = scope["path"]
    if not is_console(path) or path.startswith(STATIC_PREFIX):
        return busy(scope)
    # The page names its problem type as the JSON does: a client tells a shed request apart.
    return HTMLResponse(
        "<!DOCTYPE html><title>Busy</title>"
        f'<meta name="problem-type" content="{BUSY.problem.type}">'
        "<p>The console is busy; try again in a moment.</p>",
        status_code=BUSY.problem.status,
        headers=BUSY.headers,
    )
