"""Use case: erase a customer (GDPR Art. 17), on the customer service's side.

The record is anonymised, its identities are released (a later order of the same person makes
a new customer), its notes are deleted, its history keeps who changed which field when but not
the values, and `CustomerErased` tells the other services to do their part.

A person is erased by their id (a supporter, the API) or as a shop names them (Shopify's
customers/redact): both go through `erased`, the service's one erasure. A shop that names
nobody the suite knows is told nothing is held: the request is done, with nothing erased.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from services.customer.domain.erasure import erase
from services.customer.domain.views import customer_ref
from services.customer.transactions import Done, reference
from shared.contracts.customer_history import ActivityKind
from shared.contracts.customers import CustomerErased

if TYPE_CHECKING:
    from services.customer.domain.customer import Customer
    from services.customer.field_store import FieldStore
    from services.customer.note_store import NoteStore
    from services.customer.people import People
    from services.customer.records import Records
    from services.customer.transactions import Transactions
    from shared.contracts.customers import EraseCustomer
    from shared.contracts.envelope import Message
    from shared.contracts.privacy import EraseChannelCustomer
    from shared.mongo import Session

log = logging.getLogger(__name__)


@dataclass
class ErasureCommands:
    transactions: Transactions
    records: Records
    notes: NoteStore
    fields: FieldStore
    people: People

    async def erase(self, command: EraseCustomer) -> dict[str, str]:
        async def body(session: Session) -> Done:
            before = await self.records.load(command.customer_id, session=session)
            return await self.erased(before, message=command, session=session)

        return await self.transactions.run(command, body)

    async def erase_channel_customer(self, command: EraseChannelCustomer) -> dict[str, str]:
        async def body(session: Session) -> Done:
            person = await self.people.named_by(
                channel=command.channel,
                shop=command.shop,
                channel_customer_id=command.channel_customer_id,
                email=command.email,
                order_ids=command.order_ids,
                session=session,
            )
            if person is None:
                return Done()
            source = {"channel": command.channel, "shop": command.shop}
            return await self.erased(person, message=command, session=session, source=source)

        ref = await self.transactions.run(command, body)
        if not ref:
            log.info(
                "%s: %s:%s names nobody the suite holds data on; nothing erased",
                command.message_id,
                command.channel,
                command.shop,
            )
        return ref

    async def erased(
        self,
        before: Customer,
        *,
        message: Message,
        session: Session,
        source: dict[str, str] | None = None,
    ) -> Done:
        """Erase `before` within the caller's transaction; nothing if it was erased already."""
        now = datetime.now(UTC)
        definitions = await self.fields.all(session=session)
        after = erase(
            before,
            now=now,
            non_personal_fields={k for k, d in definitions.items() if not d.pii},
        )
        if after is before:
            return Done(ref=reference(customer_id=before.id))
        store = self.records.store
        await store.save(after, previous_version=before.version, session=session)
        released = await store.release_all(before.id, session=session)
        notes_removed = await self.notes.remove_all(before.id, session=session)
        await self.records.history.scrub(before.id, session=session)
        await self.records.duplicates.forget(before.id, session=session)
        # Events already sent carried the name and address; they are kept a week otherwise.
        await self.transactions.outbox.forget_sent(before.id, session=session)
        await self.records.history.add(
            [
                self.records.activity(
                    before.id,
                    message=message,
                    kind=ActivityKind.ERASED,
                    at=now,
                    source=source,
                    details={"identities_released": released, "notes_removed": notes_removed},
                )
            ],
            session=session,
        )
        return Done(
            ref=reference(customer_id=before.id),
            events=[message.caused(CustomerErased, customer=customer_ref(after))],
        )
