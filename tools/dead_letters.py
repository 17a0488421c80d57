"""Inspect and replay parked messages: `python -m tools.dead_letters list|replay <service>`.

`list --correlation-id <id>` shows only the messages of one flow, e.g. the rows of one bulk
import (its job id) that the customer service could not apply, with the field at fault.

A consumer parks a message it cannot process in `<namespace>.<service>.dlq`, with the reason in
its headers. `list` shows them without taking them away; `replay` sends them back to the
service's work queue (not to the exchange: the other consumers already have their copy) with the
attempt counter reset, once the cause is fixed. Messages are only removed from the parking queue
after the replay publish was confirmed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from dataclasses import dataclass
from typing import Any

import aio_pika
from aio_pika.abc import AbstractIncomingMessage

from shared.redelivery import ATTEMPT_HEADER, REASON_HEADER
from shared.settings import DEV_AMQP_URL
from shared.topology import ConsumerQueue, Topology


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


def consumer(topology: Topology, service: str) -> ConsumerQueue:
    for queue in topology.consumers:
        if queue.name == f"{topology.namespace}.{service}":
            return queue
    known = ", ".join(q.name.removeprefix(f"{topology.namespace}.") for q in topology.consumers)
    raise SystemExit(f"unknown service {service!r}; services with a parking queue: {known}")


async def list_parked(
    amqp_url: str, queue: ConsumerQueue, *, limit: int, correlation_id: str | None = None
) -> list[Parked]:
    """Look at up to `limit` parked messages (of one correlation id, if given); they stay
    parked (rejected back unacknowledged)."""
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel()
        parking = await channel.get_queue(queue.dead_letter_name, ensure=False)
        taken: list[AbstractIncomingMessage] = []
        shown: list[Parked] = []
        try:
            # Held unacknowledged, a message is not handed out again: the loop ends at the end
            # of the queue.
            while len(shown) < limit and (message := await parking.get(fail=False)) is not None:
                taken.append(message)
                if correlation_id is None or message.correlation_id == correlation_id:
                    shown.append(Parked.of(message))
            return shown
        finally:
            for message in taken:
                await message.nack(requeue=True)


async def replay(amqp_url: str, queue: ConsumerQueue, *, limit: int) -> int:
    """Move up to `limit` parked messages back into the work queue; returns how many."""
    connection = await aio_pika.connect(amqp_url)
    moved = 0
    async with connection:
        channel = await connection.channel(publisher_confirms=True, on_return_raises=True)
        parking = await channel.get_queue(queue.dead_letter_name, ensure=False)
        while moved < limit and (message := await parking.get(fail=False)) is not None:
            headers = dict(message.headers or {})
            headers[ATTEMPT_HEADER] = 1
            headers["x-replayed-from"] = queue.dead_letter_name
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
            moved += 1
    return moved


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.dead_letters", description=__doc__)
    parser.add_argument("action", choices=["list", "replay"])
    parser.add_argument("service", help="the consuming service, e.g. customer")
    parser.add_argument("--limit", type=int, default=100)
    parser.add_argument("--correlation-id", help="list only these messages (e.g. an import id)")
    parser.add_argument("--namespace", default=os.environ.get("BROKER_NAMESPACE", "crm"))
    args = parser.parse_args(argv)
    amqp_url = os.environ.get("AMQP_URL", DEV_AMQP_URL)
    queue = consumer(Topology(args.namespace), args.service)
    if args.action == "list":
        parked = asyncio.run(
            list_parked(amqp_url, queue, limit=args.limit, correlation_id=args.correlation_id)
        )
        for item in parked:
            print(json.dumps(item.__dict__, ensure_ascii=False))
        print(
            f"{len(parked)} parked message(s) shown from {queue.dead_letter_name}", file=sys.stderr
        )
    else:
        moved = asyncio.run(replay(amqp_url, queue, limit=args.limit))
        print(f"replayed {moved} message(s) into {queue.name}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
