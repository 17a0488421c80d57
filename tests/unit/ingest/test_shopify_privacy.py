"""Shopify's mandatory privacy webhooks as the suite's GDPR commands (payloads as Shopify
documents them for privacy law compliance)."""

from __future__ import annotations

from typing import Any

import pytest

from services.ingest.domain.channels.reading import Unmappable
from services.ingest.domain.channels.shopify_privacy import privacy_command
from shared.contracts.envelope import Actor, ActorType
from shared.contracts.privacy import (
    DataRequest,
    EraseChannelCustomer,
    EraseShop,
    RecordDataRequest,
)

SHOP = "demo-store.myshopify.com"


def data_request(**changes: Any) -> dict[str, Any]:
    return {
        "shop_id": 954889,
        "shop_domain": SHOP,
        "orders_requested": [299938, 280263, 220458],
        "customer": {"id": 191167, "email": "john@example.com", "phone": "555-625-1199"},
        "data_request": {"id": 9999},
        **changes,
    }


def redact(**changes: Any) -> dict[str, Any]:
    return {
        "shop_id": 954889,
        "shop_domain": SHOP,
        "customer": {"id": 191167, "email": "john@example.com", "phone": "555-625-1199"},
        "orders_to_redact": [299938, 280263, 220458],
        **changes,
    }


def command(topic: str, payload: Any, delivery: str = "event-1") -> Any:
    return privacy_command(topic, payload, shop=SHOP, delivery=delivery, correlation_id="hook-1")


def test_a_data_request_is_recorded_by_shopifys_id_for_it() -> None:
    recorded = command("customers/data_request", data_request())
    assert isinstance(recorded, RecordDataRequest)
    assert recorded.request == DataRequest(channel="shopify", shop=SHOP, request_id="9999")
    assert (recorded.channel_customer_id, recorded.email) == ("191167", "john@example.com")
    assert recorded.orders_requested == ("299938", "280263", "220458")
    assert recorded.actor == Actor(type=ActorType.SYSTEM, id=f"shopify:{SHOP}")
    assert recorded.correlation_id == "hook-1"
    # A retry is another delivery of the same request: the same message.
    assert command("customers/data_request", data_request(), "event-2").message_id == (
        recorded.message_id
    )
    other = command("customers/data_request", data_request(data_request={"id": 10000}))
    assert other.message_id != recorded.message_id


def test_a_redaction_erases_the_person_named_by_account_email_or_orders() -> None:
    erase = command("customers/redact", redact())
    assert isinstance(erase, EraseChannelCustomer)
    assert (erase.channel, erase.shop) == ("shopify", SHOP)
    assert (erase.channel_customer_id, erase.email) == ("191167", "john@example.com")
    assert erase.order_ids == ("299938", "280263", "220458")
    assert command("customers/redact", redact()).message_id == erase.message_id
    assert command("customers/redact", redact(), "event-2").message_id != erase.message_id
    guest = command("customers/redact", redact(customer={"id": None, "email": "g@example.com"}))
    assert (guest.channel_customer_id, guest.email) == (None, "g@example.com")


def test_a_shops_redaction_starts_a_run_named_after_itself() -> None:
    erase = command("shop/redact", {"shop_id": 954889, "shop_domain": SHOP})
    assert isinstance(erase, EraseShop)
    assert (erase.channel, erase.shop, erase.cursor) == ("shopify", SHOP, None)
    assert erase.run_id == erase.message_id


@pytest.mark.parametrize(
    ("topic", "payload", "field"),
    [
        ("shop/redact", {"shop_id": 1, "shop_domain": "other.myshopify.com"}, "shop_domain"),
        ("shop/redact", {"shop_id": 1}, "shop_domain"),
        ("customers/redact", redact(customer={"id": None, "email": ""}), "customer"),
        ("customers/redact", redact(customer=None), "customer"),
        ("customers/redact", redact(orders_to_redact=[1, {"id": 2}]), "orders_to_redact[1]"),
        ("customers/redact", redact(orders_to_redact="1,2"), "orders_to_redact"),
        ("customers/data_request", data_request(data_request={}), "data_request.id"),
        (
            "customers/data_request",
            data_request(customer={"id": 1, "email": "x" * 330 + "@example.com"}),
            "customer.email",
        ),
        ("customers/redact", [], "body"),
    ],
)
def test_what_cannot_be_taken_names_the_field(topic: str, payload: Any, field: str) -> None:
    with pytest.raises(Unmappable) as refused:
        command(topic, payload)
    assert [e.field for e in refused.value.errors] == [field]
