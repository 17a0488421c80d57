"""Parked messages: looked at without being taken away, and replayed once their cause is fixed.

A consumer parks a message it cannot process in `<namespace>.<service>.dlq`, with the reason in
its headers. Looking holds each message unacknowledged and hands it back (so the look ends at
the end of the queue). A replay sends a message back to the service's work queue (not to the
exchange: the other consumers already have their copy) with the attempt counter reset, and
removes it from the parking queue only after that publish was confirmed. Both the operator's
command line (`tools.dead_letters`) and the gateway (API and console) use these.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractIncomingMessage, AbstractQueue

from shared.redelivery import ATTEMPT_HEADER, REASON_HEADER
from shared.topology import ConsumerQueue, Topology

REPLAYED_HEADER = "x-replayed-from"


@dataclass(frozen=True)
class Parked:
    message_id: str | None
    correlation_id: str | None
    message_type: str | None
    reason: str | None
    headers: dict[str, Any]
    body: str

    @classmethod
    def of(cls, message: AbstractIncomingMessage) -> Parked:
        headers = dict(message.headers or {})
        return cls(
            message_id=message.message_id,
            correlation_id=message.correlation_id,
            message_type=message.type,
            reason=str(headers.get(REASON_HEADER)) if REASON_HEADER in headers else None,
            headers={k: _plain(v) for k, v in headers.items()},
            body=message.body.decode("utf-8", errors="replace"),
        )


def _plain(value: Any) -> Any:
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value if isinstance(value, str | int | float | bool | type(None)) else str(value)


class UnknownConsumer(LookupError):
    def __init__(self, service: str, known: tuple[str, ...]) -> None:
        names = ", ".join(known)
        super().__init__(f"unknown service {service!r}; services with a parking queue: {names}")
        self.service = service
        self.known = known


def services_of(topology: Topology) -> tuple[str, ...]:
    """The services that park messages."""
    return tuple(q.name.removeprefix(f"{topology.namespace}.") for q in topology.consumers)


def consumer(topology: Topology, service: str) -> ConsumerQueue:
    for queue in topology.consumers:
        if queue.name == f"{topology.namespace}.{service}":
            return queue
    raise UnknownConsumer(service, services_of(topology))


async def _looked_at(
    parking: AbstractQueue, limit: int, wanted: Callable[[AbstractIncomingMessage], bool]
) -> tuple[list[AbstractIncomingMessage], list[AbstractIncomingMessage]]:
    """Messages taken (held unacknowledged: not handed out again, so the loop ends at the end
    of the queue) and, of them, up to `limit` wanted ones."""
    taken: list[AbstractIncomingMessage] = []
    found: list[AbstractIncomingMessage] = []
    while len(found) < limit and (message := await parking.get(fail=False)) is not None:
        taken.append(message)
        if wanted(message):
            found.append(message)
    return taken, found


async def list_parked(
    amqp_url: str,
    queue: ConsumerQueue,
    *,
    limit: int,
    correlation_id: str | None = None,
    message_id: str | None = None,
) -> list[Parked]:
    """Look at up to `limit` parked messages (of one correlation id, or the one message id, if
    given); they stay parked."""

    def wanted(message: AbstractIncomingMessage) -> bool:
        return (correlation_id is None or message.correlation_id == correlation_id) and (
            message_id is None or message.message_id == message_id
        )

    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel()
        parking = await channel.get_queue(queue.dead_letter_name, ensure=False)
        taken: list[AbstractIncomingMessage] = []
        try:
            taken, found = await _looked_at(parking, limit, wanted)
            return [Parked.of(m) for m in found]
        finally:
            for message in taken:
                await message.nack(requeue=True)


async def _send_back(
    channel: AbstractChannel, queue: ConsumerQueue, message: AbstractIncomingMessage
) -> None:
    headers = dict(message.headers or {})
    headers[ATTEMPT_HEADER] = 1
    headers[REPLAYED_HEADER] = queue.dead_letter_name
    await channel.default_exchange.publish(
        aio_pika.Message(
            body=message.body,
            headers=headers,
            content_type=message.content_type,
            message_id=message.message_id,
            correlation_id=message.correlation_id,
            type=message.type,
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
        ),
        routing_key=queue.name,
        mandatory=True,
    )
    await message.ack()


async def replay(amqp_url: str, queue: ConsumerQueue, *, limit: int) -> int:
    """Move up to `limit` parked messages back into the work queue; returns how many."""
    connection = await aio_pika.connect(amqp_url)
    moved = 0
    async with connection:
        channel = await connection.channel(publisher_confirms=True, on_return_raises=True)
        parking = await channel.get_queue(queue.dead_letter_name, ensure=False)
        while moved < limit and (message := await parking.get(fail=False)) is not None:
            await _send_back(channel, queue, message)
            moved += 1
    return moved


async def replay_one(amqp_url: str, queue: ConsumerQueue, message_id: str) -> bool:
    """Move the parked message of this id back into the work queue; False when none is parked
    (replayed already, say). The others stay parked."""
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True, on_return_raises=True)
        parking = await channel.get_queue(queue.dead_letter_name, ensure=False)
        taken: list[AbstractIncomingMessage] = []
        try:
            taken, found = await _looked_at(parking, 1, lambda m: m.message_id == message_id)
            for message in found:
                await _send_back(channel, queue, message)
            return bool(found)
        finally:
            for message in taken:
                if message.message_id != message_id:
                    await message.nack(requeue=True)
