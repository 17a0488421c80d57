"""The ledger: entries record what each decision did; the states are rebuilt from them alone."""

from __future__ import annotations

from services.consent.domain.effects import effect_of
from services.consent.domain.ledger import LedgerEntry, new_entry, rebuild
from services.consent.domain.rules import Decision
from services.consent.domain.scopes import Scope
from shared.contracts.consent import ConsentState, Evidence, LedgerOutcome
from shared.contracts.envelope import SYSTEM_ACTOR
from tests.unit.consent.decisions import DOUBLE, SINGLE, WITHDRAWN, S, at, decision


def append(ledger: list[LedgerEntry], d: Decision) -> LedgerEntry:
    effect = effect_of([e.as_decision() for e in ledger], d)
    entry = new_entry(
        d,
        effect,
        customer_id="c1",
        seq=len(ledger) + 1,
        evidence=Evidence(source=d.source, decided_at=d.decided_at, text_version="v1"),
        actor=SYSTEM_ACTOR,
        email="ada@example.com",
        message_id=d.key,
        correlation_id=d.key,
        now=at(100),
    )
    ledger.append(entry)
    return entry


def test_each_entry_keeps_the_state_before_and_after() -> None:
    ledger: list[LedgerEntry] = []
    first = append(ledger, decision(SINGLE, S.API, 0))
    second = append(ledger, decision(WITHDRAWN, S.SELF_SERVICE, 5))
    third = append(ledger, decision(SINGLE, S.ORDER_IMPORT, 10))
    assert [(e.previous_state, e.state, e.outcome) for e in (first, second, third)] == [
        ("none", SINGLE, LedgerOutcome.APPLIED),
        (SINGLE, WITHDRAWN, LedgerOutcome.APPLIED),
        (WITHDRAWN, WITHDRAWN, LedgerOutcome.OVERRULED),
    ]
    assert third.rule == "withdrawal_stands"
    assert [e.seq for e in ledger] == [1, 2, 3]


def test_rebuilding_from_the_ledger_gives_the_states_recorded_along_the_way() -> None:
    ledger: list[LedgerEntry] = []
    stored: dict[Scope, ConsentState] = {}
    for d in [
        decision(SINGLE, S.ORDER_IMPORT, 0, channel="shopify"),
        decision(DOUBLE, S.DOUBLE_OPT_IN, 3),
        decision(WITHDRAWN, S.SELF_SERVICE, 1, purpose="sms"),
        decision(SINGLE, S.SUPPORTER, 2, purpose="sms"),
        decision(WITHDRAWN, S.API, 9, channel="ebay"),
    ]:
        entry = append(ledger, d)
        effect = effect_of([e.as_decision() for e in ledger[:-1]], d)
        assert effect.state == entry.state
        stored |= {scope: folded.state for scope, folded in effect.states.items()}
    rebuilt = {scope: folded.state for scope, folded in rebuild(reversed(ledger)).items()}
    assert rebuilt == stored
    assert rebuilt == {
        Scope("email"): DOUBLE,
        # The general double opt-in came later than the Shopify single opt-in.
        Scope("email", "shopify"): DOUBLE,
        Scope("email", "ebay"): WITHDRAWN,
        Scope("sms"): WITHDRAWN,
    }


def test_a_decision_for_all_channels_changes_the_channels_that_inherit_it() -> None:
    shopify = decision(SINGLE, S.ORDER_IMPORT, 0, channel="shopify")
    effect = effect_of([shopify], decision(WITHDRAWN, S.SELF_SERVICE, 5))
    assert {(c.scope, c.previous_state, c.state) for c in effect.changes} == {
        (Scope("email"), "none", WITHDRAWN),
        (Scope("email", "shopify"), SINGLE, WITHDRAWN),
    }


def test_an_import_for_one_channel_cannot_get_around_a_general_withdrawal() -> None:
    withdrawal = decision(WITHDRAWN, S.SELF_SERVICE, 0)
    effect = effect_of([withdrawal], decision(SINGLE, S.ORDER_IMPORT, 5, channel="shopify"))
    assert effect.outcome == LedgerOutcome.OVERRULED
    assert effect.state == WITHDRAWN


def test_entry_view_hides_nothing_but_message_ids() -> None:
    ledger: list[LedgerEntry] = []
    entry = append(ledger, decision(SINGLE, S.API, 0))
    view = entry.view()
    assert view.email == "ada@example.com"
    assert view.evidence.text_version == "v1"
    assert not hasattr(view, "message_id")
