"""Orders kept per customer as summaries, and the statistics they add up to.

Revenue counts the totals of orders that were neither cancelled nor refunded, per currency
(amounts in different currencies are never added together). An order update replaces its
summary only if it is at least as new, so updates delivered out of order end the same way.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from services.customer.domain.channels import order_key
from services.customer.domain.customer import DomainModel, OrderStats
from shared.contracts.orders import OrderStatus

NOT_REVENUE = (OrderStatus.CANCELLED, OrderStatus.REFUNDED)


class Buyer(DomainModel):
    """The person behind an order as the channel knows them, values as the channel sent them."""

    channel_customer_id: str | None = None
    email: str | None = None
    phone: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    company: str | None = None
    language: str | None = None


class Order(DomainModel):
    """An order as the customer domain reads it: who bought, where, when, for how much.

    Addresses stay as the channel gave them (field name -> value): the domain normalises them
    when it applies the order, and names a refused one in the history.
    """

    channel: str
    shop: str
    order_id: str
    order_number: str
    placed_at: datetime
    # Decides which data is newer (survivorship).
    updated_at: datetime
    status: OrderStatus
    currency: str
    total: Decimal
    line_count: int
    buyer: Buyer
    billing_address: dict[str, Any] | None = None
    shipping_address: dict[str, Any] | None = None

    @property
    def key(self) -> str:
        return order_key(self.channel, self.shop, self.order_id)


class OrderSummary(DomainModel):
    id: str
    customer_id: str
    channel: str
    shop: str
    order_id: str
    order_number: str
    placed_at: datetime
    updated_at: datetime
    status: OrderStatus
    currency: str
    total: Decimal
    line_count: int

    @property
    def revenue(self) -> Decimal:
        return Decimal(0) if self.status in NOT_REVENUE else self.total


def summary_of(order: Order, customer_id: str) -> OrderSummary:
    return OrderSummary(
        id=order.key,
        customer_id=customer_id,
        channel=order.channel,
        shop=order.shop,
        order_id=order.order_id,
        order_number=order.order_number,
        placed_at=order.placed_at,
        updated_at=order.updated_at,
        status=order.status,
        currency=order.currency,
        total=order.total,
        line_count=order.line_count,
    )


def is_newer(summary: OrderSummary, known: OrderSummary | None) -> bool:
    return known is None or summary.updated_at >= known.updated_at


def count_order(
    stats: OrderStats, summary: OrderSummary, replaces: OrderSummary | None
) -> OrderStats:
    """Statistics after `summary` is counted in place of `replaces` (None: a new order)."""
    revenue = dict(stats.revenue)
    if replaces is not None:
        revenue[replaces.currency] = revenue.get(replaces.currency, Decimal(0)) - replaces.revenue
    revenue[summary.currency] = revenue.get(summary.currency, Decimal(0)) + summary.revenue
    return OrderStats(
        order_count=stats.order_count + (0 if replaces else 1),
        revenue=revenue,
        first_order_at=_earliest(stats.first_order_at, summary.placed_at),
        last_order_at=_latest(stats.last_order_at, summary.placed_at),
    )


def combine_stats(stats: OrderStats, other: OrderStats) -> OrderStats:
    """The statistics of two customers' orders together (a merge)."""
    revenue = dict(stats.revenue)
    for currency, amount in other.revenue.items():
        revenue[currency] = revenue.get(currency, Decimal(0)) + amount
    return OrderStats(
        order_count=stats.order_count + other.order_count,
        revenue=revenue,
        first_order_at=_earliest(stats.first_order_at, other.first_order_at),
        last_order_at=_latest(stats.last_order_at, other.last_order_at),
    )


def _earliest(a: datetime | None, b: datetime | None) -> datetime | None:
    return min((t for t in (a, b) if t is not None), default=None)


def _latest(a: datetime | None, b: datetime | None) -> datetime | None:
    return max((t for t in (a, b) if t is not None), default=None)
