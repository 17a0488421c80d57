"""Recording consent decisions: from messages (imports) and from callers waiting for an answer.

The two paths differ in one thing. A caller of the API learns at once when a decision is
refused, and nothing is recorded: it is told why (the rules, or what is wrong with the input).
A message has nobody to tell: a decision the rules keep out is still recorded, with outcome
`overruled`, because the state is computed from every decision ever received (rules.py), and a
decision kept out now can matter once a decision made before it arrives.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from services.consent.customers import CustomerGone, CustomerNotKnown, Customers, Subject
from services.consent.domain.ledger import consent_view, rebuild
from services.consent.domain.rules import Decision
from services.consent.domain.validation import check_decision
from services.consent.ledger_writer import LedgerWriter, Overruled, in_ledger_transaction
from services.consent.purpose_store import PurposeStore
from services.consent.store import ConsentStore
from shared.contracts.consent import DecisionRecorded, RecordConsent
from shared.contracts.replies import ProblemError, invalid
from shared.dispatch import InvalidMessage, PermanentFailure
from shared.redelivery import TransientFailure
from shared.unit_of_work import Outcome

if TYPE_CHECKING:
    from pymongo import AsyncMongoClient

    from services.consent.domain.rules import Folded
    from services.consent.domain.scopes import Scope
    from shared.contracts.replies import FieldError
    from shared.mongo import Document, Session
    from shared.unit_of_work import UnitOfWork


@dataclass
class ConsentDecisions:
    client: AsyncMongoClient[Document]
    store: ConsentStore
    purposes: PurposeStore
    customers: Customers
    writer: LedgerWriter
    unit: UnitOfWork
    clock: Callable[[], datetime]

    async def record(self, command: RecordConsent) -> None:
        """A decision that came as a message (e.g. an order's marketing flag)."""
        try:
            subject = await self.customers.subject(command.customer_id)
        except CustomerNotKnown as error:
            # Usually its CustomerCreated is still on the way: try again later, then park.
            raise TransientFailure(str(error)) from error
        except CustomerGone as error:
            raise PermanentFailure(str(error)) from error
        errors = await self._errors(command, from_api=False)
        if errors:
            raise InvalidMessage("consent decision refused", errors)
        await self._commit(command, subject, refuse_overruled=False)

    async def decide(self, command: RecordConsent) -> DecisionRecorded:
        """A decision from the API: recorded, or refused with the reason."""
        try:
            subject = await self.customers.subject(command.customer_id)
        except (CustomerNotKnown, CustomerGone) as error:
            raise ProblemError(error.problem()) from error
        errors = await self._errors(command, from_api=True)
        if errors:
            raise ProblemError(invalid("the consent decision cannot be recorded", errors))
        try:
            return await self._commit(command, subject, refuse_overruled=True)
        except Overruled as error:
            raise ProblemError(error.problem()) from error

    async def rebuild(self, customer_id: str) -> dict[Scope, Folded]:
        """Recompute the customer's stored consent states from their ledger alone."""

        async def body(session: Session) -> dict[Scope, Folded]:
            states = rebuild(await self.store.entries(customer_id, session=session))
            await self.store.replace_states(customer_id, states, session=session)
            return states

        return await in_ledger_transaction(self.client, body)

    async def _errors(self, command: RecordConsent, *, from_api: bool) -> tuple[FieldError, ...]:
        return check_decision(
            state=command.state,
            channel=command.channel,
            evidence=command.evidence,
            purpose_key=command.purpose,
            purpose=await self.purposes.get(command.purpose),
            now=self.clock(),
            from_api=from_api,
        )

    async def _commit(
        self, command: RecordConsent, subject: Subject, *, refuse_overruled: bool
    ) -> DecisionRecorded:
        decision = Decision(
            key=command.message_id,
            purpose=command.purpose,
            channel=command.channel,
            state=command.state,
            source=command.evidence.source,
            decided_at=command.evidence.decided_at,
        )

        async def change(session: Session) -> Outcome[DecisionRecorded]:
            written = await self.writer.add(
                session,
                customer_id=subject.id,
                decision=decision,
                evidence=command.evidence,
                actor=command.actor,
                email=subject.email,
                cause=command,
                refuse_overruled=refuse_overruled,
            )
            views = tuple(consent_view(s, f) for s, f in written.recorded.states.items())
            return Outcome(
                DecisionRecorded(entry=written.entry.view(), consents=views), written.events
            )

        async def repeated(_: Document, session: Session) -> DecisionRecorded:
            return await self._recorded_before(command, session)

        return await self.unit.run(command, change, repeated=repeated)

    async def _recorded_before(self, command: RecordConsent, session: Session) -> DecisionRecorded:
        """The answer to a request that was already processed (a retry): the same entry."""
        entry = await self.store.entry_of_message(command.message_id, session=session)
        if entry is None:
            raise RuntimeError(f"message {command.message_id} was processed without an entry")
        states = rebuild(await self.store.entries(entry.customer_id, session=session))
        views = tuple(consent_view(s, f) for s, f in states.items() if s.purpose == entry.purpose)
        return DecisionRecorded(entry=entry.view(), consents=views)
