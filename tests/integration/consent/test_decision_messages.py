"""Decisions arriving as messages: order-proof, idempotent, refused ones parked with the reason."""

from __future__ import annotations

import asyncio
from typing import Any

from pymongo import AsyncMongoClient

from services.consent.domain.ledger import LedgerEntry, rebuild
from services.consent.main import ConsentService
from shared.mongo import Document
from shared.redelivery import REASON_HEADER
from shared.topology import MAX_ATTEMPTS
from tests.conftest import Suite
from tests.integration.consent.conftest import CustomerService, known_to_consent
from tests.integration.consent.messages import record_consent
from tests.support.broker import Tap, drain, queue_depth
from tests.support.waiting import eventually


async def ledger_of(suite: Suite, mongo: AsyncMongoClient[Document], customer_id: str) -> list[Any]:
    cursor = suite.db(mongo, "consent")["ledger"].find({"customer_id": customer_id}).sort("seq")
    return [doc async for doc in cursor]


async def stored_states(
    suite: Suite, mongo: AsyncMongoClient[Document], customer_id: str
) -> dict[tuple[str, str | None], str]:
    cursor = suite.db(mongo, "consent")["consents"].find({"customer_id": customer_id})
    return {(d["purpose"], d["channel"]): d["state"] async for d in cursor}


async def test_delivery_order_does_not_change_the_outcome(
    consent_suite: Suite, customers: CustomerService, mongo: AsyncMongoClient[Document]
) -> None:
    def decisions(customer_id: str) -> list[Any]:
        return [
            record_consent(customer_id, "single_opt_in", minute=0, channel="shopify"),
            record_consent(customer_id, "withdrawn", "self_service", minute=10),
            record_consent(customer_id, "double_opt_in", minute=20, reported_level="confirmed"),
            record_consent(customer_id, "single_opt_in", "self_service", minute=30),
        ]

    orders = {"in-order": [0, 1, 2, 3], "reversed": [3, 2, 1, 0], "shuffled": [2, 0, 3, 1]}
    for name in orders:
        await customers.create(name)
    for name in orders:
        await known_to_consent(consent_suite, mongo, name)
    for name, order in orders.items():
        messages = decisions(name)
        for i in order:
            await customers.send(messages[i])

    for name in orders:

        async def all_recorded(name: str = name) -> bool:
            return len(await ledger_of(consent_suite, mongo, name)) == 4

        await eventually(all_recorded, what=f"4 decisions for {name}")

    outcomes = {name: await stored_states(consent_suite, mongo, name) for name in orders}
    # The withdrawal blocks the channel's double opt-in; the person's own opt-in lifts it.
    expected = {("email", None): "single_opt_in", ("email", "shopify"): "single_opt_in"}
    assert outcomes == dict.fromkeys(orders, expected)

    # The stored states are what the ledger alone gives.
    for name in orders:
        entries = [
            LedgerEntry.model_validate(
                {k: v for k, v in d.items() if k != "_id"} | {"id": d["_id"]}
            )
            for d in await ledger_of(consent_suite, mongo, name)
        ]
        rebuilt = {(s.purpose, s.channel): f.state.value for s, f in rebuild(entries).items()}
        assert rebuilt == expected
    # The overruled import is in the ledger as evidence, whenever it arrived.
    reversed_ledger = await ledger_of(consent_suite, mongo, "reversed")
    by_decision = {d["decision"]: d for d in reversed_ledger}
    assert by_decision["double_opt_in"]["evidence"]["reported_level"] == "confirmed"


async def test_the_same_command_twice_is_recorded_once(
    consent_suite: Suite,
    customers: CustomerService,
    events: Tap,
    mongo: AsyncMongoClient[Document],
) -> None:
    await customers.create("eve")
    await known_to_consent(consent_suite, mongo, "eve")
    command = record_consent("eve", "single_opt_in")
    await customers.send(command)
    await events.wait_for(1, "consent.changed.v1")
    await customers.send(command)  # redelivered
    # A later message proves the queue moved past the duplicate.
    await customers.send(record_consent("eve", "single_opt_in", purpose="post"))
    await events.wait_for(2, "consent.changed.v1")

    ledger = await ledger_of(consent_suite, mongo, "eve")
    assert [(e["purpose"], e["message_id"]) for e in ledger] == [
        ("email", command.message_id),
        ("post", ledger[1]["message_id"]),
    ]
    changed = events.bodies("consent.changed.v1")
    assert [c["purpose"] for c in changed] == ["email", "post"]
    assert changed[0]["causation_id"] == command.message_id


