"""The consent rules: which decision takes effect, whatever order the decisions arrive in."""

from __future__ import annotations

import itertools
import random

import pytest

from services.consent.domain.effects import effect_of
from services.consent.domain.rules import Decision, Rule, fold, judge
from shared.contracts.consent import ConsentSource, ConsentState, LedgerOutcome
from tests.unit.consent.decisions import (
    DOUBLE,
    NONE,
    OBJECTION,
    SINGLE,
    WITHDRAWN,
    S,
    decision,
)

NOT_THE_PERSON = (S.ORDER_IMPORT, S.SUPPORTER, S.API, S.MERGE)
THE_PERSON = (S.SELF_SERVICE, S.DOUBLE_OPT_IN)


@pytest.mark.parametrize("current", [WITHDRAWN, OBJECTION])
@pytest.mark.parametrize("wanted", [SINGLE, DOUBLE, NONE])
@pytest.mark.parametrize("source", NOT_THE_PERSON)
def test_only_the_person_leaves_a_withdrawal_or_objection(
    current: ConsentState, wanted: ConsentState, source: ConsentSource
) -> None:
    verdict = judge(current, decision(wanted, source, 0))
    assert not verdict.takes_effect
    expected = Rule.OBJECTION_STANDS if current == OBJECTION else Rule.WITHDRAWAL_STANDS
    assert verdict.rule == expected


@pytest.mark.parametrize("current", [WITHDRAWN, OBJECTION])
@pytest.mark.parametrize("source", THE_PERSON)
def test_the_person_opts_in_again(current: ConsentState, source: ConsentSource) -> None:
    assert judge(current, decision(SINGLE, source, 0)).takes_effect
    assert judge(current, decision(DOUBLE, source, 0)).takes_effect


@pytest.mark.parametrize("source", NOT_THE_PERSON)
def test_anyone_may_turn_a_withdrawal_into_an_objection_but_not_back(
    source: ConsentSource,
) -> None:
    assert judge(WITHDRAWN, decision(OBJECTION, source, 0)).takes_effect
    assert judge(OBJECTION, decision(WITHDRAWN, source, 0)).rule == Rule.OBJECTION_STANDS


@pytest.mark.parametrize("current", [NONE, SINGLE, DOUBLE])
@pytest.mark.parametrize("source", [*NOT_THE_PERSON, *THE_PERSON])
def test_anyone_may_withdraw_or_object(current: ConsentState, source: ConsentSource) -> None:
    assert judge(current, decision(WITHDRAWN, source, 0)).takes_effect
    assert judge(current, decision(OBJECTION, source, 0)).takes_effect


@pytest.mark.parametrize("source", [*NOT_THE_PERSON, *THE_PERSON])
def test_a_single_opt_in_does_not_downgrade_a_double_opt_in(source: ConsentSource) -> None:
    verdict = judge(DOUBLE, decision(SINGLE, source, 0))
    assert (verdict.takes_effect, verdict.rule) == (False, Rule.DOUBLE_OPT_IN_KEPT)


def test_an_import_without_a_decision_resets_nothing_but_a_supporter_may() -> None:
    assert judge(SINGLE, decision(NONE, S.ORDER_IMPORT, 0)).rule == Rule.IMPORT_WITHOUT_DECISION
    assert judge(SINGLE, decision(NONE, S.SUPPORTER, 0)).takes_effect


def test_an_older_decision_arriving_later_does_not_override_a_newer_one() -> None:
    newer = decision(WITHDRAWN, S.SELF_SERVICE, 10)
    older = decision(SINGLE, S.SELF_SERVICE, 5)
    effect = effect_of([newer], older)
    assert effect.state == WITHDRAWN
    assert effect.outcome == LedgerOutcome.SUPERSEDED
    assert effect.changes == ()


