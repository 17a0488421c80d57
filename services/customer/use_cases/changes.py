"""The one way a use case writes what happened to a customer.

`Changes.record` is the only place an activity (an entry of a customer's timeline) is made and
written; `Changes.save` stores a changed customer with that activity, looks for duplicates when
the change may make them match others, and gives the event that announces it. Use cases load,
decide with the domain's pure functions, and hand the result to these two.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from services.customer.domain.customer import Customer, changes_between
from services.customer.domain.duplicates import find_matches, worth_a_new_look
from services.customer.domain.editing import ensure_open
from services.customer.domain.errors import customer_not_found
from services.customer.domain.history import API_SOURCE, Activity, activity_id
from services.customer.use_cases.views import customer_ref
from shared.contracts.customers import CustomerCreated, CustomerUpdated, FieldChange

if TYPE_CHECKING:
    from datetime import datetime

    from services.customer.use_cases.ports import Customers, Duplicates, History, NewId
    from shared.contracts.customer_history import ActivityKind
    from shared.contracts.envelope import Event, Message
    from shared.mongo import Session


def short_id() -> str:
    return uuid.uuid4().hex[:16]


@dataclass
class Changes:
    customers: Customers
    history: History
    duplicates: Duplicates
    new_id: NewId = short_id

    async def load(self, customer_id: str, *, session: Session) -> Customer:
        customer = await self.customers.get(customer_id, session=session)
        if customer is None:
            raise customer_not_found(customer_id)
        return customer

    async def load_open(self, customer_id: str, *, session: Session) -> Customer:
        """The customer, refusing a merged or erased one (they take no changes)."""
        customer = await self.load(customer_id, session=session)
        ensure_open(customer)
        return customer

    async def record(
        self,
        customer_id: str,
        *,
        message: Message,
        kind: ActivityKind,
        at: datetime,
        session: Session,
        changes: tuple[FieldChange, ...] = (),
        source: dict[str, str] | None = None,
        details: dict[str, Any] | None = None,
    ) -> Activity:
        """Write one activity on the customer's timeline: by whom (the message's actor), what."""
        activity = Activity(
            id=activity_id(at, self.new_id()),
            customer_id=customer_id,
            at=at,
            actor=message.actor,
            kind=kind,
            source=API_SOURCE if source is None else source,
            changes=changes,
            details=details or {},
            message_id=message.message_id,
        )
        await self.history.add([activity], session=session)
        return activity

    async def save(  # noqa: PLR0913 - keyword-only: what one recorded change says, each part named
        self,
        before: Customer,
        after: Customer,
        *,
        message: Message,
        kind: ActivityKind,
        at: datetime,
        session: Session,
        source: dict[str, str] | None = None,
        details: dict[str, Any] | None = None,
        always_record: bool = False,
    ) -> list[Event]:
        """Store `after` if it differs from `before`, with its activity; the event to publish.

        A new customer is `after` of a `before` at version 0: it is announced as
        `CustomerCreated`, a change as `CustomerUpdated` naming the changed fields.
        `always_record`: an action worth an activity even when the customer stays the same.
        """
        # A new customer is stored whatever the change made of the blank it started as.
        changed = after is not before or before.version == 0
        if changed:
            await self.customers.save(after, previous_version=before.version, session=session)
        changes = changes_between(before, after)
        if changed or always_record:
            await self.record(
                after.id,
                message=message,
                kind=kind,
                at=at,
                session=session,
                changes=changes,
                source=source,
                details=details,
            )
        if changed and worth_a_new_look(before, after):
            await self.propose_duplicates(after, at=at, session=session)
        if before.version == 0:
            return [message.caused(CustomerCreated, customer=customer_ref(after))]
        if not changes:
            return []
        return [message.caused(CustomerUpdated, customer=customer_ref(after), changes=changes)]

    async def propose_duplicates(
        self, customer: Customer, *, at: datetime, session: Session
    ) -> None:
        """Propose the customers that look like this one as duplicate candidates."""
        others = await self.customers.similar(customer, session=session)
        await self.duplicates.propose(find_matches(customer, others), now=at, session=session)
