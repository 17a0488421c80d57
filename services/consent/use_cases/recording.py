"""Recording a decision: appending it to a customer's ledger, with the states and events it changes.

Every use case that records consent (a decision, a confirmed double opt-in, a merge) comes
through here, inside its unit of work: the entry, the derived states and the `ConsentChanged`
events (outbox) are written together or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING

from services.consent.domain.effects import Effect, effect_of
from services.consent.domain.errors import Overruled
from services.consent.domain.ledger import LedgerEntry, new_entry
from services.consent.domain.rules import Decision, stored_precision
from shared.contracts.consent import ConsentChanged, Evidence, MergedFrom

if TYPE_CHECKING:
    from services.consent.use_cases.ports import Clock, Ledger, States
    from shared.contracts.envelope import Actor, Message
    from shared.mongo import Session

# Appends to one customer's ledger are serialised by its (customer, seq) key: in a burst of
# decisions for one customer, a transaction may lose that race several times in a row.
LEDGER_CONFLICT_RETRIES = 10


@dataclass(frozen=True)
class Recorded:
    entry: LedgerEntry
    effect: Effect
    events: list[ConsentChanged]


@dataclass
class Recorder:
    ledger: Ledger
    states: States
    clock: Clock

    async def record(  # noqa: PLR0913 - keyword-only: the decision and its evidence, passed through
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
    ) -> Recorded:
        """`refuse_overruled`: raise `Overruled` rather than record a decision the rules keep
        out (for a caller waiting for the answer)."""
        decided_at = stored_precision(decision.decided_at)
        decision = replace(decision, decided_at=decided_at)
        evidence = evidence.model_copy(update={"decided_at": decided_at})
        now = stored_precision(self.clock())
        existing = await self.ledger.entries(customer_id, session=session)
        effect = effect_of([e.as_decision() for e in existing], decision)
        if refuse_overruled and effect.overruled:
            assert effect.rule is not None
            raise Overruled(effect.rule)
        entry = new_entry(
            decision,
            effect,
            customer_id=customer_id,
            seq=existing[-1].seq + 1 if existing else 1,
            evidence=evidence,
            actor=actor,
            email=email,
            message_id=cause.message_id,
            correlation_id=cause.correlation_id,
            now=now,
            merged_from=merged_from,
            requested_at=requested_at,
        )
        await self.ledger.append(entry, session=session)
        await self.states.save(customer_id, effect.states, session=session)
        events = [
            cause.caused(
                ConsentChanged,
                occurred_at=now,
                actor=actor,
                customer_id=customer_id,
                purpose=change.scope.purpose,
                channel=change.scope.channel,
                previous_state=change.previous_state,
                state=change.state,
                evidence=evidence,
                entry_id=entry.id,
            )
            for change in effect.changes
        ]
        return Recorded(entry=entry, effect=effect, events=events)
