"""Broker helpers for tests: a unique namespace per test, taps on exchanges, queue inspection."""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import aio_pika
from aio_pika.abc import AbstractIncomingMessage

from shared.topology import Topology


def unique_namespace() -> str:
    return f"t{uuid.uuid4().hex[:10]}"


async def delete_namespace(amqp_url: str, topology: Topology) -> None:
    """Remove every queue and exchange of a test's namespace (quorum queues stay otherwise)."""
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        for name in topology.queue_names():
            channel = await connection.channel()
            with contextlib.suppress(Exception):
                await channel.queue_delete(name, if_unused=False, if_empty=False)
        for exchange in (topology.commands, topology.events, topology.dead_letters):
            channel = await connection.channel()
            with contextlib.suppress(Exception):
                await channel.exchange_delete(exchange.name)


@dataclass
class Tap:
    """A private queue bound to an exchange: records what was published there."""

    messages: list[tuple[dict[str, Any], AbstractIncomingMessage]] = field(default_factory=list)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)

    def bodies(self, type_name: str | None = None) -> list[dict[str, Any]]:
        return [b for b, _ in self.messages if type_name is None or b.get("type") == type_name]

    async def wait_for(
        self, count: int, type_name: str | None = None, timeout: float = 15
    ) -> list[dict[str, Any]]:
        async def enough() -> list[dict[str, Any]]:
            while len(self.bodies(type_name)) < count:
                self.arrived.clear()
                await self.arrived.wait()
            return self.bodies(type_name)

        return await asyncio.wait_for(enough(), timeout)


@contextlib.asynccontextmanager
async def tap(amqp_url: str, exchange: str, pattern: str = "#") -> AsyncIterator[Tap]:
    connection = await aio_pika.connect_robust(amqp_url)
    async with connection:
        channel = await connection.channel()
        queue = await channel.declare_queue(exclusive=True, auto_delete=True)
        await queue.bind(exchange, routing_key=pattern)
        recorded = Tap()

        async def on_message(message: AbstractIncomingMessage) -> None:
            async with message.process():
                recorded.messages.append((json.loads(message.body), message))
                recorded.arrived.set()

        await queue.consume(on_message)
        yield recorded


async def drain(amqp_url: str, queue: str) -> list[AbstractIncomingMessage]:
    """Take every message now in a queue (e.g. a parking queue) and return them."""
    connection = await aio_pika.connect(amqp_url)
    taken = []
    async with connection:
        channel = await connection.channel()
        q = await channel.get_queue(queue, ensure=False)
        while (message := await q.get(fail=False, no_ack=True)) is not None:
            taken.append(message)
    return taken


async def queue_depth(amqp_url: str, queue: str) -> int:
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel()
        declared = await channel.declare_queue(queue, passive=True)
        return int(declared.declaration_result.message_count or 0)


async def publish_raw(amqp_url: str, exchange: str, routing_key: str, body: Any) -> None:
    """Publish a JSON body as it is, valid or not: what a faulty producer would send."""
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        target = await channel.get_exchange(exchange, ensure=False)
        await target.publish(
            aio_pika.Message(
                json.dumps(body).encode(),
                content_type="application/json",
                message_id=body.get("message_id") if isinstance(body, dict) else None,
                type=routing_key,
            ),
            routing_key=routing_key,
        )
