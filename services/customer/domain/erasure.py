"""Erasure (GDPR Art. 17): the customer keeps their id and number, and nothing about the person.

Orders stay (a seller must keep them for accounting) but their summaries hold no personal data;
statistics and non-personal custom fields stay so reports still add up.

A shop's erasure (the shop left, e.g. Shopify's shop/redact) is decided per customer: a person
the suite knows only through that shop is erased; a person it also knows otherwise (another
channel, entered by staff, imported from another system) stays the seller's customer and only
loses what ties them to the shop (the shop as a sales channel, their accounts there).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from services.customer.domain.channels import channel_of
from services.customer.domain.customer import Customer
from services.customer.domain.errors import Conflict
from shared.contracts.customers import CustomerStatus


def erase(customer: Customer, *, now: datetime, non_personal_fields: Collection[str]) -> Customer:
    """The anonymised customer; `customer` itself if they were erased already."""
    if customer.status is CustomerStatus.ERASED:
        return customer
    if customer.status is CustomerStatus.MERGED:
        raise Conflict(
            f"customer {customer.id} was merged into {customer.merged_into}; erase that one"
        )
    return Customer(
        id=customer.id,
        number=customer.number,
        status=CustomerStatus.ERASED,
        version=customer.version + 1,
        created_at=customer.created_at,
        updated_at=now,
        origin_channel=customer.origin_channel,
        channels=customer.channels,
        stats=customer.stats,
        extra={k: v for k, v in customer.extra.items() if k in non_personal_fields},
        closed_at=now,
    )


def known_only_through(customer: Customer, shop_channel: str) -> bool:
    """True when the shop (its `sales_channel`) is all the suite knows the person through: it
    is their only sales channel, and the customer began with an order of that channel (not
    with a person entering them, an import from another system, or an order elsewhere)."""
    return customer.channels == (shop_channel,) and customer.origin_channel == channel_of(
        shop_channel
    )


def without_shop(customer: Customer, shop_channel: str, *, now: datetime) -> Customer:
    """The customer without what ties them to the shop (its `sales_channel`): the shop as one
    of their sales channels and their accounts there; `customer` itself if nothing did."""
    channels = tuple(c for c in customer.channels if c != shop_channel)
    accounts = tuple(a for a in customer.channel_accounts if not a.startswith(f"{shop_channel}:"))
    if channels == customer.channels and accounts == customer.channel_accounts:
        return customer
    return customer.changed(now, channels=channels, channel_accounts=accounts)
