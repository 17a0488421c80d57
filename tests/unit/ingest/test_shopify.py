"""Shopify order webhooks -> canonical orders: identity, addresses, status, consent."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from services.ingest.domain.channels import shopify
from services.ingest.domain.channels.reading import Unmappable
from shared.contracts.orders import OrderStatus
from tests.fixtures.channels import payload

SHOP = "Demo-Store.myshopify.com"


def registered() -> Any:
    return payload("shopify", "orders_create_registered")


def signals(order: Any) -> dict[str, tuple[str, str | None, datetime | None]]:
    return {s.purpose: (s.state, s.reported_level, s.decided_at) for s in order.marketing}


def test_a_registered_buyer_maps_identity_addresses_and_the_order() -> None:
    order = shopify.order_from_webhook(registered(), shop=SHOP)

    assert (order.channel, order.shop, order.order_id) == (
        "shopify",
        "demo-store.myshopify.com",
        "5827391029384",
    )
    assert order.order_number == "#1042"
    assert order.placed_at == datetime(2026, 3, 14, 8, 41, 5, tzinfo=UTC)
    assert order.updated_at == datetime(2026, 3, 14, 8, 41, 9, tzinfo=UTC)
    assert (order.currency, order.total, order.line_count) == ("EUR", Decimal("89.70"), 2)
    assert order.status is OrderStatus.PROCESSING
    buyer = order.buyer
    assert buyer.channel_customer_id == "7430019838102"
    assert buyer.email == "Zoe.Mueller@Example.de"
    assert buyer.phone == "+4915112345678"
    assert (buyer.first_name, buyer.last_name) == ("Zoë", "Müller-Łukasiewicz")
    assert buyer.language == "de-DE"
    assert order.billing_address is not None
    assert order.billing_address.line1 == "Schönhauser Allee 112"
    assert order.billing_address.line2 == "Hinterhaus, 3. OG"
    assert order.billing_address.country_code == "DE"
    assert order.shipping_address == order.billing_address


def test_consent_blocks_become_signals_in_shopifys_words() -> None:
    order = shopify.order_from_webhook(registered(), shop=SHOP)
    assert signals(order) == {
        "email": (
            "double_opt_in",
            "confirmed_opt_in",
            datetime(2025, 11, 2, 17, 25, 40, tzinfo=UTC),
        ),
        "sms": ("withdrawn", "unsubscribed", datetime(2026, 1, 9, 11, tzinfo=UTC)),
    }


@pytest.mark.parametrize(
    ("state", "level", "expected"),
    [
        ("subscribed", "single_opt_in", ("single_opt_in", "single_opt_in")),
        ("subscribed", "unknown", ("single_opt_in", "unknown")),
        ("subscribed", None, ("single_opt_in", "subscribed")),
        ("pending", "confirmed_opt_in", ("none", "pending")),
        ("not_subscribed", "single_opt_in", ("none", "not_subscribed")),
        ("unsubscribed", None, ("withdrawn", "unsubscribed")),
    ],
)
def test_each_email_consent_state(state: str, level: str | None, expected: tuple[str, str]) -> None:
    body = registered()
    body["customer"]["email_marketing_consent"] = {
        "state": state,
        "opt_in_level": level,
        "consent_updated_at": None,
    }
    order = shopify.order_from_webhook(body, shop=SHOP)
    assert signals(order)["email"] == (*expected, None)


def test_redacted_consent_says_nothing_and_an_unknown_state_is_refused() -> None:
    body = registered()
    body["customer"]["email_marketing_consent"]["state"] = "redacted"
    assert "email" not in signals(shopify.order_from_webhook(body, shop=SHOP))

    body["customer"]["email_marketing_consent"]["state"] = "maybe"
    with pytest.raises(Unmappable) as refused:
        shopify.order_from_webhook(body, shop=SHOP)
    assert refused.value.errors[0].field == "customer.email_marketing_consent.state"


def test_a_guest_checkout_of_an_older_api_version() -> None:
    """No customer, the legacy checkbox, a country given by name, no shipping, yen."""
    order = shopify.order_from_webhook(payload("shopify", "orders_create_guest"), shop=SHOP)

    assert order.buyer.channel_customer_id is None
    assert order.buyer.email == "kenji.tanaka@example.jp"
    assert order.buyer.phone == "+81 90-1234-5678"
    # Without a customer record, the buyer's name is the billing address's.
    assert (order.buyer.first_name, order.buyer.last_name) == ("健二", "田中")
    assert order.billing_address is not None
    assert order.billing_address.country_code == "JP"
    assert order.shipping_address is None
    assert (order.currency, order.total) == ("JPY", Decimal("12800"))
    assert order.status is OrderStatus.PENDING
    assert signals(order) == {
        "email": (
            "single_opt_in",
            "buyer_accepts_marketing=true",
            datetime(2026, 3, 15, 13, 5, 31, tzinfo=UTC),
        )
    }


def test_an_unticked_checkbox_is_no_consent_not_a_withdrawal() -> None:
    body = payload("shopify", "orders_create_guest")
    body["buyer_accepts_marketing"] = False
    [signal] = shopify.order_from_webhook(body, shop=SHOP).marketing
    assert signal.state == "none"


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"cancelled_at": "2026-03-15T10:00:00+01:00"}, OrderStatus.CANCELLED),
        ({"financial_status": "refunded"}, OrderStatus.REFUNDED),
        ({"financial_status": "voided"}, OrderStatus.CANCELLED),
        ({"financial_status": "authorized"}, OrderStatus.PENDING),
        ({"fulfillment_status": "partial"}, OrderStatus.PROCESSING),
        ({"fulfillment_status": "fulfilled"}, OrderStatus.SHIPPED),
        (
            {"fulfillment_status": "fulfilled", "closed_at": "2026-03-20T10:00:00+01:00"},
            OrderStatus.COMPLETED,
        ),
    ],
)
def test_status(changes: dict[str, Any], expected: OrderStatus) -> None:
    body = registered()
    body.update(changes)
    assert shopify.order_from_webhook(body, shop=SHOP).status is expected


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (
            lambda b: b["billing_address"].update(country_code="Z9", country="Zedland"),
            "billing_address.country_code",
        ),
        (lambda b: b["shipping_address"].update(address1=None), "shipping_address.address1"),
        (lambda b: b.pop("updated_at"), "updated_at"),
        (lambda b: b.update(currency="euro"), "currency"),
        (lambda b: b.update(current_total_price="lots"), "current_total_price"),
        (lambda b: b.update(financial_status="bartered"), "financial_status"),
        (lambda b: b.update(created_at="yesterday", processed_at=None), "created_at"),
        (lambda b: b["customer"].update(first_name="x" * 301), "customer.first_name"),
    ],
)
def test_what_cannot_be_mapped_is_named_in_shopifys_words(change: Any, field: str) -> None:
    body = copy.deepcopy(registered())
    change(body)
    with pytest.raises(Unmappable) as refused:
        shopify.order_from_webhook(body, shop=SHOP)
    assert field in {e.field for e in refused.value.errors}


def test_a_payload_that_is_no_object_is_refused() -> None:
    with pytest.raises(Unmappable) as refused:
        shopify.order_from_webhook([1, 2], shop=SHOP)
    assert refused.value.errors[0].field == "body"


def test_a_two_letter_country_no_standard_knows_is_passed_on_as_given() -> None:
    """The customer service keeps it flagged as unverified: refusing the order would lose it."""
    body = copy.deepcopy(registered())
    body["billing_address"].update(country_code="xx", country="Nowhere")
    placed = shopify.order_from_webhook(body, shop="demo-store.myshopify.com")
    assert placed.billing_address is not None
    assert placed.billing_address.country_code == "XX"
