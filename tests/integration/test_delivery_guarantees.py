"""At-least-once delivery without duplicates: idempotent consumers, outbox, racing consumers."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from pymongo import AsyncMongoClient

from services.customer.settings import CustomerSettings
from shared.broker import make_broker, publish
from shared.contracts.customers import CustomerCreated, CustomerRef
from shared.mongo import Document
from tests.conftest import TEST_ACTOR, Namespace, Suite, suite_of
from tests.support.broker import tap
from tests.support.orders import upsert
from tests.support.waiting import eventually


async def publisher(namespace: Namespace):  # type: ignore[no-untyped-def]
    broker = make_broker(CustomerSettings(), service="test", tracer_provider=None)
    await broker.connect()
    return broker


async def test_a_redelivered_command_changes_nothing_the_second_time(
    namespace: Namespace, mongo: AsyncMongoClient[Document]
) -> None:
    command = upsert(email="twice@example.com")
    async with (
        suite_of(namespace, ("customer",)) as suite,
        tap(namespace.infra.amqp_url, namespace.topology.events.name, "customer.#") as events,
    ):
        broker = await publisher(namespace)
        try:
            await publish(broker, namespace.topology, command)
            await events.wait_for(1)
            await publish(broker, namespace.topology, command)  # the broker delivers it again
            # A later, different message proves the queue moved past the duplicate.
            await publish(broker, namespace.topology, upsert(email="after@example.com"))
            await events.wait_for(2)
        finally:
            await broker.stop()
        customers = suite.db(mongo, "customer")["customers"]
        [twice] = await customers.find({"emails.address": "twice@example.com"}).to_list()
        assert twice["version"] == 1
    created = [
        b
        for b in events.bodies("customer.created.v1")
        if b["customer"]["primary_email"] == "twice@example.com"
    ]
    assert len(created) == 1
    assert created[0]["causation_id"] == command.message_id


async def test_many_orders_of_one_new_buyer_at_once_make_one_customer(
    namespace: Namespace, mongo: AsyncMongoClient[Document]
) -> None:
    commands = [upsert(email="rush@example.com", updated_minutes=i) for i in range(40)]
    async with suite_of(namespace, ("customer",)) as suite:
        broker = await publisher(namespace)
        try:
            await asyncio.gather(*(publish(broker, namespace.topology, c) for c in commands))
        finally:
            await broker.stop()
        inbox = suite.db(mongo, "customer")["inbox"]

        async def all_processed() -> bool:
            return bool(await inbox.count_documents({}) == len(commands))

        await eventually(all_processed, timeout=60, what="all 40 commands to be processed")
        db = suite.db(mongo, "customer")
        assert await db["customers"].count_documents({}) == 1
        assert await db["identities"].count_documents({"_id": "email:rush@example.com"}) == 1


async def test_the_relay_publishes_what_the_fast_path_missed(
    suite: Suite, mongo: AsyncMongoClient[Document]
) -> None:
    """An event committed with its change but never published (the process died in between)."""
    ref = CustomerRef(customer_id="c-relay", customer_number=10999, version=1, status="active")
    event = CustomerCreated(customer=ref, actor=TEST_ACTOR)
    async with tap(suite.namespace.infra.amqp_url, suite.namespace.topology.events.name) as events:
        await suite.db(mongo, "customer")["outbox"].insert_one(
            {
                "_id": event.message_id,
                "type": event.type,
                "exchange": suite.namespace.topology.events.name,
                "correlation_id": event.correlation_id,
                "body": event.model_dump(mode="json"),
                "created_at": datetime.now(UTC) - timedelta(minutes=1),
                "sent_at": None,
            }
        )
        [published] = await events.wait_for(1)
    assert published["message_id"] == event.message_id
    # The relay marks the entry sent after the broker confirmed it: soon after it arrived here.
    outbox = suite.db(mongo, "customer")["outbox"]
    await eventually(
        lambda: outbox.find_one({"_id": event.message_id, "sent_at": {"$ne": None}}),
        what="the entry to be marked sent",
    )
    # The other services took it in like any event.
    await eventually(
        lambda: suite.db(mongo, "tasks")["customers"].find_one({"_id": "c-relay"}),
        what="tasks to see the relayed event",
    )


async def test_events_go_out_right_after_the_commit_not_by_the_relay(
    namespace: Namespace, mongo: AsyncMongoClient[Document]
) -> None:
    """The fast path publishes from memory and marks the entries sent in the same breath; the
    relay only touches entries older than its grace period (5 s)."""
    async with (
        suite_of(namespace, ("customer",)) as suite,
        tap(namespace.infra.amqp_url, namespace.topology.events.name, "customer.#") as events,
    ):
        broker = await publisher(namespace)
        try:
            await publish(broker, namespace.topology, upsert(email="fast@example.com"))
            [created] = await events.wait_for(1)
        finally:
            await broker.stop()
        outbox = suite.db(mongo, "customer")["outbox"]
        entry = await eventually(
            lambda: outbox.find_one({"_id": created["message_id"], "sent_at": {"$ne": None}}),
            what="the event to be marked sent",
        )
    assert entry["sent_at"] - entry["created_at"] < timedelta(seconds=5)
