"""eBay: a Sell Fulfillment API `Order` (`getOrder`, `getOrders`), pulled by an integration.

The buyer is `buyer.username` (stable on eBay) with the registration contact in
`buyer.buyerRegistrationAddress`; the shipping address is the `shipTo` of the first fulfillment
instruction. eBay gives whole names only. eBay relays buyer mail and forbids marketing to its
buyers outside eBay, so an order gives no consent signal.
"""

from __future__ import annotations

from typing import Any

from services.ingest.domain.channels.canonical import (
    AddressKeys,
    Origins,
    canonical_order,
    postal_address,
)
from services.ingest.domain.channels.reading import Document, Unmappable
from shared.contracts.orders import CanonicalOrder, KnownChannel, OrderStatus

CONTACT = AddressKeys(
    full_name="fullName",
    company="companyName",
    line1="contactAddress.addressLine1",
    line2="contactAddress.addressLine2",
    postal_code="contactAddress.postalCode",
    city="contactAddress.city",
    region="contactAddress.stateOrProvince",
    country="contactAddress.countryCode",
    phone="primaryPhone.phoneNumber",
)


def order_from_api(payload: Any, *, shop: str) -> CanonicalOrder:
    order = Document.root(payload)
    buyer = order.child("buyer", required=True)
    assert buyer is not None
    registration = buyer.child("buyerRegistrationAddress")
    origins: Origins = {
        "order_id": "orderId",
        "order_number": "salesRecordReference",
        "placed_at": "creationDate",
        "updated_at": "lastModifiedDate",
        "currency": "pricingSummary.total.currency",
        "total": "pricingSummary.total.value",
        "buyer.channel_customer_id": "buyer.username",
        "buyer.email": "buyer.buyerRegistrationAddress.email",
        "buyer.phone": "buyer.buyerRegistrationAddress.primaryPhone.phoneNumber",
    }
    billing = postal_address(registration, CONTACT, into="billing_address", origins=origins)
    ship_to = next(
        (
            to
            for instruction in order.children("fulfillmentStartInstructions")
            if (to := instruction.child("shippingStep.shipTo")) is not None
        ),
        None,
    )
    shipping = postal_address(ship_to, CONTACT, into="shipping_address", origins=origins)
    contact = billing or shipping or {}
    values: dict[str, Any] = {
        "channel": KnownChannel.EBAY.value,
        "shop": shop,
        "order_id": order.text("orderId", required=True),
        "order_number": order.text("salesRecordReference")
        or order.text("legacyOrderId")
        or order.text("orderId", required=True),
        "placed_at": order.moment("creationDate", required=True),
        "updated_at": order.moment("lastModifiedDate", required=True),
        "status": _status(order),
        "currency": order.text("pricingSummary.total.currency", required=True),
        "total": order.decimal("pricingSummary.total.value", required=True),
        "line_count": len(order.children("lineItems")),
        "buyer": {
            "channel_customer_id": buyer.text("username"),
            "email": (registration.text("email") if registration else None)
            or (ship_to.text("email") if ship_to else None),
            "phone": contact.get("phone"),
            "first_name": contact.get("first_name"),
            "last_name": contact.get("last_name"),
            "company": contact.get("company"),
        },
        "billing_address": billing,
        "shipping_address": shipping,
    }
    return canonical_order(values, origins)


_PAYMENT = {
    "PENDING": OrderStatus.PENDING,
    "FAILED": OrderStatus.CANCELLED,
    "PAID": OrderStatus.PROCESSING,
    "PARTIALLY_REFUNDED": OrderStatus.PROCESSING,
    "FULLY_REFUNDED": OrderStatus.REFUNDED,
}
_FULFILMENT = frozenset({"NOT_STARTED", "IN_PROGRESS", "FULFILLED"})


def _status(order: Document) -> OrderStatus:
    if order.text("cancelStatus.cancelState") == "CANCELED":
        return OrderStatus.CANCELLED
    payment = order.text("orderPaymentStatus", required=True)
    status = _PAYMENT.get(payment or "")
    if status is None:
        raise Unmappable.at("orderPaymentStatus", f"{payment!r} is not an eBay payment status")
    fulfilment = order.text("orderFulfillmentStatus", required=True)
    if fulfilment not in _FULFILMENT:
        raise Unmappable.at(
            "orderFulfillmentStatus", f"{fulfilment!r} is not an eBay fulfillment status"
        )
    if status is OrderStatus.PROCESSING and fulfilment == "FULFILLED":
        return OrderStatus.SHIPPED
    return status
