"""HTTP errors as RFC 9457 problem+json, for the services that speak HTTP.

One mapping for all of them: an invalid request (422 naming the fields), a domain refusal
(`shared.errors`, its status chosen by `problem_of`), a problem raised as it is (`ProblemError`),
and a service that did not answer in time (503 with `Retry-After`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.routing import Match

from shared.contracts.replies import (
    REQUEST_INVALID,
    FieldError,
    Problem,
    ProblemError,
    problem_of,
)
from shared.errors import DomainError
from shared.rpc import ServiceUnavailable

PROBLEM_JSON = "application/problem+json"
# How long a caller told to come back (503) waits before it tries again.
RETRY_AFTER_S = 5
log = logging.getLogger(__name__)


def allowed_methods(request: Request) -> list[str]:
    """Every method of every route at the request's path. Starlette's own 405 names only the
    first route there, so a path with one route per method (GET and POST) would answer
    `Allow: GET` to a DELETE."""
    methods: set[str] = set()
    for route in request.app.router.routes:
        match, _ = route.matches(request.scope)
        if match != Match.NONE:
            methods.update(getattr(route, "methods", None) or ())
    return sorted(methods)


def problem_response(problem: Problem, *, headers: Mapping[str, str] | None = None) -> JSONResponse:
    return JSONResponse(
        problem.model_dump(mode="json", exclude_none=True),
        status_code=problem.status,
        media_type=PROBLEM_JSON,
        headers=headers,
    )


def unavailable(
    title: str,
    detail: str,
    *,
    kind: str = "service-unavailable",
    headers: Mapping[str, str] | None = None,
    retry_after_s: int = RETRY_AFTER_S,
) -> ProblemError:
    """503: nothing was done because something the request needs is away; try again later."""
    return ProblemError(
        Problem(type=f"urn:problem:{kind}", title=title, status=503, detail=detail),
        headers={**(headers or {}), "Retry-After": str(retry_after_s)},
    )


def validation_problem(error: RequestValidationError) -> Problem:
    errors = tuple(
        # The first element of a location is where the value came from (body, query, path).
        FieldError(
            field=".".join(str(p) for p in e["loc"][1:]) or str(e["loc"][0]), message=e["msg"]
        )
        for e in error.errors()
    )
    return Problem(
        type=REQUEST_INVALID,
        title="Invalid input",
        status=422,
        detail="; ".join(f"{e.field}: {e.message}" for e in errors),
        errors=errors,
    )


def install_problem_handlers(app: FastAPI) -> None:
    async def on_validation(_: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, RequestValidationError)
        problem = validation_problem(error)
        log.info("rejected invalid request: %s", problem.detail)
        return problem_response(problem)

    async def on_problem(_: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, ProblemError)
        return problem_response(error.problem, headers=error.headers)

    async def on_http(request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, HTTPException)
        headers = dict(error.headers or {})
        if error.status_code == 405:
            headers["Allow"] = ", ".join(allowed_methods(request))
        return problem_response(
            Problem(title=str(error.detail), status=error.status_code), headers=headers
        )

    async def on_refusal(_: Request, error: Exception) -> JSONResponse:
        problem = problem_of(error)
        assert problem is not None
        return problem_response(problem)

    async def on_unavailable(_: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, ServiceUnavailable)
        log.warning("%s", error)
        refusal = unavailable(f"The {error.service} service is unavailable", str(error))
        return problem_response(refusal.problem, headers=refusal.headers)

    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(ServiceUnavailable, on_unavailable)
    app.add_exception_handler(DomainError, on_refusal)
    app.add_exception_handler(ProblemError, on_problem)
    app.add_exception_handler(HTTPException, on_http)
