"""The ceiling of a customer lookup: the parts it runs on, measured raw at the same rate in the
same run, so that the gateway's lookup latency is read as a ratio (machines here are noisy).

A lookup through the gateway is one request/reply through RabbitMQ (gateway -> customer
service -> gateway), one read of the customer by id in the customer service's database, and
one durable insert into the access log. Here each is done by itself, one after the other per
request, at the rate the lookups are measured at:
  - a request/reply round trip through the broker with a consumer that answers at once;
  - `find_one` by `_id` in the customer service's customers collection;
  - an insert with the access log's write concern (majority, journaled) into a scratch
    collection.
Their sum per request is what a lookup could cost with no Python of the suite at all.
"""

from __future__ import annotations

import asyncio
import random
import uuid
from typing import Any

import aio_pika
from pymongo import AsyncMongoClient
from pymongo.write_concern import WriteConcern

from bench.load import Latencies, fixed_rate


async def lookup_parts(
    amqp_url: str,
    mongodb_url: str,
    database: str,
    ids: list[str],
    *,
    rate: float,
    duration_s: float,
) -> Latencies:
    rng = random.Random(5)
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongodb_url)
    customers = client[database]["customers"]
    scratch = client[database][f"bench_access_{uuid.uuid4().hex[:6]}"].with_options(
        write_concern=WriteConcern(w="majority", j=True)
    )
    connection = await aio_pika.connect_robust(amqp_url)
    try:
        ask = await _echo(connection)

        async def lookup(_: int) -> bool:
            await ask()
            found = await customers.find_one({"_id": rng.choice(ids)})
            await scratch.insert_one({"customer_id": found["_id"] if found else None})
            return found is not None

        return await fixed_rate(rate, duration_s, lookup)
    finally:
        await connection.close()
        await scratch.drop()
        await client.close()


async def _echo(connection: aio_pika.abc.AbstractRobustConnection) -> Any:
    """A request queue whose consumer answers every request at once, and a function that asks
    it and waits for the answer (an exclusive reply queue, correlation ids)."""
    channel = await connection.channel()
    requests = await channel.declare_queue(exclusive=True, auto_delete=True)
    replies = await channel.declare_queue(exclusive=True, auto_delete=True)
    waiting: dict[str, asyncio.Future[bytes]] = {}

    async def answer(message: aio_pika.abc.AbstractIncomingMessage) -> None:
        await channel.default_exchange.publish(
            aio_pika.Message(message.body, correlation_id=message.correlation_id),
            routing_key=message.reply_to or "",
        )
        await message.ack()

    async def on_reply(message: aio_pika.abc.AbstractIncomingMessage) -> None:
        future = waiting.pop(message.correlation_id or "", None)
        if future is not None and not future.done():
            future.set_result(message.body)

    await requests.consume(answer)
    await replies.consume(on_reply, no_ack=True)

    async def ask() -> bytes:
        correlation_id = uuid.uuid4().hex
        waiting[correlation_id] = asyncio.get_running_loop().create_future()
        await channel.default_exchange.publish(
            aio_pika.Message(
                b'{"type": "customer.get"}', correlation_id=correlation_id, reply_to=replies.name
            ),
            routing_key=requests.name,
        )
        return await asyncio.wait_for(waiting[correlation_id], 30)

    return ask
