"""Throughput of the order -> customer path, as ratios against the raw infrastructure.

    make bench                       # or: .venv/bin/python -m bench --orders 1000 --replicas 1 2

Machines here are noisy and the stand-in database is slow, so absolute figures say little. Each
run therefore measures, side by side on the same servers:
  - the ceiling: raw MongoDB transactions shaped like the customer service's (customer, identity
    claim, inbox entry, outbox entry) and raw confirmed RabbitMQ publishes;
  - the suite: orders of distinct new buyers processed by 1..n customer-service processes
    (competing consumers), and orders accepted over HTTP by ingest (202 = confirmed publish);
and prints each suite figure as a fraction of its ceiling. A fresh embedded database is started
per run (it slows down over long runs) unless MONGODB_URL is given.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
from pymongo import AsyncMongoClient

from bench.report import Figure, print_report
from services.customer.settings import CustomerSettings
from shared.broker import make_broker, publish
from shared.contracts.envelope import Actor, ActorType
from shared.contracts.orders import CanonicalOrder, UpsertCustomerFromOrder
from shared.settings import DEV_AMQP_URL
from shared.topology import Topology, declare
from tests.support.broker import delete_namespace
from tests.support.processes import Process, service, tail, wait_ready
from tools.embedded_mongo import EmbeddedMongo, free_port

ROOT = Path(__file__).resolve().parents[1]
ACTOR = Actor(type=ActorType.SYSTEM, id="bench")
CONCURRENCY = 16
FIRST_NAMES = ("Anna", "Ben", "Clara", "Deniz", "Emil", "Fatma", "Greta", "Hugo", "Ida", "Jonas")
LAST_NAMES = ("Schmidt", "Yilmaz", "Nowak", "Rossi", "Berg", "Kaya", "Weber", "Lindqvist")


def order(i: int, run: str) -> dict[str, Any]:
    return {
        "channel": "shopify",
        "shop": "bench.myshopify.com",
        "order_id": f"{run}-{i}",
        "order_number": f"#{i}",
        "placed_at": "2026-11-20T10:00:00Z",
        "updated_at": "2026-11-20T10:00:00Z",
        "status": "processing",
        "currency": "EUR",
        "total": "42.00",
        "line_count": 1,
        # Distinct people: names and addresses that do not look alike, so the measurement is
        # not of duplicate detection proposing thousands of candidates among twins.
        "buyer": {
            "email": f"buyer-{run}-{i}@example.com",
            "first_name": FIRST_NAMES[i % len(FIRST_NAMES)],
            "last_name": f"{LAST_NAMES[i % len(LAST_NAMES)]}-{run}{i:05d}",
        },
        "billing_address": {
            "line1": f"Lindenweg {i % 200 + 1}",
            "postal_code": f"{10000 + i:05d}",
            "city": "Berlin",
            "country_code": "DE",
        },
    }


def progress(what: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {what}", file=sys.stderr, flush=True)


async def rate(
    count: int, work: Callable[[int], Awaitable[None]], concurrency: int = CONCURRENCY
) -> float:
    """Items per second for `count` calls of `work`, `concurrency` at a time."""
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(count):
        queue.put_nowait(i)

    async def worker() -> None:
        while not queue.empty():
            await work(queue.get_nowait())

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return count / (time.perf_counter() - started)


async def mongo_ceiling(url: str, count: int) -> float:
    """Transactions writing what one processed order writes, at the service's concurrency."""
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(url)
    db = client[f"bench_raw_{uuid.uuid4().hex[:6]}"]
    run = uuid.uuid4().hex[:6]

    async def one(i: int) -> None:
        async with client.start_session() as session:

            async def body(s: Any) -> None:
                doc = {
                    "_id": f"c{i}",
                    "number": i,
                    "first_name": "Bench",
                    "emails": [{"address": f"{run}{i}@x"}],
                }
                await db.customers.insert_one(doc, session=s)
                await db.identities.insert_one(
                    {"_id": f"email:{run}{i}@x", "customer_id": f"c{i}"}, session=s
                )
                await db.inbox.insert_one({"_id": f"m{i}"}, session=s)
                await db.outbox.insert_one({"_id": f"e{i}", "body": doc}, session=s)

            await session.with_transaction(body)

    try:
        return await rate(count, one)
    finally:
        await client.drop_database(db.name)
        await client.close()


async def rabbit_ceiling(amqp_url: str, topology: Topology, count: int) -> float:
    settings = CustomerSettings(MONGODB_URL="mongodb://unused", AMQP_URL=amqp_url)
    broker = make_broker(settings, service="bench", tracer_provider=None)
    await broker.connect()
    await declare(broker, topology)
    run = uuid.uuid4().hex[:6]
    commands = [
        UpsertCustomerFromOrder(order=CanonicalOrder.model_validate(order(i, run)), actor=ACTOR)
        for i in range(count)
    ]
    try:
        return await rate(count, lambda i: publish(broker, topology, commands[i]))
    finally:
        await broker.stop()


