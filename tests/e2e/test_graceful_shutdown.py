"""SIGTERM while the customer service is busy: in-flight work finishes or returns to the queue.

Orders keep arriving while the service is told to stop; after a restart every single one of
them has been turned into its customer. Nothing acknowledged is lost, nothing is done twice.
"""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path

import pytest
from pymongo import AsyncMongoClient

from services.customer.settings import CustomerSettings
from shared.broker import make_broker, publish
from shared.mongo import Document
from tests.conftest import Namespace
from tests.support.orders import upsert
from tests.support.processes import service, tail, wait_ready
from tests.support.waiting import eventually
from tools.embedded_mongo import free_port

pytestmark = pytest.mark.e2e
# Well above what the service holds at once (its prefetch: 128 with the default batches). On
# SIGTERM it finishes the batches that run (one per lane) and leaves the rest to the queue; 600
# orders took 80 s and 70 s more to drop their database, with as much proved.
ORDERS = 300


async def test_sigterm_loses_nothing(
    namespace: Namespace, mongo: AsyncMongoClient[Document], tmp_path: Path
) -> None:
    port = free_port()
    env = dict(os.environ) | {"CUSTOMER_PORT": str(port)}
    log = tmp_path / "customer.log"
    db = mongo[namespace.database("customer")]
    commands = [upsert(email=f"buyer{i}@example.com") for i in range(ORDERS)]

    broker = make_broker(CustomerSettings(), service="test", tracer_provider=None)
    await broker.connect()
    try:
        with service("customer", env=env, log=log) as first:
            await asyncio.to_thread(wait_ready, port, process=first.popen, log=log)
            for command in commands:
                await publish(broker, namespace.topology, command)

            async def some_done() -> bool:
                return await db["inbox"].count_documents({}) >= 10

            await eventually(some_done, timeout=60, what="the service to be busy")
            first.signal(signal.SIGTERM)
            # uvicorn shuts down cleanly, then ends by the signal it was sent, as is customary.
            assert await asyncio.to_thread(first.wait, 30) in (0, -signal.SIGTERM), tail(log)
        done_before_restart = await db["inbox"].count_documents({})
        assert done_before_restart < ORDERS, "stopped too late to prove anything"

        with service("customer", env=env, log=log) as second:
            await asyncio.to_thread(wait_ready, port, process=second.popen, log=log)

            async def all_done() -> bool:
                return await db["inbox"].count_documents({}) == ORDERS

            await eventually(all_done, timeout=120, what=f"all {ORDERS} orders")
    finally:
        await broker.stop()
    assert await db["customers"].count_documents({}) == ORDERS
    assert "customer stopped" in log.read_text()
