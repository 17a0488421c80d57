"""Erasure of a customer: the consent ledger keeps its proof, pseudonymised (domain/pseudonyms)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from services.consent.domain.pseudonyms import pseudonymised
from services.consent.store import ConsentStore
from services.consent.token_store import TokenStore
from shared.unit_of_work import Outcome, no_result

if TYPE_CHECKING:
    from shared.contracts.customers import CustomerErased
    from shared.customer_directory import CustomerDirectory
    from shared.mongo import Session
    from shared.unit_of_work import UnitOfWork


@dataclass
class ConsentErasure:
    store: ConsentStore
    tokens: TokenStore
    directory: CustomerDirectory
    unit: UnitOfWork
    pseudonym_key: bytes
    clock: Callable[[], datetime]

    async def erase(self, event: CustomerErased) -> None:
        await self.directory.apply(event.customer)
        customer_id = event.customer.customer_id

        async def change(session: Session) -> Outcome[None]:
            # Records merged into this one were the same person.
            ids = [customer_id, *await self.store.absorbed_into(customer_id, session=session)]
            now = self.clock()
            for entry in await self.store.entries_of(ids, session=session):
                if entry.pseudonymised_at is None:
                    await self.store.pseudonymise(
                        pseudonymised(entry, key=self.pseudonym_key, now=now), session=session
                    )
            await self.store.forget_states(ids, session=session)
            await self.tokens.forget(ids, session=session)
            await self.store.forget_personal_details(ids, session=session)
            return Outcome(None)

        await self.unit.run(event, change, repeated=no_result)
