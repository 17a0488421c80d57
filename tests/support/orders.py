"""Canonical orders for tests, realistic by default and easy to vary."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

from shared.contracts.envelope import Actor, ActorType
from shared.contracts.orders import CanonicalOrder, UpsertCustomerFromOrder

_numbers = itertools.count(1001)
BASE_TIME = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
# Ingest takes canonical orders only from an integration of their channel and shop: the orders
# below (by default) come from this one, which every test namespace configures.
INTEGRATION_KEY = "test-integration-key-demo-store-0123"
INTEGRATION = {"channel": "shopify", "shop": "demo-store.myshopify.com", "api_key": INTEGRATION_KEY}
INTEGRATION_HEADERS = {"Authorization": f"Bearer {INTEGRATION_KEY}"}


def order_json(
    *,
    email: str | None = "anna.schmidt@example.com",
    first_name: str | None = "Anna",
    last_name: str | None = "Schmidt",
    channel: str = "shopify",
    shop: str = "demo-store.myshopify.com",
    order_id: str | None = None,
    customer_id: str | None = None,
    updated_minutes: int = 0,
    **buyer: Any,
) -> dict[str, Any]:
    number = next(_numbers)
    at = BASE_TIME + timedelta(minutes=updated_minutes)
    return {
        "channel": channel,
        "shop": shop,
        "order_id": order_id or str(5_000_000 + number),
        "order_number": f"#{number}",
        "placed_at": BASE_TIME.isoformat(),
        "updated_at": at.isoformat(),
        "status": "processing",
        "currency": "EUR",
        "total": "59.90",
        "line_count": 2,
        "buyer": {
            "channel_customer_id": customer_id,
            "email": email,
            "first_name": first_name,
            "last_name": last_name,
            **buyer,
        },
        "billing_address": {
            "first_name": first_name,
            "last_name": last_name,
            "line1": "Hauptstraße 5",
            "postal_code": "10115",
            "city": "Berlin",
            "country_code": "DE",
            "phone": "030 901820",
        },
    }


def order(**kwargs: Any) -> CanonicalOrder:
    return CanonicalOrder.model_validate(order_json(**kwargs))


def upsert(message_id: str | None = None, **kwargs: Any) -> UpsertCustomerFromOrder:
    command = UpsertCustomerFromOrder(
        order=order(**kwargs), actor=Actor(type=ActorType.SYSTEM, id="shopify:demo-store")
    )
    return command.with_id(message_id) if message_id else command
