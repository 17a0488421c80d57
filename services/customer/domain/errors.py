"""Why the domain refuses a change, as the problems the API reports (RFC 9457)."""

from __future__ import annotations

from collections.abc import Iterable

from shared.contracts.replies import FieldError, Problem, ProblemError, invalid, not_found


class InvalidInput(ProblemError):
    """One or more values cannot be accepted; each error names its field."""

    def __init__(self, errors: Iterable[FieldError]) -> None:
        self.errors = tuple(errors)
        detail = "; ".join(f"{e.field}: {e.message}" for e in self.errors)
        super().__init__(invalid(detail, self.errors))


def field_error(field: str, message: str) -> InvalidInput:
    return InvalidInput([FieldError(field=field, message=message)])


class Conflict(ProblemError):
    """The request is well formed but the record's state does not allow it."""

    def __init__(
        self, detail: str, *, field: str | None = None, errors: Iterable[FieldError] = ()
    ) -> None:
        errors = (FieldError(field=field, message=detail),) if field else tuple(errors)
        super().__init__(
            Problem(
                type="urn:problem:conflict",
                title="Conflict",
                status=409,
                detail=detail,
                errors=errors,
            )
        )


class NotFound(ProblemError):
    def __init__(self, what: str, detail: str) -> None:
        super().__init__(not_found(what, detail))


def customer_not_found(customer_id: str) -> NotFound:
    return NotFound("Customer", f"no customer with id {customer_id}")
