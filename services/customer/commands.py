"""Use cases that change customers: each runs in one transaction with its events (outbox)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from services.customer.domain.customer import Customer, apply_order, new_customer
from services.customer.domain.identities import identifiers_of
from services.customer.domain.views import customer_ref
from services.customer.store import CustomerStore, StaleRecord
from shared.contracts.customers import CustomerCreated, CustomerUpdated
from shared.mongo import in_transaction

if TYPE_CHECKING:
    from pymongo import AsyncMongoClient

    from shared.contracts.envelope import Event
    from shared.contracts.orders import UpsertCustomerFromOrder
    from shared.inbox import Inbox
    from shared.mongo import Document, Session
    from shared.outbox import Outbox


@dataclass
class CustomerCommands:
    client: AsyncMongoClient[Document]
    store: CustomerStore
    inbox: Inbox
    outbox: Outbox
    default_region: str

    async def upsert_from_order(self, command: UpsertCustomerFromOrder) -> list[str]:
        """Recognise the buyer (or create them) and merge the order in; returns event ids."""

        async def body(session: Session) -> list[str]:
            if await self.inbox.seen(command, session=session):
                return []
            events = await self._upsert(command, session)
            await self.inbox.remember(command, session=session)
            return await self.outbox.add(events, session=session)

        event_ids = await in_transaction(self.client, body, retry_on=(StaleRecord,))
        await self.outbox.publish_or_defer(event_ids)
        return event_ids

    async def _upsert(self, command: UpsertCustomerFromOrder, session: Session) -> list[Event]:
        order = command.order
        identifiers = identifiers_of(order)
        owners = await self.store.owners(identifiers, session=session)
        # The strongest identifier that is already claimed decides who the buyer is.
        owner = next((owners[i.key] for i in identifiers if i.key in owners), None)
        customer = await self.store.get(owner, session=session) if owner else None
        now = datetime.now(UTC)
        if customer is None:
            customer = new_customer(
                customer_id=self.store.new_id(),
                number=await self.store.next_number(session=session),
                now=now,
            )
        applied = apply_order(
            customer, order, actor=command.actor, now=now, default_region=self.default_region
        )
        await self.store.claim(
            [i for i in identifiers if i.key not in owners], applied.customer.id, session=session
        )
        if applied.touched:
            await self.store.save(
                applied.customer, previous_version=customer.version, session=session
            )
        return self._events(command, customer, applied.customer, applied.changes)

    @staticmethod
    def _events(
        command: UpsertCustomerFromOrder,
        before: Customer,
        after: Customer,
        changes: tuple[object, ...],
    ) -> list[Event]:
        if before.version == 0:
            return [command.caused(CustomerCreated, customer=customer_ref(after))]
        if changes:
            return [command.caused(CustomerUpdated, customer=customer_ref(after), changes=changes)]
        return []
