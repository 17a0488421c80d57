"""Consent follows a merge: what the master's consents become when it absorbs other customers.

For each purpose and channel any absorbed customer decided something about, the master takes:
- a withdrawal or objection of any of the merged customers (an objection before a withdrawal,
  then the most recent): a merge must never make marketing to a person who said no possible;
- otherwise the most recent decision across the customers, except that a single opt-in does
  not replace a double opt-in of another of them.
What the master takes is recorded in its ledger as a decision with source `merge`, made at the
time of the merge and pointing at the entry it was taken from, which stays in the absorbed
customer's ledger as the original proof.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from services.consent.domain.rules import RESTRICTIVE, Decision, chronological
from services.consent.domain.scopes import ALL_CHANNELS, Scope, scopes_of, state_of
from shared.contracts.consent import ConsentSource, ConsentState


@dataclass(frozen=True)
class Candidate:
    customer_id: str
    state: ConsentState
    basis: Decision


@dataclass(frozen=True)
class Carried:
    """A decision the master takes over from an absorbed customer."""

    decision: Decision
    from_customer: str
    from_entry: str


def merge_key(merge_message_id: str, scope: Scope) -> str:
    return f"{merge_message_id}:{scope.purpose}:{scope.channel or ALL_CHANNELS}"


def carried_over(
    *,
    master_id: str,
    master: Sequence[Decision],
    absorbed: Mapping[str, Sequence[Decision]],
    merge_message_id: str,
    merged_at: datetime,
) -> list[Carried]:
    """The decisions to record for the master, one per scope an absorbed customer decided."""
    merged = {master_id: master, **absorbed}
    scopes = scopes_of(d for decisions in absorbed.values() for d in decisions)
    carried = []
    for scope in sorted(scopes, key=lambda s: (s.purpose, s.channel or "")):
        winner = _winner(
            [
                Candidate(customer_id, folded.state, folded.basis)
                for customer_id, decisions in merged.items()
                if (folded := state_of(decisions, scope)).basis is not None
            ]
        )
        if winner is None or winner.customer_id == master_id:
            continue
        carried.append(
            Carried(
                decision=Decision(
                    key=merge_key(merge_message_id, scope),
                    purpose=scope.purpose,
                    channel=scope.channel,
                    state=winner.state,
                    source=ConsentSource.MERGE,
                    decided_at=merged_at,
                ),
                from_customer=winner.customer_id,
                from_entry=winner.basis.key,
            )
        )
    return carried


def _winner(candidates: Sequence[Candidate]) -> Candidate | None:
    if not candidates:
        return None
    objections = [c for c in candidates if c.state == ConsentState.OBJECTION]
    restrictive = objections or [c for c in candidates if c.state in RESTRICTIVE]
    if restrictive:
        return _most_recent(restrictive)
    latest = _most_recent(candidates)
    if latest.state == ConsentState.SINGLE_OPT_IN:
        doubles = [c for c in candidates if c.state == ConsentState.DOUBLE_OPT_IN]
        if doubles:
            return _most_recent(doubles)
    return latest


def _most_recent(candidates: Sequence[Candidate]) -> Candidate:
    return max(candidates, key=lambda c: (chronological(c.basis), c.customer_id))
