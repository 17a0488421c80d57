"""Use case: erase what the suite holds through a shop that left (Shopify's shop/redact).

The suite is the seller's own customer master across channels, so "the shop's data" is decided
per customer (`domain.erasure`): a person known only through the shop is erased with the
service's one erasure; anybody else keeps their record and loses the shop as a sales channel,
their accounts there and the identities those claimed. Order summaries stay, as with every
erasure: they hold nothing personal and the seller's accounting needs them.

A shop may have any number of customers, so one message never erases them all: each batch
sends one `EraseShopFromCustomer` per customer through the outbox, plus the next batch. Every
one of these messages is named after the run, so a batch that runs again sends the very same
messages and the inbox skips them.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from services.customer.domain.erasure import known_only_through, shop_channel, without_shop
from services.customer.domain.identities import belongs_to_shop
from services.customer.store import CustomerFilter
from services.customer.transactions import Done, reference
from shared.contracts.customer_history import ActivityKind
from shared.contracts.customers import CustomerSort, CustomerStatus
from shared.contracts.privacy import EraseShop, EraseShopFromCustomer

if TYPE_CHECKING:
    from services.customer.erasure_commands import ErasureCommands
    from services.customer.records import Records
    from services.customer.transactions import Transactions
    from shared.contracts.envelope import Message
    from shared.mongo import Session

BATCH = 100
# Fixed: the messages of one run keep their ids whenever a batch runs again.
_RUN_NAMESPACE = uuid.UUID("5a9d2e71-c4b8-4f03-9e6a-7b1c8d2f4e95")


@dataclass
class ShopErasure:
    transactions: Transactions
    records: Records
    erasure: ErasureCommands

    async def erase_shop(self, command: EraseShop) -> dict[str, str]:
        async def body(session: Session) -> Done:
            # Read outside the transaction on purpose: it only chooses whom to send messages to,
            # and a customer changed meanwhile is decided again by their own message.
            customers, cursor = await self.records.store.find(
                CustomerFilter(channel=shop_channel(command.channel, command.shop)),
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
            return Done(ref={"customers": str(len(customers))}, events=messages)

        return await self.transactions.run(command, body)

    async def erase_from_customer(self, command: EraseShopFromCustomer) -> dict[str, str]:
        channel_shop = shop_channel(command.channel, command.shop)

        async def body(session: Session) -> Done:
            store = self.records.store
            # Merged meanwhile: the master holds the shop's links now.
            customer = await store.resolve(command.customer_id, session=session)
            if customer is None or customer.status is CustomerStatus.ERASED:
                return Done()
            source = {"channel": command.channel, "shop": command.shop}
            if known_only_through(customer, channel_shop):
                return await self.erasure.erased(
                    customer, message=command, session=session, source=source
                )
            now = datetime.now(UTC)
            released = [
                key
                for key in await store.identity_keys(customer.id, session=session)
                if belongs_to_shop(key, channel_shop)
            ]
            await store.release(released, customer.id, session=session)
            after = without_shop(customer, channel_shop, now=now)
            if after is customer and not released:
                return Done(ref=reference(customer_id=customer.id))
            events = await self.records.save_change(
                customer,
                after,
                message=command,
                kind=ActivityKind.SHOP_DATA_ERASED,
                session=session,
                now=now,
                source=source,
                details={"identities_released": len(released)},
                always_record=True,
            )
            return Done(ref=reference(customer_id=customer.id), events=[*events])

        return await self.transactions.run(command, body)


def _in_run(run_id: str, part: str) -> str:
    return uuid.uuid5(_RUN_NAMESPACE, f"{run_id}:{part}").hex
