"""What the consent service answers: current consents, the ledger, rates."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from services.consent.customers import CustomerGone, CustomerNotKnown, Customers
from services.consent.domain.report import consent_rates
from services.consent.purpose_store import PurposeStore
from services.consent.store import ConsentStore
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
from shared.contracts.replies import FieldError, ProblemError, invalid


@dataclass
class ConsentQueries:
    store: ConsentStore
    purposes: PurposeStore
    customers: Customers
    clock: Callable[[], datetime]

    async def consents(self, query: GetConsents) -> CustomerConsents:
        """Every purpose the customer decided, and every active one as `none` if not."""
        try:
            subject = await self.customers.subject(query.customer_id)
        except (CustomerNotKnown, CustomerGone) as error:
            raise ProblemError(error.problem()) from error
        stored = await self.store.states(subject.id)
        decided = {c.purpose for c in stored if c.channel is None}
        undecided = [
            ConsentView(purpose=p.key, state=ConsentState.NONE)
            for p in await self.purposes.all(active_only=True)
            if p.key not in decided
        ]
        consents = sorted([*stored, *undecided], key=lambda c: (c.purpose, c.channel or ""))
        return CustomerConsents(customer_id=subject.id, consents=tuple(consents))

    async def history(self, query: GetConsentHistory) -> ConsentHistoryPage:
        """The record's own ledger, also of an erased (pseudonymised) or absorbed record."""
        try:
            await self.customers.known(query.customer_id)
        except CustomerNotKnown as error:
            raise ProblemError(error.problem()) from error
        before = _cursor(query.cursor)
        found = await self.store.history(
            query.customer_id, purpose=query.purpose, before_seq=before, limit=query.limit + 1
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
                raise ProblemError(
                    invalid(
                        "unknown purpose",
                        (
                            FieldError(
                                field="purpose", message=f"unknown purpose {query.purpose!r}"
                            ),
                        ),
                    )
                )
            purposes = [query.purpose]
        customers = await self.store.active_customers()
        counts = await self.store.state_counts(purpose=query.purpose)
        return ConsentReport(
            customers=customers,
            rates=tuple(consent_rates(purposes=purposes, customers=customers, counts=counts)),
            generated_at=self.clock(),
        )


def _cursor(cursor: str | None) -> int | None:
    if cursor is None:
        return None
    if not cursor.isdigit():
        raise ProblemError(
            invalid("invalid cursor", (FieldError(field="cursor", message="not a cursor"),))
        )
    return int(cursor)
