"""Why the domain refuses a change, in the suite's shared words (`shared.errors`).

No HTTP status here: the entry points turn these into problems (`shared.contracts.replies`).
"""

from __future__ import annotations

from shared.errors import Conflict, DomainError, InvalidInput, NotFound, StaleVersion, field_error

__all__ = [
    "Conflict",
    "DomainError",
    "InvalidInput",
    "NotFound",
    "StaleVersion",
    "customer_not_found",
    "field_error",
]


def customer_not_found(customer_id: str) -> NotFound:
    return NotFound("Customer", f"no customer with id {customer_id}")
