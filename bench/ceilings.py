"""The ceilings: what the database and the broker do by themselves, measured in the same run.

- database: transactions writing what one new buyer's order writes (customer, identity claim,
  inbox entry, outbox entry), 16 at a time, as the customer service's consumers run them;
- broker: persistent messages published with confirms into a quorum queue and consumed with
  manual acks, 16 publishers at a time, from the first publish to the last ack.
The suite cannot be faster than the slower of the two; its figures are read as shares of it.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

import aio_pika
from pymongo import AsyncMongoClient

from bench.load import closed_loop

CONCURRENCY = 16


async def database_ceiling(url: str, count: int) -> float:
    """Order-shaped transactions per second."""
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(url)
    db = client[f"bench_raw_{uuid.uuid4().hex[:6]}"]
    run = uuid.uuid4().hex[:6]
    body = "x" * 1200  # about the size of a customer document

    async def one(i: int) -> None:
        async with client.start_session() as session:

            async def write(s: Any) -> None:
                doc = {"_id": f"c{i}", "number": i, "emails": [f"{run}{i}@x"], "body": body}
                await db.customers.insert_one(doc, session=s)
                await db.identities.insert_one(
                    {"_id": f"email:{run}{i}@x", "customer_id": f"c{i}"}, session=s
                )
                await db.inbox.insert_one({"_id": f"m{i}"}, session=s)
                await db.outbox.insert_one({"_id": f"e{i}", "body": doc}, session=s)

            await session.with_transaction(write)

    try:
        return await closed_loop(count, one, concurrency=CONCURRENCY)
    finally:
        await client.drop_database(db.name)
        await client.close()


async def broker_ceiling(amqp_url: str, count: int) -> float:
    """Messages per second published with confirms and consumed with acks through one quorum
    queue."""
    queue_name = f"bench.ceiling.{uuid.uuid4().hex[:8]}"
    connection = await aio_pika.connect_robust(amqp_url)
    try:
        publishing = await connection.channel(publisher_confirms=True)
        consuming = await connection.channel()
        await consuming.set_qos(prefetch_count=64)
        queue = await consuming.declare_queue(
            queue_name, durable=True, arguments={"x-queue-type": "quorum"}
        )
        done = asyncio.Event()
        consumed = 0

        async def on_message(message: aio_pika.abc.AbstractIncomingMessage) -> None:
            nonlocal consumed
            await message.ack()
            consumed += 1
            if consumed >= count:
                done.set()

        body = ("x" * 1500).encode()
        started = time.perf_counter()
        tag = await queue.consume(on_message)

        async def publish(i: int) -> None:
            await publishing.default_exchange.publish(
                aio_pika.Message(
                    body, delivery_mode=aio_pika.DeliveryMode.PERSISTENT, message_id=str(i)
                ),
                routing_key=queue_name,
                mandatory=True,
            )

        await closed_loop(count, publish, concurrency=CONCURRENCY)
        await asyncio.wait_for(done.wait(), timeout=300)
        rate = count / (time.perf_counter() - started)
        await queue.cancel(tag)
        await queue.delete(if_unused=False, if_empty=False)
        return rate
    finally:
        await connection.close()
