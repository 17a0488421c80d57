"""What every console page shares: its templates, the signed-in caller, the form it posts (with
its CSRF token checked), and errors shown as a page rather than as JSON."""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine, Mapping
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, TypeVar
from urllib.parse import parse_qsl

from fastapi import Depends, Request, Response
from fastapi.responses import HTMLResponse
from fastapi.routing import APIRoute
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from pydantic import ValidationError

from services.gateway.domain.console_sessions import ConsoleSession, new_token
from services.gateway.domain.policy import AccessDenied
from services.gateway.entrypoints import dependencies
from services.gateway.use_cases.access import Caller
from services.gateway.use_cases.console_edits import Edits
from services.gateway.use_cases.console_screens import Screens
from services.gateway.use_cases.ports import Services
from shared.contracts.replies import FieldError, Problem, ProblemError, problem_of
from shared.errors import DomainError, InvalidInput
from shared.rpc import ServiceUnavailable

log = logging.getLogger(__name__)

PREFIX = "/console"
SIGN_IN = f"{PREFIX}/sign-in"
TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "console"
STATIC = Path(__file__).resolve().parents[2] / "static"
# A form's fields: a name may repeat (checkboxes).
FormData = Mapping[str, list[str]]

_environment = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(enabled_extensions=("html",)),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
# A fresh idempotency key per rendered form: sending the same form twice changes nothing twice.
_environment.globals["new_key"] = new_token


def page(
    request: Request, template: str, *, status_code: int = 200, **context: Any
) -> HTMLResponse:
    """A page of the console; the layout shows who is signed in and the sign-out form."""
    session: ConsoleSession | None = getattr(request.state, "console_session", None)
    caller: Caller | None = getattr(request.state, "caller", None)
    html = _environment.get_template(template).render(
        request=request,
        session=session,
        caller=caller,
        reads=caller.grants.reads_group if caller else (lambda _: False),
        writes=caller.grants.writes_group if caller else (lambda _: False),
        **context,
    )
    return HTMLResponse(html, status_code=status_code, headers={"Cache-Control": "no-store"})


def problem_page(request: Request, problem: Problem) -> HTMLResponse:
    return page(request, "problem.html", status_code=problem.status, problem=problem)


def problem_of_error(error: Exception) -> Problem | None:
    """The problem a refusal is shown as; None for anything else (a bug)."""
    if isinstance(error, ProblemError):
        return error.problem
    if isinstance(error, AccessDenied):
        return Problem(
            type="urn:problem:forbidden",
            title="Forbidden",
            status=403,
            detail=error.detail,
            errors=error.errors,
        )
    if isinstance(error, DomainError):
        return problem_of(error)
    if isinstance(error, ValidationError):
        errors = tuple(
            FieldError(field=".".join(str(p) for p in e["loc"]) or "form", message=e["msg"])
            for e in error.errors()
        )
        return Problem(title="Invalid input", status=422, detail="check the form", errors=errors)
    if isinstance(error, ServiceUnavailable):
        log.warning("%s", error)
        return Problem(
            title=f"The {error.service} service is unavailable",
            status=503,
            detail="Try again in a moment.",
        )
    return None


# The statuses of a refusal of what a form sent, shown beside its fields rather than as a page.
FORM_REFUSALS = frozenset({400, 403, 404, 409, 413, 415, 422})


def form_refusal(
    error: Exception, statuses: frozenset[int] = FORM_REFUSALS
) -> tuple[dict[str, str], int] | None:
    """The refusal's messages by form field (`address.postal_code` -> `postal_code`) and its
    status; None when the error is no refusal of the form's input (shown as a problem page)."""
    problem = problem_of_error(error)
    if problem is None or problem.status not in statuses:
        return None
    fields = {e.field.split(".")[-1]: e.message for e in problem.errors}
    return fields or {"form": problem.detail or problem.title}, problem.status


def form_values(form: FormData | None) -> dict[str, str]:
    """What was typed, to show again in a refused form (the first value of each field)."""
    return {k: v[0] for k, v in (form or {}).items() if v}


class ConsoleRoute(APIRoute):
    """A console route: a refusal of a use case or service becomes a page, not JSON."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except Exception as error:
                problem = problem_of_error(error)
                if problem is None:
                    raise
                return problem_page(request, problem)

        return handle


async def _caller(request: Request) -> Caller:
    caller: Caller = request.state.caller
    return caller


async def _session(request: Request) -> ConsoleSession:
    session: ConsoleSession = request.state.console_session
    return session


async def _screens(request: Request) -> Screens:
    services: Services = request.app.state.services
    return Screens(services)


async def _edits(request: Request) -> Edits:
    services: Services = request.app.state.services
    return Edits(services)


async def _form(
    request: Request, session: Annotated[ConsoleSession, Depends(_session)]
) -> FormData:
    """The posted form, refused unless it carries the session's CSRF token."""
    form = await read_form(request)
    if not session.accepts_form(first(form, "csrf_token")):
        raise AccessDenied(
            "the form is not from this session; reload the page and send it again",
            errors=[FieldError(field="csrf_token", message="missing or wrong")],
        )
    return form


async def read_form(request: Request) -> FormData:
    body = (await request.body()).decode("utf-8", errors="replace")
    form: dict[str, list[str]] = {}
    for name, value in parse_qsl(body, keep_blank_values=True):
        form.setdefault(name, []).append(value)
    return form


def first(form: FormData, name: str) -> str | None:
    values = form.get(name)
    return values[0] if values else None


def given(form: FormData, name: str) -> str | None:
    """A field's value, None when left blank."""
    value = (first(form, name) or "").strip()
    return value or None


E = TypeVar("E", bound=StrEnum)


def choice(kind: type[E], value: str | None, field: str) -> E:
    """A value of a form's select (or a link's parameter) as its enum; refused naming it."""
    try:
        return kind(value or "")
    except ValueError:
        allowed = ", ".join(k.value for k in kind)
        raise InvalidInput([FieldError(field=field, message=f"one of {allowed}")]) from None


SignedInCaller = Annotated[Caller, Depends(_caller)]
Session = Annotated[ConsoleSession, Depends(_session)]
ScreensDep = Annotated[Screens, Depends(_screens)]
EditsDep = Annotated[Edits, Depends(_edits)]
# What a screen shows of the services' answers: the API's own visibility (the cut to the
# caller's roles and the access log), so a read in the console is recorded like one of the API.
ViewerDep = dependencies.Viewer
Form = Annotated[FormData, Depends(_form)]
