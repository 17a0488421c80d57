"""The effect of one more decision on a ledger: what it does to every scope it touches."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from services.consent.domain.rules import Decision, Folded, Rule, Verdict
from services.consent.domain.scopes import Scope, current_states, scope_of, state_of
from shared.contracts.consent import ConsentState, LedgerOutcome


@dataclass(frozen=True)
class ScopeChange:
    scope: Scope
    previous_state: ConsentState
    state: ConsentState


@dataclass(frozen=True)
class Effect:
    outcome: LedgerOutcome
    rule: Rule | None
    # Of the decision's own scope.
    previous_state: ConsentState
    state: ConsentState
    # Every scope whose state changed: its own, and for a decision without a channel also the
    # channels of the same purpose that inherit it.
    changes: tuple[ScopeChange, ...]
    # The state of every scope of the decision's purpose afterwards.
    states: dict[Scope, Folded]

    @property
    def overruled(self) -> bool:
        return self.outcome == LedgerOutcome.OVERRULED


def effect_of(existing: Sequence[Decision], decision: Decision) -> Effect:
    """What adding `decision` to the decisions already in the customer's ledger does."""
    relevant = [d for d in existing if d.purpose == decision.purpose]
    after = current_states([*relevant, decision])
    changes = []
    for scope, folded in after.items():
        before = state_of(relevant, scope).state
        if before != folded.state:
            changes.append(ScopeChange(scope, before, folded.state))
    own = scope_of(decision)
    previous = state_of(relevant, own).state
    state = after[own].state
    verdict = after[own].verdicts[decision.key]
    return Effect(
        outcome=_outcome(previous, state, verdict),
        rule=verdict.rule,
        previous_state=previous,
        state=state,
        changes=tuple(changes),
        states=after,
    )


def _outcome(previous: ConsentState, state: ConsentState, verdict: Verdict) -> LedgerOutcome:
    if previous != state:
        return LedgerOutcome.APPLIED
    if verdict.rule is not None:
        return LedgerOutcome.OVERRULED
    if not verdict.takes_effect:
        return LedgerOutcome.UNCHANGED
    # It took effect where it belongs in time, and a newer decision decides the state since.
    return LedgerOutcome.SUPERSEDED
