"""Why a rule refuses a change, in the words of the domain: no HTTP status in sight.

Domain code and use cases raise these; the entry points (request/reply answers, HTTP routers)
turn them into problems with `shared.contracts.replies.problem_of`, the one place that knows
which status each refusal is.
"""

from __future__ import annotations

from collections.abc import Iterable

from shared.contracts.replies import FieldError


class DomainError(Exception):
    """A refusal the caller can act on; `errors` name the fields at fault, if any.

    A subclass may name its kind of refusal (`kind = "consent-token-used"`) and give it a
    title: callers tell refusals apart by kind, which becomes the problem's type.
    """

    kind: str | None = None
    title: str | None = None

    def __init__(self, detail: str, *, errors: Iterable[FieldError] = ()) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = tuple(errors)


class InvalidInput(DomainError):
    """One or more values cannot be accepted by a rule no schema states (a rule across fields,
    a record named that does not exist, a check digit); each error names its field. Reported as
    a `business-rule` problem, apart from a request that breaks its document (`invalid-input`)."""

    def __init__(self, errors: Iterable[FieldError], detail: str | None = None) -> None:
        errors = tuple(errors)
        super().__init__(
            detail or "; ".join(f"{e.field}: {e.message}" for e in errors), errors=errors
        )


class InvalidRequest(InvalidInput):
    """A request its document already calls invalid, found past the schema's own validation
    (a patch that clears a field the document says cannot be null): reported as every request
    that breaks its document is (`invalid-input`), not as a business rule."""

    kind = "invalid-input"
    title = "Invalid input"


def field_error(field: str, message: str) -> InvalidInput:
    return InvalidInput([FieldError(field=field, message=message)])


class NotFound(DomainError):
    """What the caller named does not exist (`what`: "Customer", "Task", ...)."""

    def __init__(self, what: str, detail: str) -> None:
        super().__init__(detail)
        self.what = what


class Conflict(DomainError):
    """Well formed, but the current state does not allow it (a closed record, a used link,
    a forbidden transition)."""

    def __init__(
        self, detail: str, *, field: str | None = None, errors: Iterable[FieldError] = ()
    ) -> None:
        super().__init__(
            detail, errors=(FieldError(field=field, message=detail),) if field else errors
        )


class Expired(DomainError):
    """It existed, but its time is over (a confirmation link after its deadline)."""


class StaleVersion(Conflict):
    """The caller's version (`If-Match`) is not the current one: someone changed it meanwhile."""
