"""The customer directory the consent service keeps, and whom a consent is about.

The service keeps a directory: its own copy of the customers (fed by customer events) and of the
merges it applied. It records consent only for a customer it knows, and for an absorbed customer
on the master the customer was merged into.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from services.consent.domain.errors import ErasedCustomer, UnknownCustomer
from shared.contracts.customers import CustomerStatus

if TYPE_CHECKING:
    from collections.abc import Iterable

    from services.consent.use_cases.ports import Directory
    from shared.contracts.customers import CustomerRef


@dataclass(frozen=True)
class Subject:
    """The customer a consent belongs to."""

    id: str
    # Their address when the decision was recorded: the address a consent is proof for.
    email: str | None


@dataclass
class Customers:
    directory: Directory

    async def learn(self, customer: CustomerRef) -> bool:
        """Keep this version of a customer unless a newer one is known; True if kept.

        Outside any unit of work: the write is one document, version-guarded, so a repeated or
        late event changes nothing (and an older version is refused with a duplicate key, which
        would abort a transaction it ran in).
        """
        return await self.directory.apply(customer)

    async def learn_many(self, customers: Iterable[CustomerRef]) -> None:
        """`learn` for several customers in one write."""
        await self.directory.apply_many(customers)

    async def subject(self, customer_id: str) -> Subject:
        """The customer (or the master that absorbed them) to record a consent for."""
        found = (await self.subjects([customer_id]))[customer_id]
        if isinstance(found, Subject):
            return found
        raise found

    async def subjects(
        self, customer_ids: Iterable[str]
    ) -> dict[str, Subject | UnknownCustomer | ErasedCustomer]:
        """`subject` for several customers at once; why not, for each that has none."""
        masters = await self.directory.masters_of(customer_ids)
        refs = await self.directory.get_many(masters.values())
        return {
            customer_id: _subject(master_id, refs.get(master_id))
            for customer_id, master_id in masters.items()
        }

    async def known(self, customer_id: str) -> None:
        """Raise unless the customer was ever known here (their ledger may be read)."""
        if await self.directory.get(customer_id) is None:
            raise UnknownCustomer(customer_id)


def _subject(master_id: str, ref: CustomerRef | None) -> Subject | UnknownCustomer | ErasedCustomer:
    if ref is None:
        return UnknownCustomer(master_id)
    if ref.status == CustomerStatus.ERASED:
        return ErasedCustomer(master_id)
    if ref.status == CustomerStatus.MERGED:
        # The customer service merged it, the merge has not reached this service yet.
        return UnknownCustomer(master_id, "was merged; the merge is not applied here yet")
    return Subject(id=master_id, email=ref.primary_email)
