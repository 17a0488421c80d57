"""Shopify's mandatory privacy webhooks end to end: signed at ingest, confirmed by RabbitMQ, acted
on by the customer service; the same delivery twice changes nothing the second time."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.conftest import Namespace, Suite, suite_of
from tests.integration.ingest.channels import (
    SHOPIFY_SHOP,
    configure_channels,
    key_of,
    shopify_delivery,
)
from tests.integration.test_ingest_availability import through
from tests.support.broker import Tap, tap
from tests.support.orders import order_json
from tests.support.proxy import cuttable_proxy
from tests.support.waiting import eventually

WOO = ("woocommerce", "siop.example.co.uk")
OUTLET = ("shopify", "outlet.myshopify.com")


@pytest.fixture
async def shop_suite(
    namespace: Namespace, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> AsyncIterator[tuple[Suite, Tap]]:
    configure_channels(monkeypatch)
    caplog.set_level(logging.INFO, logger="services.customer")
    caplog.set_level(logging.INFO, logger="shared.unit_of_work")
    async with (
        suite_of(namespace) as suite,
        tap(namespace.infra.amqp_url, namespace.topology.events.name, "customer.#") as events,
    ):
        yield suite, events


async def order(
    suite: Suite,
    email: str,
    account: str | None = None,
    channel: str = "shopify",
    shop: str = SHOPIFY_SHOP,
) -> None:
    placed = order_json(email=email, customer_id=account, channel=channel, shop=shop)
    accepted = await suite.ingest.post(
        "/v1/orders", json=placed, headers={"Authorization": f"Bearer {key_of(channel, shop)}"}
    )
    assert accepted.status_code == 202, accepted.text


async def customer(suite: Suite, email: str) -> dict[str, Any]:
    async def found() -> dict[str, Any] | None:
        page = await suite.gateway.get("/v1/customers", params={"email": email})
        items: list[dict[str, Any]] = page.json()["items"]
        return items[0] if items else None

    result: dict[str, Any] = await eventually(found, what=f"the customer {email}")
    return result


async def webhook(suite: Suite, topic: str, payload: dict[str, Any], delivery: str) -> str:
    body = json.dumps({"shop_id": 954889, "shop_domain": SHOPIFY_SHOP, **payload}).encode()
    sent = await suite.ingest.post(
        "/webhooks/shopify", **shopify_delivery(body, topic=topic, webhook_id=delivery)
    )
    assert sent.status_code == 202, sent.text
    message_id: str = sent.json()["message_id"]
    return message_id


def skipped(caplog: pytest.LogCaptureFixture, message_id: str) -> bool:
    """The customer service recognised a second delivery of this message and changed nothing."""
    return any(
        message_id in r.getMessage() and "processed before" in r.getMessage()
        for r in caplog.records
    )


async def timeline(suite: Suite, customer_id: str, kind: str) -> list[dict[str, Any]]:
    page = await suite.gateway.get(f"/v1/customers/{customer_id}/timeline", params={"kind": kind})
    assert page.status_code == 200, page.text
    items: list[dict[str, Any]] = page.json()["items"]
    return items


async def test_a_data_request_is_recorded_and_the_export_fulfils_it(
    shop_suite: tuple[Suite, Tap], caplog: pytest.LogCaptureFixture
) -> None:
    suite, events = shop_suite
    await order(suite, "anna@example.com", "7001")
    anna = await customer(suite, "anna@example.com")
    request = {
        "orders_requested": [299938],
        "customer": {"id": 7001, "email": "anna@example.com", "phone": "555-625-1199"},
        "data_request": {"id": 9999},
    }
    first = await webhook(suite, "customers/data_request", request, "delivery-1")
    assert await webhook(suite, "customers/data_request", request, "delivery-1") == first
    await eventually(lambda: skipped(caplog, first), what="the second delivery skipped")
    [requested] = await timeline(suite, anna["id"], "data_requested")
    assert requested["source"] == {
        "channel": "shopify",
        "shop": SHOPIFY_SHOP,
        "data_request_id": "9999",
    }
    assert requested["details"] == {"orders_requested": ["299938"]}
    [announced] = await events.wait_for(1, "customer.data_requested.v1")
    assert announced["customer"]["customer_id"] == anna["id"]

    # Nobody the suite knows: announced without a customer, nothing recorded.
    stranger = {**request, "customer": {"id": 1, "email": "x@a.com"}, "data_request": {"id": 1}}
    await webhook(suite, "customers/data_request", stranger, "delivery-2")
    [_, unknown] = await events.wait_for(2, "customer.data_requested.v1")
    assert (unknown["customer"], unknown["request"]["request_id"]) == (None, "1")

    async def exported() -> dict[str, Any] | None:
        # The consent service learns of Anna from the customer service's events.
        answer = await suite.gateway.get(f"/v1/customers/{anna['id']}/export")
        return answer.json() if answer.status_code == 200 else None

    export = await eventually(exported, what="the export")
    assert export["fulfils"] == [{"channel": "shopify", "shop": SHOPIFY_SHOP, "request_id": "9999"}]
    [fulfilled] = await events.wait_for(1, "customer.data_exported.v1")
    assert fulfilled["fulfils"] == export["fulfils"]
    again = (await suite.gateway.get(f"/v1/customers/{anna['id']}/export")).json()
    assert again["fulfils"] == [], "answered by the first export"


async def test_a_redaction_erases_the_person_once(
    shop_suite: tuple[Suite, Tap], caplog: pytest.LogCaptureFixture
) -> None:
    suite, events = shop_suite
    await order(suite, "emil@example.com")  # a guest checkout: no account
    emil = await customer(suite, "emil@example.com")
    redact = {"customer": {"id": 8000, "email": "Emil@Example.com"}, "orders_to_redact": [1]}
    first = await webhook(suite, "customers/redact", redact, "delivery-3")
    [erased] = await events.wait_for(1, "customer.erased.v1")
    assert erased["customer"]["customer_id"] == emil["id"]
    [activity] = await timeline(suite, emil["id"], "erased")
    assert activity["source"] == {"channel": "shopify", "shop": SHOPIFY_SHOP}

    assert await webhook(suite, "customers/redact", redact, "delivery-3") == first
    await eventually(lambda: skipped(caplog, first), what="the second delivery skipped")
    # Nobody to erase: acknowledged, nothing happens.
    nobody = await webhook(
        suite, "customers/redact", {"customer": {"id": 1, "email": "n@example.com"}}, "d-4"
    )
    await eventually(
        lambda: any("names nobody" in r.getMessage() for r in caplog.records),
        what="the empty redaction logged",
    )
    assert nobody != first
    assert len(events.bodies("customer.erased.v1")) == 1


async def test_a_shops_redaction_erases_whom_only_it_knew_and_unlinks_the_rest(
    shop_suite: tuple[Suite, Tap],
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    suite, events = shop_suite
    # Batches of one: the run goes on batch after batch.
    monkeypatch.setattr("services.customer.use_cases.erasure.BATCH", 1)
    await order(suite, "anna@example.com", "7001")
    await order(suite, "bert@example.com", "7002")
    await order(suite, "bert@example.com", "12", channel=WOO[0], shop=WOO[1])
    carla = await suite.gateway.post(
        "/v1/customers", json={"last_name": "Kunz", "emails": [{"address": "carla@example.com"}]}
    )
    assert carla.status_code == 201, carla.text
    await order(suite, "carla@example.com", "7003")
    await order(suite, "dora@example.com", "7004", channel=OUTLET[0], shop=OUTLET[1])
    await order(suite, "emil@example.com")
    shop = f"shopify:{SHOPIFY_SHOP}"

    async def linked(email: str, *channels: str) -> dict[str, Any] | None:
        found = await customer(suite, email)
        return found if set(channels) <= set(found["channels"]) else None

    anna = await customer(suite, "anna@example.com")
    emil = await customer(suite, "emil@example.com")
    await eventually(lambda: linked("bert@example.com", shop, ":".join(WOO)), what="Bert")
    await eventually(lambda: linked("carla@example.com", shop), what="Carla's order")

    first = await webhook(suite, "shop/redact", {}, "delivery-5")
    erased = await events.wait_for(2, "customer.erased.v1", timeout=30)
    assert {e["customer"]["customer_id"] for e in erased} == {anna["id"], emil["id"]}

    async def unlinked(email: str) -> dict[str, Any] | None:
        found = await customer(suite, email)
        return None if shop in found["channels"] else found

    bert = await eventually(lambda: unlinked("bert@example.com"), what="Bert unlinked")
    assert bert["channels"] == [":".join(WOO)]
    assert bert["channel_accounts"] == [f"{':'.join(WOO)}:12"]
    [activity] = await timeline(suite, bert["id"], "shop_data_erased")
    assert activity["source"] == {"channel": "shopify", "shop": SHOPIFY_SHOP}
    assert activity["details"] == {"identities_released": 1}
    carla_now = await eventually(lambda: unlinked("carla@example.com"), what="Carla unlinked")
    assert (carla_now["status"], carla_now["channel_accounts"]) == ("active", [])
    dora = await customer(suite, "dora@example.com")
    assert dora["channel_accounts"] == ["shopify:outlet.myshopify.com:7004"]
    # Bert's account at the shop no longer finds him: his next order there would be news.
    assert (await customer(suite, "bert@example.com"))["stats"]["order_count"] == 2

    assert await webhook(suite, "shop/redact", {}, "delivery-5") == first
    await eventually(lambda: skipped(caplog, first), what="the second delivery skipped")
    assert len(events.bodies("customer.erased.v1")) == 2


async def test_privacy_webhooks_are_signed_named_and_confirmed(
    namespace: Namespace, monkeypatch: pytest.MonkeyPatch
) -> None:
    configure_channels(monkeypatch)
    broker = urlsplit(namespace.infra.amqp_url)
    async with cuttable_proxy(broker.hostname or "127.0.0.1", broker.port or 5672) as proxy:
        monkeypatch.setenv("AMQP_URL", through(namespace.infra.amqp_url, proxy.port))
        async with (
            suite_of(namespace, ("ingest",)) as suite,
            tap(namespace.infra.amqp_url, namespace.topology.commands.name) as commands,
        ):
            body = json.dumps({"shop_id": 1, "shop_domain": SHOPIFY_SHOP}).encode()
            forged = shopify_delivery(body, topic="shop/redact", secret="guessed")
            assert (await suite.ingest.post("/webhooks/shopify", **forged)).status_code == 401
            other = json.dumps({"shop_id": 1, "shop_domain": "x.myshopify.com"}).encode()
            refused = await suite.ingest.post(
                "/webhooks/shopify", **shopify_delivery(other, topic="shop/redact")
            )
            assert refused.status_code == 422
            assert [e["field"] for e in refused.json()["errors"]] == ["shop_domain"]

            await proxy.cut()
            down = await suite.ingest.post(
                "/webhooks/shopify", **shopify_delivery(body, topic="shop/redact")
            )
            assert down.status_code == 503, "no 2xx without RabbitMQ's confirm"
            assert commands.bodies() == []
