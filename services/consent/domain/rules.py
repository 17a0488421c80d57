"""Which consent decision takes effect: the rules of the consent ledger.

The state of a consent is not "the last message that arrived". It is the result of applying
every decision ever recorded, in the order the decisions were *made* (`evidence.decided_at`),
to the rules below. That result depends only on the set of decisions, so messages delivered
late, twice or out of order end in the same state as messages delivered in order.

The rules, applied to the state so far and the next decision in time:
- a withdrawal or objection is left only by the person: self-service, or confirming a double
  opt-in; an import, a supporter, an API client or a merge cannot opt the person in again;
- an objection is the stronger "no": a withdrawal from anyone else does not replace it;
- a single opt-in never replaces a double opt-in (the stronger proof still holds);
- an import that says "none" carries no decision and changes nothing decided.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from shared.contracts.consent import ConsentSource, ConsentState

RESTRICTIVE = frozenset({ConsentState.WITHDRAWN, ConsentState.OBJECTION})
OPTED_IN = frozenset({ConsentState.SINGLE_OPT_IN, ConsentState.DOUBLE_OPT_IN})
# Sources through which the person themselves decided.
BY_THE_PERSON = frozenset({ConsentSource.SELF_SERVICE, ConsentSource.DOUBLE_OPT_IN})

# Decisions made at the same instant are ordered so that the more restrictive one comes last
# (and wins): when in doubt, do not market.
_PRECEDENCE = {
    ConsentState.NONE: 0,
    ConsentState.SINGLE_OPT_IN: 1,
    ConsentState.DOUBLE_OPT_IN: 2,
    ConsentState.WITHDRAWN: 3,
    ConsentState.OBJECTION: 4,
}


class Rule(StrEnum):
    """Why a decision did not change the state it was judged against."""

    WITHDRAWAL_STANDS = "withdrawal_stands"
    OBJECTION_STANDS = "objection_stands"
    DOUBLE_OPT_IN_KEPT = "double_opt_in_kept"
    IMPORT_WITHOUT_DECISION = "import_without_decision"


RULE_EXPLAINED = {
    Rule.WITHDRAWAL_STANDS: "the person withdrew consent; only the person can opt in again",
    Rule.OBJECTION_STANDS: "the person objected; only the person can lift an objection",
    Rule.DOUBLE_OPT_IN_KEPT: "a single opt-in does not replace a confirmed double opt-in",
    Rule.IMPORT_WITHOUT_DECISION: "an import without a decision does not reset a decision",
}


@dataclass(frozen=True)
class Decision:
    """One decision as the rules see it."""

    # Stable identity (derived from the message that carried it): orders decisions made at the
    # same instant the same way whatever order they arrived in.
    key: str
    purpose: str
    # None: the decision holds for every channel.
    channel: str | None
    state: ConsentState
    source: ConsentSource
    decided_at: datetime


@dataclass(frozen=True)
class Verdict:
    takes_effect: bool
    # Set when a rule kept the state; None with takes_effect False: the state was already this.
    rule: Rule | None = None


def stored_precision(moment: datetime) -> datetime:
    """`moment` in UTC to the millisecond, as MongoDB keeps it.

    Decisions are compared at the precision they are stored with, so that recording a decision
    and rebuilding the states from the ledger later order them the same way.
    """
    return moment.astimezone(UTC).replace(microsecond=moment.microsecond // 1000 * 1000)


def chronological(decision: Decision) -> tuple[datetime, int, str]:
    return (decision.decided_at, _PRECEDENCE[decision.state], decision.key)


def judge(current: ConsentState, decision: Decision) -> Verdict:
    """Does `decision` change `current`, the state every earlier decision led to?"""
    wanted = decision.state
    if wanted == current:
        return Verdict(takes_effect=False)
    if current in RESTRICTIVE and decision.source not in BY_THE_PERSON:
        if current == ConsentState.WITHDRAWN and wanted == ConsentState.OBJECTION:
            return Verdict(takes_effect=True)
        rule = (
            Rule.OBJECTION_STANDS if current == ConsentState.OBJECTION else Rule.WITHDRAWAL_STANDS
        )
        return Verdict(takes_effect=False, rule=rule)
    if wanted == ConsentState.SINGLE_OPT_IN and current == ConsentState.DOUBLE_OPT_IN:
        return Verdict(takes_effect=False, rule=Rule.DOUBLE_OPT_IN_KEPT)
    if wanted == ConsentState.NONE and decision.source == ConsentSource.ORDER_IMPORT:
        return Verdict(takes_effect=False, rule=Rule.IMPORT_WITHOUT_DECISION)
    return Verdict(takes_effect=True)


@dataclass(frozen=True)
class Folded:
    """The state a set of decisions leads to, and how each of them was judged on the way."""

    state: ConsentState
    # The decision the state rests on (its proof); None while nothing took effect.
    basis: Decision | None
    verdicts: Mapping[str, Verdict]


NOTHING_DECIDED = Folded(state=ConsentState.NONE, basis=None, verdicts={})


def fold(decisions: Iterable[Decision]) -> Folded:
    """Apply the decisions in the order they were made; independent of the order given."""
    state, basis = ConsentState.NONE, None
    verdicts: dict[str, Verdict] = {}
    for decision in sorted(decisions, key=chronological):
        verdict = judge(state, decision)
        verdicts[decision.key] = verdict
        if verdict.takes_effect:
            state, basis = decision.state, decision
    return Folded(state=state, basis=basis, verdicts=verdicts)
