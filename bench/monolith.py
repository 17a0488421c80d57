"""The monolith baseline: the same orders written straight into the database, with no broker.

One process takes each delivery of the stream as ingest would (the channels' own mapping to a
canonical order, then the upsert command) and hands it to the customer service's order use
case, in batches of 16 and four lanes as the service's work queue does, on the service's own
MongoDB stores: customers, identity claims, orders, timeline, duplicates, inbox and outbox in
one transaction per batch. What it leaves out is what the suite adds around that code: HTTP,
signatures, RabbitMQ (publish with confirms, consume, acknowledge), the events' publishing
(they stay in the outbox, with no broker to take them) and the consent and tasks services.
So the suite's share of it says what being split into services over a broker costs.

It is the one part of the benchmark that runs service code in the benchmark's own process: the
same code the suite runs, wired without the broker (see the import-linter contract's exception).
"""

from __future__ import annotations

import json
import logging
import uuid
from typing import TYPE_CHECKING, Any

from faststream.rabbit import RabbitBroker

from bench.load import closed_loop
from bench.mix import AMAZON_MARKETPLACE, Delivery
from bench.scenarios import Incomplete
from services.customer.entrypoints.work_queue import order_batcher
from services.customer.main import on_database
from services.customer.settings import CustomerSettings
from services.ingest.domain.channels import amazon, shopify, woocommerce
from services.ingest.domain.orders import channel_actor, upsert_command
from services.ingest.settings import IngestSettings
from shared.mongo import make_client
from shared.outbox import Outbox
from shared.topology import Topology

if TYPE_CHECKING:
    from shared.contracts.orders import CanonicalOrder, UpsertCustomerFromOrder

CLIENTS = 16


def canonical(delivery: Delivery) -> CanonicalOrder:
    """The order as ingest maps the delivery (the channel's documented payload)."""
    payload: Any = json.loads(delivery.body)
    if delivery.channel == "shopify":
        return shopify.order_from_webhook(
            payload, shop=delivery.headers["X-Shopify-Shop-Domain"].lower()
        )
    if delivery.channel == "woocommerce":
        defaults = IngestSettings.model_fields
        shop = woocommerce.shop_of_source(delivery.headers["X-WC-Webhook-Source"])
        return woocommerce.order_from_webhook(
            payload,
            shop=shop or "",
            consent_meta=defaults["woocommerce_consent_meta"].get_default(
                call_default_factory=True
            ),
            extra_statuses={},
        )
    return amazon.order_from_api(payload, shop=AMAZON_MARKETPLACE.lower())


def command(delivery: Delivery) -> UpsertCustomerFromOrder:
    order = canonical(delivery)
    return upsert_command(order, actor=channel_actor(order))


async def monolith(mongodb_url: str, deliveries: list[Delivery]) -> dict[str, Any]:
    """Orders per second, 16 submitted at a time, from the first to the last committed; and
    the orders and customers stored, as `bench.scenarios.end_to_end` answers them."""
    settings = CustomerSettings(MONGODB_URL=mongodb_url)
    client = make_client(mongodb_url, app_name="monolith")  # the service's codec options
    db = client[f"bench_monolith_{uuid.uuid4().hex[:6]}"]
    # Never connected: the outbox keeps the events; its attempt to publish them after each
    # commit fails at once and leaves them to a relay that does not run.
    outbox = Outbox(db["outbox"], RabbitBroker(app_id="monolith"), Topology("monolith"))
    logging.getLogger("shared.outbox").setLevel(logging.ERROR)
    cases, indexes = on_database(client, db, outbox, settings)
    batcher = order_batcher(
        cases,
        size=settings.order_batch_size,
        wait_s=settings.order_batch_wait_ms / 1000,
        concurrency=settings.order_batches_at_once,
    )
    try:
        for make_index in indexes:
            await make_index()

        async def submit(i: int) -> None:
            # Mapped as it is submitted: in the suite, ingest's mapping is part of the time too.
            await batcher.submit(command(deliveries[i]))

        rate = await closed_loop(len(deliveries), submit, concurrency=CLIENTS)
        stored = await db["orders"].count_documents({})
        expected = len({d.order_key for d in deliveries})
        if stored != expected:
            raise Incomplete(f"the monolith stored {stored} orders of {expected}")
        customers = await db["customers"].count_documents({})
        return {"orders": stored, "customers": customers, "orders_per_s": rate}
    finally:
        await client.drop_database(db.name)
        await client.close()
