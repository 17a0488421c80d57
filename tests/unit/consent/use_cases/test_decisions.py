"""Recording decisions, on in-memory stores: what tests/integration/consent proves end to end."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Any

import pytest

from services.consent.domain.errors import ErasedCustomer, Overruled, UnknownCustomer
from services.consent.domain.rules import Rule
from services.consent.domain.scopes import Scope
from shared.contracts.consent import ConsentChanged, ConsentState, LedgerOutcome, RecordConsent
from shared.contracts.customers import CustomerRef, CustomerStatus
from shared.errors import InvalidInput
from tests.integration.consent.messages import record_consent
from tests.unit.consent.use_cases.fakes import Consent, customer


def by_supporter(customer_id: str, state: str = "single_opt_in", **fields: Any) -> RecordConsent:
    return record_consent(customer_id, state, "supporter", **fields)


async def test_a_decision_from_a_caller_is_recorded_stored_and_published() -> None:
    consent = Consent()
    await consent.knows("ada", "ada@example.com")
    command = record_consent(
        "ada",
        "single_opt_in",
        "self_service",
        decided_at=datetime.fromisoformat("2026-11-01T09:30:00.123456+01:00"),
        ip_address="203.0.113.7",
    )

    answer = await consent.cases.decisions.record_for_caller(command)

    entry = answer.entry
    assert (entry.previous_state, entry.state, entry.outcome) == (
        ConsentState.NONE,
        ConsentState.SINGLE_OPT_IN,
        LedgerOutcome.APPLIED,
    )
    # Stored to the millisecond, in UTC, as the database keeps it.
    assert entry.evidence.decided_at == datetime(2026, 11, 1, 8, 30, 0, 123000, tzinfo=UTC)
    assert entry.email == "ada@example.com"
    [email] = await consent.states.of_customer("ada")
    assert (email.purpose, email.state, email.entry_id) == ("email", "single_opt_in", entry.id)
    [changed] = consent.published(ConsentChanged)
    assert (changed.previous_state, changed.state) == ("none", "single_opt_in")
    assert changed.entry_id == entry.id
    assert changed.causation_id == command.message_id
    assert changed.occurred_at == consent.clock.now  # the service's clock, not the wall's
    assert changed.evidence.ip_address == "203.0.113.7"


async def test_the_rules_refuse_a_caller_at_once_and_record_nothing() -> None:
    consent = Consent()
    await consent.knows("bob")
    decisions = consent.cases.decisions
    await decisions.record_for_caller(record_consent("bob", "withdrawn", "self_service", minute=1))

    with pytest.raises(Overruled) as refused:
        await decisions.record_for_caller(by_supporter("bob", minute=2))
    assert refused.value.rule == Rule.WITHDRAWAL_STANDS
    assert [e.field for e in refused.value.errors] == ["state"]
    assert [e.decision for e in await consent.ledger.entries("bob")] == ["withdrawn"]
    assert len(consent.published(ConsentChanged)) == 1

    # The person can.
    again = await decisions.record_for_caller(
        record_consent("bob", "single_opt_in", "self_service", minute=3)
    )
    assert again.entry.state == ConsentState.SINGLE_OPT_IN


async def test_a_message_the_rules_keep_out_is_still_recorded_as_overruled() -> None:
    consent = Consent()
    await consent.knows("cy")
    decisions = consent.cases.decisions
    await decisions.record_from_message(record_consent("cy", "withdrawn", "self_service", minute=1))
    await decisions.record_from_message(record_consent("cy", "single_opt_in", minute=2))

    entries = await consent.ledger.entries("cy")
    assert [(e.decision, e.outcome) for e in entries] == [
        ("withdrawn", LedgerOutcome.APPLIED),
        ("single_opt_in", LedgerOutcome.OVERRULED),
    ]
    assert entries[1].rule == Rule.WITHDRAWAL_STANDS
    assert len(consent.published(ConsentChanged)) == 1


@pytest.mark.parametrize(
    ("command", "field"),
    [
        (by_supporter("cleo", text_version=None), "evidence.text_version"),
        (by_supporter("cleo", "double_opt_in"), "state"),
        (record_consent("cleo", "single_opt_in", "merge"), "evidence.source"),
        (by_supporter("cleo", decided_at=datetime(2099, 1, 1, tzinfo=UTC)), "evidence.decided_at"),
        (by_supporter("cleo", ip_address="not-an-ip"), "evidence.ip_address"),
        (by_supporter("cleo", purpose="carrier_pigeon"), "purpose"),
        (by_supporter("cleo", channel="Not A Slug"), "channel"),
    ],
)
async def test_bad_input_is_refused_naming_the_field(command: RecordConsent, field: str) -> None:
    consent = Consent()
    await consent.knows("cleo")
    with pytest.raises(InvalidInput) as refused:
        await consent.cases.decisions.record_for_caller(command)
    assert {e.field for e in refused.value.errors} == {field}
    assert await consent.ledger.entries("cleo") == []


async def test_an_order_import_is_refused_from_a_caller_and_taken_from_a_message() -> None:
    consent = Consent()
    await consent.knows("dan")
    imported = record_consent("dan", "single_opt_in")
    with pytest.raises(InvalidInput) as refused:
        await consent.cases.decisions.record_for_caller(imported)
    assert [e.field for e in refused.value.errors] == ["evidence.source"]
    await consent.cases.decisions.record_from_message(imported)
    assert len(await consent.ledger.entries("dan")) == 1


async def test_a_decision_is_recorded_only_for_a_customer_the_service_knows() -> None:
    consent = Consent()
    decisions = consent.cases.decisions
    with pytest.raises(UnknownCustomer, match="not known") as unknown:
        await decisions.record_from_message(record_consent("ghost", "single_opt_in"))
    assert [e.field for e in unknown.value.errors] == ["customer_id"]

    await consent.knows("gone", status=CustomerStatus.ERASED)
    with pytest.raises(ErasedCustomer):
        await decisions.record_from_message(record_consent("gone", "withdrawn"))

    # Merged by the customer service; the merge has not reached consent yet.
    await consent.knows("old", status=CustomerStatus.MERGED)
    with pytest.raises(UnknownCustomer, match="was merged"):
        await decisions.record_from_message(record_consent("old", "withdrawn"))
    assert consent.ledger.by_id == {}


async def test_a_decision_that_carries_its_customer_needs_no_customer_event_first() -> None:
    """An order's decision comes from the customer service with the customer it resolved: it
    is recorded at the first attempt although `customer.created` has not arrived yet."""
    consent = Consent()
    ref = CustomerRef(
        customer_id="new",
        customer_number=10001,
        version=1,
        status=CustomerStatus.ACTIVE,
        primary_email="new@example.com",
    )
    command = record_consent("new", "single_opt_in").model_copy(update={"customer": ref})
    await consent.cases.decisions.record_from_message(command)
    [entry] = await consent.ledger.entries("new")
    assert entry.email == "new@example.com"
    # The event arriving later changes nothing; an older copy of the customer neither.
    assert not await consent.cases.customers.learn(ref)
    # A customer that is not the decision's is not learned from it.
    other = record_consent("ghost", "single_opt_in").model_copy(update={"customer": ref})
    with pytest.raises(UnknownCustomer):
        await consent.cases.decisions.record_from_message(other)


async def test_the_same_request_twice_gives_the_same_answer_and_one_entry() -> None:
    consent = Consent()
    await consent.knows("r")
    command = by_supporter("r")
    first = await consent.cases.decisions.record_for_caller(command)
    second = await consent.cases.decisions.record_for_caller(command)
    assert first == second
    assert len(await consent.ledger.entries("r")) == 1
    assert len(consent.published(ConsentChanged)) == 1


async def test_delivery_order_does_not_change_the_outcome() -> None:
    def decisions(customer_id: str) -> list[RecordConsent]:
        return [
            record_consent(customer_id, "single_opt_in", minute=0, channel="shopify"),
            record_consent(customer_id, "withdrawn", "self_service", minute=10),
            record_consent(customer_id, "double_opt_in", minute=20),
            record_consent(customer_id, "single_opt_in", "self_service", minute=30),
        ]

    outcomes = set()
    for order in itertools.permutations(range(4)):
        consent = Consent()
        await consent.knows("x")
        messages = decisions("x")
        for i in order:
            await consent.cases.decisions.record_from_message(messages[i])
        stored = await consent.states.of_customer("x")
        outcomes.add(tuple((v.purpose, v.channel, v.state) for v in stored))
    # The withdrawal blocks the channel's double opt-in; the person's own opt-in lifts it.
    assert outcomes == {
        (("email", None, "single_opt_in"), ("email", "shopify", "single_opt_in")),
    }


async def test_the_states_are_rebuilt_from_the_ledger() -> None:
    consent = Consent()
    await consent.knows("gus")
    for message in [
        record_consent("gus", "single_opt_in", minute=0),
        record_consent("gus", "objection", "api", minute=5, purpose="profiling"),
        record_consent("gus", "single_opt_in", minute=7, channel="ebay"),
    ]:
        await consent.cases.decisions.record_from_message(message)
    before = await consent.states.of_customer("gus")
    # Lose the stored states; the ledger is the truth.
    consent.states.by_customer["gus"].pop(Scope("profiling"))

    rebuilt = await consent.cases.decisions.rebuild_states("gus")

    assert await consent.states.of_customer("gus") == before
    assert {scope: folded.state for scope, folded in rebuilt.items()} == {
        Scope("email"): "single_opt_in",
        Scope("email", "ebay"): "single_opt_in",
        Scope("profiling"): "objection",
    }


async def test_decisions_recorded_together_are_each_as_alone_in_one_unit_of_work() -> None:
    """A micro-batch: a later decision for the same customer sees the earlier ones, a twin in
    the batch or one recorded before changes nothing, all of it in one unit of work."""
    alone, together = Consent(), Consent()
    for consent in (alone, together):
        await consent.knows("ann")
        await consent.knows("ben")
    earlier = record_consent("ben", "single_opt_in", minute=0, purpose="post")
    messages = [
        record_consent("ann", "single_opt_in", minute=0),
        record_consent("ben", "single_opt_in", minute=1),
        record_consent("ann", "withdrawn", "self_service", minute=2),
        earlier,
    ]
    for message in [earlier, *messages]:
        await alone.cases.decisions.record_from_message(message)

    decisions = together.cases.decisions
    await decisions.record_from_message(earlier)
    admitted = [await decisions.admit(m) for m in [*messages, messages[0]]]
    assert await decisions.record_admitted_together(admitted) == [None] * len(admitted)

    assert together.unit.batches == [len(admitted)]
    for customer_id in ("ann", "ben"):
        entries = await together.ledger.entries(customer_id)
        assert [(e.seq, e.message_id) for e in entries] == [
            (e.seq, e.message_id) for e in await alone.ledger.entries(customer_id)
        ]
        assert await together.states.of_customer(customer_id) == await alone.states.of_customer(
            customer_id
        )
    assert [e.state for e in together.published(ConsentChanged)] == [
        e.state for e in alone.published(ConsentChanged)
    ]


async def test_decisions_admitted_together_are_each_admitted_or_refused_as_alone() -> None:
    """A batch is checked at once (one write of the customers they carry, one read of their
    customers and one of the purposes), but each decision gets its own answer."""
    alone, together = Consent(), Consent()
    for consent in (alone, together):
        await consent.knows("ann")
        await consent.knows("eve", status=CustomerStatus.ERASED)
        await consent.knows("old")
        await consent.knows("new")
        await consent.directory.remember_merge(["old"], "new", session=None)
    carried = record_consent("cat", "single_opt_in").model_copy(
        update={"customer": customer("cat", "cat@example.com", version=2)}
    )
    stale = record_consent("cat", "single_opt_in", minute=1).model_copy(
        update={"customer": customer("cat", "stale@example.com", version=1)}
    )
    commands = [
        record_consent("ann", "single_opt_in"),
        record_consent("nobody", "single_opt_in"),
        record_consent("eve", "single_opt_in"),
        record_consent("ann", "single_opt_in", purpose="no_such_purpose"),
        record_consent("old", "single_opt_in"),
        carried,
        stale,
    ]

    async def one_by_one(command: RecordConsent) -> object:
        try:
            return await alone.cases.decisions.admit(command)
        except (UnknownCustomer, ErasedCustomer, InvalidInput) as refusal:
            return refusal

    expected = [await one_by_one(c) for c in commands]
    found = await together.cases.decisions.admit_many(commands)

    def outcome(admission: object) -> object:
        if isinstance(admission, Exception):
            return (type(admission), str(admission))
        return admission

    assert [outcome(a) for a in found] == [outcome(e) for e in expected]
    assert [type(a).__name__ for a in found] == [
        "Admitted",
        "UnknownCustomer",
        "ErasedCustomer",
        "InvalidInput",
        "Admitted",
        "Admitted",
        "Admitted",
    ]
    assert found[4].subject.id == "new"  # type: ignore[union-attr]
    # The newest version carried is the one known, whichever came first.
    assert together.directory.by_id["cat"].primary_email == "cat@example.com"
    assert found[6].subject.email == "cat@example.com"  # type: ignore[union-attr]


async def test_a_batch_records_the_admitted_and_answers_each_refusal() -> None:
    consent = Consent()
    await consent.knows("ann")
    refusals = await consent.cases.decisions.record_many(
        [record_consent("ann", "single_opt_in"), record_consent("nobody", "single_opt_in")]
    )
    assert refusals[0] is None
    assert isinstance(refusals[1], UnknownCustomer)
    assert consent.unit.batches == [1]
    assert [s.state for s in await consent.states.of_customer("ann")] == ["single_opt_in"]
