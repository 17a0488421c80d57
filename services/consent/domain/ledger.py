"""The consent ledger: one append-only entry per decision, the proof of every state.

Entries are never changed or removed; the only exception is pseudonymisation on erasure
(`pseudonyms.py`), which replaces personal data and keeps the proof. The current state of a
customer's consents is derived from the entries (`rebuild`), so the stored states are a cache
that can always be recomputed.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from services.consent.domain.effects import Effect
from services.consent.domain.rules import Decision, Folded
from services.consent.domain.scopes import Scope, current_states
from shared.contracts.consent import Evidence, LedgerEntryView, MergedFrom
from shared.contracts.envelope import Actor


class LedgerEntry(LedgerEntryView):
    """An entry as stored: what the API shows, and the message that recorded it.

    It extends the wire view on purpose: the proof the API shows is the entry itself, and a
    copy of every field in a domain type of its own would change nothing but the name.

    `id` is the decision's stable key (see rules.Decision.key); `seq` its position in the
    customer's ledger (1, 2, 3... in the order entries were recorded); `decision` what was
    decided, `previous_state` and `state` the scope's state before and after recording it.
    """

    message_id: str
    correlation_id: str

    def as_decision(self) -> Decision:
        return Decision(
            key=self.id,
            purpose=self.purpose,
            channel=self.channel,
            state=self.decision,
            source=self.evidence.source,
            decided_at=self.evidence.decided_at,
        )

    def view(self) -> LedgerEntryView:
        return LedgerEntryView.model_validate(
            self.model_dump(exclude={"message_id", "correlation_id"})
        )


def new_entry(  # noqa: PLR0913 - keyword-only: one per part of the evidence an entry must carry
    decision: Decision,
    effect: Effect,
    *,
    customer_id: str,
    seq: int,
    evidence: Evidence,
    actor: Actor,
    email: str | None,
    message_id: str,
    correlation_id: str,
    now: datetime,
    merged_from: MergedFrom | None = None,
    requested_at: datetime | None = None,
) -> LedgerEntry:
    return LedgerEntry(
        id=decision.key,
        customer_id=customer_id,
        seq=seq,
        purpose=decision.purpose,
        channel=decision.channel,
        decision=decision.state,
        previous_state=effect.previous_state,
        state=effect.state,
        outcome=effect.outcome,
        rule=effect.rule.value if effect.rule else None,
        evidence=evidence,
        actor=actor,
        email=email,
        merged_from=merged_from,
        requested_at=requested_at,
        message_id=message_id,
        correlation_id=correlation_id,
        recorded_at=now,
    )


def rebuild(entries: Iterable[LedgerEntry]) -> dict[Scope, Folded]:
    """The current state of every scope, computed from the ledger alone."""
    return current_states(e.as_decision() for e in entries)
