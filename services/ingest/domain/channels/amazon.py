"""Amazon: an SP-API Orders API (v0) `Order` with its `OrderItems`, pulled by an integration.

The body is `{"Order": <Order>, "OrderItems": [<OrderItem>, ...]}`, both as `getOrder` and
`getOrderItems` return them. Amazon hides the buyer behind a relay address
(`...@marketplace.amazon.de`), which identifies the buyer within Amazon only (the customer service
knows). Orders in `Pending` carry neither buyer nor address yet: they are refused until Amazon
releases them; so are orders fetched without a Restricted Data Token, which Amazon needs to
show the buyer. Amazon forbids marketing to its buyers, so an order gives no consent signal.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from services.ingest.domain.channels.canonical import (
    AddressKeys,
    Origins,
    canonical_order,
    postal_address,
)
from services.ingest.domain.channels.reading import Document, Unmappable, split_name
from shared.contracts.orders import CanonicalOrder, KnownChannel, OrderStatus

SHIPPING = AddressKeys(
    full_name="Name",
    company="CompanyName",
    line1="AddressLine1",
    line2="AddressLine2",
    postal_code="PostalCode",
    city="City",
    region="StateOrRegion",
    country="CountryCode",
    phone="Phone",
)

STATUSES = {
    "PendingAvailability": OrderStatus.PENDING,
    "Pending": OrderStatus.PENDING,
    "Unshipped": OrderStatus.PROCESSING,
    "PartiallyShipped": OrderStatus.PROCESSING,
    "Shipped": OrderStatus.SHIPPED,
    "InvoiceUnconfirmed": OrderStatus.SHIPPED,
    "Canceled": OrderStatus.CANCELLED,
    "Unfulfillable": OrderStatus.CANCELLED,
}


def order_from_api(payload: Any, *, shop: str) -> CanonicalOrder:
    body = Document.root(payload)
    order = body.child("Order", required=True)
    assert order is not None
    items = body.children("OrderItems")
    origins: Origins = {
        "order_id": "Order.AmazonOrderId",
        "order_number": "Order.AmazonOrderId",
        "placed_at": "Order.PurchaseDate",
        "updated_at": "Order.LastUpdateDate",
        "currency": "Order.OrderTotal.CurrencyCode",
        "total": "Order.OrderTotal.Amount",
        "buyer.email": "Order.BuyerInfo.BuyerEmail",
        "buyer.first_name": "Order.BuyerInfo.BuyerName",
        "buyer.last_name": "Order.BuyerInfo.BuyerName",
    }
    buyer = order.child("BuyerInfo")
    email = buyer.text("BuyerEmail") if buyer else None
    shipping = postal_address(
        order.child("ShippingAddress"), SHIPPING, into="shipping_address", origins=origins
    )
    if email is None and shipping is None:
        raise Unmappable.at("Order.BuyerInfo.BuyerEmail", _why_no_buyer(order))
    first, last = split_name(buyer.text("BuyerName") if buyer else None)
    if last is None and shipping is not None:
        first, last = shipping.get("first_name"), shipping.get("last_name")
    currency, total = _total(order, items)
    values: dict[str, Any] = {
        "channel": KnownChannel.AMAZON.value,
        "shop": shop,
        "order_id": order.text("AmazonOrderId", required=True),
        "order_number": order.text("AmazonOrderId", required=True),
        "placed_at": order.moment("PurchaseDate", required=True),
        "updated_at": order.moment("LastUpdateDate", required=True),
        "status": _status(order),
        "currency": currency,
        "total": total,
        "line_count": _line_count(order, items),
        "buyer": {
            "email": email,
            "phone": shipping.get("phone") if shipping else None,
            "first_name": first,
            "last_name": last,
            "company": buyer.text("BuyerTaxInfo.CompanyLegalName") if buyer else None,
        },
        "shipping_address": shipping,
    }
    return canonical_order(values, origins)


MARKETPLACE_FIELD = "Order.MarketplaceId"


def marketplace_of(payload: Any) -> str:
    """The marketplace the order was placed in (`Order.MarketplaceId`)."""
    order = Document.root(payload).child("Order", required=True)
    assert order is not None
    marketplace = order.text("MarketplaceId", required=True)
    assert marketplace is not None
    return marketplace


def _why_no_buyer(order: Document) -> str:
    """Amazon leaves the buyer out of an order for one of two reasons, each with its remedy."""
    status = order.text("OrderStatus")
    if status in ("Pending", "PendingAvailability"):
        return (
            f"the order names no buyer yet: Amazon releases the buyer once the order is no "
            f"longer {status}; send it again then"
        )
    return (
        "the order names no buyer: Amazon gives the buyer's email and shipping address only "
        "to an application that fetches the order with a Restricted Data Token (the roles "
        "for buyer data); fetch it with one and send it again"
    )


def _status(order: Document) -> OrderStatus:
    status = order.text("OrderStatus", required=True)
    found = STATUSES.get(status or "")
    if found is None:
        raise Unmappable.at("Order.OrderStatus", f"{status!r} is not an Amazon order status")
    return found


def _total(order: Document, items: list[Document]) -> tuple[str | None, Decimal | None]:
    """`OrderTotal`, or for orders without one (Amazon leaves it out of some pending and
    cancelled orders) the sum of the items' prices and shipping."""
    order_total = order.child("OrderTotal")
    if order_total is not None:
        return order_total.text("CurrencyCode", required=True), order_total.decimal(
            "Amount", required=True
        )
    amounts = [
        money
        for item in items
        for key in ("ItemPrice", "ShippingPrice")
        if (money := item.child(key)) is not None
    ]
    if not amounts:
        raise Unmappable.at("Order.OrderTotal", "is required when no OrderItems carry prices")
    currencies = {money.text("CurrencyCode", required=True) or "" for money in amounts}
    if len(currencies) != 1:
        raise Unmappable.at("OrderItems", f"prices in several currencies: {sorted(currencies)}")
    total = sum(money.decimal("Amount", required=True) or Decimal(0) for money in amounts)
    return currencies.pop(), Decimal(total)


def _line_count(order: Document, items: list[Document]) -> int:
    if items:
        return len(items)
    # Without its items, the order tells only how many units it holds.
    shipped = order.integer("NumberOfItemsShipped") or 0
    unshipped = order.integer("NumberOfItemsUnshipped") or 0
    return shipped + unshipped
