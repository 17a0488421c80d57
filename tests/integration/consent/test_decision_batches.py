"""Decisions recorded in micro-batches through the real broker and database: decisions sent
together share transactions and still give every customer one gapless ledger, and a decision
that cannot be recorded is parked alone while the rest of its batch goes through."""

from __future__ import annotations

import asyncio
from collections import Counter

from pymongo import AsyncMongoClient

from shared.mongo import Document
from shared.redelivery import REASON_HEADER
from tests.conftest import Suite
from tests.integration.consent.conftest import CustomerService, known_to_consent
from tests.integration.consent.messages import record_consent
from tests.integration.consent.test_decision_messages import ledger_of, stored_states
from tests.support.broker import drain, queue_depth
from tests.support.waiting import eventually

PURPOSES = ("email", "sms", "post")


async def test_decisions_sent_together_share_transactions_and_keep_each_ledger_whole(
    consent_suite: Suite, customers: CustomerService, mongo: AsyncMongoClient[Document]
) -> None:
    names = [f"buyer-{n}" for n in range(8)]
    for name in names:
        await customers.create(name)
    for name in names:
        await known_to_consent(consent_suite, mongo, name)
    decisions = [
        record_consent(name, state, minute=minute, purpose=purpose)
        for name in names
        for minute, (purpose, state) in enumerate(
            (p, s) for p in PURPOSES for s in ("single_opt_in", "withdrawn")
        )
    ]
    await asyncio.gather(*(customers.send(d) for d in decisions))

    inbox = consent_suite.db(mongo, "consent")["inbox"]

    async def all_recorded() -> bool:
        return bool(await inbox.count_documents({}) == len(decisions))

    await eventually(all_recorded, timeout=60, what="every decision recorded")
    # Entries of one batch are remembered at one time: some commits held several decisions.
    times = Counter([doc["processed_at"] async for doc in inbox.find({})])
    assert max(times.values()) > 1, times
    for name in names:
        ledger = await ledger_of(consent_suite, mongo, name)
        assert [e["seq"] for e in ledger] == list(range(1, 2 * len(PURPOSES) + 1))
        assert await stored_states(consent_suite, mongo, name) == {
            (purpose, None): "withdrawn" for purpose in PURPOSES
        }


async def test_a_decision_that_fails_in_its_batch_is_parked_alone(
    consent_suite: Suite, customers: CustomerService, mongo: AsyncMongoClient[Document]
) -> None:
    names = ["fine-1", "fine-2", "poison", "fine-3"]
    for name in names:
        await customers.create(name)
    for name in names:
        await known_to_consent(consent_suite, mongo, name)
    # A ledger entry that no longer reads as one: recording for this customer fails each time.
    ledger = consent_suite.db(mongo, "consent")["ledger"]
    await ledger.insert_one({"_id": "broken", "customer_id": "poison", "seq": 1})
    decisions = [record_consent(name, "single_opt_in") for name in names]
    await asyncio.gather(*(customers.send(d) for d in decisions))

    queue = consent_suite.namespace.topology.consent
    amqp_url = consent_suite.namespace.infra.amqp_url
    await eventually(
        lambda: queue_depth(amqp_url, queue.dead_letter_name), what="the parked decision"
    )
    [parked] = await drain(amqp_url, queue.dead_letter_name)
    assert parked.message_id == decisions[2].message_id
    assert "LedgerEntry" in str(parked.headers[REASON_HEADER])
    for name in ("fine-1", "fine-2", "fine-3"):
        assert [e["seq"] for e in await ledger_of(consent_suite, mongo, name)] == [1]
    assert await ledger.count_documents({"customer_id": "poison"}) == 1
