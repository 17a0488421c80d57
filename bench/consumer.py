"""The customer service alone, in this process, on a queue filled beforehand: where its time goes.

    python -m bench.consumer --orders 2000 --batch-size 1     # every order alone (as before)
    python -m bench.consumer --orders 2000 --profile out.html # with a pyinstrument profile

Orders of a seeded mix of buyers (30% of them come back, some twice in a row) are published to
the customer work queue first; then the service starts and the time to process them all is
measured, from its first message to the last inbox entry. With `--profile`, pyinstrument
records the whole run (async-aware: time awaiting the database counts where it is awaited).
Uses MONGODB_URL/AMQP_URL if set, else an embedded database and the local broker.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from pymongo import AsyncMongoClient

from bench.mix import CITIES, FIRST_NAMES, STREETS, SYLLABLES
from shared.broker import make_broker, publish
from shared.contracts.envelope import Actor, ActorType
from shared.contracts.orders import CanonicalOrder, UpsertCustomerFromOrder
from shared.settings import DEV_AMQP_URL
from shared.topology import Topology, declare
from tests.support.broker import delete_namespace
from tests.support.orders import order_json
from tools.embedded_mongo import EmbeddedMongo

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


async def run(orders: int, batch_size: int, mongodb_url: str, amqp_url: str) -> dict[str, Any]:
    namespace = f"prof{uuid.uuid4().hex[:8]}"
    os.environ |= {
        "SUITE_ENVIRONMENT": "test",
        "AMQP_URL": amqp_url,
        "MONGODB_URL": mongodb_url,
        "BROKER_NAMESPACE": namespace,
        "CUSTOMER_DATABASE": f"{namespace}_customer",
        "CUSTOMER_ORDER_BATCH_SIZE": str(batch_size),
        "LOG_LEVEL": "WARNING",
    }
    from services.customer.main import create_app
    from services.customer.settings import CustomerSettings

    topology = Topology(namespace)
    broker = make_broker(CustomerSettings(), service="bench", tracer_provider=None)
    await broker.connect()
    await declare(broker, topology)
    await asyncio.gather(*(publish(broker, topology, c) for c in commands(orders)))
    await broker.stop()
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongodb_url)
    inbox = client[f"{namespace}_customer"]["inbox"]
    app = create_app()
    try:
        started = time.perf_counter()
        async with app.router.lifespan_context(app):
            await _all_processed(inbox, orders)
            elapsed = time.perf_counter() - started
        customers = await client[f"{namespace}_customer"]["customers"].count_documents({})
    finally:
        await client.drop_database(f"{namespace}_customer")
        await client.close()
        await delete_namespace(amqp_url, topology)
    return {"orders": orders, "customers": customers, "seconds": elapsed, "per_s": orders / elapsed}


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
    with tempfile.TemporaryDirectory(prefix="bench-consumer-") as tmp:
        embedded = None if os.environ.get("MONGODB_URL") else EmbeddedMongo(data_dir=Path(tmp))
        mongodb_url = embedded.start() if embedded else os.environ["MONGODB_URL"]
        try:
            measured = asyncio.run(_measure(args, mongodb_url, amqp_url))
        finally:
            if embedded:
                embedded.stop()
    print(
        f"{measured['orders']} orders ({measured['customers']} customers), batch size "
        f"{args.batch_size}: {measured['seconds']:.1f} s = {measured['per_s']:.1f} orders/s"
    )
    return 0


async def _measure(args: argparse.Namespace, mongodb_url: str, amqp_url: str) -> dict[str, Any]:
    if args.profile is None:
        return await run(args.orders, args.batch_size, mongodb_url, amqp_url)
    from pyinstrument import Profiler

    with Profiler(async_mode="enabled") as profiler:
        measured = await run(args.orders, args.batch_size, mongodb_url, amqp_url)
    args.profile.write_text(profiler.output_html())
    print(profiler.output_text(unicode=False, color=False, show_all=False)[:6000])
    return measured


if __name__ == "__main__":
    sys.exit(main())
