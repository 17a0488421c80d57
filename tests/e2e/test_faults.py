"""Faults survived at a small scale, each reporting sent, acknowledged, stored, lost, duplicated
and parked orders (the larger version: `make bench-faults`).

- `kill -9` of the customer service twice during a stream;
- the database frozen (SIGSTOP) for 20 s during a stream: the backlog drains promptly after;
- a service started before RabbitMQ and MongoDB are up waits and connects;
- four customer-service instances end in the same state as one.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from pymongo import AsyncMongoClient

from services.customer.settings import CustomerSettings
from shared.broker import make_broker
from shared.mongo import Document
from tests.conftest import Namespace, create_app, running
from tests.integration.test_ingest_availability import through
from tests.support.faults import final_state, measure, order_stream, send_all, wait_stored
from tests.support.infrastructure import Infrastructure
from tests.support.own_database import own_database
from tests.support.processes import Process, service, tail, wait_ready
from tests.support.proxy import CuttableProxy
from tools.embedded_mongo import EmbeddedMongo, free_port

pytestmark = pytest.mark.e2e
# Seconds the database stays frozen; how soon after it thaws work resumes, and the backlog
# (60 orders, ~15 s on a 2-core machine with the embedded database) is drained.
FREEZE_S = 20
DRAIN_WITHIN_S = 60
RESUME_WITHIN_S = 10


def customer_process(env: dict[str, str], log: Path) -> tuple[Process, int]:
    port = free_port()
    return service("customer", env=env | {"CUSTOMER_PORT": str(port)}, log=log), port


async def started(process: Process, port: int, log: Path) -> None:
    process.start()
    await asyncio.to_thread(wait_ready, port, process=process.popen, log=log)


async def test_kill_9_of_the_customer_service_twice_during_a_stream(
    namespace: Namespace, mongo: AsyncMongoClient[Document], tmp_path: Path
) -> None:
    buyers, each = 40, 3
    commands = order_stream(buyers, each, tag="kill")
    db = mongo[namespace.database("customer")]
    log = tmp_path / "customer.log"
    process, port = customer_process(dict(os.environ), log)
    try:
        await started(process, port, log)
        broker = make_broker(CustomerSettings(), service="test", tracer_provider=None)
        await broker.connect()
        try:
            acknowledged = await send_all(broker, namespace.topology, commands)
        finally:
            await broker.stop()
        for share in (3, 3 * 2):
            await wait_stored(db, len(commands) * share // 9, timeout=120)
            process.signal(signal.SIGKILL)
            await asyncio.to_thread(process.wait, 10)
            await started(process, port, log)
        await wait_stored(db, len(commands), timeout=120)
        await asyncio.sleep(1)  # anything processed twice would show now
    finally:
        process.kill_all()
    report = await measure(
        "kill -9 twice",
        db,
        amqp_url=namespace.infra.amqp_url,
        topology=namespace.topology,
        sent=len(commands),
        acknowledged=acknowledged,
        buyers=buyers,
    )
    print(report.line())
    assert (report.lost, report.duplicated, report.parked) == (0, 0, 0), tail(log)
    assert report.acknowledged == report.sent


async def test_a_database_frozen_20_s_during_a_stream_drains_promptly_after(
    infra: Infrastructure, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    buyers, each = 30, 3
    commands = order_stream(buyers, each, tag="freeze")
    log = tmp_path / "customer.log"
    async with own_database(infra, monkeypatch) as database:
        namespace = database.namespace
        client: AsyncMongoClient[Document] = AsyncMongoClient(namespace.infra.mongodb_url)
        db = client[namespace.database("customer")]
        process, port = customer_process(dict(os.environ), log)
        try:
            await started(process, port, log)
            broker = make_broker(CustomerSettings(), service="test", tracer_provider=None)
            await broker.connect()
            try:
                first = len(commands) // 3
                acknowledged = await send_all(broker, namespace.topology, commands[:first])
                await wait_stored(db, first, timeout=60)
                with database.frozen():
                    # Orders keep coming while the database is away: RabbitMQ keeps them.
                    rest = commands[first:]
                    acknowledged += await send_all(broker, namespace.topology, rest)
                    await asyncio.sleep(FREEZE_S)
                # Progress resumes at once after the thaw, not after a long stall.
                resumed = await wait_stored(db, first + 1, timeout=DRAIN_WITHIN_S + 60)
                drained = resumed + await wait_stored(
                    db, len(commands), timeout=DRAIN_WITHIN_S + 60
                )
            finally:
                await broker.stop()
            report = await measure(
                f"database frozen {FREEZE_S} s",
                db,
                amqp_url=namespace.infra.amqp_url,
                topology=namespace.topology,
                sent=len(commands),
                acknowledged=acknowledged,
                buyers=buyers,
            )
        finally:
            process.kill_all()
            await client.close()
    output = log.read_text()
    print(
        f"{report.line()} resumed={resumed:.1f}s drained={drained:.1f}s after the thaw; "
        f"retries={output.count('retrying later')}"
    )
    assert (report.lost, report.duplicated, report.parked) == (0, 0, 0), tail(log)
    assert resumed < RESUME_WITHIN_S, tail(log)
    assert drained < DRAIN_WITHIN_S, tail(log)


async def test_a_service_started_before_rabbitmq_and_mongodb_waits_and_connects(
    namespace: Namespace, tmp_path: Path
) -> None:
    broker_url = urlsplit(namespace.infra.amqp_url)
    proxy = CuttableProxy(broker_url.hostname or "127.0.0.1", broker_url.port or 5672)
    database = EmbeddedMongo(data_dir=tmp_path / "mongo")
    log = tmp_path / "customer.log"
    env = dict(os.environ) | {
        "AMQP_URL": through(namespace.infra.amqp_url, proxy.port),
        "MONGODB_URL": database.url,
    }
    process, port = customer_process(env, log)
    with process, contextlib.ExitStack() as stop:
        await logged(log, "waiting for RabbitMQ", process)
        await proxy.start()
        try:
            await logged(log, "waiting for its database", process)
            await asyncio.to_thread(database.start)
            stop.callback(database.stop)
            started_at = time.monotonic()
            await asyncio.to_thread(wait_ready, port, process=process.popen, log=log, timeout=60)
            connected = time.monotonic() - started_at
        finally:
            await proxy.cut()
    print(f"ready {connected:.1f} s after the database came up")
    assert connected < 15


def says(log: Path, text: str) -> bool:
    return log.exists() and text in log.read_text()


async def logged(log: Path, text: str, process: Process, timeout: float = 60) -> None:
    """Wait until the service's log says `text` (it must still be running then)."""
    deadline = time.monotonic() + timeout
    while not says(log, text):
        assert process.popen is not None
        assert process.popen.poll() is None, tail(log)
        assert time.monotonic() < deadline, f"{text!r} not logged: {tail(log)}"
        await asyncio.sleep(0.2)


