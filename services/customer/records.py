"""What every use case that changes a customer does the same way.

Load the record (refusing unknown and closed ones), save the new version, write the activity
for the timeline, and announce the change as `CustomerUpdated`; look for duplicates when what
they are matched by changed.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from services.customer.domain.customer import Customer, changes_between
from services.customer.domain.duplicates import find_candidates
from services.customer.domain.editing import ensure_open
from services.customer.domain.errors import customer_not_found
from services.customer.domain.history import API_SOURCE, Activity, activity_id
from services.customer.domain.search import search_fields
from services.customer.domain.views import customer_ref
from shared.contracts.customers import CustomerUpdated, FieldChange

if TYPE_CHECKING:
    from services.customer.duplicate_store import DuplicateStore
    from services.customer.history_store import HistoryStore
    from services.customer.store import CustomerStore
    from shared.contracts.customer_history import ActivityKind
    from shared.contracts.envelope import Event, Message
    from shared.mongo import Session


def short_id() -> str:
    return uuid.uuid4().hex[:16]


@dataclass
class Records:
    store: CustomerStore
    history: HistoryStore
    duplicates: DuplicateStore

    async def load(self, customer_id: str, *, session: Session) -> Customer:
        customer = await self.store.get(customer_id, session=session)
        if customer is None:
            raise customer_not_found(customer_id)
        return customer

    async def load_open(self, customer_id: str, *, session: Session) -> Customer:
        customer = await self.load(customer_id, session=session)
        ensure_open(customer)
        return customer

    def activity(
        self,
        customer_id: str,
        *,
        message: Message,
        kind: ActivityKind,
        at: datetime,
        changes: tuple[FieldChange, ...] = (),
        source: dict[str, str] | None = None,
        details: dict[str, Any] | None = None,
    ) -> Activity:
        return Activity(
            id=activity_id(at, short_id()),
            customer_id=customer_id,
            at=at,
            actor=message.actor,
            kind=kind,
            source=API_SOURCE if source is None else source,
            changes=changes,
            details=details or {},
            message_id=message.message_id,
        )

    async def save_change(
        self,
        before: Customer,
        after: Customer,
        *,
        message: Message,
        kind: ActivityKind,
        session: Session,
        now: datetime,
        source: dict[str, str] | None = None,
        details: dict[str, Any] | None = None,
        always_record: bool = False,
    ) -> list[Event]:
        """Store `after` if it differs from `before`, with its activity and `CustomerUpdated`.

        `always_record`: an action worth a history entry even when the record stays the same.
        """
        changed = after is not before
        if changed:
            await self.store.save(after, previous_version=before.version, session=session)
        changes = changes_between(before, after)
        if changed or always_record:
            await self.history.add(
                [
                    self.activity(
                        after.id,
                        message=message,
                        kind=kind,
                        at=now,
                        changes=changes,
                        source=source,
                        details=details,
                    )
                ],
                session=session,
            )
        if changed and search_fields(before)["match_keys"] != search_fields(after)["match_keys"]:
            await self.propose_duplicates(after, session=session, now=now)
        if not changes:
            return []
        return [message.caused(CustomerUpdated, customer=customer_ref(after), changes=changes)]

    async def propose_duplicates(
        self, customer: Customer, *, session: Session, now: datetime
    ) -> None:
        others = await self.store.similar(customer, session=session)
        candidates = find_candidates(customer, others)
        await self.duplicates.propose(candidates, now=now, session=session)
