"""Appending a decision to a customer's ledger, with the states and events it changes.

Every use case that records consent comes through here, inside its transaction: the entry,
the derived states and the `ConsentChanged` events (outbox) are written together or not at all.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, TypeVar

from services.consent.domain.ledger import LedgerEntry, new_entry
from services.consent.domain.recording import Recorded, record
from services.consent.domain.rules import RULE_EXPLAINED, Decision, Rule, stored_precision
from services.consent.store import ConsentStore
from shared.contracts.consent import ConsentChanged, Evidence, MergedFrom
from shared.contracts.replies import FieldError, Problem
from shared.mongo import in_transaction

if TYPE_CHECKING:
    from pymongo import AsyncMongoClient

    from shared.contracts.envelope import Actor, Message
    from shared.mongo import Document, Session

T = TypeVar("T")
# Appends to one customer's ledger are serialised by its (customer, seq) key: in a burst of
# decisions for one customer, a transaction may lose that race several times in a row.
LEDGER_CONFLICT_RETRIES = 10


async def in_ledger_transaction(
    client: AsyncMongoClient[Document], body: Callable[[Session], Awaitable[T]]
) -> T:
    """`in_transaction` for bodies that append to a ledger: appends to one customer's ledger
    race for the next position, so they get more tries than the default."""
    return await in_transaction(client, body, conflict_retries=LEDGER_CONFLICT_RETRIES)


class Overruled(Exception):
    """A caller waiting for the answer is refused a decision the rules would keep out."""

    def __init__(self, rule: Rule) -> None:
        super().__init__(RULE_EXPLAINED[rule])
        self.rule = rule

    def problem(self) -> Problem:
        return Problem(
            type=f"urn:problem:consent-{self.rule.value.replace('_', '-')}",
            title="Consent decision refused",
            status=409,
            detail=f"{self}; nothing was recorded",
            errors=(FieldError(field="state", message=str(self)),),
        )


@dataclass(frozen=True)
class Written:
    entry: LedgerEntry
    recorded: Recorded
    events: list[ConsentChanged]


@dataclass
class LedgerWriter:
    store: ConsentStore
    clock: Callable[[], datetime]

    async def add(
        self,
        session: Session,
        *,
        customer_id: str,
        decision: Decision,
        evidence: Evidence,
        actor: Actor,
        email: str | None,
        cause: Message,
        refuse_overruled: bool = False,
        merged_from: MergedFrom | None = None,
        requested_at: datetime | None = None,
    ) -> Written:
        decided_at = stored_precision(decision.decided_at)
        decision = replace(decision, decided_at=decided_at)
        evidence = evidence.model_copy(update={"decided_at": decided_at})
        existing = await self.store.entries(customer_id, session=session)
        recorded = record([e.as_decision() for e in existing], decision)
        if refuse_overruled and recorded.overruled:
            assert recorded.rule is not None
            raise Overruled(recorded.rule)
        entry = new_entry(
            decision,
            recorded,
            customer_id=customer_id,
            seq=existing[-1].seq + 1 if existing else 1,
            evidence=evidence,
            actor=actor,
            email=email,
            message_id=cause.message_id,
            correlation_id=cause.correlation_id,
            now=stored_precision(self.clock()),
            merged_from=merged_from,
            requested_at=requested_at,
        )
        await self.store.append(entry, session=session)
        await self.store.save_states(customer_id, recorded.states, session=session)
        events = [
            cause.caused(
                ConsentChanged,
                actor=actor,
                customer_id=customer_id,
                purpose=change.scope.purpose,
                channel=change.scope.channel,
                previous_state=change.previous_state,
                state=change.state,
                evidence=evidence,
                entry_id=entry.id,
            )
            for change in recorded.changes
        ]
        return Written(entry=entry, recorded=recorded, events=events)