async def test_four_customer_instances_end_in_the_same_state_as_one(
    infra: Infrastructure, monkeypatch: pytest.MonkeyPatch
) -> None:
    buyers, each = 15, 4
    commands = order_stream(buyers, each, tag="four")
    states = []
    for instances in (1, 4):
        async with own_database(infra, monkeypatch) as database:
            namespace = database.namespace
            client: AsyncMongoClient[Document] = AsyncMongoClient(namespace.infra.mongodb_url)
            db = client[namespace.database("customer")]
            try:
                async with contextlib.AsyncExitStack() as stack:
                    for _ in range(instances):
                        await stack.enter_async_context(running(create_app("customer")))
                    broker = make_broker(CustomerSettings(), service="test", tracer_provider=None)
                    await broker.connect()
                    try:
                        acknowledged = await send_all(broker, namespace.topology, commands)
                    finally:
                        await broker.stop()
                    await wait_stored(db, len(commands), timeout=180)
                    await asyncio.sleep(1)
                report = await measure(
                    f"{instances} customer instance(s)",
                    db,
                    amqp_url=namespace.infra.amqp_url,
                    topology=namespace.topology,
                    sent=len(commands),
                    acknowledged=acknowledged,
                    buyers=buyers,
                )
                print(report.line())
                assert (report.lost, report.duplicated, report.parked) == (0, 0, 0)
                states.append(await final_state(db))
            finally:
                await client.close()
    one, four = states
    assert four == one
