"""Which customer a consent message or request is about, as the consent service knows them.

The consent service keeps its own directory of customers (fed by customer events) and the
merges it has applied; it records consent only for a customer it knows, and for an absorbed
record it records on the master the record was merged into.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.consent.store import ConsentStore
from shared.contracts.customers import CustomerStatus
from shared.contracts.replies import FieldError, Problem, not_found
from shared.customer_directory import CustomerDirectory


@dataclass(frozen=True)
class Subject:
    """The customer a consent belongs to."""

    id: str
    # Their address when the decision was recorded: the address a consent is proof for.
    email: str | None


class CustomerNotKnown(Exception):
    def __init__(self, customer_id: str, reason: str) -> None:
        super().__init__(f"customer {customer_id} {reason}")
        self.customer_id = customer_id

    def problem(self) -> Problem:
        problem = not_found("Customer", str(self))
        return problem.model_copy(
            update={"errors": (FieldError(field="customer_id", message=str(self)),)}
        )


class CustomerGone(Exception):
    """The customer was erased: nothing new is recorded about them."""

    def __init__(self, customer_id: str) -> None:
        super().__init__(f"customer {customer_id} was erased")
        self.customer_id = customer_id

    def problem(self) -> Problem:
        return Problem(
            type="urn:problem:customer-erased",
            title="Customer erased",
            status=410,
            detail=str(self),
            errors=(FieldError(field="customer_id", message=str(self)),),
        )


@dataclass
class Customers:
    directory: CustomerDirectory
    store: ConsentStore

    async def subject(self, customer_id: str) -> Subject:
        """The customer (or the master that absorbed them) to record a consent for."""
        master_id = await self.store.master_of(customer_id)
        ref = await self.directory.get(master_id)
        if ref is None:
            raise CustomerNotKnown(master_id, "is not known to the consent service")
        if ref.status == CustomerStatus.ERASED:
            raise CustomerGone(master_id)
        if ref.status == CustomerStatus.MERGED:
            # The customer service merged it, the merge has not reached this service yet.
            raise CustomerNotKnown(master_id, "was merged; the merge is not applied here yet")
        return Subject(id=master_id, email=ref.primary_email)

    async def known(self, customer_id: str) -> None:
        """Raise unless the customer was ever known here (their ledger may be read)."""
        if await self.directory.get(customer_id) is None:
            raise CustomerNotKnown(customer_id, "is not known to the consent service")