def test_a_late_withdrawal_still_blocks_the_import_that_came_after_it() -> None:
    # Delivered in order, the import would have been overruled; so it is when it came first.
    import_ = decision(SINGLE, S.ORDER_IMPORT, 10)
    withdrawal = decision(WITHDRAWN, S.SELF_SERVICE, 5)
    effect = effect_of([import_], withdrawal)
    assert (effect.previous_state, effect.state) == (SINGLE, WITHDRAWN)
    assert effect.states[effect.changes[0].scope].verdicts[import_.key].rule == (
        Rule.WITHDRAWAL_STANDS
    )


SCENARIOS = {
    "import after withdrawal": [
        decision(SINGLE, S.API, 0),
        decision(WITHDRAWN, S.SELF_SERVICE, 10),
        decision(SINGLE, S.ORDER_IMPORT, 20),
        decision(DOUBLE, S.ORDER_IMPORT, 30),
    ],
    "person opts in again between imports": [
        decision(WITHDRAWN, S.SUPPORTER, 0),
        decision(SINGLE, S.ORDER_IMPORT, 5),
        decision(SINGLE, S.SELF_SERVICE, 10),
        decision(DOUBLE, S.ORDER_IMPORT, 15),
        decision(SINGLE, S.ORDER_IMPORT, 20),
    ],
    "objection then supporter and person": [
        decision(DOUBLE, S.DOUBLE_OPT_IN, 0),
        decision(OBJECTION, S.API, 10),
        decision(SINGLE, S.SUPPORTER, 20),
        decision(WITHDRAWN, S.ORDER_IMPORT, 25),
        decision(SINGLE, S.SELF_SERVICE, 30),
    ],
    "same instant": [
        decision(SINGLE, S.ORDER_IMPORT, 0),
        decision(WITHDRAWN, S.ORDER_IMPORT, 0),
        decision(DOUBLE, S.ORDER_IMPORT, 0),
        decision(NONE, S.ORDER_IMPORT, 0),
    ],
}


def arrive(decisions: tuple[Decision, ...]) -> ConsentState:
    """Record the decisions one by one in this arrival order, as the service does."""
    seen: list[Decision] = []
    state = NONE
    for d in decisions:
        state = effect_of(seen, d).state
        seen.append(d)
    return state


@pytest.mark.parametrize("name", SCENARIOS)
def test_every_delivery_order_ends_in_the_same_state(name: str) -> None:
    decisions = SCENARIOS[name]
    in_time_order = fold(decisions).state
    ends = {arrive(order) for order in itertools.permutations(decisions)}
    assert ends == {in_time_order}


def test_expected_states_of_the_scenarios() -> None:
    assert fold(SCENARIOS["import after withdrawal"]).state == WITHDRAWN
    # The person's own opt-in lifts the withdrawal; then the channel's confirmed double opt-in
    # upgrades it and a later single opt-in does not downgrade it.
    assert fold(SCENARIOS["person opts in again between imports"]).state == DOUBLE
    assert fold(SCENARIOS["objection then supporter and person"]).state == SINGLE
    # When in doubt (same instant), the restrictive decision wins.
    assert fold(SCENARIOS["same instant"]).state == WITHDRAWN


def projection_after(arrivals: tuple[Decision, ...]) -> dict[object, ConsentState]:
    """The stored states after recording in this order, updated as the service updates them."""
    seen: list[Decision] = []
    stored: dict[object, ConsentState] = {}
    for d in arrivals:
        effect = effect_of(seen, d)
        seen.append(d)
        stored |= {scope: folded.state for scope, folded in effect.states.items()}
    return stored


def test_random_decision_sets_end_in_the_same_stored_states_in_any_order() -> None:
    rng = random.Random(20260301)
    for _ in range(120):
        decisions = [
            decision(
                rng.choice(list(ConsentState)),
                rng.choice(list(ConsentSource)),
                rng.randrange(0, 4),  # few instants: many ties
                channel=rng.choice([None, None, "shopify", "ebay"]),
            )
            for _ in range(rng.randrange(2, 6))
        ]
        orders = list(itertools.permutations(decisions))
        results = [projection_after(order) for order in rng.sample(orders, min(len(orders), 15))]
        assert all(r == results[0] for r in results), decisions
