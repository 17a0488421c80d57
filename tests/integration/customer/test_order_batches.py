"""Orders processed in micro-batches through the real broker and database: a batch is one
transaction, a buyer twice in a batch is one customer, a redelivered batch changes nothing, and
a message that cannot be processed is parked alone while the rest of its batch goes through."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

from services.customer.domain.channels import order_key
from tests.conftest import Namespace
from tests.integration.customer.conftest import Producer
from tests.support.broker import Tap, drain, queue_depth
from tests.support.orders import upsert
from tests.support.waiting import eventually

SHOP = "demo-store.myshopify.com"


async def processed(db: Any, count: int) -> None:
    async def done() -> bool:
        return bool(await db["inbox"].count_documents({}) >= count)

    await eventually(done, timeout=60, what=f"{count} messages processed")


async def test_orders_sent_together_share_transactions_and_one_buyer_is_one_customer(
    producer: Producer, db: Any
) -> None:
    commands = [
        upsert(email=f"batch-{n % 10}@example.com", order_id=f"b-{n}", updated_minutes=n)
        for n in range(40)
    ]
    await asyncio.gather(*(producer.send(c) for c in commands))
    await processed(db, len(commands))
    # Entries of one batch are remembered at one time: some commits held several orders.
    times = Counter([doc["processed_at"] async for doc in db["inbox"].find({})])
    assert max(times.values()) > 1, times
    assert await db["customers"].count_documents({}) == 10
    assert await db["orders"].count_documents({}) == 40
    async for customer in db["customers"].find({}):
        assert customer["stats"]["order_count"] == 4


async def test_a_redelivered_batch_changes_nothing(
    producer: Producer, db: Any, events: Tap
) -> None:
    commands = [upsert(email=f"again-{n}@example.com", order_id=f"a-{n}") for n in range(10)]
    await asyncio.gather(*(producer.send(c) for c in commands))
    await processed(db, len(commands))
    await events.wait_for(10)
    before = {doc["_id"]: doc async for doc in db["customers"].find({})}
    activities = await db["activities"].count_documents({})

    await asyncio.gather(*(producer.send(c) for c in commands))  # delivered again
    last = upsert(email="after@example.com", order_id="a-after")
    await producer.send(last)
    await processed(db, len(commands) + 1)
    await events.wait_for(11)

    after = {doc["_id"]: doc async for doc in db["customers"].find({})}
    assert {k: v for k, v in after.items() if k in before} == before
    assert len(after) == len(before) + 1
    assert await db["activities"].count_documents({}) == activities + 1
    created = events.bodies("customer.created.v1")
    assert len(created) == 11


async def test_a_poison_order_in_a_batch_is_parked_alone_and_the_others_are_stored(
    namespace: Namespace, producer: Producer, db: Any
) -> None:
    # A stored summary of this order that no longer reads as one: processing it fails each time.
    await db["orders"].insert_one({"_id": order_key("shopify", SHOP, "poison"), "broken": True})
    commands = [upsert(email=f"fine-{n}@example.com", order_id=f"p-{n}") for n in range(9)]
    commands.insert(4, upsert(email="poison@example.com", order_id="poison"))
    await asyncio.gather(*(producer.send(c) for c in commands))

    parked = await eventually(
        lambda: drain(namespace.infra.amqp_url, namespace.topology.customer.dead_letter_name),
        what="the parked message",
    )
    assert [m.message_id for m in parked] == [commands[4].message_id]
    assert "OrderSummary" in str(parked[0].headers["x-failure-reason"])
    await processed(db, 9)
    assert await db["orders"].count_documents({"customer_id": {"$exists": True}}) == 9
    assert await db["customers"].count_documents({"emails.address": "poison@example.com"}) == 0
    assert await db["inbox"].count_documents({"_id": commands[4].message_id}) == 0
    assert await queue_depth(namespace.infra.amqp_url, namespace.topology.customer.name) == 0
