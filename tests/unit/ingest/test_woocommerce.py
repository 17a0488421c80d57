"""WooCommerce order webhooks -> canonical orders."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from services.ingest.domain.channels import woocommerce
from services.ingest.domain.channels.reading import Unmappable
from shared.contracts.orders import OrderStatus
from tests.fixtures.channels import payload

SHOP = "siop.example.co.uk"


def registered() -> Any:
    return payload("woocommerce", "order_created_registered")


def test_a_registered_buyer_with_a_newsletter_opt_in() -> None:
    order = woocommerce.order_from_webhook(registered(), shop=SHOP)

    assert (order.channel, order.shop, order.order_id, order.order_number) == (
        "woocommerce",
        SHOP,
        "7311",
        "7311",
    )
    # The *_gmt times, which WooCommerce gives in UTC without an offset.
    assert order.placed_at == datetime(2026, 4, 2, 13, 12, 45, tzinfo=UTC)
    assert order.updated_at == datetime(2026, 4, 2, 13, 12, 47, tzinfo=UTC)
    assert (order.currency, order.total, order.line_count) == ("GBP", Decimal("46.90"), 2)
    assert order.status is OrderStatus.PROCESSING
    assert order.buyer.channel_customer_id == "17"
    assert order.buyer.email == "sian.obriain@example.co.uk"
    assert (order.buyer.first_name, order.buyer.last_name) == ("Siân", "Ó Briain")
    assert order.billing_address is not None
    assert order.billing_address.line2 is None
    assert order.shipping_address is not None
    assert order.shipping_address.company == "Tŷ Coffi Cyf."
    assert order.shipping_address.city == "Abertawe"
    [signal] = order.marketing
    assert (signal.purpose, signal.state, signal.reported_level, signal.decided_at) == (
        "email",
        "single_opt_in",
        "mailchimp_woocommerce_is_subscribed=1",
        order.placed_at,
    )


def test_a_guest_without_addresses_and_without_consent_meta() -> None:
    order = woocommerce.order_from_webhook(payload("woocommerce", "order_updated_guest"), shop=SHOP)
    assert order.buyer.channel_customer_id is None
    assert order.buyer.email == "matheo.lefevre@example.fr"
    assert order.buyer.phone is None
    # Only a country, no street and no city: no postal address to keep.
    assert order.billing_address is None
    assert order.shipping_address is None
    assert order.marketing == ()
    assert order.order_number == "FR-7312"
    assert order.status is OrderStatus.PENDING
    assert order.currency == "EUR"


def test_the_consent_meta_key_is_the_sellers_setting() -> None:
    body = registered()
    body["meta_data"].append({"id": 1, "key": "_newsletter_optin", "value": "no"})
    order = woocommerce.order_from_webhook(
        body, shop=SHOP, consent_meta={"_newsletter_optin": "email"}
    )
    [signal] = order.marketing
    assert (signal.state, signal.reported_level) == ("none", "_newsletter_optin=no")


def test_a_consent_meta_value_that_is_no_yes_or_no_is_named() -> None:
    body = registered()
    body["meta_data"][1]["value"] = "perhaps"
    with pytest.raises(Unmappable) as refused:
        woocommerce.order_from_webhook(body, shop=SHOP)
    assert refused.value.errors[0].field == "meta_data[1].value"


def test_statuses_plugins_add_are_refused_unless_the_seller_maps_them() -> None:
    body = registered()
    body["status"] = "shipped"
    with pytest.raises(Unmappable) as refused:
        woocommerce.order_from_webhook(body, shop=SHOP)
    assert refused.value.errors[0].field == "status"
    order = woocommerce.order_from_webhook(
        body, shop=SHOP, extra_statuses={"shipped": OrderStatus.SHIPPED}
    )
    assert order.status is OrderStatus.SHIPPED


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("completed", OrderStatus.COMPLETED),
        ("refunded", OrderStatus.REFUNDED),
        ("failed", OrderStatus.CANCELLED),
        ("cancelled", OrderStatus.CANCELLED),
    ],
)
def test_status(status: str, expected: OrderStatus) -> None:
    body = registered()
    body["status"] = status
    assert woocommerce.order_from_webhook(body, shop=SHOP).status is expected


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda b: b["billing"].update(country="Atlantis"), "billing.country"),
        (lambda b: b["shipping"].update(city=""), "shipping.city"),
        (lambda b: b.update(total=""), "total"),
        (lambda b: b.update(date_created_gmt="02/04/2026"), "date_created_gmt"),
        (lambda b: b["billing"].update(email="x" * 321), "billing.email"),
    ],
)
def test_what_cannot_be_mapped_is_named(change: Any, field: str) -> None:
    body = registered()
    change(body)
    with pytest.raises(Unmappable) as refused:
        woocommerce.order_from_webhook(body, shop=SHOP)
    assert field in {e.field for e in refused.value.errors}


@pytest.mark.parametrize(
    "source",
    ["https://Siop.Example.co.uk/", "http://siop.example.co.uk", "siop.example.co.uk/"],
)
def test_a_site_is_the_same_shop_with_or_without_https_or_slash(source: str) -> None:
    assert woocommerce.shop_of_source(source) == SHOP
    assert woocommerce.shop_of_source("https://example.com/de/") == "example.com/de"


def test_a_site_is_spelled_as_the_order_contract_spells_a_shop() -> None:
    site = woocommerce.shop_of_source("https://Example.com/DE/")
    assert site == "example.com/de"
    order = woocommerce.order_from_webhook(registered(), shop="Example.com/DE")
    assert order.shop == site
    assert woocommerce.shop_of_source(" https:// ") is None
