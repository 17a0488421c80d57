"""The problems (RFC 9457) consent's refusals are answered with.

The status of each kind of refusal is decided once for the suite (`problem_of`); consent's own
refusals get their own problem types here, which callers rely on (a used link is
`urn:problem:consent-token-used`, not just any conflict).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from services.consent.domain.errors import (
    ErasedCustomer,
    ExpiredToken,
    Overruled,
    PurposeExists,
    UnknownToken,
    UsedToken,
)
from shared.contracts.replies import Problem, ProblemError, problem_of
from shared.errors import DomainError

M = TypeVar("M")
R = TypeVar("R")


def problem(error: DomainError) -> Problem:
    shared = problem_of(error)
    assert shared is not None, "every domain error is a problem"
    # A NotFound's fields (e.g. `customer_id`) are kept too.
    named = shared.model_copy(update={"errors": error.errors})
    match error:
        case Overruled(rule=rule):
            kind = "consent-" + rule.value.replace("_", "-")
            return _named(named, kind, "Consent decision refused")
        case ErasedCustomer():
            return _named(named, "customer-erased", "Customer erased")
        case PurposeExists():
            return _named(named, "purpose-exists", "Purpose exists")
        case UnknownToken():
            return _named(named, "consent-token-unknown", "Confirmation link unknown")
        case UsedToken():
            return _named(named, "consent-token-used", "Confirmation link used")
        case ExpiredToken():
            return _named(named, "consent-token-expired", "Confirmation link expired")
    return named


def answering(handler: Callable[[M], Awaitable[R]]) -> Callable[[M], Awaitable[R]]:
    """`handler`, answering its refusals with consent's problems."""

    async def answer(message: M) -> R:
        try:
            return await handler(message)
        except DomainError as error:
            raise ProblemError(problem(error)) from error

    return answer


def _named(problem: Problem, kind: str, title: str) -> Problem:
    return problem.model_copy(update={"type": f"urn:problem:{kind}", "title": title})
