"""Replies to queries, and the problem format the suite reports errors in (RFC 9457).

A query handler always replies: with a result, or with a problem. A handler that raised would
send no reply at all and leave its caller waiting for a timeout.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from shared.contracts.envelope import Contract


class FieldError(Contract):
    """One invalid input, named by its path (`buyer.email`, `extra.loyalty_tier`)."""

    field: str
    message: str


class Problem(Contract):
    type: str = "about:blank"
    title: str
    status: int = Field(ge=400, le=599)
    detail: str | None = None
    errors: tuple[FieldError, ...] = ()


class Reply(Contract):
    result: Any = None
    problem: Problem | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


class ProblemError(Exception):
    """Raised by a handler to answer with this problem (not found, conflict, ...)."""

    def __init__(self, problem: Problem, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(problem.detail or problem.title)
        self.problem = problem
        # Only meaningful over HTTP (e.g. Retry-After with a 503).
        self.headers: dict[str, str] | None = headers


def not_found(what: str, detail: str | None = None) -> Problem:
    return Problem(
        type="urn:problem:not-found", title=f"{what} not found", status=404, detail=detail
    )


# A request that does not match its document (a type, a pattern, a length, a required field) is
# `invalid-input` (`shared.problems`); a request the document calls valid may still be refused
# (422) by a rule no schema states: a rule across fields, a record it names that does not exist,
# a check digit, a file whose lines are no import. That refusal is a `business-rule`, so a client
# (and the API's fuzzing, `tests.fuzz.checks`) tells a broken promise of the document from a rule.
REQUEST_INVALID = "urn:problem:invalid-input"
BUSINESS_RULE, BUSINESS_RULE_TITLE = "business-rule", "Refused by a business rule"


def invalid(detail: str, errors: tuple[FieldError, ...] = ()) -> Problem:
    """422: a business rule refuses the request (see `BUSINESS_RULE`)."""
    return Problem(
        type=f"urn:problem:{BUSINESS_RULE}",
        title=BUSINESS_RULE_TITLE,
        status=422,
        detail=detail,
        errors=errors,
    )


def problem_of(error: Exception) -> Problem | None:
    """The problem a domain error is reported as; None for anything else (a bug, a fault)."""
    from shared import errors

    if not isinstance(error, errors.DomainError):
        return None
    if isinstance(error, errors.InvalidInput):
        status, name, title = 422, BUSINESS_RULE, BUSINESS_RULE_TITLE
    elif isinstance(error, errors.NotFound):
        status, name, title = 404, "not-found", f"{error.what} not found"
    elif isinstance(error, errors.Conflict):
        status, name, title = 409, "conflict", "Conflict"
    elif isinstance(error, errors.Expired):
        status, name, title = 410, "gone", "Gone"
    else:
        status, name, title = 400, "refused", "Refused"
    return Problem(
        type=f"urn:problem:{error.kind or name}",
        title=error.title or title,
        status=status,
        detail=error.detail,
        errors=error.errors,
    )
