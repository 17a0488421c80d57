"""What the consent service answers: current consents, the ledger, consent rates."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from services.consent.domain.report import consent_rates
from services.consent.use_cases.purposes import view as purpose_view
from shared.contracts.consent import (
    ConsentHistoryPage,
    ConsentOverview,
    ConsentReport,
    ConsentState,
    ConsentView,
    CustomerConsents,
    GetConsentHistory,
    GetConsentOverview,
    GetConsentReport,
    GetConsents,
    PurposeList,
)
from shared.contracts.replies import FieldError
from shared.errors import InvalidInput

if TYPE_CHECKING:
    from services.consent.domain.purposes import PurposeDefinition
    from services.consent.use_cases.customers import Customers, Subject
    from services.consent.use_cases.ports import Clock, Directory, Ledger, Purposes, States


@dataclass
class Queries:
    customers: Customers
    directory: Directory
    ledger: Ledger
    states: States
    purposes: Purposes
    clock: Clock

    async def consents(self, query: GetConsents) -> CustomerConsents:
        subject = await self.customers.subject(query.customer_id)
        return await self._consents(subject, await self.purposes.all(active_only=True))

    async def _consents(
        self, subject: Subject, active: Iterable[PurposeDefinition]
    ) -> CustomerConsents:
        """Every purpose the customer decided, and every active one as `none` if not."""
        stored = await self.states.of_customer(subject.id)
        decided = {c.purpose for c in stored if c.channel is None}
        undecided = [
            ConsentView(purpose=p.key, state=ConsentState.NONE)
            for p in active
            if p.key not in decided
        ]
        consents = sorted([*stored, *undecided], key=lambda c: (c.purpose, c.channel or ""))
        return CustomerConsents(customer_id=subject.id, consents=tuple(consents))

    async def history(self, query: GetConsentHistory) -> ConsentHistoryPage:
        """The customer's own ledger, also of an erased (pseudonymised) or absorbed customer."""
        await self.customers.known(query.customer_id)
        return await self._history(
            query.customer_id, purpose=query.purpose, cursor=query.cursor, limit=query.limit
        )

    async def _history(
        self, customer_id: str, *, purpose: str | None, cursor: str | None, limit: int
    ) -> ConsentHistoryPage:
        found = await self.ledger.page(
            customer_id, purpose=purpose, before_seq=_position(cursor), limit=limit + 1
        )
        page = found[:limit]
        return ConsentHistoryPage(
            items=tuple(e.view() for e in page),
            next_cursor=str(page[-1].seq) if len(found) > limit else None,
        )

    async def overview(self, query: GetConsentOverview) -> ConsentOverview:
        """`consents`, the newest of `history` and every purpose, each read once (a customer
        with a subject is known here: their ledger may be read)."""
        subject = await self.customers.subject(query.customer_id)
        purposes, history = await asyncio.gather(
            self.purposes.all(),
            self._history(query.customer_id, purpose=None, cursor=None, limit=query.history),
        )
        consents = await self._consents(subject, (p for p in purposes if p.active))
        return ConsentOverview(
            consents=consents,
            history=history,
            purposes=PurposeList(items=tuple(purpose_view(p) for p in purposes)),
        )

    async def report(self, query: GetConsentReport) -> ConsentReport:
        purposes = [p.key for p in await self.purposes.all()]
        if query.purpose is not None:
            if query.purpose not in purposes:
                message = f"unknown purpose {query.purpose!r}"
                raise InvalidInput(
                    [FieldError(field="purpose", message=message)], "unknown purpose"
                )
            purposes = [query.purpose]
        customers = await self.directory.count_active()
        counts = await self.states.counts(purpose=query.purpose)
        return ConsentReport(
            customers=customers,
            rates=tuple(consent_rates(purposes=purposes, customers=customers, counts=counts)),
            generated_at=self.clock(),
        )


def _position(cursor: str | None) -> int | None:
    """The ledger position a history cursor stands for (the last one shown)."""
    if cursor is None:
        return None
    if not cursor.isdigit():
        raise InvalidInput([FieldError(field="cursor", message="not a cursor")], "invalid cursor")
    return int(cursor)