async def customer_throughput(
    env: dict[str, str], topology: Topology, count: int, replicas: int, workdir: Path
) -> float:
    """Orders of distinct new buyers per second, published first, then consumed by `replicas`."""
    settings = CustomerSettings(MONGODB_URL=env["MONGODB_URL"], AMQP_URL=env["AMQP_URL"])
    run = uuid.uuid4().hex[:6]
    database = f"bench_customer_{run}"
    processes: list[Process] = []
    broker = make_broker(settings, service="bench", tracer_provider=None)
    await broker.connect()
    await declare(broker, topology)
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(env["MONGODB_URL"])
    try:
        commands = [
            UpsertCustomerFromOrder(order=CanonicalOrder.model_validate(order(i, run)), actor=ACTOR)
            for i in range(count)
        ]
        await rate(count, lambda i: publish(broker, topology, commands[i]))
        started = time.perf_counter()
        for n in range(replicas):
            port = free_port()
            process_env = env | {
                "CUSTOMER_PORT": str(port),
                "CUSTOMER_DATABASE": database,
                "LOG_LEVEL": "WARNING",
            }
            process = service(
                "customer", env=process_env, log=workdir / f"customer-{run}-{n}.log"
            ).start()
            processes.append(process)
        inbox = client[database]["inbox"]
        # Other processes do the work: polling their database is the only way to see the end.
        while await inbox.count_documents({}) < count:
            if all(p.popen is not None and p.popen.poll() is not None for p in processes):
                raise RuntimeError(f"every customer process exited: {tail(processes[0].log)}")
            await asyncio.sleep(0.1)
        return count / (time.perf_counter() - started)
    finally:
        for process in processes:
            process.kill_all()
        await broker.stop()
        await client.drop_database(database)
        await client.close()


async def ingest_throughput(env: dict[str, str], count: int, workdir: Path) -> float:
    port = free_port()
    process = service(
        "ingest",
        env=env | {"INGEST_PORT": str(port), "LOG_LEVEL": "WARNING"},
        log=workdir / "ingest.log",
    )
    run = uuid.uuid4().hex[:6]
    with process:
        await asyncio.to_thread(wait_ready, port, process=process.popen)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as http:

            async def post(i: int) -> None:
                response = await http.post("/v1/orders", json=order(i, run))
                response.raise_for_status()

            return await rate(count, post)


async def main(orders: int, replicas: list[int]) -> None:
    amqp_url = os.environ.get("AMQP_URL", DEV_AMQP_URL)
    namespace = f"bench{uuid.uuid4().hex[:6]}"
    topology = Topology(namespace)
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        workdir = Path(tmp)
        embedded = (
            None if os.environ.get("MONGODB_URL") else EmbeddedMongo(data_dir=workdir / "mongo")
        )
        mongodb_url = os.environ.get("MONGODB_URL") or embedded.start()  # type: ignore[union-attr]
        env = dict(os.environ) | {
            "AMQP_URL": amqp_url,
            "MONGODB_URL": mongodb_url,
            "BROKER_NAMESPACE": namespace,
            "PYTHONPATH": str(ROOT),
        }
        try:
            progress("raw MongoDB transactions")
            mongo = await mongo_ceiling(mongodb_url, orders)
            progress("raw RabbitMQ publishes")
            rabbit = await rabbit_ceiling(amqp_url, topology, orders)
            figures = [
                Figure("raw MongoDB: order-shaped transactions", mongo, "txn/s"),
                Figure("raw RabbitMQ: confirmed publishes", rabbit, "msg/s"),
            ]
            for n in replicas:
                progress(f"customer service with {n} process(es)")
                value = await customer_throughput(env, topology, orders, n, workdir)
                figures.append(
                    Figure(
                        f"customer service x{n}: orders processed", value, "orders/s", figures[0]
                    )
                )
            progress("ingest over HTTP")
            value = await ingest_throughput(env, orders, workdir)
            figures.append(
                Figure("ingest: orders accepted over HTTP", value, "orders/s", figures[1])
            )
        finally:
            await delete_namespace(amqp_url, topology)
            if embedded is not None:
                embedded.stop()
    print_report(
        figures, orders=orders, database="SecantusDB (embedded)" if embedded else "MONGODB_URL"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument("--replicas", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    asyncio.run(main(args.orders, args.replicas))
    sys.exit(0)
