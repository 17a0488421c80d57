"""The customer service alone, at full load: how fast it processes orders, where its time goes.

    python -m bench.consumer --orders 2000 --batch-size 1     # every order alone (as before)
    python -m bench.consumer --orders 2000 --profile out.html # with a pyinstrument profile

The service starts; then orders of a seeded mix of buyers (30% of them come back) are published
to its work queue as fast as RabbitMQ confirms them, and the time from the first publish to the
last inbox entry is measured. The service runs as its own process, as in production; with
`--profile` under pyinstrument (async-aware: time awaiting the database counts where it is
awaited), which writes the profile when the service stops.
Uses MONGODB_URL/AMQP_URL if set, else an embedded database and the local broker.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from faststream.rabbit import RabbitBroker
from faststream.rabbit.schemas import Channel
from pymongo import AsyncMongoClient

from bench.ceilings import database_ceiling
from bench.mix import CITIES, FIRST_NAMES, STREETS, SYLLABLES
from shared.broker import publish
from shared.contracts.envelope import Actor, ActorType
from shared.contracts.orders import CanonicalOrder, UpsertCustomerFromOrder
from shared.settings import DEV_AMQP_URL
from shared.topology import Topology, declare
from tests.support.broker import delete_namespace
from tests.support.orders import order_json
from tests.support.processes import ROOT, Process, wait_ready
from tools.embedded_mongo import EmbeddedMongo, free_port

REPEAT_SHARE = 0.3


def commands(count: int, seed: int = 11) -> list[UpsertCustomerFromOrder]:
    """Orders of buyers that do not look alike; some buyers come back."""
    rng = random.Random(seed)
    buyers: list[tuple[int, str, str]] = []
    made = []
    for n in range(count):
        if buyers and rng.random() < REPEAT_SHARE:
            number, first, last = rng.choice(buyers)
        else:
            last = "".join(rng.choice(SYLLABLES) for _ in range(3)).capitalize()
            number, first = len(buyers), rng.choice(FIRST_NAMES)
            buyers.append((number, first, last))
        body = order_json(
            email=f"{first.lower()}.{last.lower()}.{seed}.{number}@example.com",
            first_name=first,
            last_name=last,
            customer_id=str(number) if number % 2 else None,
            order_id=f"bench-{n}",
            updated_minutes=n,
        )
        postal_code, city = rng.choice(CITIES)
        body["billing_address"] |= {
            "line1": f"{rng.choice(STREETS)} {rng.randrange(1, 200)}",
            "postal_code": postal_code,
            "city": city,
            "phone": f"030 {rng.randrange(1_000_000, 9_999_999)}",
        }
        made.append(
            UpsertCustomerFromOrder(
                order=CanonicalOrder.model_validate(body),
                actor=Actor(type=ActorType.SYSTEM, id="bench"),
            )
        )
    return made


async def run(
    orders: int,
    batch_size: int,
    mongodb_url: str,
    amqp_url: str,
    *,
    workdir: Path,
    profile: Path | None,
) -> dict[str, Any]:
    namespace = f"prof{uuid.uuid4().hex[:8]}"
    database = f"{namespace}_customer"
    env = dict(os.environ) | {
        "SUITE_ENVIRONMENT": "test",
        "AMQP_URL": amqp_url,
        "MONGODB_URL": mongodb_url,
        "BROKER_NAMESPACE": namespace,
        "CUSTOMER_DATABASE": database,
        "CUSTOMER_ORDER_BATCH_SIZE": str(batch_size),
        "CUSTOMER_PORT": str(free_port()),
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }
    topology = Topology(namespace)
    broker = RabbitBroker(
        amqp_url, default_channel=Channel(publisher_confirms=True, on_return_raises=True)
    )
    await broker.connect()
    await declare(broker, topology)
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongodb_url)
    # Under pyinstrument when asked: the profile is written when the service stops.
    command = [sys.executable, "-m", "services.customer"]
    if profile is not None:
        # Its command line profiles awaits where they are awaited (async mode) by default.
        renderer = "text" if profile.suffix == ".txt" else "html"
        command[1:1] = ["-m", "pyinstrument", "-r", renderer]
        command[-2:-2] = ["-o", str(profile)]
    process = Process(command, env=env, log=workdir / "customer.log")
    stream = commands(orders)
    # The same server's own speed, just before: machines here are noisy, ratios are what count.
    ceiling = await database_ceiling(mongodb_url, 300)
    try:
        with process:
            await asyncio.to_thread(
                wait_ready, int(env["CUSTOMER_PORT"]), process=process.popen, log=process.log
            )
            started = time.perf_counter()
            await asyncio.gather(*(publish(broker, topology, c) for c in stream))
            await _all_processed(client[database]["inbox"], orders)
            elapsed = time.perf_counter() - started
            # Uvicorn raises the stop signal again once it stopped: SIGTERM would then end the
            # process before pyinstrument writes the profile, SIGINT ends it as an interrupt.
            process.signal(signal.SIGTERM if profile is None else signal.SIGINT)
            await asyncio.to_thread(process.wait, 60)
        customers = await client[database]["customers"].count_documents({})
    finally:
        await broker.stop()
        await client.drop_database(database)
        await client.close()
        await delete_namespace(amqp_url, topology)
    return {
        "orders": orders,
        "customers": customers,
        "seconds": elapsed,
        "per_s": orders / elapsed,
        "database_ceiling": ceiling,
    }


async def _all_processed(inbox: Any, count: int) -> None:
    # Polled: the database has no cheap way to say when a count is reached.
    while await inbox.estimated_document_count() < count:  # noqa: ASYNC110
        await asyncio.sleep(0.05)


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.consumer", description=__doc__)
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument("--batch-size", type=int, default=50)
    parser.add_argument("--profile", type=Path, help="write a pyinstrument HTML profile here")
    args = parser.parse_args()
    amqp_url = os.environ.get("AMQP_URL", DEV_AMQP_URL)
    profile = args.profile.resolve() if args.profile else None
    with tempfile.TemporaryDirectory(prefix="bench-consumer-") as tmp:
        embedded = None if os.environ.get("MONGODB_URL") else EmbeddedMongo(data_dir=Path(tmp))
        mongodb_url = embedded.start() if embedded else os.environ["MONGODB_URL"]
        try:
            measured = asyncio.run(
                run(
                    args.orders,
                    args.batch_size,
                    mongodb_url,
                    amqp_url,
                    workdir=Path(tmp),
                    profile=profile,
                )
            )
        finally:
            if embedded:
                embedded.stop()
    print(
        f"{measured['orders']} orders ({measured['customers']} customers), batch size "
        f"{args.batch_size}: {measured['seconds']:.1f} s = {measured['per_s']:.1f} orders/s = "
        f"{measured['per_s'] / measured['database_ceiling']:.0%} of the database ceiling "
        f"({measured['database_ceiling']:.1f} txn/s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
