"""Erasure of a customer: the consent ledger keeps its proof, pseudonymised (domain/pseudonyms)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from services.consent.domain.pseudonyms import pseudonymised
from services.consent.ledger_writer import in_ledger_transaction
from services.consent.store import ConsentStore
from services.consent.token_store import TokenStore

if TYPE_CHECKING:
    from pymongo import AsyncMongoClient

    from shared.contracts.customers import CustomerErased
    from shared.customer_directory import CustomerDirectory
    from shared.inbox import Inbox
    from shared.mongo import Document, Session


@dataclass
class ConsentErasure:
    client: AsyncMongoClient[Document]
    store: ConsentStore
    tokens: TokenStore
    directory: CustomerDirectory
    inbox: Inbox
    pseudonym_key: bytes
    clock: Callable[[], datetime]

    async def erase(self, event: CustomerErased) -> None:
        await self.directory.apply(event.customer)
        customer_id = event.customer.customer_id

        async def body(session: Session) -> None:
            if await self.inbox.seen(event, session=session):
                return
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
            await self.inbox.remember(event, session=session)

        await in_ledger_transaction(self.client, body)
