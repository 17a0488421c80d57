"""What the consent service answers: current consents, the ledger, consent rates."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from services.consent.domain.report import consent_rates
from shared.contracts.consent import (
    ConsentHistoryPage,
    ConsentReport,
    ConsentState,
    ConsentView,
    CustomerConsents,
    GetConsentHistory,
    GetConsentReport,
    GetConsents,
)
from shared.contracts.replies import FieldError
from shared.errors import InvalidInput

if TYPE_CHECKING:
    from services.consent.use_cases.customers import Customers
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
        """Every purpose the customer decided, and every active one as `none` if not."""
        subject = await self.customers.subject(query.customer_id)
        stored = await self.states.of_customer(subject.id)
        decided = {c.purpose for c in stored if c.channel is None}
        undecided = [
            ConsentView(purpose=p.key, state=ConsentState.NONE)
            for p in await self.purposes.all(active_only=True)
            if p.key not in decided
        ]
        consents = sorted([*stored, *undecided], key=lambda c: (c.purpose, c.channel or ""))
        return CustomerConsents(customer_id=subject.id, consents=tuple(consents))

    async def history(self, query: GetConsentHistory) -> ConsentHistoryPage:
        """The customer's own ledger, also of an erased (pseudonymised) or absorbed customer."""
        await self.customers.known(query.customer_id)
        found = await self.ledger.page(
            query.customer_id,
            purpose=query.purpose,
            before_seq=_position(query.cursor),
            limit=query.limit + 1,
        )
        page = found[: query.limit]
        return ConsentHistoryPage(
            items=tuple(e.view() for e in page),
            next_cursor=str(page[-1].seq) if len(found) > query.limit else None,
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
