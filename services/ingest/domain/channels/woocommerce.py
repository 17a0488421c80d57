"""WooCommerce: order webhooks (order.created, order.updated) carry the REST API v3 order.

Times come twice, in the site's zone without an offset and as `*_gmt` in UTC without one: the
`*_gmt` values are the unambiguous ones. A guest checkout has `customer_id` 0. WooCommerce itself
has no marketing consent; newsletter plugins record the checkout's opt-in box in the order's
`meta_data` under their own key, so which keys mean which purpose is the seller's setting.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC
from typing import Any

from services.ingest.domain.channels.canonical import (
    AddressKeys,
    Origins,
    canonical_order,
    postal_address,
)
from services.ingest.domain.channels.reading import Document, Unmappable
from services.ingest.domain.orders import shop_name
from shared.contracts.orders import CanonicalOrder, KnownChannel, OrderStatus

ORDER_TOPICS = frozenset({"order.created", "order.updated", "order.restored"})

# Mailchimp for WooCommerce stores the checkout's newsletter box under this order meta key.
DEFAULT_CONSENT_META = {"mailchimp_woocommerce_is_subscribed": "email"}

STATUSES = {
    "pending": OrderStatus.PENDING,
    "on-hold": OrderStatus.PENDING,
    "checkout-draft": OrderStatus.PENDING,
    "processing": OrderStatus.PROCESSING,
    "completed": OrderStatus.COMPLETED,
    "cancelled": OrderStatus.CANCELLED,
    "failed": OrderStatus.CANCELLED,
    "trash": OrderStatus.CANCELLED,
    "refunded": OrderStatus.REFUNDED,
}

BILLING = AddressKeys(
    first_name="first_name",
    last_name="last_name",
    company="company",
    line1="address_1",
    line2="address_2",
    postal_code="postcode",
    city="city",
    region="state",
    country="country",
    phone="phone",
)

_YES = frozenset({"1", "yes", "true", "on", "subscribed"})
_NO = frozenset({"0", "no", "false", "off", "", "unsubscribed"})


def order_from_webhook(
    payload: Any,
    *,
    shop: str,
    consent_meta: Mapping[str, str] = DEFAULT_CONSENT_META,
    extra_statuses: Mapping[str, OrderStatus] | None = None,
) -> CanonicalOrder:
    """`extra_statuses` maps statuses that plugins add (e.g. "shipped") to canonical ones."""
    order = Document.root(payload)
    billing = order.child("billing")
    origins: Origins = {
        "order_id": "id",
        "order_number": "number",
        "placed_at": "date_created_gmt",
        "updated_at": "date_modified_gmt",
        "currency": "currency",
        "total": "total",
        "buyer.email": "billing.email",
        "buyer.phone": "billing.phone",
        "buyer.first_name": "billing.first_name",
        "buyer.last_name": "billing.last_name",
        "buyer.company": "billing.company",
        "buyer.channel_customer_id": "customer_id",
    }
    placed_at = order.moment("date_created_gmt", required=True, naive_in=UTC)
    customer_id = order.text("customer_id")
    values: dict[str, Any] = {
        "channel": KnownChannel.WOOCOMMERCE.value,
        "shop": shop,
        "order_id": order.text("id", required=True),
        "order_number": order.text("number") or order.text("id", required=True),
        "placed_at": placed_at,
        # A new order's modification time is its creation time.
        "updated_at": order.moment("date_modified_gmt", naive_in=UTC) or placed_at,
        "status": _status(order, {**STATUSES, **(extra_statuses or {})}),
        "currency": order.text("currency", required=True),
        "total": order.decimal("total", required=True),
        "line_count": len(order.children("line_items")),
        "buyer": {
            "channel_customer_id": None if customer_id in (None, "0") else customer_id,
            "email": billing.text("email") if billing else None,
            "phone": billing.text("phone") if billing else None,
            "first_name": billing.text("first_name") if billing else None,
            "last_name": billing.text("last_name") if billing else None,
            "company": billing.text("company") if billing else None,
        },
        "billing_address": postal_address(
            billing, BILLING, into="billing_address", origins=origins
        ),
        "shipping_address": postal_address(
            order.child("shipping"), BILLING, into="shipping_address", origins=origins
        ),
        "marketing": _marketing(order, consent_meta, placed_at),
    }
    return canonical_order(values, origins)


def _status(order: Document, statuses: Mapping[str, OrderStatus]) -> OrderStatus:
    status = order.text("status", required=True)
    assert status is not None
    # Plugins register statuses with the "wc-" prefix WooCommerce uses internally.
    found = statuses.get(status.removeprefix("wc-"))
    if found is None:
        raise Unmappable.at(
            "status",
            f"{status!r} is not a WooCommerce order status the suite knows; map it in "
            "INGEST_WOOCOMMERCE_STATUSES",
        )
    return found


def _marketing(
    order: Document, consent_meta: Mapping[str, str], placed_at: Any
) -> list[dict[str, Any]]:
    """The opt-in boxes newsletter plugins stored in the order's meta data.

    The box was ticked (or not) at checkout, so the decision dates from the order's creation.
    A key that is absent says nothing; an unticked box is reported as no consent, never as a
    withdrawal: not ticking a box is not an objection.
    """
    signals = []
    for entry in order.children("meta_data"):
        key = entry.text("key")
        purpose = consent_meta.get(key or "")
        if purpose is None:
            continue
        value = entry.raw("value")
        word = str(value).strip().lower() if value is not None else ""
        if isinstance(value, bool):
            word = "1" if value else "0"
        if word not in _YES | _NO:
            raise Unmappable.at(entry.field("value"), f"{value!r} is not a yes or no")
        signals.append(
            {
                "purpose": purpose,
                "state": "single_opt_in" if word in _YES else "none",
                "decided_at": placed_at,
                "reported_level": f"{key}={word}",
            }
        )
    return signals


def shop_of_source(source: str) -> str | None:
    """The shop a webhook came from, by its `X-WC-Webhook-Source` (the site's home URL); None
    when it names none.

    Without the scheme and trailing slash, so that a site moving to https stays the same shop
    (its orders keep their message ids and its customers their identities).
    """
    rest = source.strip()
    for scheme in ("https://", "http://"):
        if rest.lower().startswith(scheme):
            rest = rest[len(scheme) :]
    return shop_name(rest.rstrip("/"))
