"""Shopify: order webhooks (orders/create, orders/updated, ...) carry the REST Order resource.

Amounts are in the shop's currency (`currency`, `current_total_price`); the buyer is the order's
`customer` (absent or null for a guest checkout) plus the order's own contact fields. Consent
comes from the customer's `email_marketing_consent` / `sms_marketing_consent`, or, for payloads
of older API versions, the order's `buyer_accepts_marketing` checkbox.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from services.ingest.domain.channels.canonical import (
    AddressKeys,
    Origins,
    canonical_order,
    postal_address,
)
from services.ingest.domain.channels.reading import Document, Unmappable, language_tag
from shared.contracts.consent import EMAIL, SMS
from shared.contracts.orders import CanonicalOrder, KnownChannel, OrderStatus

# Topics whose payload is the order itself; others (orders/delete sends only an id) are not orders.
ORDER_TOPICS = frozenset(
    {
        "orders/create",
        "orders/updated",
        "orders/paid",
        "orders/cancelled",
        "orders/fulfilled",
        "orders/partially_fulfilled",
    }
)

ADDRESS = AddressKeys(
    first_name="first_name",
    last_name="last_name",
    company="company",
    line1="address1",
    line2="address2",
    postal_code="zip",
    city="city",
    region="province",
    country="country_code",
    phone="phone",
)
# Older payloads and some apps send only the country's name.
ADDRESS_BY_NAME = replace(ADDRESS, country="country")

_FINANCIAL = {
    "pending": OrderStatus.PENDING,
    "authorized": OrderStatus.PENDING,
    "partially_paid": OrderStatus.PROCESSING,
    "paid": OrderStatus.PROCESSING,
    "partially_refunded": OrderStatus.PROCESSING,
    "refunded": OrderStatus.REFUNDED,
    "voided": OrderStatus.CANCELLED,
    "expired": OrderStatus.CANCELLED,
}


def order_from_webhook(payload: Any, *, shop: str) -> CanonicalOrder:
    order = Document.root(payload)
    customer = order.child("customer")
    origins: Origins = {
        "order_id": "id",
        "order_number": "name",
        "placed_at": "processed_at",
        "updated_at": "updated_at",
        "currency": "currency",
        "total": "current_total_price",
        "buyer.email": "email",
        "buyer.phone": "phone",
        "buyer.language": "customer_locale",
        "buyer.channel_customer_id": "customer.id",
        "buyer.first_name": "customer.first_name",
        "buyer.last_name": "customer.last_name",
    }
    values: dict[str, Any] = {
        "channel": KnownChannel.SHOPIFY.value,
        "shop": shop,
        "order_id": order.text("id", required=True),
        "order_number": order.text("name") or order.text("order_number", required=True),
        "placed_at": order.moment("processed_at") or order.moment("created_at", required=True),
        "updated_at": order.moment("updated_at", required=True),
        "status": _status(order),
        "currency": order.text("currency", required=True),
        "total": order.decimal("current_total_price")
        if order.raw("current_total_price") is not None
        else order.decimal("total_price", required=True),
        "line_count": len(order.children("line_items")),
        "billing_address": _address(order.child("billing_address"), "billing_address", origins),
        "shipping_address": _address(order.child("shipping_address"), "shipping_address", origins),
        "marketing": _marketing(order, customer),
    }
    values["buyer"] = _buyer(order, customer, values)
    return canonical_order(values, origins)


def _address(doc: Document | None, into: str, origins: Origins) -> dict[str, Any] | None:
    keys = ADDRESS if doc is None or doc.text("country_code") else ADDRESS_BY_NAME
    return postal_address(doc, keys, into=into, origins=origins)


def _buyer(order: Document, customer: Document | None, values: dict[str, Any]) -> dict[str, Any]:
    # The order's own contact fields are what the buyer typed at this checkout.
    email = order.text("email") or order.text("contact_email")
    phone = order.text("phone")
    names = {}
    if customer is not None:
        email = email or customer.text("email")
        phone = phone or customer.text("phone")
        names = {"first_name": customer.text("first_name"), "last_name": customer.text("last_name")}
    if not any(names.values()):
        address = values["billing_address"] or values["shipping_address"] or {}
        names = {"first_name": address.get("first_name"), "last_name": address.get("last_name")}
    return {
        "channel_customer_id": customer.text("id") if customer is not None else None,
        "email": email,
        "phone": phone,
        **names,
        "language": language_tag(order.text("customer_locale")),
    }


def _status(order: Document) -> OrderStatus:
    if order.text("cancelled_at"):
        return OrderStatus.CANCELLED
    financial = order.text("financial_status")
    if financial is not None and financial not in _FINANCIAL:
        raise Unmappable.at("financial_status", f"{financial!r} is not a Shopify financial status")
    status = _FINANCIAL.get(financial or "paid", OrderStatus.PROCESSING)
    if status in (OrderStatus.REFUNDED, OrderStatus.CANCELLED):
        return status
    if order.text("fulfillment_status") == "fulfilled":
        # A fulfilled order that was also closed (archived) is done with.
        return OrderStatus.COMPLETED if order.text("closed_at") else OrderStatus.SHIPPED
    return status


def _marketing(order: Document, customer: Document | None) -> list[dict[str, Any]]:
    signals = []
    email = customer.child("email_marketing_consent") if customer is not None else None
    if email is not None:
        signals += _consent(email, EMAIL)
    elif (accepts := order.flag("buyer_accepts_marketing")) is not None:
        # The checkout's checkbox: ticked at the moment the order was placed.
        signals.append(
            {
                "purpose": EMAIL,
                "state": "single_opt_in" if accepts else "none",
                "decided_at": order.moment("created_at"),
                "reported_level": f"buyer_accepts_marketing={str(accepts).lower()}",
            }
        )
    sms = customer.child("sms_marketing_consent") if customer is not None else None
    if sms is not None:
        signals += _consent(sms, SMS)
    return signals


def _consent(consent: Document, purpose: str) -> list[dict[str, Any]]:
    """One of Shopify's consent blocks as a signal in the channel's own words.

    A `subscribed` state is as strong as its opt-in level says (`confirmed_opt_in` is a double
    opt-in). `pending` awaits the buyer's confirmation, so it is no consent yet. `redacted` and
    `invalid` say nothing about the person's wishes and give no signal at all.
    """
    state = consent.text("state")
    level = consent.text("opt_in_level")
    decided_at = consent.moment("consent_updated_at")
    if state == "subscribed":
        canonical = "double_opt_in" if level == "confirmed_opt_in" else "single_opt_in"
        reported = level or "subscribed"
    elif state == "unsubscribed":
        canonical, reported = "withdrawn", state
    elif state in ("not_subscribed", "pending"):
        canonical, reported = "none", state
    elif state in ("redacted", "invalid", None):
        return []
    else:
        raise Unmappable.at(consent.field("state"), f"{state!r} is not a Shopify consent state")
    return [
        {
            "purpose": purpose,
            "state": canonical,
            "decided_at": decided_at,
            "reported_level": reported,
        }
    ]
