"""Consent follows a merge: what the master takes over from the absorbed records."""

from __future__ import annotations

from services.consent.domain.effects import effect_of
from services.consent.domain.merge import carried_over
from services.consent.domain.rules import Decision
from services.consent.domain.scopes import Scope, current_states
from shared.contracts.consent import ConsentSource, ConsentState
from tests.unit.consent.decisions import DOUBLE, NONE, OBJECTION, SINGLE, WITHDRAWN, S, at, decision

MERGED_AT = at(1000)


def merged(master: list[Decision], **absorbed: list[Decision]) -> dict[Scope, ConsentState]:
    """The master's states after recording what the merge carries over."""
    carried = carried_over(
        master_id="master",
        master=master,
        absorbed=absorbed,
        merge_message_id="m1",
        merged_at=MERGED_AT,
    )
    decisions = list(master)
    for c in carried:
        assert c.decision.source == ConsentSource.MERGE
        assert c.decision.decided_at == MERGED_AT
        effect_of(decisions, c.decision)
        decisions.append(c.decision)
    return {scope: folded.state for scope, folded in current_states(decisions).items()}


def test_the_most_recent_decision_across_the_records_wins() -> None:
    master = [decision(SINGLE, S.ORDER_IMPORT, 0)]
    # A supporter reset the other record's opt-in later: the reset is the newest decision.
    other = [decision(SINGLE, S.API, 5), decision(NONE, S.SUPPORTER, 10)]
    assert merged(master, other=other)[Scope("email")] == NONE
    assert merged(other, other=master)[Scope("email")] == NONE
    newer_opt_in = [decision(SINGLE, S.API, 20)]
    assert merged(other, other=newer_opt_in)[Scope("email")] == SINGLE


def test_a_withdrawal_on_any_record_is_kept_even_against_a_later_opt_in() -> None:
    master = [decision(SINGLE, S.SELF_SERVICE, 50)]
    older_withdrawal = [decision(WITHDRAWN, S.SELF_SERVICE, 10)]
    assert merged(master, other=older_withdrawal)[Scope("email")] == WITHDRAWN


def test_an_objection_is_kept_before_a_withdrawal() -> None:
    master = [decision(WITHDRAWN, S.SELF_SERVICE, 50)]
    assert merged(master, a=[decision(OBJECTION, S.API, 10)])[Scope("email")] == OBJECTION


def test_a_single_opt_in_does_not_replace_a_double_opt_in_of_another_record() -> None:
    master = [decision(DOUBLE, S.DOUBLE_OPT_IN, 0)]
    newer_single = [decision(SINGLE, S.ORDER_IMPORT, 30)]
    assert merged(master, other=newer_single)[Scope("email")] == DOUBLE
    assert merged(newer_single, other=master)[Scope("email")] == DOUBLE


def test_per_purpose_and_channel_and_nothing_for_what_the_master_already_has() -> None:
    master = [
        decision(DOUBLE, S.DOUBLE_OPT_IN, 40),
        decision(SINGLE, S.SUPPORTER, 0, purpose="post"),
    ]
    a = [decision(SINGLE, S.API, 10), decision(SINGLE, S.ORDER_IMPORT, 5, channel="ebay")]
    b = [decision(OBJECTION, S.SELF_SERVICE, 5, purpose="profiling")]
    carried = carried_over(
        master_id="master",
        master=master,
        absorbed={"a": a, "b": b},
        merge_message_id="m1",
        merged_at=MERGED_AT,
    )
    # email: the master's own double opt-in wins, nothing to carry; email/ebay inherits it
    # there too (more recent than a's ebay single opt-in); profiling comes from b.
    assert [(c.decision.purpose, c.decision.channel, c.decision.state) for c in carried] == [
        ("profiling", None, OBJECTION),
    ]
    assert carried[0].from_customer == "b"
    assert carried[0].from_entry == b[0].key


def test_the_merge_is_the_same_whatever_order_the_absorbed_records_are_named_in() -> None:
    a = [decision(SINGLE, S.API, 10)]
    b = [decision(WITHDRAWN, S.API, 5)]
    c = [decision(DOUBLE, S.ORDER_IMPORT, 20)]
    one = merged([], a=a, b=b, c=c)
    other = merged([], c=c, b=b, a=a)
    assert one == other == {Scope("email"): WITHDRAWN}