async def test_a_decision_for_an_unknown_customer_is_retried_then_parked(
    consent_suite: Suite, customers: CustomerService
) -> None:
    queue = consent_suite.namespace.topology.consent
    amqp_url = consent_suite.namespace.infra.amqp_url
    await customers.send(record_consent("ghost", "single_opt_in"))
    await eventually(
        lambda: queue_depth(amqp_url, queue.dead_letter_name), what="the parked decision"
    )
    [parked] = await drain(amqp_url, queue.dead_letter_name)
    reason = str(parked.headers[REASON_HEADER])
    assert "customer ghost is not known" in reason
    assert int(str(parked.headers["x-attempt"])) == MAX_ATTEMPTS


async def test_a_decision_that_cannot_be_valid_is_parked_at_once(
    consent_suite: Suite, customers: CustomerService, mongo: AsyncMongoClient[Document]
) -> None:
    await customers.create("finn")
    await known_to_consent(consent_suite, mongo, "finn")
    queue = consent_suite.namespace.topology.consent
    amqp_url = consent_suite.namespace.infra.amqp_url
    await customers.send(record_consent("finn", "single_opt_in", purpose="carrier_pigeon"))
    await customers.send(record_consent("finn", "single_opt_in", "merge"))

    async def both_parked() -> bool:
        return await queue_depth(amqp_url, queue.dead_letter_name) == 2

    await eventually(both_parked, what="two parked decisions")
    reasons = sorted(
        str(m.headers[REASON_HEADER]) for m in await drain(amqp_url, queue.dead_letter_name)
    )
    assert "evidence.source: merge is set by the suite itself" in reasons[0]
    assert "purpose: unknown purpose 'carrier_pigeon'" in reasons[1]
    assert await ledger_of(consent_suite, mongo, "finn") == []


async def test_the_states_can_be_rebuilt_from_the_ledger(
    consent_suite: Suite, customers: CustomerService, mongo: AsyncMongoClient[Document]
) -> None:
    await customers.create("gus")
    await known_to_consent(consent_suite, mongo, "gus")
    for message in [
        record_consent("gus", "single_opt_in", minute=0),
        record_consent("gus", "objection", "api", minute=5, purpose="profiling"),
        record_consent("gus", "single_opt_in", minute=7, channel="ebay"),
    ]:
        await customers.send(message)

    async def recorded() -> bool:
        return len(await ledger_of(consent_suite, mongo, "gus")) == 3

    await eventually(recorded, what="three entries")
    before = await stored_states(consent_suite, mongo, "gus")
    consents = consent_suite.db(mongo, "consent")["consents"]
    # Lose and corrupt the stored states; the ledger is the truth.
    await consents.delete_many({"customer_id": "gus", "purpose": "profiling"})
    await consents.update_many({"customer_id": "gus"}, {"$set": {"state": "double_opt_in"}})

    service = _consent_service(consent_suite)
    await service.cases.decisions.rebuild_states("gus")
    assert (
        await stored_states(consent_suite, mongo, "gus")
        == before
        == {
            ("email", None): "single_opt_in",
            ("email", "ebay"): "single_opt_in",
            ("profiling", None): "objection",
        }
    )


def _consent_service(suite: Suite) -> ConsentService:
    service: ConsentService = suite.apps["consent"].state.consent
    return service


async def test_a_burst_of_decisions_for_one_customer_gives_one_gapless_ledger(
    consent_suite: Suite, customers: CustomerService, mongo: AsyncMongoClient[Document]
) -> None:
    await customers.create("hal")
    await known_to_consent(consent_suite, mongo, "hal")
    purposes = ("email", "sms", "phone", "post", "profiling", "third_party_sharing")
    burst = [
        record_consent("hal", state, minute=minute, purpose=purpose)
        for minute, (purpose, state) in enumerate(
            (p, s) for p in purposes for s in ("single_opt_in", "withdrawn")
        )
    ]
    # Published at once: the service handles them concurrently (prefetch), racing for seq.
    await asyncio.gather(*(customers.send(m) for m in burst))

    async def all_recorded() -> bool:
        return len(await ledger_of(consent_suite, mongo, "hal")) == len(burst)

    await eventually(all_recorded, timeout=60, what="the whole burst in the ledger")
    ledger = await ledger_of(consent_suite, mongo, "hal")
    assert [e["seq"] for e in ledger] == list(range(1, len(burst) + 1))
    assert await stored_states(consent_suite, mongo, "hal") == {
        (purpose, None): "withdrawn" for purpose in purposes
    }
    parked = consent_suite.namespace.topology.consent.dead_letter_name
    assert await queue_depth(consent_suite.namespace.infra.amqp_url, parked) == 0
