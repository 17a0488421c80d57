"""Use case: an order arrived; make sure its buyer is a customer and bring the customer up to date.

Who the buyer is: the customer who owns this order already (an update of a known order), else
the owner of the strongest identifier the order carries, else a new customer. Identifiers not
claimed yet are claimed by that customer in the same transaction; if a concurrent consumer
claimed one first, the transaction fails on the unique key and runs again, and then finds the
winner. The order's marketing signals go to the consent service as `RecordConsent` commands.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

from services.customer.domain.customer import new_customer
from services.customer.domain.duplicates import shared_email
from services.customer.domain.history import order_as_source
from services.customer.domain.identities import identifiers_of
from services.customer.domain.orders import Buyer, Order
from services.customer.domain.survivorship import apply_order
from services.customer.use_cases.ports import reference
from services.customer.use_cases.views import customer_ref
from shared.contracts.consent import ConsentSource, ConsentState, Evidence, RecordConsent
from shared.contracts.customer_history import ActivityKind
from shared.unit_of_work import Outcome

if TYPE_CHECKING:
    from services.customer.domain.customer import Customer
    from services.customer.domain.orders import OrderSummary
    from services.customer.domain.survivorship import OrderApplied
    from services.customer.use_cases.changes import Changes
    from services.customer.use_cases.ports import Clock, Identities, Orders, Ref
    from shared.contracts.envelope import Command
    from shared.contracts.orders import CanonicalOrder, UpsertCustomerFromOrder
    from shared.mongo import Session
    from shared.unit_of_work import ChangeRunner

log = logging.getLogger(__name__)

# Fixed: consent commands derived from one order message keep their ids across replays.
_CONSENT_NAMESPACE = uuid.UUID("3e0b6a52-8f7c-4d1a-b5f2-61c9d0a4e7b8")


@dataclass
class OrderCommands:
    unit: ChangeRunner
    changes: Changes
    identities: Identities
    orders: Orders
    clock: Clock
    default_region: str

    async def upsert_from_order(self, command: UpsertCustomerFromOrder) -> Ref:
        """The buyer's customer reference; empty for an order that names nobody (kept as an
        order without a customer: a channel's webhook is acknowledged, never refused)."""
        order = order_of(command.order)
        names_buyer = command.order.names_its_buyer

        async def change(session: Session) -> Outcome[Ref]:
            if not names_buyer:
                return await self._keep_without_customer(order, session)
            return await self._upsert(command, order, session)

        return await self.unit.run(command, change)

    async def _keep_without_customer(self, order: Order, session: Session) -> Outcome[Ref]:
        await self.orders.keep_without_customer(order, at=self.clock(), session=session)
        log.warning(
            "order %s names nobody (no email, account, name, company or address): kept as an "
            "order without a customer",
            order.key,
        )
        return Outcome.kept(reference())

    async def _upsert(
        self, command: UpsertCustomerFromOrder, order: Order, session: Session
    ) -> Outcome[Ref]:
        customers = self.changes.customers
        identifiers = identifiers_of(order)
        owners = await self.identities.owners([i.key for i in identifiers], session=session)
        known = await self.orders.get(order.key, session=session)
        if known is None:
            # An earlier state of it may have named nobody: it is this buyer's order now.
            await self.orders.forget_without_customer(order.key, session=session)
        owner_id = known.customer_id if known else None
        owner_id = owner_id or next((owners[i.key] for i in identifiers if i.key in owners), None)
        before = await customers.resolve(owner_id, session=session) if owner_id else None
        if before is not None and before.is_closed:
            # An erased buyer's identities were released: they come back as a new customer.
            before, known = None, None
        now = self.clock()
        if before is None:
            before = new_customer(
                customer_id=customers.new_id(),
                number=await customers.next_number(),
                now=now,
                origin_channel=order.channel,
            )
        # Identifiers the order carries that another customer owns: they stay with that one.
        others = {
            i: owners[i.key] for i in identifiers if owners.get(i.key, before.id) != before.id
        }
        # Their emails: the order carried the account of one customer and the email of another.
        foreign = {i: i.email for i in others if i.email is not None}
        applied = apply_order(
            before,
            order,
            known=known,
            actor=command.actor,
            now=now,
            default_region=self.default_region,
            new_id=self.changes.new_id,
            foreign_emails=set(foreign.values()),
        )
        after = applied.customer
        await self.identities.claim(
            [i for i in identifiers if i.key not in owners], before.id, session=session
        )
        if foreign:
            shared = [shared_email(after.id, others[i], email) for i, email in foreign.items()]
            await self.changes.duplicates.propose(shared, now=now, session=session)
        if applied.summary is not None:
            # Before the customer: every order of a buyer writes that one document, so the
            # later in the transaction it is written, the shorter concurrent orders conflict.
            await self.orders.save(applied.summary, replaces=known, session=session)
        events = await self.changes.save(
            before,
            after,
            message=command,
            kind=_activity_kind(before, known),
            at=now,
            session=session,
            source=order_as_source(order),
            details=_details(order, applied, known),
            always_record=applied.summary is not None,
        )
        consents = _consents(command, after)
        return Outcome.kept(reference(customer_id=after.id), [*events, *consents])


def order_of(order: CanonicalOrder) -> Order:
    """The order contract as the domain reads it."""
    return Order(
        **order.model_dump(include=set(Order.model_fields) - {"buyer"}),
        buyer=Buyer(**order.buyer.model_dump()),
    )


def _activity_kind(before: Customer, known: OrderSummary | None) -> ActivityKind:
    if before.version == 0:
        return ActivityKind.CREATED
    return ActivityKind.ORDER_IMPORTED if known is None else ActivityKind.ORDER_UPDATED


def _details(order: Order, applied: OrderApplied, known: OrderSummary | None) -> dict[str, object]:
    summary = applied.summary
    details: dict[str, object] = {
        "order_number": order.order_number,
        "status": order.status.value,
        "total": str(order.total),
        "currency": order.currency,
    }
    if known is not None and summary is not None and known.status != summary.status:
        details["previous_status"] = known.status.value
    if applied.skipped:
        details["skipped"] = applied.skipped
    if applied.unverified:
        # The note in the timeline: what was kept as given, and why it is not trusted.
        details["unverified"] = applied.unverified
    return details


def _consents(command: UpsertCustomerFromOrder, customer: Customer) -> list[Command]:
    """Each marketing decision the order carried, for the consent service to record, with the
    customer it belongs to (the consent service learns them from it: no waiting for, and no
    retrying until, the `customer.created` event)."""
    order = command.order
    return [
        command.caused(
            RecordConsent,
            message_id=uuid.uuid5(_CONSENT_NAMESPACE, f"{command.message_id}:{signal.purpose}").hex,
            customer_id=customer.id,
            customer=customer_ref(customer),
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
