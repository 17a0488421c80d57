from __future__ import annotations

from decimal import Decimal
from typing import Any

from services.customer.domain.customer import OrderStats
from services.customer.domain.orders import Order, combine_stats, count_order, summary_of
from services.customer.use_cases.orders import order_of
from shared.contracts.orders import OrderStatus
from tests.support.orders import order as canonical_order


def order(**kwargs: Any) -> Order:
    return order_of(canonical_order(**kwargs))


def test_statistics_count_orders_and_revenue_per_currency() -> None:
    first = summary_of(order(order_id="1"), "c1")
    chf = summary_of(order(order_id="2").model_copy(update={"currency": "CHF"}), "c1")
    stats = count_order(count_order(OrderStats(), first, None), chf, None)
    assert stats.order_count == 2
    assert stats.revenue == {"EUR": Decimal("59.90"), "CHF": Decimal("59.90")}


def test_a_cancelled_order_leaves_the_revenue_but_stays_counted() -> None:
    placed = order(order_id="1")
    stats = count_order(OrderStats(), summary_of(placed, "c1"), None)
    cancelled = summary_of(placed.model_copy(update={"status": OrderStatus.CANCELLED}), "c1")
    after = count_order(stats, cancelled, summary_of(placed, "c1"))
    assert after.order_count == 1
    assert after.revenue == {"EUR": Decimal(0)}


def test_a_corrected_currency_moves_the_amount() -> None:
    placed = order(order_id="1")
    stats = count_order(OrderStats(), summary_of(placed, "c1"), None)
    corrected = summary_of(placed.model_copy(update={"currency": "USD"}), "c1")
    assert count_order(stats, corrected, summary_of(placed, "c1")).revenue == {
        "EUR": Decimal(0),
        "USD": Decimal("59.90"),
    }


def test_merged_statistics_add_up() -> None:
    a = count_order(OrderStats(), summary_of(order(order_id="1"), "a"), None)
    b = count_order(OrderStats(), summary_of(order(order_id="2"), "b"), None)
    both = combine_stats(a, b)
    assert both.order_count == 2
    assert both.revenue == {"EUR": Decimal("119.80")}
