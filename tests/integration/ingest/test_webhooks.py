"""Shopify and WooCommerce webhooks through ingest and the real broker (and customer service)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import pytest
from pymongo import AsyncMongoClient

from services.ingest.domain.orders import order_message_id
from services.ingest.entrypoints.signatures import body_signature
from shared.contracts.orders import CanonicalOrder
from shared.mongo import Document
from tests.conftest import Namespace, Suite, suite_of
from tests.fixtures.channels import raw
from tests.integration.ingest.channels import (
    SHOPIFY_SHOP,
    configure_channels,
    shopify_delivery,
    woocommerce_delivery,
)
from tests.integration.test_ingest_availability import through
from tests.support.broker import Tap, tap
from tests.support.proxy import cuttable_proxy
from tests.support.waiting import eventually

UPSERT = "customer.upsert_from_order.v1"


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    return body


async def published(commands: Tap, suite: Suite, order_id: str) -> list[dict[str, Any]]:
    """The commands for `order_id` published so far, proven complete by a marker order sent
    after them (the broker keeps the order of one connection's publishes)."""
    marker = raw("woocommerce", "order_updated_guest")
    accepted = await suite.ingest.post("/webhooks/woocommerce", **woocommerce_delivery(marker))
    assert accepted.status_code == 202, accepted.text
    await eventually(
        lambda: any(b["order"]["order_id"] == "7312" for b in commands.bodies(UPSERT)),
        what="the marker order",
    )
    return [b for b in commands.bodies(UPSERT) if b["order"]["order_id"] == order_id]


@pytest.fixture
async def ingest(namespace: Namespace, monkeypatch: pytest.MonkeyPatch) -> Any:
    configure_channels(monkeypatch)
    async with (
        suite_of(namespace, ("ingest",)) as suite,
        tap(namespace.infra.amqp_url, namespace.topology.commands.name) as commands,
    ):
        yield suite, commands


async def test_a_signed_shopify_order_is_published_once_confirmed(ingest: Any) -> None:
    suite, commands = ingest
    body = raw("shopify", "orders_create_registered")
    response = await suite.ingest.post("/webhooks/shopify", **shopify_delivery(body))
    assert response.status_code == 202, response.text

    [command] = await commands.wait_for(1, UPSERT)
    order = CanonicalOrder.model_validate(command["order"])
    assert (order.channel, order.shop, order.order_id) == ("shopify", SHOPIFY_SHOP, "5827391029384")
    assert command["message_id"] == response.json()["message_id"] == order_message_id(order)
    # The delivery id leads from the customer's timeline back to the webhook.
    assert command["correlation_id"] == "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043"
    assert command["actor"] == {"type": "system", "id": f"shopify:{SHOPIFY_SHOP}"}
    assert [s["state"] for s in command["order"]["marketing"]] == ["double_opt_in", "withdrawn"]


TAMPERINGS: dict[str, Callable[[dict[str, Any]], object]] = {
    "missing": lambda d: d["headers"].pop("X-Shopify-Hmac-Sha256"),
    "wrong": lambda d: d["headers"].update({"X-Shopify-Hmac-Sha256": "AAAA"}),
    "body changed": lambda d: d.update(content=d["content"] + b" "),
    "unknown shop": lambda d: d["headers"].update({"X-Shopify-Shop-Domain": "x.myshopify.com"}),
    "other secret": lambda d: d["headers"].update(
        {"X-Shopify-Hmac-Sha256": body_signature(b"another-secret", d["content"])}
    ),
}


async def test_an_unsigned_or_missigned_webhook_gets_401_and_publishes_nothing(
    ingest: Any,
) -> None:
    suite, commands = ingest
    for name, tamper in TAMPERINGS.items():
        delivery = shopify_delivery(raw("shopify", "orders_create_registered"))
        tamper(delivery)
        response = await suite.ingest.post("/webhooks/shopify", **delivery)
        refused = problem(response, 401)
        assert "X-Shopify-Hmac-Sha256" in refused["detail"], name
    assert await published(commands, suite, "5827391029384") == []


async def test_an_unmappable_order_names_the_field_and_publishes_nothing(ingest: Any) -> None:
    suite, commands = ingest
    order = json.loads(raw("shopify", "orders_create_registered"))
    order["billing_address"]["country_code"] = "ZZ"
    order["billing_address"]["country"] = "Zedland"
    del order["currency"]
    body = json.dumps(order).encode()
    refused = problem(await suite.ingest.post("/webhooks/shopify", **shopify_delivery(body)), 422)
    assert {e["field"] for e in refused["errors"]} == {"currency"}

    # A country code no standard knows ("ZZ") is no reason to refuse the order: the customer
    # service keeps the address as given, unverified (see the test of unverified values).

    broken = problem(
        await suite.ingest.post("/webhooks/shopify", **shopify_delivery(b'{"id": 5827391029384')),
        400,
    )
    assert broken["errors"][0]["field"] == "body"
    topic = problem(
        await suite.ingest.post(
            "/webhooks/shopify",
            **shopify_delivery(raw("shopify", "orders_create_registered"), topic="carts/update"),
        ),
        422,
    )
    assert topic["errors"][0]["field"] == "X-Shopify-Topic"
    assert await published(commands, suite, "5827391029384") == []


async def test_woocommerce_signed_order_ping_and_forgery(ingest: Any) -> None:
    suite, commands = ingest
    # The unsigned ping WooCommerce sends when a webhook is saved: 200, nothing published.
    ping = await suite.ingest.post(
        "/webhooks/woocommerce",
        content=b"webhook_id=12",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert ping.status_code == 200
    body = raw("woocommerce", "order_created_registered")
    forged = woocommerce_delivery(body, secret="guessed")
    problem(await suite.ingest.post("/webhooks/woocommerce", **forged), 401)
    assert await published(commands, suite, "7311") == []

    accepted = await suite.ingest.post("/webhooks/woocommerce", **woocommerce_delivery(body))
    assert accepted.status_code == 202, accepted.text
    [command] = await published(commands, suite, "7311")
    assert command["correlation_id"] == "2f9a6c0e8b1d4e7fa3c5b9d2e4f6a8c0"
    assert command["order"]["shop"] == "siop.example.co.uk"
    assert command["order"]["marketing"][0]["reported_level"] == (
        "mailchimp_woocommerce_is_subscribed=1"
    )


async def test_broker_down_gives_503_and_the_channel_retries(
    namespace: Namespace, monkeypatch: pytest.MonkeyPatch
) -> None:
    configure_channels(monkeypatch)
    broker = urlsplit(namespace.infra.amqp_url)
    async with cuttable_proxy(broker.hostname or "127.0.0.1", broker.port or 5672) as proxy:
        monkeypatch.setenv("AMQP_URL", through(namespace.infra.amqp_url, proxy.port))
        async with suite_of(namespace, ("ingest",)) as suite:
            await proxy.cut()
            delivery = shopify_delivery(raw("shopify", "orders_create_registered"))
            refused = problem(await suite.ingest.post("/webhooks/shopify", **delivery), 503)
            assert refused["type"] == "urn:problem:broker-unavailable"


async def test_the_same_webhook_twice_changes_nothing_the_second_time(
    namespace: Namespace, monkeypatch: pytest.MonkeyPatch, mongo: AsyncMongoClient[Document]
) -> None:
    """Shopify retries a delivery it got no 2xx for: same order, same state, same message."""
    configure_channels(monkeypatch)
    body = raw("shopify", "orders_create_registered")
    async with (
        suite_of(namespace, ("customer", "ingest", "gateway")) as suite,
        tap(namespace.infra.amqp_url, namespace.topology.events.name) as events,
    ):
        first = await suite.ingest.post("/webhooks/shopify", **shopify_delivery(body))
        assert first.status_code == 202, first.text
        await events.wait_for(1, "customer.created.v1")

        async def the_customer() -> dict[str, Any] | None:
            found = await suite.gateway.get(
                "/v1/customers", params={"email": "zoe.mueller@example.de"}
            )
            items: list[dict[str, Any]] = found.json()["items"]
            return items[0] if items else None

        before = await eventually(the_customer, what="the customer")
        # The retry: a new delivery id (Shopify keeps it per delivery; orders/updated with the
        # same state has another one), same order in the same state.
        retry = await suite.ingest.post(
            "/webhooks/shopify",
            **shopify_delivery(body, topic="orders/updated", webhook_id="a-second-delivery"),
        )
        assert retry.status_code == 202, retry.text
        assert retry.json()["message_id"] == first.json()["message_id"]

        # A later order of someone else, through the same queue: once it is done, so is the retry.
        other = json.loads(raw("shopify", "orders_create_guest"))
        marker = json.dumps(other).encode()
        assert (
            await suite.ingest.post("/webhooks/shopify", **shopify_delivery(marker))
        ).status_code == 202
        await events.wait_for(2, "customer.created.v1")
        await asyncio.sleep(0.3)

        after = await the_customer()
        assert after == before
        assert after is not None
        assert after["version"] == 1
        created = [
            e
            for e in events.bodies("customer.created.v1")
            if e["customer"]["customer_id"] == before["id"]
        ]
        assert len(created) == 1
        assert events.bodies("customer.updated.v1") == []
        customers = suite.db(mongo, "customer")["customers"]
        assert await customers.count_documents({}) == 2


async def test_a_webhook_order_that_names_nobody_is_acknowledged_and_kept_without_a_customer(
    namespace: Namespace, monkeypatch: pytest.MonkeyPatch, mongo: AsyncMongoClient[Document]
) -> None:
    """Channels switch off webhooks that keep failing: the order is taken, kept apart, counted;
    an odd country and a phone that does not parse are kept as given and noted."""
    configure_channels(monkeypatch)
    nobody = json.loads(raw("shopify", "orders_create_guest"))
    nobody["id"] = 9_900_001
    for name in ("email", "contact_email", "phone", "billing_address", "shipping_address"):
        nobody[name] = None
    odd = json.loads(raw("shopify", "orders_create_guest"))
    odd["billing_address"].update(country="Nowhere", country_code="XX", phone="ring twice")
    async with (
        suite_of(namespace, ("customer", "ingest", "gateway")) as suite,
        tap(namespace.infra.amqp_url, namespace.topology.events.name) as events,
    ):
        taken = await suite.ingest.post(
            "/webhooks/shopify", **shopify_delivery(json.dumps(nobody).encode())
        )
        assert taken.status_code == 202, taken.text
        kept = suite.db(mongo, "customer")["orders_without_customer"]
        await eventually(
            lambda: kept.find_one({"order_id": "9900001"}), what="the order kept without customer"
        )
        report = await suite.gateway.get("/v1/reports/repeat-purchase-rate")
        assert report.json()["orders_without_customer"] == 1
        assert await suite.db(mongo, "customer")["customers"].count_documents({}) == 0

        taken = await suite.ingest.post(
            "/webhooks/shopify", **shopify_delivery(json.dumps(odd).encode())
        )
        assert taken.status_code == 202, taken.text
        [created] = await events.wait_for(1, "customer.created.v1")
        customer_id = created["customer"]["customer_id"]
        customer = (await suite.gateway.get(f"/v1/customers/{customer_id}")).json()
        [address] = [a for a in customer["addresses"] if a["country_code"] == "XX"]
        assert address["unverified"] == ["country_code", "phone"]
        assert address["phone"] == "ring twice"
        timeline = (await suite.gateway.get(f"/v1/customers/{customer_id}/timeline")).json()
        notes = [a["details"].get("unverified", {}) for a in timeline["items"]]
        assert any("billing_address.country_code" in n for n in notes)
