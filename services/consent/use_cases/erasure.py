"""Erasure of a customer: the ledger keeps its proof, pseudonymised (domain/pseudonyms.py);
everything else the service holds about the person goes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from services.consent.domain.pseudonyms import pseudonymised
from shared.unit_of_work import Outcome, no_result

if TYPE_CHECKING:
    from services.consent.use_cases.customers import Customers
    from services.consent.use_cases.ports import (
        Clock,
        Directory,
        Ledger,
        States,
        StoredEvents,
        Tokens,
        UnitOfWork,
    )
    from shared.contracts.customers import CustomerErased
    from shared.mongo import Session


@dataclass
class Erasure:
    customers: Customers
    directory: Directory
    ledger: Ledger
    states: States
    tokens: Tokens
    stored_events: StoredEvents
    unit: UnitOfWork
    pseudonym_key: bytes
    clock: Clock

    async def erase(self, event: CustomerErased) -> None:
        await self.customers.learn(event.customer)
        customer_id = event.customer.customer_id

        async def change(session: Session) -> Outcome[None]:
            # Customers merged into this one were the same person.
            ids = [
                customer_id,
                *await self.directory.absorbed_into(customer_id, session=session),
            ]
            now = self.clock()
            for entry in await self.ledger.entries_of(ids, session=session):
                if entry.pseudonymised_at is None:
                    await self.ledger.pseudonymise(
                        pseudonymised(entry, key=self.pseudonym_key, now=now), session=session
                    )
            await self.states.forget(ids, session=session)
            await self.tokens.forget(ids, session=session)
            await self.directory.forget(ids, session=session)
            await self.stored_events.forget(ids, session=session)
            return Outcome(None)

        await self.unit.run(event, change, repeated=no_result)
