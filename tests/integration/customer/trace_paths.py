"""Which project modules one order and one GetCustomer pass through in the running service.

Not a test: a measurement for reviews of the service's structure. It starts the customer
service in this process against the real broker and database (found as the tests find them),
publishes one `customer.upsert_from_order.v1` and, once its `customer.created.v1` is sent, asks
one `customer.get.v1`; a profiler notes every function of `services/` and `shared/` that runs in
between. Run it on any checkout of the suite (its root as the argument, default this one):

    .venv/bin/python -m tests.integration.customer.trace_paths [root]
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import uuid
from collections import Counter
from pathlib import Path
from types import FrameType
from typing import Any

import aio_pika

ROOT = Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()
PROJECT = (str(ROOT / "services"), str(ROOT / "shared"))
POLLS = 400
seen: Counter[str] = Counter()


def _profile(frame: FrameType, event: str, _: Any) -> None:
    name = frame.f_code.co_filename
    if event == "call" and name.startswith(PROJECT):
        seen[str(Path(name).relative_to(ROOT))] += 1


def _taken() -> dict[str, int]:
    sys.setprofile(None)
    modules = dict(sorted(seen.items()))
    seen.clear()
    return modules


async def _trace(amqp_url: str, mongodb_url: str) -> dict[str, dict[str, int]]:
    from pymongo import AsyncMongoClient

    from shared.contracts.customers import GetCustomer
    from shared.contracts.envelope import Actor, ActorType
    from tests.support.orders import upsert

    ns = f"trace{uuid.uuid4().hex[:8]}"
    os.environ.update(
        {
            "SUITE_ENVIRONMENT": "test",
            "AMQP_URL": amqp_url,
            "MONGODB_URL": mongodb_url,
            "BROKER_NAMESPACE": ns,
            "CUSTOMER_DATABASE": f"{ns}_customer",
            "LOG_LEVEL": "WARNING",
        }
    )
    from services.customer.main import create_app

    app = create_app()
    mongo: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongodb_url, tz_aware=True)
    paths: dict[str, dict[str, int]] = {}
    async with app.router.lifespan_context(app), await aio_pika.connect(amqp_url) as connection:
        channel = await connection.channel()
        command = upsert(email="trace@example.com", order_id="t-1")
        commands = await channel.get_exchange(f"{ns}.commands")
        await asyncio.sleep(1.5)  # start-up work (indexes, the first relay round) is not the path
        sys.setprofile(_profile)
        await commands.publish(
            aio_pika.Message(command.model_dump_json().encode(), content_type="application/json"),
            routing_key=command.type,
        )
        sent = None
        for _ in range(POLLS):
            sent = await mongo[f"{ns}_customer"]["outbox"].find_one(
                {"type": "customer.created.v1", "sent_at": {"$ne": None}}
            )
            if sent:
                break
            await asyncio.sleep(0.05)
        paths["upsert_from_order"] = _taken()
        assert sent is not None, "the order made no customer"

        replies = await channel.declare_queue(exclusive=True)
        request = GetCustomer(
            customer_id=sent["body"]["customer"]["customer_id"],
            actor=Actor(type=ActorType.API, id="trace"),
        )
        sys.setprofile(_profile)
        await channel.default_exchange.publish(
            aio_pika.Message(
                request.model_dump_json().encode(),
                content_type="application/json",
                reply_to=replies.name,
                correlation_id=request.message_id,
            ),
            routing_key=f"{ns}.customer.rpc",
        )
        reply = None
        for _ in range(POLLS):
            reply = await replies.get(fail=False)
            if reply:
                break
            await asyncio.sleep(0.02)
        paths["get_customer"] = _taken()
        assert reply is not None, "no reply"
    await mongo.drop_database(f"{ns}_customer")
    await mongo.close()
    return paths


def main() -> None:
    sys.path.insert(0, str(ROOT))
    from tests.support.infrastructure import infrastructure

    with infrastructure() as found:
        paths = asyncio.run(_trace(found.amqp_url, found.mongodb_url))
    for path, modules in paths.items():
        service = [m for m in modules if m.startswith("services/")]
        print(f"{path}: {len(modules)} modules ({len(service)} of the service)", file=sys.stderr)
    print(json.dumps(paths, indent=1))


if __name__ == "__main__":
    main()
