"""Adobe Commerce (Magento 2): the REST order entity (`GET /V1/orders/{id}`, `sales/order`).

An integration pulls orders and posts each entity as the REST API returned it. Times are UTC
without an offset; flags may be 0/1; amounts may be JSON numbers. The shipping address lives in
`extension_attributes.shipping_assignments[].shipping.address` (absent for virtual orders), and
a configurable product appears twice in `items`, as the parent and as its chosen child, so only
items without a `parent_item_id` count as order lines. Orders carry no marketing consent.
"""

from __future__ import annotations

from datetime import UTC
from typing import Any

from services.ingest.domain.channels.canonical import (
    AddressKeys,
    Origins,
    canonical_order,
    postal_address,
)
from services.ingest.domain.channels.reading import Document, Unmappable
from shared.contracts.orders import CanonicalOrder, KnownChannel, OrderStatus

ADDRESS = AddressKeys(
    first_name="firstname",
    last_name="lastname",
    company="company",
    line1="street",
    street="street",
    postal_code="postcode",
    city="city",
    region="region",
    country="country_id",
    phone="telephone",
)

# Adobe Commerce's order states (the status is a seller-configurable label within a state).
STATES = {
    "new": OrderStatus.PENDING,
    "pending_payment": OrderStatus.PENDING,
    "payment_review": OrderStatus.PENDING,
    "holded": OrderStatus.PENDING,
    "processing": OrderStatus.PROCESSING,
    "complete": OrderStatus.COMPLETED,
    # Closed: fully refunded by a credit memo.
    "closed": OrderStatus.REFUNDED,
    "canceled": OrderStatus.CANCELLED,
}


def order_from_entity(payload: Any, *, shop: str) -> CanonicalOrder:
    order = Document.root(payload)
    origins: Origins = {
        "order_id": "entity_id",
        "order_number": "increment_id",
        "placed_at": "created_at",
        "updated_at": "updated_at",
        "currency": "order_currency_code",
        "total": "grand_total",
        "buyer.email": "customer_email",
        "buyer.first_name": "customer_firstname",
        "buyer.last_name": "customer_lastname",
        "buyer.channel_customer_id": "customer_id",
    }
    billing = postal_address(
        order.child("billing_address"), ADDRESS, into="billing_address", origins=origins
    )
    guest = order.flag("customer_is_guest")
    placed_at = order.moment("created_at", required=True, naive_in=UTC)
    values: dict[str, Any] = {
        "channel": KnownChannel.ADOBE_COMMERCE.value,
        "shop": shop,
        "order_id": order.text("entity_id", required=True),
        "order_number": order.text("increment_id", required=True),
        "placed_at": placed_at,
        "updated_at": order.moment("updated_at", naive_in=UTC) or placed_at,
        "status": _status(order),
        "currency": order.text("order_currency_code", required=True),
        "total": order.decimal("grand_total", required=True),
        "line_count": sum(1 for item in order.children("items") if not item.text("parent_item_id")),
        "buyer": {
            # A guest order may still carry the id of a customer who later registered: the
            # order was placed as a guest, so it does not belong to that account by id.
            "channel_customer_id": None if guest else order.text("customer_id"),
            "email": order.text("customer_email"),
            "phone": billing.get("phone") if billing else None,
            "first_name": order.text("customer_firstname")
            or (billing.get("first_name") if billing else None),
            "last_name": order.text("customer_lastname")
            or (billing.get("last_name") if billing else None),
        },
        "billing_address": billing,
        "shipping_address": _shipping(order, origins),
    }
    return canonical_order(values, origins)


def _shipping(order: Document, origins: Origins) -> dict[str, Any] | None:
    extension = order.child("extension_attributes")
    assignments = extension.children("shipping_assignments") if extension else []
    for assignment in assignments:
        address = assignment.child("shipping.address")
        if address is not None:
            return postal_address(address, ADDRESS, into="shipping_address", origins=origins)
    return None


def _status(order: Document) -> OrderStatus:
    state = order.text("state", required=True)
    found = STATES.get(state or "")
    if found is None:
        raise Unmappable.at("state", f"{state!r} is not an Adobe Commerce order state")
    return found
