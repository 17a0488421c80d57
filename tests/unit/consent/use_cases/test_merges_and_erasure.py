"""Consent follows merges and erasures of customers, on in-memory stores."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.consent.domain.errors import ErasedCustomer
from services.consent.domain.pseudonyms import pseudonym
from shared.contracts.consent import (
    ConsentChanged,
    ConsentSource,
    DoubleOptInRequested,
    RequestDoubleOptIn,
)
from shared.contracts.customers import CustomerErased, CustomersMerged, CustomerStatus
from shared.contracts.envelope import Actor, ActorType
from tests.integration.consent.messages import T0, record_consent
from tests.unit.consent.use_cases.fakes import PSEUDONYM_KEY, Consent, customer

SUPPORTER = Actor(type=ActorType.SUPPORTER, id="sam")


def merged(master: str, *absorbed: str) -> CustomersMerged:
    return CustomersMerged(
        master=customer(master, version=2),
        absorbed_ids=absorbed,
        actor=SUPPORTER,
        occurred_at=T0 + timedelta(minutes=5),
    )


async def test_the_master_takes_a_withdrawal_of_an_absorbed_customer() -> None:
    consent = Consent()
    await consent.knows("m")
    await consent.knows("a")
    decisions = consent.cases.decisions
    await decisions.record_from_message(record_consent("m", "single_opt_in", minute=1))
    withdrawal = record_consent("a", "withdrawn", "supporter", minute=2, text="Stop it")
    await decisions.record_from_message(withdrawal)
    merge = merged("m", "a")

    await consent.cases.merges.apply(merge)
    await consent.cases.merges.apply(merge)  # delivered twice

    [_, carried] = await consent.ledger.entries("m")
    assert (carried.decision, carried.evidence.source) == ("withdrawn", ConsentSource.MERGE)
    assert carried.evidence.text == "Stop it"  # the original proof goes along
    assert carried.merged_from is not None
    assert (carried.merged_from.customer_id, carried.merged_from.entry_id) == (
        "a",
        withdrawal.message_id,
    )
    # The absorbed customer has no consents of its own any more; its ledger stays.
    assert await consent.states.of_customer("a") == []
    assert len(await consent.ledger.entries("a")) == 1
    assert consent.directory.by_id["a"].status == CustomerStatus.MERGED
    changes = consent.published(ConsentChanged)
    assert [(c.customer_id, c.state) for c in changes] == [
        ("m", "single_opt_in"),
        ("a", "withdrawn"),
        ("m", "withdrawn"),
    ]

    # A late decision for the absorbed customer lands on the master, under the master's rules.
    await decisions.record_from_message(record_consent("a", "single_opt_in", minute=10))
    late = (await consent.ledger.entries("m"))[-1]
    assert (late.decision, late.outcome, late.rule) == (
        "single_opt_in",
        "overruled",
        "withdrawal_stands",
    )


async def test_erasure_keeps_the_proof_pseudonymised_and_forgets_the_rest() -> None:
    consent = Consent()
    await consent.knows("kim", "kim@example.com")
    await consent.knows("kim-old", "kim.old@example.com")
    await consent.cases.decisions.record_from_message(
        record_consent("kim", "single_opt_in", ip_address="203.0.113.50", user_agent="Safari/18")
    )
    await consent.cases.decisions.record_from_message(
        record_consent("kim-old", "withdrawn", "supporter", purpose="post")
    )
    await consent.cases.merges.apply(merged("kim", "kim-old"))
    await consent.cases.double_opt_in.request(
        RequestDoubleOptIn(customer_id="kim", purpose="sms", text_version="v1", actor=SUPPORTER)
    )
    assert consent.published(DoubleOptInRequested)
    erased = CustomerErased(
        customer=customer("kim", version=3, status=CustomerStatus.ERASED), actor=SUPPORTER
    )

    await consent.cases.erasure.erase(erased)
    once = dict(consent.ledger.by_id)
    await consent.cases.erasure.erase(erased)  # delivered twice

    assert consent.ledger.by_id == once
    entries = list(once.values())
    assert len(entries) == 3  # kim's own, the one carried over, and kim-old's
    for entry in entries:
        assert entry.email is None
        assert entry.pseudonymised_at is not None
        assert (entry.evidence.ip_address, entry.evidence.user_agent) == (None, None)
    own = next(e for e in entries if e.customer_id == "kim" and e.decision == "single_opt_in")
    assert own.pseudonym == pseudonym(PSEUDONYM_KEY, email="kim@example.com", customer_id="kim")
    assert consent.states.by_customer == {}
    assert consent.tokens.by_digest == {}
    assert consent.unit.outbox == []
    assert consent.directory.by_id["kim"].primary_email is None
    assert consent.directory.by_id["kim-old"].primary_email is None
    with pytest.raises(ErasedCustomer):
        await consent.cases.decisions.record_for_caller(
            record_consent("kim", "withdrawn", "api", minute=9)
        )
