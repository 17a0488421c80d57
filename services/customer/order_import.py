"""Use case: an order arrived; make sure its buyer is a customer and bring the record up to date.

Who the buyer is: the customer who owns this order already (an update of a known order), else
the owner of the strongest identifier the order carries, else a new customer. Identifiers not
claimed yet are claimed by that customer in the same transaction; if a concurrent consumer
claimed one first, the transaction fails on the unique key and runs again, and then finds the
winner. The order's marketing signals go to the consent service as `RecordConsent` commands.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from services.customer.domain.customer import Customer, changes_between, new_customer
from services.customer.domain.duplicates import shared_email
from services.customer.domain.history import order_source
from services.customer.domain.identities import IdentifierKind, identifiers_of
from services.customer.domain.survivorship import apply_order
from services.customer.domain.views import customer_ref
from services.customer.records import short_id
from services.customer.transactions import Done, reference
from shared.contracts.consent import ConsentSource, ConsentState, Evidence, RecordConsent
from shared.contracts.customer_history import ActivityKind
from shared.contracts.customers import CustomerCreated, CustomerUpdated

if TYPE_CHECKING:
    from services.customer.domain.identities import Identifier
    from services.customer.domain.orders import OrderSummary
    from services.customer.order_store import OrderStore
    from services.customer.records import Records
    from services.customer.transactions import Transactions
    from shared.contracts.envelope import Command, Event
    from shared.contracts.orders import UpsertCustomerFromOrder
    from shared.mongo import Session

# Fixed: consent commands derived from one order message keep their ids across replays.
_CONSENT_NAMESPACE = uuid.UUID("3e0b6a52-8f7c-4d1a-b5f2-61c9d0a4e7b8")


@dataclass
class OrderImport:
    transactions: Transactions
    records: Records
    orders: OrderStore
    default_region: str

    async def upsert_from_order(self, command: UpsertCustomerFromOrder) -> dict[str, str]:
        return await self.transactions.run(command, lambda s: self._upsert(command, s))

    async def _upsert(self, command: UpsertCustomerFromOrder, session: Session) -> Done:
        order, store = command.order, self.records.store
        identifiers = identifiers_of(order)
        owners = await store.owners([i.key for i in identifiers], session=session)
        known = await self.orders.get(order.key, session=session)
        owner_id = known.customer_id if known else None
        owner_id = owner_id or next((owners[i.key] for i in identifiers if i.key in owners), None)
        customer = await store.resolve(owner_id, session=session) if owner_id else None
        if customer is not None and customer.is_closed:
            # An erased buyer's identities were released: they come back as a new customer.
            customer, known = None, None
        now = datetime.now(UTC)
        if customer is None:
            customer = new_customer(
                customer_id=store.new_id(),
                number=await store.next_number(),
                now=now,
                origin_channel=order.channel,
            )
        others = {
            i: owners[i.key]
            for i in identifiers
            if i.key in owners and owners[i.key] != customer.id
        }
        applied = apply_order(
            customer,
            order,
            known=known,
            actor=command.actor,
            now=now,
            default_region=self.default_region,
            new_id=short_id,
            foreign_emails={
                i.value.rpartition(":")[2]
                for i in others
                if i.kind in (IdentifierKind.EMAIL, IdentifierKind.MASKED_EMAIL)
            },
        )
        after = applied.customer
        await store.claim(
            [i for i in identifiers if i.key not in owners], customer.id, session=session
        )
        if after is not customer:
            await store.save(after, previous_version=customer.version, session=session)
        if applied.summary is not None:
            await self.orders.save(applied.summary, replaces=known, session=session)
        await self._look_for_duplicates(customer, after, others, now=now, session=session)
        events = self._record_events(command, customer, after)
        if after is not customer or applied.summary is not None:
            await self._add_activity(
                command, customer, after, applied.summary, known, applied.skipped, now, session
            )
        return Done(
            ref=reference(customer_id=after.id), events=[*events, *self._consents(command, after)]
        )

    async def _look_for_duplicates(
        self,
        before: Customer,
        after: Customer,
        others: dict[Identifier, str],
        *,
        now: datetime,
        session: Session,
    ) -> None:
        shared = [
            shared_email(after.id, owner, identifier.value.rpartition(":")[2])
            for identifier, owner in others.items()
        ]
        await self.records.duplicates.propose(shared, now=now, session=session)
        if before.version == 0 or changes_between(before, after):
            await self.records.propose_duplicates(after, session=session, now=now)

    async def _add_activity(
        self,
        command: UpsertCustomerFromOrder,
        before: Customer,
        after: Customer,
        summary: OrderSummary | None,
        known: OrderSummary | None,
        skipped: dict[str, str],
        now: datetime,
        session: Session,
    ) -> None:
        order = command.order
        if before.version == 0:
            kind = ActivityKind.CREATED
        elif known is None:
            kind = ActivityKind.ORDER_IMPORTED
        else:
            kind = ActivityKind.ORDER_UPDATED
        details: dict[str, object] = {
            "order_number": order.order_number,
            "status": order.status.value,
            "total": str(order.total),
            "currency": order.currency,
        }
        if known is not None and summary is not None and known.status != summary.status:
            details["previous_status"] = known.status.value
        if skipped:
            details["skipped"] = skipped
        activity = self.records.activity(
            after.id,
            message=command,
            kind=kind,
            at=now,
            changes=changes_between(before, after),
            source=order_source(order),
            details=details,
        )
        await self.records.history.add([activity], session=session)

    @staticmethod
    def _record_events(
        command: UpsertCustomerFromOrder, before: Customer, after: Customer
    ) -> list[Event]:
        if before.version == 0:
            return [command.caused(CustomerCreated, customer=customer_ref(after))]
        changes = changes_between(before, after)
        if changes:
            return [command.caused(CustomerUpdated, customer=customer_ref(after), changes=changes)]
        return []

    @staticmethod
    def _consents(command: UpsertCustomerFromOrder, customer: Customer) -> list[Command]:
        """Each marketing decision the order carried, for the consent service to record."""
        order = command.order
        return [
            command.caused(
                RecordConsent,
                message_id=uuid.uuid5(
                    _CONSENT_NAMESPACE, f"{command.message_id}:{signal.purpose}"
                ).hex,
                customer_id=customer.id,
                purpose=signal.purpose,
                channel=order.channel,
                state=ConsentState(signal.state),
                evidence=Evidence(
                    source=ConsentSource.ORDER_IMPORT,
                    decided_at=signal.decided_at or order.updated_at,
                    channel=order.channel,
                    shop=order.shop,
                    order_id=order.order_id,
                    reported_level=signal.reported_level,
                ),
            )
            for signal in order.marketing
        ]
