"""What a fault test measures of a stream of orders: sent, acknowledged, stored, lost, duplicated,
parked; shared by the small fault tests (`tests/e2e/test_faults.py`) and the benchmark."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from typing import Any

import aio_pika
from faststream.rabbit import RabbitBroker

from shared.broker import publish
from shared.contracts.orders import UpsertCustomerFromOrder
from shared.topology import Topology
from tests.support.orders import upsert


@dataclass(frozen=True)
class FaultReport:
    scenario: str
    sent: int
    # Confirmed by RabbitMQ: what the suite promised to keep.
    acknowledged: int
    # Orders the customer service holds (one summary per order).
    stored: int
    # Customers beyond one per buyer.
    duplicated: int
    # Messages in the customer service's parking queue.
    parked: int

    @property
    def lost(self) -> int:
        return max(0, self.acknowledged - self.stored)

    def line(self) -> str:
        return (
            f"{self.scenario}: sent={self.sent} acknowledged={self.acknowledged} "
            f"stored={self.stored} lost={self.lost} duplicated={self.duplicated} "
            f"parked={self.parked}"
        )


def order_stream(buyers: int, orders_each: int, *, tag: str) -> list[UpsertCustomerFromOrder]:
    """`orders_each` orders of each of `buyers` buyers, interleaved (buyer 0, 1, ..., 0, 1, ...);
    a buyer's later orders carry a later name, so the final state depends on all of them."""
    return [
        upsert(
            email=f"{tag}-{b}@example.com",
            first_name=f"Name{n}",
            order_id=f"{tag}-{b}-{n}",
            updated_minutes=n,
        )
        for n in range(orders_each)
        for b in range(buyers)
    ]


async def send_all(
    broker: RabbitBroker, topology: Topology, commands: list[UpsertCustomerFromOrder]
) -> int:
    """Publish every command; the number RabbitMQ confirmed."""
    acknowledged = 0
    for command in commands:
        with contextlib.suppress(Exception):
            await publish(broker, topology, command)
            acknowledged += 1
    return acknowledged


async def parked(amqp_url: str, topology: Topology) -> int:
    connection = await aio_pika.connect(amqp_url)
    try:
        channel = await connection.channel()
        queue = await channel.declare_queue(topology.customer.dead_letter_name, passive=True)
        return int(queue.declaration_result.message_count or 0)
    finally:
        await connection.close()


async def measure(
    scenario: str,
    db: Any,
    *,
    amqp_url: str,
    topology: Topology,
    sent: int,
    acknowledged: int,
    buyers: int,
) -> FaultReport:
    customers = await db["customers"].count_documents({})
    return FaultReport(
        scenario=scenario,
        sent=sent,
        acknowledged=acknowledged,
        stored=await db["orders"].count_documents({}),
        duplicated=max(0, customers - buyers),
        parked=await parked(amqp_url, topology),
    )


async def wait_stored(db: Any, count: int, *, timeout: float) -> float:
    """Seconds until the customer service holds `count` orders (raises on timeout)."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    while await db["orders"].count_documents({}) < count:
        if loop.time() - started > timeout:
            stored = await db["orders"].count_documents({})
            raise AssertionError(f"{stored} of {count} orders stored after {timeout:.0f} s")
        await asyncio.sleep(0.2)
    return loop.time() - started


async def final_state(db: Any) -> dict[str, Any]:
    """What a person would compare: each buyer's name, contacts, orders and revenue."""
    state = {}
    async for doc in db["customers"].find({}):
        [email] = [e["address"] for e in doc["emails"]]
        state[email] = (
            doc.get("first_name"),
            doc.get("last_name"),
            sorted(doc.get("phones", [])),
            doc["stats"]["order_count"],
            {k: str(v) for k, v in doc["stats"]["revenue"].items()},
        )
    return state
