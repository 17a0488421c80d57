"""Use cases: erase a person (GDPR Art. 17), or what the suite holds through a shop that left.

A person is erased by their id (a supporter, the API) or as a shop names them (Shopify's
customers/redact): both go through `erased`, the service's one erasure. The customer is
anonymised, their identities are released (a later order of the same person makes a new
customer), their notes are deleted, their history keeps who changed which field when but not
the values, and `CustomerErased` tells the other services to do their part. A shop that names
nobody the suite knows is told nothing is held: the request is done, with nothing erased.

A shop that left (Shopify's shop/redact) is decided per customer (`domain.erasure`): the suite
is the seller's own customer master across channels, so a person known only through the shop
is erased; anybody else keeps their data and loses the shop as a sales channel, their accounts
there and the identities those claimed. Order summaries stay, as with every erasure: they hold
nothing personal and the seller's accounting needs them. A shop may have any number of
customers, so one message never erases them all: each batch sends one `EraseShopFromCustomer`
per customer through the outbox, plus the next batch. Every one of these messages is named
after the run, so a batch that runs again sends the very same messages and the inbox skips them.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

from services.customer.domain.channels import sales_channel
from services.customer.domain.erasure import erase, known_only_through, without_shop
from services.customer.domain.identities import belongs_to_shop
from services.customer.use_cases.ports import CustomerFilter, reference
from services.customer.use_cases.views import customer_ref
from shared.contracts.customer_history import ActivityKind
from shared.contracts.customers import CustomerErased, CustomerSort, CustomerStatus
from shared.contracts.privacy import EraseShop, EraseShopFromCustomer
from shared.unit_of_work import Outcome

if TYPE_CHECKING:
    from services.customer.domain.customer import Customer
    from services.customer.use_cases.changes import Changes
    from services.customer.use_cases.people import People
    from services.customer.use_cases.ports import (
        Clock,
        CustomFields,
        Identities,
        Notes,
        Ref,
        SentEvents,
    )
    from shared.contracts.customers import EraseCustomer
    from shared.contracts.envelope import Message
    from shared.contracts.privacy import EraseChannelCustomer
    from shared.mongo import Session
    from shared.unit_of_work import ChangeRunner

log = logging.getLogger(__name__)

# Customers of a leaving shop decided per message of the run.
BATCH = 100
# Fixed: the messages of one run keep their ids whenever a batch runs again.
_RUN_NAMESPACE = uuid.UUID("5a9d2e71-c4b8-4f03-9e6a-7b1c8d2f4e95")


@dataclass
class ErasureCommands:
    unit: ChangeRunner
    changes: Changes
    identities: Identities
    notes: Notes
    fields: CustomFields
    sent_events: SentEvents
    people: People
    clock: Clock

    async def erase(self, command: EraseCustomer) -> Ref:
        async def change(session: Session) -> Outcome[Ref]:
            before = await self.changes.load(command.customer_id, session=session)
            return await self.erased(before, message=command, session=session)

        return await self.unit.run(command, change)

    async def erase_channel_customer(self, command: EraseChannelCustomer) -> Ref:
        async def change(session: Session) -> Outcome[Ref]:
            person = await self.people.named_by(
                channel=command.channel,
                shop=command.shop,
                channel_customer_id=command.channel_customer_id,
                email=command.email,
                order_ids=command.order_ids,
                session=session,
            )
            if person is None:
                return Outcome.kept({})
            source = {"channel": command.channel, "shop": command.shop}
            return await self.erased(person, message=command, session=session, source=source)

        ref = await self.unit.run(command, change)
        if not ref:
            log.info(
                "%s: %s:%s names nobody the suite holds data on; nothing erased",
                command.message_id,
                command.channel,
                command.shop,
            )
        return ref

    async def erase_shop(self, command: EraseShop) -> Ref:
        async def change(_: Session) -> Outcome[Ref]:
            # Read outside the transaction on purpose: it only chooses whom to send messages to,
            # and a customer changed meanwhile is decided again by their own message.
            customers, cursor = await self.changes.customers.find(
                CustomerFilter(channel=sales_channel(command.channel, command.shop)),
                sort=CustomerSort.NUMBER,
                descending=False,
                cursor=command.cursor,
                limit=BATCH,
            )
            messages: list[Message] = [
                command.caused(
                    EraseShopFromCustomer,
                    message_id=_in_run(command.run_id, f"customer:{c.id}"),
                    customer_id=c.id,
                    channel=command.channel,
                    shop=command.shop,
                )
                for c in customers
            ]
            if cursor is not None:
                messages.append(
                    command.caused(
                        EraseShop,
                        message_id=_in_run(command.run_id, f"after:{cursor}"),
                        channel=command.channel,
                        shop=command.shop,
                        run_id=command.run_id,
                        cursor=cursor,
                    )
                )
            return Outcome.kept({"customers": str(len(customers))}, messages)

        return await self.unit.run(command, change)

    async def erase_from_customer(self, command: EraseShopFromCustomer) -> Ref:
        shop = sales_channel(command.channel, command.shop)

        async def change(session: Session) -> Outcome[Ref]:
            # Merged meanwhile: the master holds the shop's links now.
            customer = await self.changes.customers.resolve(command.customer_id, session=session)
            if customer is None or customer.status is CustomerStatus.ERASED:
                return Outcome.kept({})
            source = {"channel": command.channel, "shop": command.shop}
            if known_only_through(customer, shop):
                return await self.erased(customer, message=command, session=session, source=source)
            now = self.clock()
            released = [
                key
                for key in await self.identities.keys_of(customer.id, session=session)
                if belongs_to_shop(key, shop)
            ]
            await self.identities.release(released, customer.id, session=session)
            after = without_shop(customer, shop, now=now)
            if after is customer and not released:
                return Outcome.kept(reference(customer_id=customer.id))
            events = await self.changes.save(
                customer,
                after,
                message=command,
                kind=ActivityKind.SHOP_DATA_ERASED,
                at=now,
                session=session,
                source=source,
                details={"identities_released": len(released)},
                always_record=True,
            )
            return Outcome.kept(reference(customer_id=customer.id), events)

        return await self.unit.run(command, change)

    async def erased(
        self,
        before: Customer,
        *,
        message: Message,
        session: Session,
        source: dict[str, str] | None = None,
    ) -> Outcome[Ref]:
        """Erase `before` within the caller's change; nothing if they were erased already."""
        now = self.clock()
        definitions = await self.fields.all(session=session)
        after = erase(
            before,
            now=now,
            non_personal_fields={k for k, d in definitions.items() if not d.pii},
        )
        if after is before:
            return Outcome.kept(reference(customer_id=before.id))
        await self.changes.customers.save(after, previous_version=before.version, session=session)
        released = await self.identities.release_all(before.id, session=session)
        notes_removed = await self.notes.remove_all(before.id, session=session)
        await self.changes.history.scrub(before.id, session=session)
        await self.changes.duplicates.forget(before.id, session=session)
        # Events already sent carried the name and address; they are kept a week otherwise.
        await self.sent_events.forget_sent(before.id, session=session)
        # Written after the scrub: the activity of the erasure itself holds no personal data.
        await self.changes.record(
            before.id,
            message=message,
            kind=ActivityKind.ERASED,
            at=now,
            session=session,
            source=source,
            details={"identities_released": released, "notes_removed": notes_removed},
        )
        erased_event = message.caused(CustomerErased, customer=customer_ref(after))
        return Outcome.kept(reference(customer_id=before.id), [erased_event])


def _in_run(run_id: str, part: str) -> str:
    return uuid.uuid5(_RUN_NAMESPACE, f"{run_id}:{part}").hex
