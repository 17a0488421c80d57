"""Adobe Commerce, Amazon and eBay orders (pulled by integrations) -> canonical orders."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from services.ingest.domain.channels import adobe_commerce, amazon, ebay
from services.ingest.domain.channels.reading import Unmappable
from shared.contracts.orders import OrderStatus
from tests.fixtures.channels import payload


def refused_fields(adapt: Any, body: Any, shop: str = "s") -> set[str]:
    with pytest.raises(Unmappable) as refused:
        adapt(body, shop=shop)
    return {e.field for e in refused.value.errors}


# --- Adobe Commerce ---------------------------------------------------------------------------


def test_adobe_commerce_registered_order() -> None:
    order = adobe_commerce.order_from_entity(
        payload("adobe_commerce", "order_registered"), shop="shop.example.ch"
    )
    assert (order.order_id, order.order_number, order.shop) == (
        "1102",
        "000001102",
        "shop.example.ch",
    )
    assert order.placed_at == datetime(2026, 2, 27, 16, 45, 12, tzinfo=UTC)
    assert order.updated_at == datetime(2026, 2, 27, 17, 2, 40, tzinfo=UTC)
    assert (order.currency, order.total, order.status) == (
        "CHF",
        Decimal("189.4"),
        OrderStatus.PROCESSING,
    )
    # The configurable jacket is one line although Adobe Commerce lists parent and child.
    assert order.line_count == 2
    assert order.buyer.channel_customer_id == "88"
    assert (order.buyer.first_name, order.buyer.last_name) == ("Jürg", "Bärtschi")
    assert order.buyer.phone == "+41 44 123 45 67"
    assert order.billing_address is not None
    assert (order.billing_address.line1, order.billing_address.line2) == (
        "Langstrasse 21",
        "c/o Atelier Süd",
    )
    assert order.shipping_address is not None
    assert (order.shipping_address.city, order.shipping_address.company) == (
        "Bern",
        "Atelier Süd GmbH",
    )
    assert order.marketing == ()


def test_adobe_commerce_guest_with_a_virtual_order() -> None:
    order = adobe_commerce.order_from_entity(
        payload("adobe_commerce", "order_guest_virtual"), shop="s"
    )
    assert order.buyer.channel_customer_id is None
    assert order.buyer.email == "river.oconnor@example.com"
    assert (order.buyer.first_name, order.buyer.last_name) == ("River", "O'Connor")
    assert order.shipping_address is None
    assert order.status is OrderStatus.PENDING
    assert (order.currency, order.total) == ("USD", Decimal("25"))


def test_adobe_commerce_guest_order_keeps_no_account_id() -> None:
    body = payload("adobe_commerce", "order_guest_virtual")
    body["customer_id"] = 501
    assert adobe_commerce.order_from_entity(body, shop="s").buyer.channel_customer_id is None


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        ("complete", OrderStatus.COMPLETED),
        ("closed", OrderStatus.REFUNDED),
        ("canceled", OrderStatus.CANCELLED),
        ("holded", OrderStatus.PENDING),
    ],
)
def test_adobe_commerce_states(state: str, expected: OrderStatus) -> None:
    body = payload("adobe_commerce", "order_registered")
    body["state"] = state
    assert adobe_commerce.order_from_entity(body, shop="s").status is expected


def test_adobe_commerce_errors_name_its_fields() -> None:
    body = payload("adobe_commerce", "order_registered")
    body["billing_address"]["country_id"] = "Narnia"
    body["extension_attributes"]["shipping_assignments"][0]["shipping"]["address"]["city"] = ""
    assert refused_fields(adobe_commerce.order_from_entity, body) == {"billing_address.country_id"}
    body["billing_address"]["country_id"] = "CH"
    assert refused_fields(adobe_commerce.order_from_entity, body) == {
        "extension_attributes.shipping_assignments[0].shipping.address.city"
    }
    body = payload("adobe_commerce", "order_registered")
    body["state"] = "teleported"
    assert refused_fields(adobe_commerce.order_from_entity, body) == {"state"}


# --- Amazon -----------------------------------------------------------------------------------


def test_amazon_shipped_order_with_its_items() -> None:
    order = amazon.order_from_api(payload("amazon", "order_shipped"), shop="seller-eu")
    assert (order.order_id, order.order_number, order.shop) == (
        "302-8183041-6612345",
        "302-8183041-6612345",
        "seller-eu",
    )
    assert order.updated_at == datetime(2026, 3, 21, 7, 15, 42, tzinfo=UTC)
    assert (order.currency, order.total, order.line_count, order.status) == (
        "EUR",
        Decimal("47.80"),
        2,
        OrderStatus.SHIPPED,
    )
    # The masked relay address is the buyer's identity within Amazon.
    assert order.buyer.email == "9fk2lq0x7mzt3vb@marketplace.amazon.de"
    assert order.buyer.channel_customer_id is None
    assert (order.buyer.first_name, order.buyer.last_name) == ("Jörg", "Weiß")
    assert order.shipping_address is not None
    assert order.shipping_address.city == "München"
    assert order.billing_address is None
    assert order.marketing == ()


def test_amazon_order_without_total_sums_its_items_and_without_items_counts_units() -> None:
    body = payload("amazon", "order_shipped")
    del body["Order"]["OrderTotal"]
    order = amazon.order_from_api(body, shop="s")
    assert (order.currency, order.total) == ("EUR", Decimal("47.80"))

    body = payload("amazon", "order_shipped")
    del body["OrderItems"]
    assert amazon.order_from_api(body, shop="s").line_count == 3


def amazon_refusal(body: Any) -> str:
    with pytest.raises(Unmappable) as refused:
        amazon.order_from_api(body, shop="s")
    [error] = refused.value.errors
    assert error.field == "Order.BuyerInfo.BuyerEmail"
    return error.message


def test_amazon_pending_order_names_no_buyer_and_is_refused_until_released() -> None:
    assert "once the order is no longer Pending" in amazon_refusal(
        payload("amazon", "order_pending")
    )


def test_an_unshipped_amazon_order_without_buyer_was_fetched_without_buyer_data() -> None:
    """Amazon shows the buyer of an Unshipped order only to a caller with a Restricted Data
    Token; "no longer Pending" would send the integration waiting for nothing."""
    body = payload("amazon", "order_pending")
    body["Order"]["OrderStatus"] = "Unshipped"
    message = amazon_refusal(body)
    assert "Pending" not in message
    assert "Restricted Data Token" in message


def test_the_marketplace_of_an_amazon_order_is_read_and_required() -> None:
    assert amazon.marketplace_of(payload("amazon", "order_shipped")) == "A1PA6795UKMFR9"
    body = payload("amazon", "order_shipped")
    del body["Order"]["MarketplaceId"]
    assert refused_fields(lambda b, shop: amazon.marketplace_of(b), body) == {"Order.MarketplaceId"}


def test_amazon_errors_name_its_fields() -> None:
    body = payload("amazon", "order_shipped")
    body["Order"]["ShippingAddress"]["CountryCode"] = "DEU"
    # An alpha-3 code is still a country.
    assert amazon.order_from_api(body, shop="s").shipping_address.country_code == "DE"  # type: ignore[union-attr]
    body["Order"]["OrderStatus"] = "Lost"
    body["Order"]["OrderTotal"]["CurrencyCode"] = "€"
    assert "Order.OrderStatus" in refused_fields(amazon.order_from_api, body)
    body["Order"]["OrderStatus"] = "Shipped"
    assert refused_fields(amazon.order_from_api, body) == {"Order.OrderTotal.CurrencyCode"}
    assert refused_fields(amazon.order_from_api, {"OrderItems": []}) == {"Order"}


# --- eBay -------------------------------------------------------------------------------------


def test_ebay_paid_order() -> None:
    order = ebay.order_from_api(payload("ebay", "order_paid"), shop="vintage_finds_uk")
    assert (order.order_id, order.order_number) == ("12-11345-67890", "4821")
    assert order.updated_at == datetime(2026, 3, 19, 8, 2, 55, tzinfo=UTC)
    assert (order.currency, order.total, order.line_count, order.status) == (
        "GBP",
        Decimal("58.50"),
        2,
        OrderStatus.PROCESSING,
    )
    assert order.buyer.channel_customer_id == "zoe_collects_42"
    assert order.buyer.email == "8a1b2c3d4e5f@members.ebay.com"
    assert (order.buyer.first_name, order.buyer.last_name) == ("Zoë Anne", "MacLeòid")
    assert order.billing_address is not None
    assert order.billing_address.line1 == "22 Royal Mile"
    assert order.shipping_address is not None
    assert (order.shipping_address.first_name, order.shipping_address.city) == (
        "Morag",
        "Portree",
    )
    assert order.shipping_address.region == "Isle of Skye"


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"orderFulfillmentStatus": "FULFILLED"}, OrderStatus.SHIPPED),
        ({"orderPaymentStatus": "FULLY_REFUNDED"}, OrderStatus.REFUNDED),
        ({"orderPaymentStatus": "PENDING"}, OrderStatus.PENDING),
        ({"cancelStatus": {"cancelState": "CANCELED"}}, OrderStatus.CANCELLED),
    ],
)
def test_ebay_status(changes: dict[str, Any], expected: OrderStatus) -> None:
    body = payload("ebay", "order_paid")
    body.update(changes)
    assert ebay.order_from_api(body, shop="s").status is expected


def test_ebay_without_instructions_or_registration_address() -> None:
    body = payload("ebay", "order_paid")
    del body["fulfillmentStartInstructions"]
    del body["buyer"]["buyerRegistrationAddress"]
    order = ebay.order_from_api(body, shop="s")
    assert order.billing_address is None
    assert order.shipping_address is None
    assert order.buyer.email is None
    assert order.buyer.channel_customer_id == "zoe_collects_42"


def test_ebay_errors_name_its_fields() -> None:
    body = payload("ebay", "order_paid")
    body["fulfillmentStartInstructions"][0]["shippingStep"]["shipTo"]["contactAddress"][
        "countryCode"
    ] = "U.K."
    body["pricingSummary"]["total"]["value"] = None
    fields = refused_fields(ebay.order_from_api, body)
    assert fields == {
        "fulfillmentStartInstructions[0].shippingStep.shipTo.contactAddress.countryCode"
    }
    body["fulfillmentStartInstructions"] = []
    assert refused_fields(ebay.order_from_api, body) == {"pricingSummary.total.value"}
