"""Point 1: 200 orders of one new buyer, consumed concurrently by 4 customer service processes,
make exactly one customer with exactly one identity claim, and every order is counted."""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from pathlib import Path
from typing import Any

import aio_pika
import pytest
from pymongo import AsyncMongoClient
from pymongo.errors import DuplicateKeyError

from services.customer.adapters.identities import MongoIdentities
from services.customer.domain.identities import Identifier, IdentifierKind
from shared.mongo import Document, in_transaction
from tests.conftest import Namespace
from tests.integration.customer.conftest import Producer
from tests.support.broker import queue_depth
from tests.support.orders import upsert
from tests.support.processes import Process, service, wait_ready
from tests.support.waiting import eventually
from tools.embedded_mongo import free_port

INSTANCES = 4
ORDERS = 200


async def consumers_on(namespace: Namespace, queue: str) -> int:
    connection = await aio_pika.connect(namespace.infra.amqp_url)
    async with connection:
        channel = await connection.channel()
        declared = await channel.declare_queue(queue, passive=True)
        return int(declared.declaration_result.consumer_count or 0)


async def test_two_hundred_orders_of_one_new_buyer_on_four_instances_make_one_customer(
    namespace: Namespace,
    producer: Producer,
    mongo: AsyncMongoClient[Document],
    tmp_path: Path,
) -> None:
    db = mongo[namespace.database("customer")]
    env = {**os.environ, **namespace.env(), "LOG_LEVEL": "WARNING"}
    with contextlib.ExitStack() as stack:
        # Each process is killed when the block ends, whatever happens inside it.
        instances: list[tuple[Process, int, Path]] = []
        for index in range(INSTANCES):
            port, log = free_port(), tmp_path / f"customer-{index}.log"
            process = service("customer", env=env | {"CUSTOMER_PORT": str(port)}, log=log)
            instances.append((stack.enter_context(process), port, log))
        for process, port, log in instances:
            await asyncio.to_thread(wait_ready, port, process=process.popen, log=log)
        queue = namespace.topology.customer.name
        assert await consumers_on(namespace, queue) == INSTANCES

        orders = [
            upsert(email="Race.Winner@Example.com", order_id=f"race-{n}", updated_minutes=n)
            for n in range(ORDERS)
        ]
        started = time.monotonic()
        await asyncio.gather(*(producer.send(command) for command in orders))

        async def all_counted() -> Any:
            return (
                await db["orders"].count_documents({}) == ORDERS
                and await queue_depth(namespace.infra.amqp_url, queue) == 0
            )

        await eventually(all_counted, timeout=180, interval=0.5, what="all orders recorded")
        elapsed = time.monotonic() - started

    customers = [doc async for doc in db["customers"].find({})]
    identities = [doc async for doc in db["identities"].find({})]
    assert len(customers) == 1, [c["_id"] for c in customers]
    assert [i["_id"] for i in identities] == ["email:race.winner@example.com"]
    assert identities[0]["customer_id"] == customers[0]["_id"]
    assert customers[0]["stats"]["order_count"] == ORDERS
    assert await db["orders"].count_documents({"customer_id": customers[0]["_id"]}) == ORDERS
    assert (
        await queue_depth(namespace.infra.amqp_url, namespace.topology.customer.dead_letter_name)
        == 0
    )
    # Newer channel data wins whatever the order of processing: the newest order's time.
    assert customers[0]["provenance"]["first_name"]["source"].endswith(f":race-{ORDERS - 1}")
    print(f"\n{ORDERS} orders of one buyer on {INSTANCES} instances: {elapsed:.1f}s")


async def test_an_identity_claimed_by_one_customer_cannot_be_claimed_by_another(
    namespace: Namespace, mongo: AsyncMongoClient[Document]
) -> None:
    """The unique key itself, without help from transaction conflicts.

    The stand-in database makes concurrent transactions on one collection conflict, which
    serialises creations by itself (the race test above passes there even without a unique
    key). Real MongoDB detects conflicts per document: two transactions inserting claims under
    different document ids would both commit. The identity's key being the document id is
    what stops the second claim there, and this proves it.
    """
    store = MongoIdentities(mongo[namespace.database("customer")])
    email = Identifier(IdentifierKind.EMAIL, "claimed@example.com")
    await in_transaction(mongo, lambda session: store.claim([email], "first", session=session))
    # One transaction, no runner around it: the runner would retry the lost race and give up.
    async with mongo.start_session() as session:
        with pytest.raises(DuplicateKeyError):
            await session.with_transaction(lambda s: store.claim([email], "second", session=s))
    owners = await in_transaction(mongo, lambda session: store.owners([email.key], session=session))
    assert owners == {email.key: "first"}
